//! Legal time: the Vietnamese lunar calendar, the working calendar of holidays and
//! Government decisions, and the processing clock that gives a dossier its due instant.
//!
//! Specification: `shared/LEGAL-TIME.md`. All legal time is Vietnam time (UTC+7, no
//! daylight saving); instants are `DateTime<Utc>`, dates and weekdays are taken from the
//! Vietnam-local instant. Pure computation: decision files are parsed from `&str`.
//!
//! - [`lunar`]: solar ↔ lunar conversion, Tết and Giỗ Tổ dates, 1900–2100.
//! - [`holidays`]: Labor Code 2019 Art. 111–112 holidays, compensatory days, decisions,
//!   and [`VietnamCalendar`] (implements [`crate::calendar::WorkingCalendar`]).
//! - [`clock`]: due instants for every catalogue unit, pauses, the explanation
//!   ("how this date was computed") and timeliness.

#![warn(missing_docs)]

pub mod clock;
pub mod holidays;
pub mod lunar;

pub use clock::{
    add_working_time, classify_completion, classify_progress, due, due_instant, parse_working_hours,
    working_time_between, ClockError, ClockPause, ClockUnit, Completion, DueComputation, DueRequest, ExplanationStep,
    LegalCalendar, PauseReason, Progress, Step,
};
pub use holidays::{CalendarDay, DayKind, DecisionEntry, DecisionError, Decisions, Event, VietnamCalendar};
pub use lunar::{LunarDate, LunarError};

/// The decisions shipped with motcua (`data/holidays/vn-civil-service-days-off.json`,
/// 2020–2026, each entry with its source), for callers that want them without I/O.
pub const SHIPPED_DECISIONS: &str = include_str!("../../../../data/holidays/vn-civil-service-days-off.json");
