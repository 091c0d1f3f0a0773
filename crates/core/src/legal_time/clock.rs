//! The processing clock: the due instant of a dossier from its receipt instant, for every
//! unit the catalogue uses, with pauses, an explanation, and the timeliness classification.
//!
//! Rules (LEGAL-TIME.md, "The processing clock"):
//! - **Working days / working hours** ([`ClockUnit::WorkingDays`], [`ClockUnit::WorkingHours`]):
//!   N working days = N × the agency's daily working time (480 minutes by default), counted
//!   from the receipt instant through working periods of working days only; a receipt outside
//!   working time starts counting at the next opening; the close of a period counts as inside
//!   it (1 working day from Monday 07:30 is Monday 17:00). Fractional amounts are allowed
//!   (0.5 working day = 4 hours by default). Decree 61/2018/NĐ-CP (one-stop shop).
//! - **Calendar days, weeks, months, years** (Civil Code 2015 Art. 147–148): the day of
//!   receipt is not counted; the period ends on its last day (for months: the same day number
//!   of the last month, or that month's last day); if that day is a weekly rest day or a
//!   holiday, it ends on the next working day; due at the close of working hours.
//! - **Elapsed hours** ([`ClockUnit::Hours`]): clock time around the clock.
//! - **Same day with a cut-off** ([`ClockUnit::SameDay`]): received on a working day at or
//!   before the cut-off (default 15:00) → the close of that day; otherwise the close of the
//!   next working day.
//! - **Pauses** (supplement request, awaiting payment, suspension) move the due instant later
//!   by exactly the time paused, in the unit's own kind: working time for working units and
//!   same-day, clock time for calendar units and elapsed hours (for calendar units the end of
//!   the period moves by the paused clock time, then the rest-day rule applies).
//!
//! Instants are taken to the second (sub-second parts are dropped). The supported range is
//! the calendar's, 1900-01-01..=2100-12-31 (Vietnam-local dates).

use super::holidays::{CalendarDay, DayKind, VietnamCalendar};
use super::lunar;
use crate::calendar::{WeekdaysOnly, WorkingCalendar, WorkingHours};
use crate::catalogue::TimeUnit;
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const VN_OFFSET: i64 = 7 * 3600;
const DAY: i64 = 86_400;
/// `num_days_from_ce` of 1970-01-01.
const UNIX_EPOCH_DAYS: i64 = 719_163;
/// Largest accepted amount (any unit); larger ones are bad input.
const MAX_AMOUNT: f64 = 1_000_000.0;

/// The usual same-day cut-off, 15:00 ("sau 15 giờ" means after 15:00).
pub const DEFAULT_CUTOFF: NaiveTime = match NaiveTime::from_hms_opt(15, 0, 0) {
    Some(t) => t,
    None => panic!("valid time"),
};

/// A working calendar that can also say why a day is special, for explanations.
pub trait LegalCalendar: WorkingCalendar {
    /// The listed day at `date` (holiday, compensatory day, swapped day off, make-up
    /// working day), if it is one. Weekly rest days are not listed.
    fn listed_day(&self, date: NaiveDate) -> Option<&CalendarDay>;
}

impl LegalCalendar for VietnamCalendar {
    fn listed_day(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.day(date)
    }
}

impl LegalCalendar for WeekdaysOnly {
    fn listed_day(&self, _date: NaiveDate) -> Option<&CalendarDay> {
        None
    }
}

/// Unit of a processing time, as the clock counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockUnit {
    /// "Ngày làm việc": working days of the agency's daily working time.
    WorkingDays,
    /// "Giờ làm việc" (and the catalogue's bare "Giờ"): working hours.
    WorkingHours,
    /// "Ngày": calendar days (Civil Code 2015 Art. 147–148).
    CalendarDays,
    /// "Tuần": weeks of 7 calendar days (Civil Code 2015 Art. 147–148).
    Weeks,
    /// "Tháng": months (Civil Code 2015 Art. 147–148).
    Months,
    /// "Năm": years (Civil Code 2015 Art. 147–148).
    Years,
    /// Elapsed hours around the clock (`hours` in the API).
    Hours,
    /// Same working day if received at or before a cut-off, else the next working day.
    SameDay,
}

impl ClockUnit {
    /// The API name: `working_days`, `working_hours`, `calendar_days`, `weeks`, `months`,
    /// `years`, `hours`, `same_day`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockUnit::WorkingDays => "working_days",
            ClockUnit::WorkingHours => "working_hours",
            ClockUnit::CalendarDays => "calendar_days",
            ClockUnit::Weeks => "weeks",
            ClockUnit::Months => "months",
            ClockUnit::Years => "years",
            ClockUnit::Hours => "hours",
            ClockUnit::SameDay => "same_day",
        }
    }

    /// The unit in English words ("working days", "calendar days", …).
    pub fn label(self) -> &'static str {
        match self {
            ClockUnit::WorkingDays => "working days",
            ClockUnit::WorkingHours => "working hours",
            ClockUnit::CalendarDays => "calendar days",
            ClockUnit::Weeks => "weeks",
            ClockUnit::Months => "months",
            ClockUnit::Years => "years",
            ClockUnit::Hours => "hours (elapsed)",
            ClockUnit::SameDay => "same day",
        }
    }

    /// True when the unit counts working time (working days and hours, same day): pauses
    /// are then measured in working time; otherwise in clock time.
    pub fn counts_working_time(self) -> bool {
        matches!(self, ClockUnit::WorkingDays | ClockUnit::WorkingHours | ClockUnit::SameDay)
    }

    /// The clock unit of a catalogue unit. `TimeUnit::Hours` ("Giờ") is working hours
    /// (LEGAL-TIME.md: the catalogue's "Giờ" means working hours unless the record says
    /// otherwise). `None` for [`TimeUnit::Unstated`]: the caller applies the agency's
    /// configured default unit and flags the procedure (see [`ClockUnit::resolve`]).
    pub fn from_catalogue(unit: TimeUnit) -> Option<ClockUnit> {
        Some(match unit {
            TimeUnit::WorkingDays => ClockUnit::WorkingDays,
            TimeUnit::WorkingHours | TimeUnit::Hours => ClockUnit::WorkingHours,
            TimeUnit::CalendarDays => ClockUnit::CalendarDays,
            TimeUnit::Weeks => ClockUnit::Weeks,
            TimeUnit::Months => ClockUnit::Months,
            TimeUnit::Years => ClockUnit::Years,
            TimeUnit::Unstated => return None,
        })
    }

    /// The clock unit of a catalogue unit, with `agency_default` for an unstated unit;
    /// the flag is true when the default was applied (the procedure needs review).
    pub fn resolve(unit: TimeUnit, agency_default: ClockUnit) -> (ClockUnit, bool) {
        match ClockUnit::from_catalogue(unit) {
            Some(u) => (u, false),
            None => (agency_default, true),
        }
    }
}

impl fmt::Display for ClockUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ClockUnit {
    type Err = ClockError;

    /// Parses the API name (see [`ClockUnit::as_str`]).
    fn from_str(s: &str) -> Result<Self, ClockError> {
        Ok(match s {
            "working_days" => ClockUnit::WorkingDays,
            "working_hours" => ClockUnit::WorkingHours,
            "calendar_days" => ClockUnit::CalendarDays,
            "weeks" => ClockUnit::Weeks,
            "months" => ClockUnit::Months,
            "years" => ClockUnit::Years,
            "hours" => ClockUnit::Hours,
            "same_day" => ClockUnit::SameDay,
            _ => return Err(ClockError::UnknownUnit(s.to_string())),
        })
    }
}

/// Why the clock is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// The applicant was asked to supplement the dossier.
    SupplementRequest,
    /// Waiting for the applicant to pay a financial obligation.
    AwaitingPayment,
    /// The processing is suspended.
    Suspension,
    /// Recorded without a reason.
    Unspecified,
}

impl PauseReason {
    fn label(self) -> &'static str {
        match self {
            PauseReason::SupplementRequest => "supplement request",
            PauseReason::AwaitingPayment => "awaiting payment",
            PauseReason::Suspension => "suspension",
            PauseReason::Unspecified => "pause",
        }
    }
}

/// A pause of the clock from `from` until `until` (`None`: still running, closed by the
/// request's `now`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockPause {
    /// Start of the pause.
    pub from: DateTime<Utc>,
    /// End of the pause, `None` while it runs.
    pub until: Option<DateTime<Utc>>,
    /// Why.
    pub reason: PauseReason,
}

/// Bad input to the clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The receipt's Vietnam-local date is outside 1900-01-01..=2100-12-31.
    #[error("start date {0} is outside the supported range 1900-01-01..=2100-12-31")]
    StartOutOfRange(NaiveDate),
    /// The due instant would fall after 2100-12-31.
    #[error("the due instant falls outside the supported range 1900-01-01..=2100-12-31")]
    DueOutOfRange,
    /// A negative amount.
    #[error("amount must not be negative")]
    NegativeAmount,
    /// NaN, infinite or absurdly large amount.
    #[error("amount must be a finite number up to 1000000")]
    InvalidAmount,
    /// A unit name the clock does not know.
    #[error("unknown unit \"{0}\" (expected working_days, working_hours, calendar_days, weeks, months, years, hours or same_day)")]
    UnknownUnit(String),
    /// Working hours that are empty, reversed or overlapping, or unparsable.
    #[error("invalid working hours: {0}")]
    InvalidWorkingHours(String),
}

/// A due-instant request.
#[derive(Debug, Clone, Copy)]
pub struct DueRequest<'a> {
    /// The receipt instant (the clock starts here).
    pub received_at: DateTime<Utc>,
    /// How many units; may be fractional (0.5 working days). Ignored for `SameDay`.
    /// Calendar units round a fraction up to a whole day/week/month/year.
    pub amount: f64,
    /// The unit.
    pub unit: ClockUnit,
    /// Same-day cut-off (Vietnam-local time of day); [`DEFAULT_CUTOFF`] when `None`.
    pub cutoff: Option<NaiveTime>,
    /// Pauses of the clock (may overlap; overlapping time counts once; time before the
    /// receipt is not counted).
    pub pauses: &'a [ClockPause],
    /// The current instant, which closes a running pause.
    pub now: DateTime<Utc>,
}

/// A due instant and how it was computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueComputation {
    /// The due instant, pauses included.
    pub due_at: DateTime<Utc>,
    /// The due instant the dossier would have without pauses.
    pub unpaused_due_at: DateTime<Utc>,
    /// Total time paused, in seconds of the unit's kind (working seconds for working
    /// units, clock seconds otherwise).
    pub paused_seconds: i64,
    /// The steps, in order, for "how this date was computed".
    pub explanation: Vec<ExplanationStep>,
}

/// One step of an explanation: structured data plus an English sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationStep {
    /// The step's data (`"step"` names its kind).
    #[serde(flatten)]
    pub step: Step,
    /// The step as a sentence.
    pub text: String,
}

/// A step of the computation of a due instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The appointment already given is kept: recomputed with today's calendar or working
    /// hours (changed since), the due instant would be earlier, and a due instant never moves
    /// earlier than what the applicant was promised (LEGAL-TIME.md: a legal promise).
    AppointmentKept {
        /// The kept due instant.
        at: DateTime<Utc>,
    },
    /// The receipt instant, where the clock starts.
    Received {
        /// The receipt instant.
        at: DateTime<Utc>,
    },
    /// Counting starts later than the receipt: the receipt was outside working time.
    CountingStarts {
        /// The next opening.
        at: DateTime<Utc>,
    },
    /// The processing time to count.
    Period {
        /// The amount as requested.
        amount: f64,
        /// The unit.
        unit: ClockUnit,
        /// For working units: the working seconds this is (amount × daily working time).
        working_seconds: Option<i64>,
    },
    /// A fractional calendar amount rounded up to whole units.
    RoundedUp {
        /// The amount as requested.
        from: f64,
        /// Whole units counted.
        to: u32,
    },
    /// The day of receipt is not counted (Civil Code 2015 Art. 147).
    DayOfReceiptNotCounted {
        /// The receipt's local date.
        date: NaiveDate,
    },
    /// The same-day cut-off test.
    CutOff {
        /// The cut-off time.
        cutoff: NaiveTime,
        /// Whether the receipt was on a working day at or before it.
        met: bool,
    },
    /// A day that was not counted (working units) or that the end of the period moved past
    /// (calendar units): a weekly rest day, holiday, compensatory or swapped day off.
    SkippedDay {
        /// The local date.
        date: NaiveDate,
        /// `weekly_rest_day`, or the listed day's kind (`holiday`, `compensatory`, `swap_day_off`).
        kind: String,
        /// Why.
        reason: String,
        /// The legal source.
        source: String,
    },
    /// A weekly rest day counted as working because it is a make-up working day.
    CountedMakeUpDay {
        /// The local date.
        date: NaiveDate,
        /// Why.
        reason: String,
        /// The legal source.
        source: String,
    },
    /// The last day of a calendar period, before the rest-day rule.
    PeriodEnds {
        /// The local date.
        date: NaiveDate,
    },
    /// The end moved past non-working days to the next working day (Civil Code 2015 Art. 148).
    MovedToNextWorkingDay {
        /// The day the period would have ended.
        from: NaiveDate,
        /// The next working day.
        to: NaiveDate,
    },
    /// A pause of the clock.
    Pause {
        /// Start (clamped to the receipt).
        from: DateTime<Utc>,
        /// End (or `now` for a running pause).
        until: DateTime<Utc>,
        /// Whether the pause is still running.
        running: bool,
        /// Why.
        reason: PauseReason,
        /// Its length in the unit's kind of time, seconds.
        seconds: i64,
        /// Whether `seconds` are working seconds (else clock seconds).
        working_time: bool,
    },
    /// The due instant moved later by the total paused time.
    PausesAdded {
        /// Total, seconds of the unit's kind of time (overlaps counted once).
        seconds: i64,
        /// Whether these are working seconds.
        working_time: bool,
    },
    /// The result.
    Due {
        /// The due instant.
        at: DateTime<Utc>,
    },
}

fn fmt_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&crate::calendar::vietnam()).format("%Y-%m-%d %H:%M").to_string()
}

fn fmt_duration(seconds: i64, working: bool) -> String {
    let (h, m) = (seconds / 3600, (seconds % 3600) / 60);
    let kind = if working { "working time" } else { "clock time" };
    if h > 0 {
        format!("{h} h {m:02} min of {kind}")
    } else {
        format!("{m} min of {kind}")
    }
}

impl Step {
    /// The step as an English sentence (Vietnam-local times).
    pub fn text(&self) -> String {
        match self {
            Step::Received { at } => format!("Received at {} (Vietnam time).", fmt_local(*at)),
            Step::AppointmentKept { at } => format!(
                "The calendar or working hours changed since; the appointment already given, {}, is kept.",
                fmt_local(*at)
            ),
            Step::CountingStarts { at } => {
                format!("Received outside working time: counting starts at the next opening, {}.", fmt_local(*at))
            }
            Step::Period { amount, unit, working_seconds } => match working_seconds {
                Some(s) => format!("Processing time {amount} {}: {} to count.", unit.label(), fmt_duration(*s, true)),
                None => format!("Processing time {amount} {}.", unit.label()),
            },
            Step::RoundedUp { from, to } => format!("{from} is not a whole number of days: counted as {to}."),
            Step::DayOfReceiptNotCounted { date } => {
                format!("The day of receipt, {date}, is not counted (Civil Code 2015 Art. 147).")
            }
            Step::CutOff { cutoff, met } => {
                if *met {
                    format!(
                        "Received on a working day at or before the cut-off {}: due the same day.",
                        cutoff.format("%H:%M")
                    )
                } else {
                    format!(
                        "Received after the cut-off {} or on a non-working day: due the next working day.",
                        cutoff.format("%H:%M")
                    )
                }
            }
            Step::SkippedDay { date, reason, .. } => format!("{date} skipped: {reason}."),
            Step::CountedMakeUpDay { date, reason, .. } => format!("{date} counted: make-up working day ({reason})."),
            Step::PeriodEnds { date } => format!("The period ends on {date}."),
            Step::MovedToNextWorkingDay { from, to } => format!(
                "{from} is not a working day: the period ends on the next working day, {to} (Civil Code 2015 Art. 148)."
            ),
            Step::Pause { from, until, running, reason, seconds, working_time } => format!(
                "Paused ({}) from {} {} {}: {}.",
                reason.label(),
                fmt_local(*from),
                if *running { "until now," } else { "to" },
                fmt_local(*until),
                fmt_duration(*seconds, *working_time)
            ),
            Step::PausesAdded { seconds, working_time } => {
                format!("The due instant moves later by the time paused, {}.", fmt_duration(*seconds, *working_time))
            }
            Step::Due { at } => format!("Due at {} (Vietnam time).", fmt_local(*at)),
        }
    }
}

/// An explanation step with its English sentence.
pub fn step(s: Step) -> ExplanationStep {
    let text = s.text();
    ExplanationStep { step: s, text }
}

// ---------------------------------------------------------------------------------------
// Local time as (date, seconds of day)
// ---------------------------------------------------------------------------------------

fn to_local(t: DateTime<Utc>) -> (NaiveDate, i64) {
    let ts = t.timestamp() + VN_OFFSET;
    let days = ts.div_euclid(DAY) + UNIX_EPOCH_DAYS;
    let date = i32::try_from(days).ok().and_then(NaiveDate::from_num_days_from_ce_opt).unwrap_or(NaiveDate::MAX);
    (date, ts.rem_euclid(DAY))
}

fn to_utc(date: NaiveDate, secs: i64) -> DateTime<Utc> {
    let ts = (i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS) * DAY + secs - VN_OFFSET;
    DateTime::from_timestamp(ts, 0).expect("in chrono's range")
}

fn secs_of(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight())
}

/// Checks that working hours are usable: at least one period, each opening before its
/// close, in order and not overlapping.
pub fn check_working_hours(hours: &WorkingHours) -> Result<(), ClockError> {
    if hours.periods.is_empty() {
        return Err(ClockError::InvalidWorkingHours("no working period".into()));
    }
    let mut last_close: Option<NaiveTime> = None;
    for (a, b) in &hours.periods {
        if a >= b {
            return Err(ClockError::InvalidWorkingHours(format!("period {a}–{b} does not open before it closes")));
        }
        if last_close.is_some_and(|c| *a < c) {
            return Err(ClockError::InvalidWorkingHours(format!("period {a}–{b} overlaps or precedes the one before")));
        }
        last_close = Some(*b);
    }
    Ok(())
}

/// Parses working hours written `07:30-11:30,13:00-17:00` (Vietnam local times, periods in
/// order, separated by commas; `–` may replace `-`), as configured per agency.
pub fn parse_working_hours(s: &str) -> Result<WorkingHours, ClockError> {
    let bad = || ClockError::InvalidWorkingHours(format!("\"{s}\" is not like 07:30-11:30,13:00-17:00"));
    let mut periods = Vec::new();
    for part in s.split(',') {
        let part = part.trim().replace('–', "-");
        let (a, b) = part.split_once('-').ok_or_else(bad)?;
        let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| bad());
        periods.push((t(a)?, t(b)?));
    }
    let hours = WorkingHours { periods };
    check_working_hours(&hours)?;
    Ok(hours)
}

fn day_seconds(hours: &WorkingHours) -> i64 {
    hours.periods.iter().map(|(a, b)| secs_of(*b) - secs_of(*a)).sum()
}

/// Adds `seconds` of working time from local (`date`, `sec`); returns the local instant at
/// which that much working time has elapsed (the close of a period counts as inside it).
/// Whole working days are jumped over with [`WorkingCalendar::nth_working_day_after`].
fn add_local<C: WorkingCalendar + ?Sized>(
    cal: &C,
    hours: &WorkingHours,
    date: NaiveDate,
    mut sec: i64,
    seconds: i64,
) -> Result<(NaiveDate, i64), ClockError> {
    let total = day_seconds(hours);
    if total <= 0 {
        return Err(ClockError::InvalidWorkingHours("no working period".into()));
    }
    if date > lunar::LAST_DATE {
        return Err(ClockError::DueOutOfRange);
    }
    let mut left = seconds.max(0);
    // The day of the start: what is left of its working periods.
    if cal.is_working_day(date) {
        for (a, b) in &hours.periods {
            let (a, b) = (secs_of(*a), secs_of(*b));
            if sec >= b {
                continue;
            }
            let from = sec.max(a);
            let avail = b - from;
            if left <= avail {
                return Ok((date, from + left));
            }
            left -= avail;
            sec = b;
        }
    }
    // Then whole working days: the due falls on the (k + 1)-th working day after the start
    // day, with 0 < left <= total to count on it (left = 0 only when nothing was to count
    // and the start was past the day's last period: the next opening).
    let k = if left == 0 { 0 } else { (left - 1) / total };
    left -= k * total;
    let n = u32::try_from(k + 1).map_err(|_| ClockError::DueOutOfRange)?;
    let day = cal.nth_working_day_after(date, n).ok_or(ClockError::DueOutOfRange)?;
    if day > lunar::LAST_DATE {
        return Err(ClockError::DueOutOfRange);
    }
    for (a, b) in &hours.periods {
        let (a, b) = (secs_of(*a), secs_of(*b));
        if left <= b - a {
            return Ok((day, a + left));
        }
        left -= b - a;
    }
    Ok((day, close_secs(hours)))
}

/// The instant at which `seconds` of working time have elapsed from `start`, counting only
/// the working periods of working days; a start outside working time begins at the next
/// opening; the close of a period counts as inside it (4 working hours from 11:30 is 17:00).
/// Seconds of working time; `start` is taken to the second.
pub fn add_working_time<C: WorkingCalendar + ?Sized>(
    cal: &C,
    hours: &WorkingHours,
    start: DateTime<Utc>,
    seconds: i64,
) -> Result<DateTime<Utc>, ClockError> {
    let (date, sec) = to_local(start);
    check_start(date)?;
    let (d, s) = add_local(cal, hours, date, sec, seconds)?;
    Ok(to_utc(d, s))
}

/// Working time between `a` and `b`, in seconds (0 when `b <= a`): the inverse of
/// [`add_working_time`].
pub fn working_time_between<C: WorkingCalendar + ?Sized>(
    cal: &C,
    hours: &WorkingHours,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
) -> i64 {
    if b <= a {
        return 0;
    }
    let ((da, sa), (db, sb)) = (to_local(a), to_local(b));
    let within = |date: NaiveDate, lo: i64, hi: i64| -> i64 {
        if !cal.is_working_day(date) {
            return 0;
        }
        hours.periods.iter().map(|(p, q)| (secs_of(*q).min(hi) - secs_of(*p).max(lo)).max(0)).sum()
    };
    if da == db {
        return within(da, sa, sb);
    }
    let middle = match da.succ_opt() {
        Some(next) => i64::from(cal.working_days_between(next, db)) * day_seconds(hours),
        None => 0,
    };
    within(da, sa, DAY) + middle + within(db, 0, sb)
}

fn check_start(date: NaiveDate) -> Result<(), ClockError> {
    if (lunar::FIRST_DATE..=lunar::LAST_DATE).contains(&date) {
        Ok(())
    } else {
        Err(ClockError::StartOutOfRange(date))
    }
}

fn check_amount(amount: f64) -> Result<(), ClockError> {
    if amount.is_nan() || amount.is_infinite() || amount > MAX_AMOUNT {
        return Err(ClockError::InvalidAmount);
    }
    if amount < 0.0 {
        return Err(ClockError::NegativeAmount);
    }
    Ok(())
}

fn next_working_day<C: WorkingCalendar + ?Sized>(cal: &C, mut d: NaiveDate) -> Result<NaiveDate, ClockError> {
    while !cal.is_working_day(d) {
        d = d.succ_opt().ok_or(ClockError::DueOutOfRange)?;
        if d > lunar::LAST_DATE {
            return Err(ClockError::DueOutOfRange);
        }
    }
    Ok(d)
}

fn close_secs(hours: &WorkingHours) -> i64 {
    hours.periods.last().map_or(0, |p| secs_of(p.1))
}

/// Whole units of a calendar amount (rounded up).
fn whole(amount: f64) -> u32 {
    amount.ceil() as u32
}

/// The last day of a calendar period of `n` units from receipt date `start` (which is not
/// counted): Civil Code 2015 Art. 147–148.
fn calendar_end(start: NaiveDate, n: u32, unit: ClockUnit) -> Result<NaiveDate, ClockError> {
    let end = match unit {
        ClockUnit::CalendarDays => start.checked_add_days(chrono::Days::new(u64::from(n))),
        ClockUnit::Weeks => start.checked_add_days(chrono::Days::new(7 * u64::from(n))),
        ClockUnit::Months => start.checked_add_months(Months::new(n)),
        _ => n.checked_mul(12).and_then(|m| start.checked_add_months(Months::new(m))),
    };
    match end {
        Some(e) if e <= lunar::LAST_DATE => Ok(e),
        _ => Err(ClockError::DueOutOfRange),
    }
}

/// The unpaused due instant as local (date, seconds), plus the local date counting starts
/// from (for explanations).
fn base_due<C: WorkingCalendar + ?Sized>(
    cal: &C,
    hours: &WorkingHours,
    received: (NaiveDate, i64),
    received_at: DateTime<Utc>,
    amount: f64,
    unit: ClockUnit,
    cutoff: NaiveTime,
) -> Result<(NaiveDate, i64), ClockError> {
    let (date, sec) = received;
    match unit {
        ClockUnit::WorkingDays | ClockUnit::WorkingHours => {
            let per = if unit == ClockUnit::WorkingHours { 3600.0 } else { day_seconds(hours) as f64 };
            add_local(cal, hours, date, sec, (amount * per).round() as i64)
        }
        ClockUnit::Hours => {
            let t = received_at.timestamp() + (amount * 3600.0).round() as i64;
            let due = DateTime::from_timestamp(t, 0).ok_or(ClockError::DueOutOfRange)?;
            let l = to_local(due);
            if l.0 > lunar::LAST_DATE {
                return Err(ClockError::DueOutOfRange);
            }
            Ok(l)
        }
        ClockUnit::SameDay => {
            let day = if cal.is_working_day(date) && sec <= secs_of(cutoff) {
                date
            } else {
                next_working_day(cal, date.succ_opt().ok_or(ClockError::DueOutOfRange)?)?
            };
            Ok((day, close_secs(hours)))
        }
        ClockUnit::CalendarDays | ClockUnit::Weeks | ClockUnit::Months | ClockUnit::Years => {
            let end = calendar_end(date, whole(amount), unit)?;
            Ok((next_working_day(cal, end)?, close_secs(hours)))
        }
    }
}

/// The due instant without pauses or explanation: the fast path (e.g. for estimates and
/// benchmarks). Same rules as [`due`]. `amount` in `unit`s (ignored for `SameDay`);
/// `cutoff` defaults to 15:00.
pub fn due_instant<C: WorkingCalendar + ?Sized>(
    cal: &C,
    hours: &WorkingHours,
    received_at: DateTime<Utc>,
    amount: f64,
    unit: ClockUnit,
    cutoff: Option<NaiveTime>,
) -> Result<DateTime<Utc>, ClockError> {
    check_amount(amount)?;
    check_working_hours(hours)?;
    let received = to_local(received_at);
    check_start(received.0)?;
    let (d, s) = base_due(cal, hours, received, received_at, amount, unit, cutoff.unwrap_or(DEFAULT_CUTOFF))?;
    Ok(to_utc(d, s))
}

/// Merged pause intervals (unix seconds), clamped to start at `received`.
fn merged_pauses(pauses: &[ClockPause], received: i64, now: i64) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = pauses
        .iter()
        .map(|p| {
            let a = p.from.timestamp().max(received);
            let b = p.until.map_or(now, |u| u.timestamp());
            (a, b.max(a))
        })
        .filter(|(a, b)| b > a)
        .collect();
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn ts(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).expect("in range")
}

fn skipped<C: LegalCalendar + ?Sized>(cal: &C, date: NaiveDate) -> Option<ExplanationStep> {
    let listed = cal.listed_day(date);
    if cal.is_working_day(date) {
        let l = listed.filter(|d| d.kind == DayKind::MakeUpWorkingDay)?;
        return Some(step(Step::CountedMakeUpDay { date, reason: l.reason.clone(), source: l.source.clone() }));
    }
    Some(step(match listed {
        Some(l) => Step::SkippedDay {
            date,
            kind: l.kind.as_str().to_string(),
            reason: l.reason.clone(),
            source: l.source.clone(),
        },
        None => Step::SkippedDay {
            date,
            kind: "weekly_rest_day".into(),
            reason: format!(
                "weekly rest day ({})",
                match date.weekday() {
                    Weekday::Sat => "Saturday",
                    Weekday::Sun => "Sunday",
                    _ => "rest day",
                }
            ),
            source: "Labor Code 2019 Art. 111; Monday–Friday week of state agencies".into(),
        },
    }))
}

/// Pushes a step for every skipped day (and counted make-up day) in `from..=to`; returns
/// the first skipped day.
fn explain_days<C: LegalCalendar + ?Sized>(
    cal: &C,
    from: NaiveDate,
    to: NaiveDate,
    ex: &mut Vec<ExplanationStep>,
) -> Option<NaiveDate> {
    let mut first = None;
    let mut d = from;
    while d <= to {
        if let Some(s) = skipped(cal, d) {
            if matches!(s.step, Step::SkippedDay { .. }) {
                first.get_or_insert(d);
            }
            ex.push(s);
        }
        d = d.succ_opt()?;
    }
    first
}

/// The due instant of a dossier with its explanation (see the module documentation for
/// the rules of each unit and of pauses).
///
/// Pauses: for working units and same-day the due instant is the unpaused one plus the
/// paused working time (so exactly that much working time later); for elapsed hours, plus
/// the paused clock time; for calendar units, plus the paused clock time, and if that lands
/// on a non-working day, the close of the next working day (Civil Code 2015 Art. 148).
pub fn due<C: LegalCalendar + ?Sized>(
    cal: &C,
    hours: &WorkingHours,
    req: &DueRequest<'_>,
) -> Result<DueComputation, ClockError> {
    check_amount(req.amount)?;
    check_working_hours(hours)?;
    let received_at = ts(req.received_at.timestamp());
    let received = to_local(received_at);
    check_start(received.0)?;
    let cutoff = req.cutoff.unwrap_or(DEFAULT_CUTOFF);
    let working = req.unit.counts_working_time();
    let calendar_unit =
        matches!(req.unit, ClockUnit::CalendarDays | ClockUnit::Weeks | ClockUnit::Months | ClockUnit::Years);
    let mut ex = vec![step(Step::Received { at: received_at })];

    let base = base_due(cal, hours, received, received_at, req.amount, req.unit, cutoff)?;
    let unpaused = to_utc(base.0, base.1);

    // What is counted.
    match req.unit {
        ClockUnit::WorkingDays | ClockUnit::WorkingHours => {
            let start = add_local(cal, hours, received.0, received.1, 0)?;
            if start != received {
                ex.push(step(Step::CountingStarts { at: to_utc(start.0, start.1) }));
            }
            let per = if req.unit == ClockUnit::WorkingHours { 3600.0 } else { day_seconds(hours) as f64 };
            ex.push(step(Step::Period {
                amount: req.amount,
                unit: req.unit,
                working_seconds: Some((req.amount * per).round() as i64),
            }));
        }
        ClockUnit::SameDay => {
            let met = cal.is_working_day(received.0) && received.1 <= secs_of(cutoff);
            ex.push(step(Step::CutOff { cutoff, met }));
        }
        ClockUnit::Hours => {
            ex.push(step(Step::Period { amount: req.amount, unit: req.unit, working_seconds: None }));
        }
        ClockUnit::CalendarDays | ClockUnit::Weeks | ClockUnit::Months | ClockUnit::Years => {
            ex.push(step(Step::Period { amount: req.amount, unit: req.unit, working_seconds: None }));
            let n = whole(req.amount);
            if f64::from(n) != req.amount {
                ex.push(step(Step::RoundedUp { from: req.amount, to: n }));
            }
            ex.push(step(Step::DayOfReceiptNotCounted { date: received.0 }));
            let end = calendar_end(received.0, n, req.unit)?;
            ex.push(step(Step::PeriodEnds { date: end }));
            if explain_days(cal, end, base.0, &mut ex).is_some() {
                ex.push(step(Step::MovedToNextWorkingDay { from: end, to: base.0 }));
            }
        }
    }

    // Pauses, measured in the unit's kind of time (overlaps counted once).
    let merged = merged_pauses(req.pauses, received_at.timestamp(), req.now.timestamp());
    let measure = |a: i64, b: i64| {
        if working {
            working_time_between(cal, hours, ts(a), ts(b))
        } else {
            b - a
        }
    };
    let paused: i64 = merged.iter().map(|&(a, b)| measure(a, b)).sum();
    for p in req.pauses {
        let a = p.from.timestamp().max(received_at.timestamp());
        let b = p.until.map_or(req.now.timestamp(), |u| u.timestamp()).max(a);
        ex.push(step(Step::Pause {
            from: ts(a),
            until: ts(b),
            running: p.until.is_none(),
            reason: p.reason,
            seconds: measure(a, b),
            working_time: working,
        }));
    }
    let due_local = if paused == 0 {
        base
    } else {
        ex.push(step(Step::PausesAdded { seconds: paused, working_time: working }));
        if working {
            add_local(cal, hours, base.0, base.1, paused)?
        } else {
            let moved = to_local(ts(unpaused.timestamp() + paused));
            if moved.0 > lunar::LAST_DATE {
                return Err(ClockError::DueOutOfRange);
            }
            if calendar_unit && !cal.is_working_day(moved.0) {
                let next = next_working_day(cal, moved.0)?;
                explain_days(cal, moved.0, next, &mut ex);
                ex.push(step(Step::MovedToNextWorkingDay { from: moved.0, to: next }));
                (next, close_secs(hours))
            } else {
                moved
            }
        }
    };
    if due_local.0 > lunar::LAST_DATE {
        return Err(ClockError::DueOutOfRange);
    }

    // Working units and same-day: the days skipped between the receipt and the due day.
    if working {
        explain_days(cal, received.0, due_local.0, &mut ex);
    }
    let due_at = to_utc(due_local.0, due_local.1);
    ex.push(step(Step::Due { at: due_at }));
    Ok(DueComputation { due_at, unpaused_due_at: unpaused, paused_seconds: paused, explanation: ex })
}

/// Timeliness of a finished dossier (LEGAL-TIME.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    /// Finished on a day before the due instant's day.
    Early,
    /// Finished on the due day, at or before the due instant.
    OnTime,
    /// Finished after the due instant.
    Late,
}

/// Timeliness of a dossier in progress (LEGAL-TIME.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// One working day or more of working time left.
    OnTrack,
    /// Less than one working day (the agency's daily working time) left.
    DueSoon,
    /// Past the due instant.
    Overdue,
}

/// Early / on time / late for a dossier finished at `finished_at` against `due_at`
/// (Vietnam-local dates). A dossier late against its original due instant stays late
/// whatever new appointment an apology letter gives: pass the original due instant.
pub fn classify_completion(due_at: DateTime<Utc>, finished_at: DateTime<Utc>) -> Completion {
    if finished_at > due_at {
        Completion::Late
    } else if to_local(finished_at).0 < to_local(due_at).0 {
        Completion::Early
    } else {
        Completion::OnTime
    }
}

/// On track / due soon / overdue at `now` for a dossier due at `due_at`: due soon when less
/// than one working day (of `hours`) of working time is left.
pub fn classify_progress<C: WorkingCalendar + ?Sized>(
    cal: &C,
    hours: &WorkingHours,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Progress {
    if now > due_at {
        Progress::Overdue
    } else if working_time_between(cal, hours, now, due_at) < day_seconds(hours) {
        Progress::DueSoon
    } else {
        Progress::OnTrack
    }
}
