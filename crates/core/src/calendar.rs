//! The working-calendar interface and agency working hours.
//!
//! [`WorkingCalendar`] says which Vietnam-local dates are working days; `legal_time`'s
//! `VietnamCalendar` implements it (Labor Code 2019 Art. 111–112 and the Government's
//! decisions) and `legal_time::clock` counts processing time through it (LEGAL-TIME.md).

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveTime, Weekday};

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

/// Monday to Friday, no holidays: for tests and examples where holidays would distract.
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

#[cfg(test)]
mod tests {
    //! The first hand-worked examples of the clock, kept on the engine that replaced the
    //! simple one (`legal_time::clock`), with Monday–Friday and no holidays.
    use super::*;
    use crate::legal_time::{
        add_working_time, due, due_instant, working_time_between, ClockPause, ClockUnit, DueRequest, PauseReason,
    };
    use chrono::{DateTime, NaiveTime, TimeZone, Utc};

    fn vn(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        vietnam().with_ymd_and_hms(y, m, d, h, mi, 0).single().unwrap().with_timezone(&Utc)
    }

    fn due_in(start: DateTime<Utc>, amount: f64, unit: ClockUnit) -> DateTime<Utc> {
        due_instant(&WeekdaysOnly, &WorkingHours::default(), start, amount, unit, None).unwrap()
    }

    #[test]
    fn one_working_day_from_monday_opening_ends_monday_close() {
        // LEGAL-TIME.md: "one working day from Monday 07:30 is Monday 17:00".
        assert_eq!(due_in(vn(2026, 11, 30, 7, 30), 1.0, ClockUnit::WorkingDays), vn(2026, 11, 30, 17, 0));
    }

    #[test]
    fn four_working_hours_from_1130_is_1700() {
        assert_eq!(due_in(vn(2026, 11, 30, 11, 30), 4.0, ClockUnit::WorkingHours), vn(2026, 11, 30, 17, 0));
    }

    #[test]
    fn friday_afternoon_receipt_runs_over_the_weekend() {
        // Friday 4 Dec 2026 16:00: 1 hour left that day, 7 hours on Monday 7 Dec:
        // 07:30–11:30 (4 h) + 13:00–16:00 (3 h).
        assert_eq!(due_in(vn(2026, 12, 4, 16, 0), 1.0, ClockUnit::WorkingDays), vn(2026, 12, 7, 16, 0));
    }

    #[test]
    fn a_pause_moves_the_due_instant_by_the_working_time_paused() {
        // Received Monday 30 Nov 07:30, 2 working days → Tuesday 1 Dec 17:00. Paused from
        // Monday 13:00 to Tuesday 13:00: 4 h Monday afternoon + 4 h Tuesday morning = 1 day,
        // so due Wednesday 2 Dec 17:00.
        let pause = ClockPause {
            from: vn(2026, 11, 30, 13, 0),
            until: Some(vn(2026, 12, 1, 13, 0)),
            reason: PauseReason::SupplementRequest,
        };
        let req = DueRequest {
            received_at: vn(2026, 11, 30, 7, 30),
            amount: 2.0,
            unit: ClockUnit::WorkingDays,
            cutoff: None,
            pauses: &[pause],
            now: vn(2026, 12, 5, 0, 0),
        };
        assert_eq!(due(&WeekdaysOnly, &WorkingHours::default(), &req).unwrap().due_at, vn(2026, 12, 2, 17, 0));
    }

    #[test]
    fn calendar_days_ending_on_sunday_move_to_monday_close() {
        // Received Thursday 26 Nov 2026; day of receipt not counted; 10 days → Sunday 6 Dec →
        // next working day Monday 7 Dec, at close.
        assert_eq!(due_in(vn(2026, 11, 26, 9, 0), 10.0, ClockUnit::CalendarDays), vn(2026, 12, 7, 17, 0));
    }

    #[test]
    fn same_day_cutoff() {
        let cut = Some(NaiveTime::from_hms_opt(15, 0, 0).unwrap());
        let h = WorkingHours::default();
        let same = |t| due_instant(&WeekdaysOnly, &h, t, 0.0, ClockUnit::SameDay, cut).unwrap();
        assert_eq!(same(vn(2026, 11, 30, 15, 0)), vn(2026, 11, 30, 17, 0));
        assert_eq!(same(vn(2026, 11, 30, 15, 1)), vn(2026, 12, 1, 17, 0));
        // Saturday counts as after the cut-off: next working day is Monday.
        assert_eq!(same(vn(2026, 12, 5, 9, 0)), vn(2026, 12, 7, 17, 0));
    }

    #[test]
    fn working_time_between_inverts_add() {
        let h = WorkingHours::default();
        let start = vn(2026, 11, 27, 10, 17);
        for m in [0, 1, 73, 480, 481, 2000, 9999] {
            let end = add_working_time(&WeekdaysOnly, &h, start, m * 60).unwrap();
            assert_eq!(working_time_between(&WeekdaysOnly, &h, start, end), m * 60, "m={m}");
        }
    }
}
