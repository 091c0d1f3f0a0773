//! The processing clock: worked examples (reasoning by hand, from the calendar and the
//! decisions, written beside each case) and property tests for the invariants of
//! LEGAL-TIME.md ("What tests must show").
//!
//! Default working hours: 07:30–11:30 and 13:00–17:00, 8 h = 480 min a working day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use motcua_core::calendar::{vietnam, WeekdaysOnly, WorkingCalendar, WorkingHours};
use motcua_core::catalogue::TimeUnit;
use motcua_core::legal_time::clock::DEFAULT_CUTOFF;
use motcua_core::legal_time::{
    add_working_time, classify_completion, classify_progress, due, due_instant, parse_working_hours,
    working_time_between, ClockError, ClockPause, ClockUnit, Completion, Decisions, DueRequest, PauseReason, Progress,
    Step, VietnamCalendar, SHIPPED_DECISIONS,
};
use proptest::prelude::*;
use std::sync::OnceLock;

fn cal() -> &'static VietnamCalendar {
    static CAL: OnceLock<VietnamCalendar> = OnceLock::new();
    CAL.get_or_init(|| VietnamCalendar::new(&Decisions::parse(SHIPPED_DECISIONS).unwrap()))
}

fn computed() -> &'static VietnamCalendar {
    static CAL: OnceLock<VietnamCalendar> = OnceLock::new();
    CAL.get_or_init(VietnamCalendar::computed_only)
}

/// A Vietnam-local instant.
fn vn(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    vietnam().with_ymd_and_hms(y, m, d, h, mi, 0).unwrap().with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn hours() -> WorkingHours {
    WorkingHours::default()
}

fn due_at(c: &VietnamCalendar, at: DateTime<Utc>, amount: f64, unit: ClockUnit) -> DateTime<Utc> {
    due_instant(c, &hours(), at, amount, unit, None).unwrap()
}

fn skipped_days(steps: &[motcua_core::legal_time::ExplanationStep]) -> Vec<(NaiveDate, String)> {
    steps
        .iter()
        .filter_map(|s| match &s.step {
            Step::SkippedDay { date, kind, .. } => Some((*date, kind.clone())),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Worked examples
// ---------------------------------------------------------------------------------------

#[test]
fn tet_2026_three_working_days() {
    // Received Friday 13 Feb 2026 at 10:00; 3 working days = 24 h of working time.
    // Fri 13: 10:00–11:30 (1.5 h) + 13:00–17:00 (4 h) = 5.5 h.
    // Sat 14, Sun 15: weekly rest days.
    // Mon 16 – Fri 20: Tết (Thông báo 9441/TB-BNV: 16–20 Feb 2026).
    // Sat 21, Sun 22: weekly rest days.
    // Mon 23: 8 h (13.5 h); Tue 24: 8 h (21.5 h); Wed 25: the remaining 2.5 h from 07:30
    // → 10:00. Due Wednesday 25 Feb 2026 10:00.
    let req = DueRequest {
        received_at: vn(2026, 2, 13, 10, 0),
        amount: 3.0,
        unit: ClockUnit::WorkingDays,
        cutoff: None,
        pauses: &[],
        now: vn(2026, 2, 13, 10, 0),
    };
    let r = due(cal(), &hours(), &req).unwrap();
    assert_eq!(r.due_at, vn(2026, 2, 25, 10, 0));
    assert_eq!(r.unpaused_due_at, r.due_at);
    let skipped = skipped_days(&r.explanation);
    let dates: Vec<_> = skipped.iter().map(|s| s.0).collect();
    assert_eq!(
        dates,
        vec![
            date(2026, 2, 14),
            date(2026, 2, 15),
            date(2026, 2, 16),
            date(2026, 2, 17),
            date(2026, 2, 18),
            date(2026, 2, 19),
            date(2026, 2, 20),
            date(2026, 2, 21),
            date(2026, 2, 22)
        ]
    );
    assert_eq!(skipped[0].1, "weekly_rest_day");
    assert_eq!(skipped[2].1, "holiday");
    // The explanation names the decision and ends with the due instant.
    let text: Vec<_> = r.explanation.iter().map(|s| s.text.clone()).collect();
    assert!(r
        .explanation
        .iter()
        .any(|s| matches!(&s.step, Step::SkippedDay { source, .. } if source.contains("9441/TB-BNV"))));
    assert!(text.last().unwrap().contains("2026-02-25 10:00"), "{text:?}");
    // The same with the simple Monday–Friday clock would be Wed 18 Feb 10:00: the
    // holidays matter.
    assert_eq!(
        due_instant(&WeekdaysOnly, &hours(), req.received_at, 3.0, ClockUnit::WorkingDays, None).unwrap(),
        vn(2026, 2, 18, 10, 0)
    );
}

#[test]
fn victory_and_labour_day_2025_with_the_2_may_swap() {
    // 2025 (Thông báo 6150/TB-LĐTBXH): Wed 30/4 and Thu 1/5 holidays; Fri 2/5 off in
    // exchange for working Saturday 26/4.
    //
    // (a) Received Tue 29 Apr 2025 16:00, 1 working day (8 h): Tue 16:00–17:00 = 1 h;
    // Wed 30/4 holiday, Thu 1/5 holiday, Fri 2/5 swapped day off, Sat 3 and Sun 4 rest;
    // Mon 5 May: 7 h = 07:30–11:30 (4 h) + 13:00–16:00 (3 h). Due Mon 5 May 16:00.
    let req = DueRequest {
        received_at: vn(2025, 4, 29, 16, 0),
        amount: 1.0,
        unit: ClockUnit::WorkingDays,
        cutoff: None,
        pauses: &[],
        now: vn(2025, 4, 29, 16, 0),
    };
    let r = due(cal(), &hours(), &req).unwrap();
    assert_eq!(r.due_at, vn(2025, 5, 5, 16, 0));
    assert_eq!(
        skipped_days(&r.explanation),
        vec![
            (date(2025, 4, 30), "holiday".to_string()),
            (date(2025, 5, 1), "holiday".to_string()),
            (date(2025, 5, 2), "swap_day_off".to_string()),
            (date(2025, 5, 3), "weekly_rest_day".to_string()),
            (date(2025, 5, 4), "weekly_rest_day".to_string()),
        ]
    );

    // (b) Received on the make-up Saturday 26 Apr 2025 at 09:00, 1 working day: Sat
    // 09:00–11:30 (2.5 h) + 13:00–17:00 (4 h) = 6.5 h; Sun 27 rest; Mon 28: 1.5 h from
    // 07:30 → 09:00. Due Mon 28 Apr 09:00. Without the decision the Saturday is a rest day:
    // counting starts Mon 28 07:30 and 8 h end at Mon 28 17:00.
    let r = due(cal(), &hours(), &DueRequest { received_at: vn(2025, 4, 26, 9, 0), ..req }).unwrap();
    assert_eq!(r.due_at, vn(2025, 4, 28, 9, 0));
    assert!(r
        .explanation
        .iter()
        .any(|s| matches!(s.step, Step::CountedMakeUpDay { date: d, .. } if d == date(2025, 4, 26))));
    assert_eq!(due_at(computed(), vn(2025, 4, 26, 9, 0), 1.0, ClockUnit::WorkingDays), vn(2025, 4, 28, 17, 0));

    // (c) Received Fri 25 Apr 2025 15:00, 4 working days (32 h): Fri 15:00–17:00 2 h;
    // Sat 26 (make-up) 8 h → 10; Sun 27 rest; Mon 28 8 h → 18; Tue 29 8 h → 26; Wed 30,
    // Thu 1, Fri 2 off; Sat 3, Sun 4 rest; Mon 5: 6 h = 07:30–11:30 + 13:00–15:00.
    // Due Mon 5 May 15:00. The swap is neutral here: without the decision Sat 26 is off
    // but Fri 2 May is worked, and the due instant is the same.
    assert_eq!(due_at(cal(), vn(2025, 4, 25, 15, 0), 4.0, ClockUnit::WorkingDays), vn(2025, 5, 5, 15, 0));
    assert_eq!(due_at(computed(), vn(2025, 4, 25, 15, 0), 4.0, ClockUnit::WorkingDays), vn(2025, 5, 5, 15, 0));

    // (d) Same day with the 15:00 cut-off. Received Tue 29 Apr 14:59 → that day 17:00.
    // Received 15:30 (after the cut-off) → the next working day: Wed 30/4 and Thu 1/5
    // holidays, Fri 2/5 swapped, Sat/Sun rest → Mon 5 May 17:00.
    assert_eq!(due_at(cal(), vn(2025, 4, 29, 14, 59), 0.0, ClockUnit::SameDay), vn(2025, 4, 29, 17, 0));
    assert_eq!(due_at(cal(), vn(2025, 4, 29, 15, 0), 0.0, ClockUnit::SameDay), vn(2025, 4, 29, 17, 0));
    assert_eq!(due_at(cal(), vn(2025, 4, 29, 15, 30), 0.0, ClockUnit::SameDay), vn(2025, 5, 5, 17, 0));
    // A receipt on the make-up Saturday before the cut-off is due that Saturday.
    assert_eq!(due_at(cal(), vn(2025, 4, 26, 10, 0), 0.0, ClockUnit::SameDay), vn(2025, 4, 26, 17, 0));
}

#[test]
fn national_day_2025() {
    // 2025: Mon 1 Sep (adjacent day) and Tue 2 Sep off (Công văn 8726/VPCP-KGVX).
    //
    // (a) Received Fri 29 Aug 2025 14:00, 1 working day: Fri 14:00–17:00 3 h; Sat 30, Sun 31
    // rest; Mon 1, Tue 2 Sep holidays; Wed 3 Sep: 5 h = 07:30–11:30 (4 h) + 13:00–14:00.
    // Due Wed 3 Sep 2025 14:00.
    assert_eq!(due_at(cal(), vn(2025, 8, 29, 14, 0), 1.0, ClockUnit::WorkingDays), vn(2025, 9, 3, 14, 0));

    // (b) 5 calendar days from Thu 28 Aug 2025 (Civil Code 2015 Art. 147–148): 28 Aug not
    // counted; 29, 30, 31 Aug, 1, 2 Sep → the period ends Tue 2 Sep, a holiday → the next
    // working day, Wed 3 Sep, at the close (17:00).
    let req = DueRequest {
        received_at: vn(2025, 8, 28, 9, 0),
        amount: 5.0,
        unit: ClockUnit::CalendarDays,
        cutoff: None,
        pauses: &[],
        now: vn(2025, 8, 28, 9, 0),
    };
    let r = due(cal(), &hours(), &req).unwrap();
    assert_eq!(r.due_at, vn(2025, 9, 3, 17, 0));
    assert_eq!(skipped_days(&r.explanation), vec![(date(2025, 9, 2), "holiday".to_string())]);
    assert!(r
        .explanation
        .iter()
        .any(|s| matches!(s.step, Step::DayOfReceiptNotCounted { date: d } if d == date(2025, 8, 28))));
    assert!(r
        .explanation
        .iter()
        .any(|s| matches!(s.step, Step::MovedToNextWorkingDay { from, to } if from == date(2025, 9, 2) && to == date(2025, 9, 3))));

    // (c) Half a working day = 4 h. Received Fri 29 Aug 2025 10:00: 10:00–11:30 (1.5 h),
    // 13:00–15:30 (2.5 h) → due Fri 29 Aug 15:30.
    assert_eq!(due_at(cal(), vn(2025, 8, 29, 10, 0), 0.5, ClockUnit::WorkingDays), vn(2025, 8, 29, 15, 30));
    // Received Fri 29 Aug 16:00: 1 h on Friday, then (Mon 1 and Tue 2 Sep off) Wed 3 Sep
    // 07:30 + 3 h = 10:30.
    assert_eq!(due_at(cal(), vn(2025, 8, 29, 16, 0), 0.5, ClockUnit::WorkingDays), vn(2025, 9, 3, 10, 30));
    // 5 working hours from Fri 29 Aug 16:00: 1 h on Friday, then Wed 3 Sep 07:30–11:30
    // (4 h) → 11:30, the close of the morning period (inside, not 13:00).
    assert_eq!(due_at(cal(), vn(2025, 8, 29, 16, 0), 5.0, ClockUnit::WorkingHours), vn(2025, 9, 3, 11, 30));
}

#[test]
fn compensatory_days() {
    // (a) 2027, computed defaults (no decision shipped): 1 May 2027 is a Saturday →
    // compensatory Monday 3 May (Labor Code 2019 Art. 111(3)); Fri 30 Apr is a holiday.
    // Received Thu 29 Apr 2027 13:00, 2 working days (16 h): Thu 13:00–17:00 4 h; Fri 30
    // holiday; Sat 1, Sun 2 rest; Mon 3 compensatory; Tue 4 May 8 h (12 h); Wed 5 May
    // 07:30–11:30 4 h → due Wed 5 May 2027 11:30.
    let req = DueRequest {
        received_at: vn(2027, 4, 29, 13, 0),
        amount: 2.0,
        unit: ClockUnit::WorkingDays,
        cutoff: None,
        pauses: &[],
        now: vn(2027, 4, 29, 13, 0),
    };
    let r = due(cal(), &hours(), &req).unwrap();
    assert_eq!(r.due_at, vn(2027, 5, 5, 11, 30));
    let skipped = skipped_days(&r.explanation);
    assert_eq!(skipped.last().unwrap(), &(date(2027, 5, 3), "compensatory".to_string()));
    // Sat 1 May is both a rest day and a holiday: it is explained as the holiday.
    assert_eq!(skipped[1], (date(2027, 5, 1), "holiday".to_string()));

    // (b) 2026: Giỗ Tổ (10/3 âm lịch) is Sunday 26 Apr 2026 → compensatory Mon 27 Apr.
    // Received Fri 24 Apr 2026 16:30, 1 working day: Fri 16:30–17:00 0.5 h; Sat 25, Sun 26
    // off; Mon 27 compensatory; Tue 28: 7.5 h = 07:30–11:30 (4 h) + 13:00–16:30 (3.5 h).
    // Due Tue 28 Apr 2026 16:30.
    assert_eq!(due_at(cal(), vn(2026, 4, 24, 16, 30), 1.0, ClockUnit::WorkingDays), vn(2026, 4, 28, 16, 30));
}

#[test]
fn swapped_days_new_year_2026() {
    // 2026 (Công văn 12729/VPCP-KGVX): Thu 1 Jan holiday; Fri 2 Jan off in exchange for
    // working Saturday 10 Jan.
    //
    // (a) Received Wed 31 Dec 2025 09:00, 2 working days (16 h): Wed 09:00–11:30 (2.5 h) +
    // 13:00–17:00 (4 h) = 6.5 h; Thu 1 holiday; Fri 2 swapped day off; Sat 3, Sun 4 rest;
    // Mon 5 Jan 8 h (14.5 h); Tue 6 Jan 1.5 h from 07:30 → 09:00. Due Tue 6 Jan 2026 09:00.
    assert_eq!(due_at(cal(), vn(2025, 12, 31, 9, 0), 2.0, ClockUnit::WorkingDays), vn(2026, 1, 6, 9, 0));
    // (b) Received Fri 9 Jan 2026 13:00, 1 working day: Fri 13:00–17:00 4 h; Sat 10 Jan is
    // a make-up working day: 07:30–11:30 4 h → due Sat 10 Jan 2026 11:30.
    assert_eq!(due_at(cal(), vn(2026, 1, 9, 13, 0), 1.0, ClockUnit::WorkingDays), vn(2026, 1, 10, 11, 30));
    // (c) 4 working hours from Fri 9 Jan 11:30: 13:00–17:00 → 17:00 the same day.
    assert_eq!(due_at(cal(), vn(2026, 1, 9, 11, 30), 4.0, ClockUnit::WorkingHours), vn(2026, 1, 9, 17, 0));
}

#[test]
fn months_follow_the_civil_code() {
    // 1 month from Fri 31 Jan 2025: February has no 31st → the period ends on its last
    // day, Fri 28 Feb 2025, a working day → 17:00. (The receipt day itself, a Tết day, does
    // not matter for a calendar period.)
    assert_eq!(due_at(cal(), vn(2025, 1, 31, 10, 0), 1.0, ClockUnit::Months), vn(2025, 2, 28, 17, 0));
    // 1 month from Mon 30 Mar 2026 → Thu 30 Apr 2026, a holiday; Fri 1 May holiday; Sat 2,
    // Sun 3 rest → Mon 4 May 2026 17:00.
    assert_eq!(due_at(cal(), vn(2026, 3, 30, 10, 0), 1.0, ClockUnit::Months), vn(2026, 5, 4, 17, 0));
    // 2 weeks from Mon 5 Jan 2026 → Mon 19 Jan 17:00.
    assert_eq!(due_at(cal(), vn(2026, 1, 5, 10, 0), 2.0, ClockUnit::Weeks), vn(2026, 1, 19, 17, 0));
    // 1 year from Fri 29 Feb 2028 → 28 Feb 2029 (a Wednesday) 17:00.
    assert_eq!(due_at(cal(), vn(2028, 2, 29, 10, 0), 1.0, ClockUnit::Years), vn(2029, 2, 28, 17, 0));
}

#[test]
fn pauses_move_the_due_instant_in_the_units_own_kind() {
    // Working days. Received Mon 5 Jan 2026 07:30, 2 working days → Tue 6 Jan 17:00.
    // A supplement request from Mon 13:00 to Tue 13:00 pauses 4 h (Mon afternoon) + 4 h
    // (Tue morning) = 8 h of working time → due moves one working day: Wed 7 Jan 17:00.
    let pause = [ClockPause {
        from: vn(2026, 1, 5, 13, 0),
        until: Some(vn(2026, 1, 6, 13, 0)),
        reason: PauseReason::SupplementRequest,
    }];
    let req = DueRequest {
        received_at: vn(2026, 1, 5, 7, 30),
        amount: 2.0,
        unit: ClockUnit::WorkingDays,
        cutoff: None,
        pauses: &pause,
        now: vn(2026, 1, 20, 0, 0),
    };
    let r = due(cal(), &hours(), &req).unwrap();
    assert_eq!(r.unpaused_due_at, vn(2026, 1, 6, 17, 0));
    assert_eq!(r.paused_seconds, 8 * 3600);
    assert_eq!(r.due_at, vn(2026, 1, 7, 17, 0));
    assert!(r.explanation.iter().any(
        |s| matches!(s.step, Step::Pause { seconds, reason: PauseReason::SupplementRequest, .. } if seconds == 8 * 3600)
    ));

    // A pause over a weekend counts no working time: Fri 9 Jan 17:00 → Sat 10 Jan 11:30
    // covers only the make-up Saturday morning, 07:30–11:30 = 4 h.
    let pause = [ClockPause {
        from: vn(2026, 1, 9, 17, 0),
        until: Some(vn(2026, 1, 10, 11, 30)),
        reason: PauseReason::AwaitingPayment,
    }];
    let r = due(cal(), &hours(), &DueRequest { pauses: &pause, ..req }).unwrap();
    assert_eq!(r.paused_seconds, 4 * 3600);

    // A running pause is closed by `now`: paused from Mon 5 Jan 13:00, now Mon 15:00 → 2 h;
    // due Tue 6 Jan 17:00 + 2 h of working time = Wed 7 Jan 09:30.
    let pause = [ClockPause { from: vn(2026, 1, 5, 13, 0), until: None, reason: PauseReason::Suspension }];
    let r = due(cal(), &hours(), &DueRequest { pauses: &pause, now: vn(2026, 1, 5, 15, 0), ..req }).unwrap();
    assert_eq!(r.due_at, vn(2026, 1, 7, 9, 30));

    // Calendar days: 10 days from Mon 5 Jan 2026 → Thu 15 Jan 17:00. Paused 24 h of clock
    // time → exactly 24 h later, Fri 16 Jan 17:00. Paused 51 h (Tue 6 Jan 09:00 → Thu 8 Jan
    // 12:00) → Thu 15 Jan 17:00 + 51 h = Sat 17 Jan 20:00, a rest day → the next working
    // day, Mon 19 Jan, at the close, 17:00 (Civil Code 2015 Art. 148).
    let cal_req = DueRequest { unit: ClockUnit::CalendarDays, amount: 10.0, pauses: &[], ..req };
    assert_eq!(due(cal(), &hours(), &cal_req).unwrap().due_at, vn(2026, 1, 15, 17, 0));
    let p24 = [ClockPause {
        from: vn(2026, 1, 6, 9, 0),
        until: Some(vn(2026, 1, 7, 9, 0)),
        reason: PauseReason::SupplementRequest,
    }];
    assert_eq!(due(cal(), &hours(), &DueRequest { pauses: &p24, ..cal_req }).unwrap().due_at, vn(2026, 1, 16, 17, 0));
    let p51 = [ClockPause {
        from: vn(2026, 1, 6, 9, 0),
        until: Some(vn(2026, 1, 8, 12, 0)),
        reason: PauseReason::SupplementRequest,
    }];
    let r = due(cal(), &hours(), &DueRequest { pauses: &p51, ..cal_req }).unwrap();
    assert_eq!(r.paused_seconds, 51 * 3600);
    assert_eq!(r.due_at, vn(2026, 1, 19, 17, 0));

    // Elapsed hours: 24 h from Fri 4 Dec 2026 16:00 → Sat 5 Dec 16:00; paused 1 h → 17:00.
    let h_req = DueRequest {
        unit: ClockUnit::Hours,
        amount: 24.0,
        received_at: vn(2026, 12, 4, 16, 0),
        pauses: &[],
        now: vn(2026, 12, 6, 0, 0),
        ..req
    };
    assert_eq!(due(cal(), &hours(), &h_req).unwrap().due_at, vn(2026, 12, 5, 16, 0));
    let p1 = [ClockPause {
        from: vn(2026, 12, 4, 20, 0),
        until: Some(vn(2026, 12, 4, 21, 0)),
        reason: PauseReason::Suspension,
    }];
    assert_eq!(due(cal(), &hours(), &DueRequest { pauses: &p1, ..h_req }).unwrap().due_at, vn(2026, 12, 5, 17, 0));

    // Overlapping pauses count once; time before the receipt does not count.
    let overlapping = [
        ClockPause { from: vn(2026, 1, 4, 9, 0), until: Some(vn(2026, 1, 5, 9, 0)), reason: PauseReason::Unspecified },
        ClockPause { from: vn(2026, 1, 5, 8, 0), until: Some(vn(2026, 1, 5, 10, 0)), reason: PauseReason::Unspecified },
    ];
    let r = due(cal(), &hours(), &DueRequest { pauses: &overlapping, ..req }).unwrap();
    // From the receipt Mon 07:30 to 10:00 = 2.5 h.
    assert_eq!(r.paused_seconds, 9000);
}

#[test]
fn receipt_outside_working_time_starts_at_the_next_opening() {
    // Received Sat 7 Feb 2026 (rest day) 10:00: counting starts Mon 9 Feb 07:30; 1 working
    // day → Mon 9 Feb 17:00.
    let req = DueRequest {
        received_at: vn(2026, 2, 7, 10, 0),
        amount: 1.0,
        unit: ClockUnit::WorkingDays,
        cutoff: None,
        pauses: &[],
        now: vn(2026, 2, 7, 10, 0),
    };
    let r = due(cal(), &hours(), &req).unwrap();
    assert_eq!(r.due_at, vn(2026, 2, 9, 17, 0));
    assert!(r.explanation.iter().any(|s| matches!(s.step, Step::CountingStarts { at } if at == vn(2026, 2, 9, 7, 30))));
    // Received at lunch, 12:00: counting starts 13:00; 4 working hours → 17:00.
    assert_eq!(due_at(cal(), vn(2026, 2, 9, 12, 0), 4.0, ClockUnit::WorkingHours), vn(2026, 2, 9, 17, 0));
    // One working day from Monday 07:30 is Monday 17:00, not Tuesday 07:30.
    assert_eq!(due_at(cal(), vn(2026, 2, 9, 7, 30), 1.0, ClockUnit::WorkingDays), vn(2026, 2, 9, 17, 0));
}

#[test]
fn agency_hours_and_cutoffs() {
    // An agency working 08:00–12:00 and 13:30–17:30: one working day from 08:00 → 17:30.
    let h = parse_working_hours("08:00-12:00, 13:30-17:30").unwrap();
    assert_eq!(
        due_instant(cal(), &h, vn(2026, 3, 2, 8, 0), 1.0, ClockUnit::WorkingDays, None).unwrap(),
        vn(2026, 3, 2, 17, 30)
    );
    // A 16:00 cut-off: received 15:45 → same day at the close 17:30.
    let cut = NaiveTime::from_hms_opt(16, 0, 0).unwrap();
    assert_eq!(
        due_instant(cal(), &h, vn(2026, 3, 2, 15, 45), 0.0, ClockUnit::SameDay, Some(cut)).unwrap(),
        vn(2026, 3, 2, 17, 30)
    );
    assert_eq!(DEFAULT_CUTOFF, NaiveTime::from_hms_opt(15, 0, 0).unwrap());
    for bad in ["", "17:00-07:30", "07:30-11:30,11:00-17:00", "7h30-11h30"] {
        assert!(matches!(parse_working_hours(bad), Err(ClockError::InvalidWorkingHours(_))), "{bad}");
    }
}

#[test]
fn the_fast_path_agrees_with_the_vietnam_calendar_examples() {
    // 3 working days from Fri 13 Feb 2026 10:00 → Wed 25 Feb 10:00 (as in
    // tet_2026_three_working_days), through the fast path.
    let t = due_instant(cal(), &hours(), vn(2026, 2, 13, 10, 0), 3.0, ClockUnit::WorkingDays, None).unwrap();
    assert_eq!(t, vn(2026, 2, 25, 10, 0));
    // Same day, received Tue 29 Apr 2025 15:30 (after the 15:00 cut-off): the next working day
    // is Mon 5 May (30/4, 1/5 holidays, 2/5 swapped day off, then the weekend).
    let cut = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
    assert_eq!(
        due_instant(cal(), &hours(), vn(2025, 4, 29, 15, 30), 0.0, ClockUnit::SameDay, Some(cut)).unwrap(),
        vn(2025, 5, 5, 17, 0)
    );
}

#[test]
fn timeliness() {
    // Due Wed 25 Feb 2026 10:00 (the Tết example).
    let due_at = vn(2026, 2, 25, 10, 0);
    assert_eq!(classify_completion(due_at, vn(2026, 2, 24, 16, 0)), Completion::Early);
    assert_eq!(classify_completion(due_at, vn(2026, 2, 25, 9, 0)), Completion::OnTime);
    assert_eq!(classify_completion(due_at, vn(2026, 2, 25, 10, 0)), Completion::OnTime);
    assert_eq!(classify_completion(due_at, vn(2026, 2, 25, 10, 1)), Completion::Late);
    // In progress. Tue 24 Feb 10:00 → left: 10:00–11:30 (1.5 h) + 13:00–17:00 (4 h) + Wed
    // 07:30–10:00 (2.5 h) = 8 h = one working day, not less → on track. One minute later
    // → 7 h 59 → due soon.
    let h = hours();
    assert_eq!(classify_progress(cal(), &h, due_at, vn(2026, 2, 24, 10, 0)), Progress::OnTrack);
    assert_eq!(classify_progress(cal(), &h, due_at, vn(2026, 2, 24, 10, 1)), Progress::DueSoon);
    assert_eq!(classify_progress(cal(), &h, due_at, vn(2026, 2, 25, 10, 1)), Progress::Overdue);
    // During Tết (Fri 20 Feb noon) 18.5 h of working time are left → on track.
    assert_eq!(classify_progress(cal(), &h, due_at, vn(2026, 2, 20, 12, 0)), Progress::OnTrack);
}

#[test]
fn bad_input() {
    let h = hours();
    assert_eq!(
        due_instant(cal(), &h, vn(1899, 12, 31, 9, 0), 1.0, ClockUnit::WorkingDays, None),
        Err(ClockError::StartOutOfRange(date(1899, 12, 31)))
    );
    assert!(matches!(
        due_instant(cal(), &h, vn(2101, 1, 3, 9, 0), 1.0, ClockUnit::CalendarDays, None),
        Err(ClockError::StartOutOfRange(_))
    ));
    assert_eq!(
        due_instant(cal(), &h, vn(2026, 1, 5, 9, 0), -1.0, ClockUnit::WorkingDays, None),
        Err(ClockError::NegativeAmount)
    );
    assert_eq!(
        due_instant(cal(), &h, vn(2026, 1, 5, 9, 0), f64::NAN, ClockUnit::WorkingDays, None),
        Err(ClockError::InvalidAmount)
    );
    assert_eq!(
        due_instant(cal(), &h, vn(2026, 1, 5, 9, 0), f64::INFINITY, ClockUnit::Months, None),
        Err(ClockError::InvalidAmount)
    );
    // The due instant would fall in 2101.
    assert_eq!(
        due_instant(cal(), &h, vn(2100, 12, 30, 9, 0), 10.0, ClockUnit::WorkingDays, None),
        Err(ClockError::DueOutOfRange)
    );
    assert_eq!(
        due_instant(cal(), &h, vn(2100, 12, 30, 9, 0), 1.0, ClockUnit::Months, None),
        Err(ClockError::DueOutOfRange)
    );
    assert_eq!(
        due_instant(cal(), &h, vn(2026, 1, 5, 9, 0), 999_999.0, ClockUnit::Years, None),
        Err(ClockError::DueOutOfRange)
    );
    assert_eq!("fortnights".parse::<ClockUnit>(), Err(ClockError::UnknownUnit("fortnights".into())));
    assert!(ClockError::UnknownUnit("x".into()).to_string().contains("working_days"));
    let empty = WorkingHours { periods: vec![] };
    assert!(matches!(
        due_instant(cal(), &empty, vn(2026, 1, 5, 9, 0), 1.0, ClockUnit::WorkingDays, None),
        Err(ClockError::InvalidWorkingHours(_))
    ));
}

#[test]
fn units_from_the_api_and_the_catalogue() {
    for u in ["working_days", "calendar_days", "working_hours", "hours", "months", "same_day", "weeks", "years"] {
        assert_eq!(u.parse::<ClockUnit>().unwrap().as_str(), u);
    }
    // The catalogue's "Giờ" is working hours; a bare number takes the agency's default and
    // is flagged; calendar days are never converted to working days.
    assert_eq!(ClockUnit::from_catalogue(TimeUnit::Hours), Some(ClockUnit::WorkingHours));
    assert_eq!(ClockUnit::from_catalogue(TimeUnit::CalendarDays), Some(ClockUnit::CalendarDays));
    assert_eq!(ClockUnit::resolve(TimeUnit::Unstated, ClockUnit::WorkingDays), (ClockUnit::WorkingDays, true));
    assert_eq!(ClockUnit::resolve(TimeUnit::Months, ClockUnit::WorkingDays), (ClockUnit::Months, false));
    // Fractional calendar amounts are rounded up (and the explanation says so):
    // 1.5 calendar days from Mon 5 Jan 2026 → 2 days → Wed 7 Jan 17:00.
    let req = DueRequest {
        received_at: vn(2026, 1, 5, 9, 0),
        amount: 1.5,
        unit: ClockUnit::CalendarDays,
        cutoff: None,
        pauses: &[],
        now: vn(2026, 1, 5, 9, 0),
    };
    let r = due(cal(), &hours(), &req).unwrap();
    assert_eq!(r.due_at, vn(2026, 1, 7, 17, 0));
    assert!(r.explanation.iter().any(|s| matches!(s.step, Step::RoundedUp { to: 2, .. })));
    // The explanation serialises with a "step" tag and a sentence.
    let v = serde_json::to_value(&r.explanation).unwrap();
    assert_eq!(v[0]["step"], "received");
    assert!(v[0]["text"].as_str().unwrap().contains("2026-01-05 09:00"));
}

// ---------------------------------------------------------------------------------------
// Property tests (LEGAL-TIME.md, "What tests must show")
// ---------------------------------------------------------------------------------------

/// A random instant 2019-01-01 .. 2031-01-01 (to the minute), Vietnam time.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..(12 * 366 * 24 * 60)).prop_map(|m| vn(2019, 1, 1, 0, 0) + Duration::minutes(m))
}

fn is_inside_working_time(c: &VietnamCalendar, h: &WorkingHours, t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&vietnam()).naive_local();
    c.is_working_day(local.date()) && h.periods.iter().any(|(a, b)| *a < local.time() && local.time() <= *b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Adding working time never lands outside working time (the close of a period counts
    /// as inside).
    #[test]
    fn adding_working_time_lands_inside_working_time(start in instant(), minutes in 1i64..(60 * 480)) {
        let h = hours();
        let end = add_working_time(cal(), &h, start, minutes * 60).unwrap();
        prop_assert!(is_inside_working_time(cal(), &h, end), "{} + {} min = {}", start, minutes, end);
        prop_assert!(end > start);
    }

    /// Adding then measuring gives back the same working time.
    #[test]
    fn adding_then_measuring_round_trips(start in instant(), seconds in 0i64..(60 * 480 * 60)) {
        let h = hours();
        let end = add_working_time(cal(), &h, start, seconds).unwrap();
        prop_assert_eq!(working_time_between(cal(), &h, start, end), seconds);
    }

    /// Working units: a pause of P working seconds moves the due instant by exactly P of
    /// working time.
    #[test]
    fn a_pause_moves_working_due_by_exactly_its_working_time(
        start in instant(),
        tenths in 1u32..400,
        hours_unit in any::<bool>(),
        pause_start in 0i64..(20 * 24 * 60),
        pause_len in 1i64..(10 * 24 * 60),
    ) {
        let h = hours();
        let unit = if hours_unit { ClockUnit::WorkingHours } else { ClockUnit::WorkingDays };
        let from = start + Duration::minutes(pause_start);
        let pause = [ClockPause { from, until: Some(from + Duration::minutes(pause_len)), reason: PauseReason::SupplementRequest }];
        let req = DueRequest { received_at: start, amount: f64::from(tenths) / 10.0, unit, cutoff: None, pauses: &pause, now: from };
        let r = due(cal(), &h, &req).unwrap();
        let p = working_time_between(cal(), &h, from, from + Duration::minutes(pause_len));
        prop_assert_eq!(r.paused_seconds, p);
        prop_assert_eq!(working_time_between(cal(), &h, r.unpaused_due_at, r.due_at), p);
        prop_assert!(r.due_at >= r.unpaused_due_at);
        if p > 0 {
            prop_assert!(is_inside_working_time(cal(), &h, r.due_at));
        }
    }

    /// Clock units: elapsed hours move by exactly the paused clock time; calendar units
    /// too, unless that lands on a non-working day, where the rest-day rule (Civil Code
    /// 2015 Art. 148) moves it on to the close of the next working day.
    #[test]
    fn a_pause_moves_calendar_due_by_exactly_its_clock_time(
        start in instant(),
        amount in 1u32..90,
        unit_ix in 0usize..4,
        pause_start in 0i64..(20 * 24 * 60),
        pause_len in 1i64..(10 * 24 * 60),
    ) {
        let h = hours();
        let unit = [ClockUnit::CalendarDays, ClockUnit::Weeks, ClockUnit::Months, ClockUnit::Hours][unit_ix];
        let from = start + Duration::minutes(pause_start);
        let p = Duration::minutes(pause_len);
        let pause = [ClockPause { from, until: Some(from + p), reason: PauseReason::Suspension }];
        let req = DueRequest { received_at: start, amount: f64::from(amount), unit, cutoff: None, pauses: &pause, now: from };
        let r = due(cal(), &h, &req).unwrap();
        prop_assert_eq!(r.paused_seconds, p.num_seconds());
        let moved = r.unpaused_due_at + p;
        let moved_day = moved.with_timezone(&vietnam()).date_naive();
        if unit == ClockUnit::Hours || cal().is_working_day(moved_day) {
            // Exactly P later.
            prop_assert_eq!(r.due_at - r.unpaused_due_at, p);
        } else {
            // P later lands on a rest day or holiday: the close of the next working day.
            let mut d = moved_day;
            while !cal().is_working_day(d) {
                d = d.succ_opt().unwrap();
            }
            prop_assert_eq!(r.due_at, vn(d.year(), d.month(), d.day(), 17, 0));
            prop_assert!(r.due_at > moved);
        }
    }

    /// Without pauses, calendar units end at the close of a working day, never before the
    /// nominal last day; same-day ends at the close of a working day on or after receipt.
    #[test]
    fn calendar_and_same_day_due_at_close_of_a_working_day(start in instant(), amount in 0u32..400, unit_ix in 0usize..4) {
        let h = hours();
        let unit = [ClockUnit::CalendarDays, ClockUnit::Weeks, ClockUnit::Months, ClockUnit::SameDay][unit_ix];
        let t = due_instant(cal(), &h, start, f64::from(amount), unit, None).unwrap();
        let local = t.with_timezone(&vietnam()).naive_local();
        prop_assert!(cal().is_working_day(local.date()));
        prop_assert_eq!(local.time(), h.close());
        prop_assert!(t >= start || unit != ClockUnit::SameDay);
    }

    /// More time never gives an earlier due instant.
    #[test]
    fn due_is_monotonic_in_the_amount(start in instant(), a in 0u32..600, b in 0u32..600) {
        let h = hours();
        let (lo, hi) = (a.min(b), a.max(b));
        for unit in [ClockUnit::WorkingDays, ClockUnit::WorkingHours, ClockUnit::CalendarDays] {
            let x = due_instant(cal(), &h, start, f64::from(lo) / 10.0, unit, None).unwrap();
            let y = due_instant(cal(), &h, start, f64::from(hi) / 10.0, unit, None).unwrap();
            prop_assert!(x <= y);
        }
    }

    /// The explained computation and the fast path agree.
    #[test]
    fn due_and_due_instant_agree(start in instant(), tenths in 0u32..600, unit_ix in 0usize..8) {
        let h = hours();
        let unit = [
            ClockUnit::WorkingDays, ClockUnit::WorkingHours, ClockUnit::CalendarDays, ClockUnit::Weeks,
            ClockUnit::Months, ClockUnit::Years, ClockUnit::Hours, ClockUnit::SameDay,
        ][unit_ix];
        let amount = f64::from(tenths) / 10.0;
        let req = DueRequest { received_at: start, amount, unit, cutoff: None, pauses: &[], now: start };
        let r = due(cal(), &h, &req).unwrap();
        prop_assert_eq!(r.due_at, due_instant(cal(), &h, start, amount, unit, None).unwrap());
        let last_is_due = matches!(r.explanation.last().unwrap().step, Step::Due { at } if at == r.due_at);
        prop_assert!(last_is_due);
    }
}
