//! Due-instant computation: a random receipt instant in 2020–2030 and 1–60 working days,
//! through the real Vietnamese calendar (shipped Government decisions) and default working
//! hours. Issue 3's target: well under a microsecond at the median.
//!
//! Run: `cargo bench -p motcua-bench --bench due_instant`

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use motcua_core::calendar::WorkingHours;
use motcua_core::legal_time::{due, due_instant, ClockUnit, Decisions, DueRequest, VietnamCalendar, SHIPPED_DECISIONS};
use std::hint::black_box;

/// Reproducible pseudo-random cases (a fixed-seed xorshift, so every run measures the same
/// inputs).
fn cases(n: usize) -> Vec<(DateTime<Utc>, f64)> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let from = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap().timestamp();
    let to = Utc.with_ymd_and_hms(2030, 12, 31, 0, 0, 0).unwrap().timestamp();
    (0..n)
        .map(|_| {
            let t = from + (next() % (to - from) as u64) as i64;
            let days = 1 + next() % 60;
            (DateTime::from_timestamp(t, 0).unwrap(), days as f64)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cal = VietnamCalendar::new(&Decisions::parse(SHIPPED_DECISIONS).unwrap());
    let hours = WorkingHours::default();
    let inputs = cases(4096);
    let mut i = 0;
    c.bench_function("due_instant: random start, 1-60 working days", |b| {
        b.iter(|| {
            let (start, days) = inputs[i % inputs.len()];
            i += 1;
            black_box(due_instant(&cal, &hours, black_box(start), black_box(days), ClockUnit::WorkingDays, None))
        })
    });
    let mut j = 0;
    c.bench_function("due with explanation: random start, 1-60 working days", |b| {
        b.iter(|| {
            let (start, days) = inputs[j % inputs.len()];
            j += 1;
            let req = DueRequest {
                received_at: start,
                amount: days,
                unit: ClockUnit::WorkingDays,
                cutoff: None,
                pauses: &[],
                now: start,
            };
            black_box(due(&cal, &hours, black_box(&req)))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
