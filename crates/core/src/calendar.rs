//! Working calendar and the processing clock, simple form.
//!
//! Source: Decree 61/2018/NĐ-CP (one-stop shop), Labor Code 2019 Art. 111–112 and Civil Code
//! 2015 Art. 147–148, as summarised in `shared/LEGAL-TIME.md`. This version knows weekly rest
//! days (Saturday, Sunday) but no holidays yet: [`WorkingCalendar`] is the interface the full
//! legal-time engine (lunar holidays, Government decisions) will implement.

use crate::catalogue::TimeUnit;
use chrono::{
    DateTime, Datelike, Days, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};

/// Vietnam time, UTC+7 with no daylight saving (since 1975).
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// Which calendar dates (Vietnam-local) are working days.
pub trait WorkingCalendar {
    /// True when `date` is a working day for processing-time purposes.
    fn is_working_day(&self, date: NaiveDate) -> bool;

    /// The `n`-th working day strictly after `date` (`n` ≥ 1; `n` = 0 gives `date`), or
    /// `None` past the end of chrono's dates. Calendars with a table override this to
    /// answer in constant time; the default walks day by day.
    fn nth_working_day_after(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt()?;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Some(d)
    }

    /// Number of working days in `from..to` (0 when `to <= from`). Calendars with a table
    /// override this to answer in constant time; the default walks day by day.
    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            if self.is_working_day(d) {
                n += 1;
            }
            match d.succ_opt() {
                Some(x) => d = x,
                None => break,
            }
        }
        n
    }
}

/// Monday to Friday, no holidays. The placeholder until the legal-time engine lands.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeekdaysOnly;

impl WorkingCalendar for WeekdaysOnly {
    fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

/// An agency's daily working hours: ordered, non-overlapping periods in Vietnam local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    pub periods: Vec<(NaiveTime, NaiveTime)>,
}

impl Default for WorkingHours {
    /// 07:30–11:30 and 13:00–17:00 (8 hours), the usual office hours.
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
        WorkingHours { periods: vec![(t(7, 30), t(11, 30)), (t(13, 0), t(17, 0))] }
    }
}

impl WorkingHours {
    /// Minutes of work in one working day (480 by default).
    pub fn minutes_per_day(&self) -> i64 {
        self.periods.iter().map(|(a, b)| (*b - *a).num_minutes()).sum()
    }

    /// The close of the last period (17:00 by default).
    pub fn close(&self) -> NaiveTime {
        self.periods.last().map_or(NaiveTime::MIN, |p| p.1)
    }
}

fn to_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&vietnam()).naive_local()
}

fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    vietnam().from_local_datetime(&t).single().expect("fixed offset is unambiguous").with_timezone(&Utc)
}

/// Adds `minutes` of working time to `start`: the instant at which that much working time
/// has elapsed, counting only working periods of working days. A start outside working time
/// begins at the next opening; the close of a period counts as inside it.
pub fn add_working_minutes(
    cal: &dyn WorkingCalendar,
    hours: &WorkingHours,
    start: DateTime<Utc>,
    minutes: i64,
) -> DateTime<Utc> {
    let mut left = minutes.max(0);
    let mut now = to_local(start);
    // Bounded: 40 years of days is far beyond any statutory time.
    for _ in 0..(366 * 40) {
        let date = now.date();
        if cal.is_working_day(date) && !hours.periods.is_empty() {
            for (a, b) in &hours.periods {
                let (pa, pb) = (date.and_time(*a), date.and_time(*b));
                if now >= pb {
                    continue;
                }
                let from = now.max(pa);
                let avail = (pb - from).num_minutes();
                if left <= avail {
                    return to_utc(from + Duration::minutes(left));
                }
                left -= avail;
                now = pb;
            }
        }
        now = (date + Days::new(1)).and_time(NaiveTime::MIN);
    }
    to_utc(now)
}

/// Working minutes between `a` and `b` (0 when `b <= a`).
pub fn working_minutes_between(
    cal: &dyn WorkingCalendar,
    hours: &WorkingHours,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
) -> i64 {
    if b <= a {
        return 0;
    }
    let (a, b) = (to_local(a), to_local(b));
    let mut total = 0;
    let mut date = a.date();
    while date <= b.date() {
        if cal.is_working_day(date) {
            for (pa, pb) in &hours.periods {
                let s = date.and_time(*pa).max(a);
                let e = date.and_time(*pb).min(b);
                if e > s {
                    total += (e - s).num_minutes();
                }
            }
        }
        date = date + Days::new(1);
    }
    total
}

fn next_working_day(cal: &dyn WorkingCalendar, mut d: NaiveDate) -> NaiveDate {
    for _ in 0..3660 {
        if cal.is_working_day(d) {
            return d;
        }
        d = d + Days::new(1);
    }
    d
}

/// A pause of the clock (supplement request, awaiting payment, suspension): from `from`
/// until `until`, or still running when `until` is `None` (then it runs until `now`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// The due instant of a dossier received at `received_at` with processing time
/// `value` × `unit`, moved later by its `pauses` measured in the unit's own kind of time
/// (working time for working units, clock time otherwise). `now` closes an open pause.
///
/// Units: working days are `value` × the agency's daily working minutes; `Unstated` is taken
/// as working days (the caller flags it). Calendar days, weeks, months and years follow
/// Civil Code 2015 Art. 147–148: the day of receipt is not counted, a period ending on a
/// non-working day ends on the next working day, due at the close of working hours.
#[allow(clippy::too_many_arguments)]
pub fn due_at(
    cal: &dyn WorkingCalendar,
    hours: &WorkingHours,
    received_at: DateTime<Utc>,
    value: f64,
    unit: TimeUnit,
    pauses: &[Pause],
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let closes = |p: &Pause| p.until.unwrap_or(now).max(p.from);
    match unit {
        TimeUnit::WorkingDays | TimeUnit::WorkingHours | TimeUnit::Unstated => {
            let per_unit = if unit == TimeUnit::WorkingHours { 60.0 } else { hours.minutes_per_day() as f64 };
            let paused: i64 = pauses.iter().map(|p| working_minutes_between(cal, hours, p.from, closes(p))).sum();
            add_working_minutes(cal, hours, received_at, (value * per_unit).round() as i64 + paused)
        }
        TimeUnit::Hours => {
            let paused: i64 = pauses.iter().map(|p| (closes(p) - p.from).num_seconds()).sum();
            received_at + Duration::seconds((value * 3600.0).round() as i64 + paused)
        }
        TimeUnit::CalendarDays | TimeUnit::Weeks | TimeUnit::Months | TimeUnit::Years => {
            let start = to_local(received_at).date();
            let n = value.round().max(0.0) as u32;
            let end = match unit {
                TimeUnit::CalendarDays => start + Days::new(u64::from(n)),
                TimeUnit::Weeks => start + Days::new(7 * u64::from(n)),
                TimeUnit::Months => start + Months::new(n),
                _ => start + Months::new(12 * n),
            };
            let paused_days: i64 = pauses.iter().map(|p| (closes(p) - p.from).num_days()).sum();
            let end = end + Days::new(paused_days.max(0) as u64);
            to_utc(next_working_day(cal, end).and_time(hours.close()))
        }
    }
}

/// Due instant of a same-day procedure with a cut-off (e.g. 15:00): received on a working
/// day at or before the cut-off → close of that day; otherwise close of the next working day.
pub fn same_day_due(
    cal: &dyn WorkingCalendar,
    hours: &WorkingHours,
    received_at: DateTime<Utc>,
    cutoff: NaiveTime,
) -> DateTime<Utc> {
    let local = to_local(received_at);
    let day = if cal.is_working_day(local.date()) && local.time() <= cutoff {
        local.date()
    } else {
        next_working_day(cal, local.date() + Days::new(1))
    };
    to_utc(day.and_time(hours.close()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        to_utc(NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap())
    }

    #[test]
    fn one_working_day_from_monday_opening_ends_monday_close() {
        // LEGAL-TIME.md: "one working day from Monday 07:30 is Monday 17:00".
        let due = due_at(
            &WeekdaysOnly,
            &WorkingHours::default(),
            vn(2026, 11, 30, 7, 30),
            1.0,
            TimeUnit::WorkingDays,
            &[],
            vn(2026, 11, 30, 7, 30),
        );
        assert_eq!(due, vn(2026, 11, 30, 17, 0));
    }

    #[test]
    fn four_working_hours_from_1130_is_1700() {
        let due = due_at(
            &WeekdaysOnly,
            &WorkingHours::default(),
            vn(2026, 11, 30, 11, 30),
            4.0,
            TimeUnit::WorkingHours,
            &[],
            vn(2026, 11, 30, 11, 30),
        );
        assert_eq!(due, vn(2026, 11, 30, 17, 0));
    }

    #[test]
    fn friday_afternoon_receipt_runs_over_the_weekend() {
        // Friday 4 Dec 2026 16:00: 1 hour left that day, 7 hours on Monday 7 Dec:
        // 07:30–11:30 (4 h) + 13:00–16:00 (3 h).
        let due = due_at(
            &WeekdaysOnly,
            &WorkingHours::default(),
            vn(2026, 12, 4, 16, 0),
            1.0,
            TimeUnit::WorkingDays,
            &[],
            vn(2026, 12, 4, 16, 0),
        );
        assert_eq!(due, vn(2026, 12, 7, 16, 0));
    }

    #[test]
    fn a_pause_moves_the_due_instant_by_the_working_time_paused() {
        // Received Monday 30 Nov 07:30, 2 working days → Tuesday 1 Dec 17:00. Paused from
        // Monday 13:00 to Tuesday 13:00: 4 h Monday afternoon + 4 h Tuesday morning = 1 day,
        // so due Wednesday 2 Dec 17:00.
        let pause = Pause { from: vn(2026, 11, 30, 13, 0), until: Some(vn(2026, 12, 1, 13, 0)) };
        let due = due_at(
            &WeekdaysOnly,
            &WorkingHours::default(),
            vn(2026, 11, 30, 7, 30),
            2.0,
            TimeUnit::WorkingDays,
            &[pause],
            vn(2026, 12, 5, 0, 0),
        );
        assert_eq!(due, vn(2026, 12, 2, 17, 0));
    }

    #[test]
    fn calendar_days_ending_on_sunday_move_to_monday_close() {
        // Received Thursday 26 Nov 2026; day of receipt not counted; 10 days → Sunday 6 Dec →
        // next working day Monday 7 Dec, at close.
        let due = due_at(
            &WeekdaysOnly,
            &WorkingHours::default(),
            vn(2026, 11, 26, 9, 0),
            10.0,
            TimeUnit::CalendarDays,
            &[],
            vn(2026, 11, 26, 9, 0),
        );
        assert_eq!(due, vn(2026, 12, 7, 17, 0));
    }

    #[test]
    fn same_day_cutoff() {
        let cut = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
        let h = WorkingHours::default();
        assert_eq!(same_day_due(&WeekdaysOnly, &h, vn(2026, 11, 30, 15, 0), cut), vn(2026, 11, 30, 17, 0));
        assert_eq!(same_day_due(&WeekdaysOnly, &h, vn(2026, 11, 30, 15, 1), cut), vn(2026, 12, 1, 17, 0));
        // Saturday counts as after the cut-off: next working day is Monday.
        assert_eq!(same_day_due(&WeekdaysOnly, &h, vn(2026, 12, 5, 9, 0), cut), vn(2026, 12, 7, 17, 0));
    }

    #[test]
    fn working_minutes_between_inverts_add() {
        let h = WorkingHours::default();
        let start = vn(2026, 11, 27, 10, 17);
        for m in [0, 1, 73, 480, 481, 2000, 9999] {
            let end = add_working_minutes(&WeekdaysOnly, &h, start, m);
            assert_eq!(working_minutes_between(&WeekdaysOnly, &h, start, end), m, "m={m}");
        }
    }
}
