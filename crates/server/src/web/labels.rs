//! Localised labels for domain values, computed in Rust so templates stay simple.

use crate::i18n::{group_thousands, Lang, Tr};
use motcua_core::catalogue::{Channel, Fee, Level, OnlineLevel, ProcessingTime, TimeUnit};
use motcua_core::dossier::Status;

fn key(prefix: &str, name: &str) -> String {
    format!("{prefix}-{}", name.replace('_', "-"))
}

pub fn status(tr: &Tr, s: Status) -> String {
    tr.t(&key("status", s.as_str()))
}

/// A status by its API name (history entries store names).
pub fn status_name(tr: &Tr, s: &str) -> String {
    Status::parse(s).map_or_else(|| s.to_string(), |s| status(tr, s))
}

/// An action by its API name (`create`, `submit`, `receive`…).
pub fn action(tr: &Tr, a: &str) -> String {
    let k = key("action", a);
    if tr.has(&k) {
        tr.t(&k)
    } else {
        a.to_string()
    }
}

pub fn delivery(tr: &Tr, d: &str) -> String {
    let k = key("delivery", d);
    if tr.has(&k) {
        tr.t(&k)
    } else {
        d.to_string()
    }
}

pub fn level(tr: &Tr, l: Level) -> String {
    tr.t(&key("level", l.as_str()))
}

pub fn levels(tr: &Tr, ls: &[Level]) -> String {
    ls.iter().map(|l| level(tr, *l)).collect::<Vec<_>>().join(", ")
}

pub fn online(tr: &Tr, o: OnlineLevel) -> String {
    tr.t(&key("online", o.as_str()))
}

pub fn channel(tr: &Tr, c: Channel) -> String {
    tr.t(match c {
        Channel::InPerson => "channel-in-person",
        Channel::Online => "channel-online",
        Channel::Post => "channel-post",
    })
}

pub fn document_kind(tr: &Tr, k: &str) -> String {
    let key = key("doc-kind", k);
    if tr.has(&key) {
        tr.t(&key)
    } else {
        k.to_string()
    }
}

pub fn role(tr: &Tr, r: &str) -> String {
    let k = key("role", r);
    if tr.has(&k) {
        tr.t(&k)
    } else {
        r.to_string()
    }
}

/// A decimal in the language's form: `0,5` in Vietnamese, `0.5` in English.
pub fn number(tr: &Tr, v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v}");
        if tr.lang == Lang::Vi {
            s.replace('.', ",")
        } else {
            s
        }
    }
}

/// A processing time: "1 ngày làm việc" / "1 working day".
pub fn processing_time(tr: &Tr, t: &ProcessingTime) -> String {
    match t {
        ProcessingTime::Specified { value, unit } => {
            let name = match unit {
                TimeUnit::WorkingDays => "unit-working-days",
                TimeUnit::CalendarDays => "unit-calendar-days",
                TimeUnit::WorkingHours => "unit-working-hours",
                TimeUnit::Hours => "unit-hours",
                TimeUnit::Months => "unit-months",
                TimeUnit::Years => "unit-years",
                TimeUnit::Weeks => "unit-weeks",
                TimeUnit::Unstated => "unit-unstated",
            };
            let k = if (*value - 1.0).abs() < f64::EPSILON { format!("{name}-one") } else { name.to_string() };
            tr.t_args(&k, &[("n", &number(tr, *value))])
        }
        ProcessingTime::Unspecified => tr.t("time-unspecified"),
    }
}

/// A fee as lines of text.
pub fn fee(tr: &Tr, f: &Fee) -> Vec<String> {
    match f {
        Fee::Free => vec![tr.t("fee-free")],
        Fee::Amounts { items } => items
            .iter()
            .map(|a| {
                if a.text.trim().is_empty() {
                    tr.vnd(a.vnd)
                } else {
                    format!("{} — {}", tr.vnd(a.vnd), a.text.trim())
                }
            })
            .collect(),
        Fee::Foreign { amount, currency, text } => {
            let mut s = format!("{amount} {currency}");
            if !text.trim().is_empty() {
                s.push_str(" — ");
                s.push_str(text.trim());
            }
            vec![s]
        }
        Fee::Described { text } => vec![text.clone()],
        Fee::Unspecified => vec![tr.t("fee-unspecified")],
    }
}

/// A size in bytes, in kB: "12 kB".
pub fn size(tr: &Tr, bytes: i64) -> String {
    let kb = (bytes + 1023) / 1024;
    tr.t_args("size-kb", &[("n", &group_thousands(kb.max(1)))])
}

/// A step of "how this date was computed", as a sentence in the reader's language.
pub fn explain_step(tr: &Tr, s: &motcua_core::legal_time::ExplanationStep) -> String {
    use motcua_core::legal_time::clock::Step;
    let date = |d: &chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    let duration = |seconds: i64, working: bool| {
        let (h, m) = ((seconds / 3600).to_string(), ((seconds % 3600) / 60).to_string());
        let key = if working { "explain-duration-working" } else { "explain-duration-clock" };
        tr.t_args(key, &[("hours", &h), ("minutes", &m)])
    };
    match &s.step {
        Step::Received { at } => tr.t_args("explain-received", &[("at", &tr.datetime(at))]),
        Step::AppointmentKept { at } => tr.t_args("explain-appointment-kept", &[("at", &tr.datetime(at))]),
        Step::CountingStarts { at } => tr.t_args("explain-counting-starts", &[("at", &tr.datetime(at))]),
        Step::Period { amount, unit, .. } => {
            // "1 working day", not "1 working days": the singular where the language has one.
            let name = key("clock-unit", unit.as_str());
            let one = format!("{name}-one");
            let unit = if (*amount - 1.0).abs() < f64::EPSILON && tr.has(&one) { tr.t(&one) } else { tr.t(&name) };
            tr.t_args("explain-period", &[("amount", &amount.to_string()), ("unit", &unit)])
        }
        Step::RoundedUp { from, to } => {
            tr.t_args("explain-rounded-up", &[("from", &from.to_string()), ("to", &to.to_string())])
        }
        Step::DayOfReceiptNotCounted { date: d } => tr.t_args("explain-day-of-receipt", &[("date", &date(d))]),
        Step::CutOff { cutoff, met } => {
            let key = if *met { "explain-cutoff-met" } else { "explain-cutoff-missed" };
            tr.t_args(key, &[("cutoff", &cutoff.format("%H:%M").to_string())])
        }
        Step::SkippedDay { date: d, kind, reason, .. } => {
            let why = if kind == "weekly_rest_day" { tr.t("explain-weekly-rest-day") } else { reason.clone() };
            tr.t_args("explain-skipped", &[("date", &date(d)), ("reason", &why)])
        }
        Step::CountedMakeUpDay { date: d, reason, .. } => {
            tr.t_args("explain-make-up", &[("date", &date(d)), ("reason", reason)])
        }
        Step::PeriodEnds { date: d } => tr.t_args("explain-period-ends", &[("date", &date(d))]),
        Step::MovedToNextWorkingDay { from, to } => {
            tr.t_args("explain-moved", &[("from", &date(from)), ("to", &date(to))])
        }
        Step::Pause { from, until, reason, seconds, working_time, .. } => {
            let reason = tr.t(&key(
                "pause-reason",
                serde_json::to_value(reason)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .as_deref()
                    .unwrap_or("unspecified"),
            ));
            tr.t_args(
                "explain-pause",
                &[
                    ("reason", &reason),
                    ("from", &tr.datetime(from)),
                    ("to", &tr.datetime(until)),
                    ("duration", &duration(*seconds, *working_time)),
                ],
            )
        }
        Step::PausesAdded { seconds, working_time } => {
            tr.t_args("explain-pauses-added", &[("duration", &duration(*seconds, *working_time))])
        }
        Step::Due { at } => tr.t_args("explain-due", &[("at", &tr.datetime(at))]),
    }
}

/// On track / due soon / overdue.
pub fn progress(tr: &Tr, p: motcua_core::legal_time::Progress) -> String {
    use motcua_core::legal_time::Progress;
    tr.t(match p {
        Progress::OnTrack => "progress-on-track",
        Progress::DueSoon => "progress-due-soon",
        Progress::Overdue => "progress-overdue",
    })
}

/// Early / on time / late.
pub fn completion(tr: &Tr, c: motcua_core::legal_time::Completion) -> String {
    use motcua_core::legal_time::Completion;
    tr.t(match c {
        Completion::Early => "completion-early",
        Completion::OnTime => "completion-on-time",
        Completion::Late => "completion-late",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_fees_read_naturally() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        let one = ProcessingTime::Specified { value: 1.0, unit: TimeUnit::WorkingDays };
        assert_eq!(processing_time(&vi, &one), "1 ngày làm việc");
        assert_eq!(processing_time(&en, &one), "1 working day");
        let half = ProcessingTime::Specified { value: 0.5, unit: TimeUnit::WorkingDays };
        assert_eq!(processing_time(&vi, &half), "0,5 ngày làm việc");
        assert_eq!(processing_time(&en, &half), "0.5 working days");
        assert_eq!(fee(&en, &Fee::Free), vec!["Free".to_string()]);
        // "How the date was computed" says one working day in the singular, two in the plural.
        use motcua_core::legal_time::clock::{ClockUnit, ExplanationStep, Step};
        let period = |amount| ExplanationStep {
            step: Step::Period { amount, unit: ClockUnit::WorkingDays, working_seconds: None },
            text: String::new(),
        };
        assert_eq!(explain_step(&en, &period(1.0)), "Processing time: 1 working day.");
        assert_eq!(explain_step(&en, &period(2.0)), "Processing time: 2 working days.");
        assert!(explain_step(&vi, &period(1.0)).contains("1 ngày làm việc"));
        let items = vec![motcua_core::catalogue::FeeAmount { vnd: 25_000, text: "Lệ phí / bản".into() }];
        assert_eq!(fee(&vi, &Fee::Amounts { items }), vec!["25.000 ₫ — Lệ phí / bản".to_string()]);
    }

    #[test]
    fn every_status_has_a_label() {
        for tr in [Tr::new(Lang::Vi), Tr::new(Lang::En)] {
            for s in Status::ALL {
                assert!(tr.has(&key("status", s.as_str())), "{s:?}");
            }
            for a in motcua_core::dossier::Action::ALL {
                assert!(tr.has(&key("action", a.as_str())), "{a:?}");
            }
        }
    }
}
