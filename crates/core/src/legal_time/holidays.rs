//! Vietnam's public holidays and the working calendar of state agencies.
//!
//! The calendar is **computed defaults plus official decisions** (LEGAL-TIME.md):
//! - the statutory holidays of the Labor Code 2019, Article 112(1), computed for any year
//!   ([`statutory_holidays`]): 1/1; Tết (the last day of the lunar year and the first four
//!   days of the new one, the default when no decision fixes them, Art. 112(3)); Giỗ Tổ Hùng
//!   Vương (10/3 âm lịch); 30/4; 1/5; 2/9 and one adjacent day (1/9, or 3/9 when 2/9 is a
//!   Thursday, Sunday or Monday: the choice of the notices of 2021–2026);
//! - compensatory days (Art. 111(3)): a holiday that falls on a weekly rest day gives a day
//!   off on the next working day that is not already a holiday;
//! - the Government's decisions for a year ([`Decisions`], parsed from the JSON of
//!   `data/holidays/vn-civil-service-days-off.json`), which **replace** the computed days
//!   (and their compensatory days) of every event they mention for that year, and add
//!   swapped days off and make-up working Saturdays.
//!
//! The weekly rest days are Saturday and Sunday (the state's Monday–Friday week). Years
//! before 2021 are computed with the 2019 rules too, unless a decision for them is loaded.

use super::lunar::{self, LunarDate};
use crate::calendar::WorkingCalendar;
use crate::text::fold;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A statutory holiday (Labor Code 2019 Art. 112(1)), or a day off the Government
    /// declares a holiday (e.g. the days of Tết it fixes).
    Holiday,
    /// A compensatory day off (nghỉ bù) for a holiday on a weekly rest day (Art. 111(3)).
    Compensatory,
    /// A working weekday made a day off by a Government swap (hoán đổi).
    SwapDayOff,
    /// A weekly rest day (Saturday) made a working day in exchange for a swapped day off.
    MakeUpWorkingDay,
}

impl DayKind {
    /// The snake_case name used in the JSON files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Compensatory => "compensatory",
            DayKind::SwapDayOff => "swap_day_off",
            DayKind::MakeUpWorkingDay => "make_up_working_day",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "holiday" => DayKind::Holiday,
            "compensatory" => DayKind::Compensatory,
            "swap_day_off" => DayKind::SwapDayOff,
            "make_up_working_day" => DayKind::MakeUpWorkingDay,
            _ => return None,
        })
    }
}

/// The holiday events of Labor Code 2019 Art. 112(1), plus `Other` for days a decision
/// names that are no statutory event (e.g. Vietnamese Culture Day, 24/11, from 2026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Tết Dương lịch, 1 January (Art. 112(1)(a)).
    NewYear,
    /// Tết Âm lịch / Nguyên đán, 5 days (Art. 112(1)(b)).
    Tet,
    /// Ngày Chiến thắng, 30 April (Art. 112(1)(c)).
    Victory,
    /// Ngày Quốc tế Lao động, 1 May (Art. 112(1)(d)).
    Labour,
    /// Quốc khánh, 2 September and one adjacent day (Art. 112(1)(đ)).
    NationalDay,
    /// Giỗ Tổ Hùng Vương, 10/3 âm lịch (Art. 112(1)(e)).
    HungKings,
    /// Any other day a decision lists.
    Other,
}

impl Event {
    /// The events a decision entry's `name` refers to, recognised with or without
    /// diacritics: "Tết Dương lịch", "Tết Nguyên đán" / "Tết Âm lịch", "Giỗ Tổ Hùng Vương",
    /// "Ngày Chiến thắng 30/4", "Ngày Quốc tế Lao động 1/5", "Quốc khánh 2/9"; one name may
    /// refer to two ("Ngày Chiến thắng 30/4 – Quốc tế Lao động 1/5"). Anything else is
    /// [`Event::Other`].
    pub fn from_name(name: &str) -> Vec<Event> {
        let f = format!(" {} ", fold(name));
        let has = |s: &str| f.contains(s);
        let mut out = Vec::new();
        if has("duong lich") || has("tet tay") || has("nam moi") {
            out.push(Event::NewYear);
        }
        if has("nguyen dan") || has("am lich") || has(" tet co truyen") {
            out.push(Event::Tet);
        }
        if has("chien thang") || has(" 30 4 ") || has("giai phong mien nam") || has("thong nhat") {
            out.push(Event::Victory);
        }
        if has("lao dong") || has(" 1 5 ") {
            out.push(Event::Labour);
        }
        if has("quoc khanh") || has(" 2 9 ") {
            out.push(Event::NationalDay);
        }
        if has("gio to") || has("hung vuong") {
            out.push(Event::HungKings);
        }
        if out.is_empty() {
            out.push(Event::Other);
        }
        out
    }
}

/// One day of the calendar that is not an ordinary day: a holiday, a compensatory day, a
/// swapped day off (all `working: false`) or a make-up working day (`working: true`).
/// Ordinary weekdays and weekly rest days are not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// Vietnam-local date.
    pub date: NaiveDate,
    /// Whether agencies work that day.
    pub working: bool,
    /// What the day is.
    pub kind: DayKind,
    /// Why, in Vietnamese: the holiday's name, e.g. "Tết Nguyên đán (mùng 1)" or
    /// "Nghỉ bù Giỗ Tổ Hùng Vương (26/4/2026, Chủ nhật)".
    pub reason: String,
    /// The legal source: the article for computed days, the decision/notice for the others.
    pub source: String,
}

// ---------------------------------------------------------------------------------------
// Computed defaults
// ---------------------------------------------------------------------------------------

const SRC_112: &str = "Labor Code 2019 (45/2019/QH14) Art. 112(1)";
const SRC_TET_DEFAULT: &str = "Labor Code 2019 (45/2019/QH14) Art. 112(1)(b) and 112(3); computed default \
     (no decision loaded for this year): the last day of the lunar year and the first four days of the new year";
const SRC_2_9_DEFAULT: &str = "Labor Code 2019 (45/2019/QH14) Art. 112(1)(đ) and 112(3); computed default \
     (no decision loaded for this year): the adjacent day is 1/9, or 3/9 when 2/9 is a Thursday, Sunday or Monday";
const SRC_111_3: &str = "Labor Code 2019 (45/2019/QH14) Art. 111(3): a holiday on a weekly rest day is \
     compensated on the next working day";

fn weekday_vi(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

/// True for the state's weekly rest days, Saturday and Sunday.
pub fn is_weekly_rest_day(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A computed statutory holiday: its event, date and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Computed {
    event: Event,
    day: CalendarDay,
}

fn holiday(event: Event, date: NaiveDate, reason: String, source: &str) -> Computed {
    Computed { event, day: CalendarDay { date, working: false, kind: DayKind::Holiday, reason, source: source.into() } }
}

/// The statutory holidays of Labor Code 2019 Art. 112(1) for Gregorian year `year` with the
/// defaults of LEGAL-TIME.md (no compensatory days; no decisions), in date order.
/// Empty outside 1900..=2100 (the lunar calendar's range).
pub fn statutory_holidays(year: i32) -> Vec<(Event, CalendarDay)> {
    computed_holidays(year).into_iter().map(|c| (c.event, c.day)).collect()
}

fn computed_holidays(year: i32) -> Vec<Computed> {
    if !(lunar::FIRST_YEAR..=lunar::LAST_YEAR).contains(&year) {
        return Vec::new();
    }
    let mut out =
        vec![holiday(Event::NewYear, ymd(year, 1, 1), "Tết Dương lịch (1/1)".into(), &format!("{SRC_112}(a)"))];
    if let Ok(tet) = lunar::tet(year) {
        let eve = tet.pred_opt().expect("in range");
        let eve_day = lunar::solar_to_lunar(eve).map(|l| l.day).unwrap_or(30);
        out.push(holiday(
            Event::Tet,
            eve,
            format!("Tết Nguyên đán ({eve_day} tháng Chạp, ngày cuối năm âm lịch)"),
            SRC_TET_DEFAULT,
        ));
        for i in 0..4u32 {
            let date = tet + chrono::Days::new(u64::from(i));
            out.push(holiday(
                Event::Tet,
                date,
                format!("Tết Nguyên đán (mùng {} tháng Giêng)", i + 1),
                SRC_TET_DEFAULT,
            ));
        }
    }
    if let Ok(d) = lunar::gio_to_hung_vuong(year) {
        out.push(holiday(Event::HungKings, d, "Giỗ Tổ Hùng Vương (10/3 âm lịch)".into(), &format!("{SRC_112}(e)")));
    }
    out.push(holiday(Event::Victory, ymd(year, 4, 30), "Ngày Chiến thắng (30/4)".into(), &format!("{SRC_112}(c)")));
    out.push(holiday(Event::Labour, ymd(year, 5, 1), "Ngày Quốc tế Lao động (1/5)".into(), &format!("{SRC_112}(d)")));
    let nd = ymd(year, 9, 2);
    let adjacent = match nd.weekday() {
        Weekday::Thu | Weekday::Sun | Weekday::Mon => ymd(year, 9, 3),
        _ => ymd(year, 9, 1),
    };
    out.push(holiday(Event::NationalDay, nd, "Quốc khánh (2/9)".into(), &format!("{SRC_112}(đ)")));
    out.push(holiday(
        Event::NationalDay,
        adjacent,
        format!("Quốc khánh (ngày liền kề 2/9: {}/9)", adjacent.day()),
        SRC_2_9_DEFAULT,
    ));
    out.sort_by_key(|c| c.day.date);
    out
}

// ---------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------

/// One entry of a year's decision: a day off for a holiday reason, or a weekend day made a
/// working day. Same fields as the JSON file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEntry {
    /// Vietnam-local date.
    pub date: NaiveDate,
    /// Whether agencies work that day (true only for make-up working days).
    pub working: bool,
    /// The holiday's name as the decision gives it, e.g. "Tết Nguyên đán".
    pub name: String,
    /// What the day is.
    pub kind: DayKind,
    /// The decision, notice or article it rests on.
    pub source: String,
    /// The events the entry belongs to (from its name, [`Event::from_name`]).
    pub events: Vec<Event>,
}

/// The Government's decisions on days off, by Gregorian year: each year's entries replace
/// the computed days of the events they mention (Labor Code 2019 Art. 112(3)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    /// The file's `source_note` (what could not be confirmed, per year), if any.
    pub source_notes: Vec<String>,
    years: BTreeMap<i32, Vec<DecisionEntry>>,
}

/// A decision file that cannot be loaded: where, and why. Nothing of such a file is loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {reason}")]
pub struct DecisionError {
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (0 when only the line is known).
    pub column: usize,
    /// What is wrong.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    source_note: Option<String>,
    years: BTreeMap<String, Vec<RawEntry>>,
}

#[derive(Deserialize)]
struct RawEntry {
    date: String,
    working: bool,
    name: String,
    kind: String,
    source: String,
}

/// 1-based (line, column) of byte offset `pos` in `text`.
fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte offset of the `index`-th `"date"` key after the key of year `year`.
fn locate_entry(text: &str, year: &str, index: usize) -> usize {
    let key = format!("\"{year}\"");
    let mut start = 0;
    let mut at = None;
    while let Some(p) = text[start..].find(&key) {
        let p = start + p;
        if text[p + key.len()..].trim_start().starts_with(':') {
            at = Some(p);
            break;
        }
        start = p + key.len();
    }
    let Some(mut pos) = at else { return 0 };
    let year_pos = pos;
    for i in 0..=index {
        match text[pos..].find("\"date\"") {
            Some(p) => {
                pos += p;
                if i < index {
                    pos += 6;
                }
            }
            None => return year_pos,
        }
    }
    pos
}

impl Decisions {
    /// Parses a decision file in the format of `data/holidays/vn-civil-service-days-off.json`:
    ///
    /// ```json
    /// {"source_note": "…", "years": {"2025": [
    ///   {"date": "2025-05-02", "working": false, "name": "Ngày Chiến thắng 30/4 – Quốc tế Lao động 1/5",
    ///    "kind": "swap_day_off", "source": "Thông báo 6150/TB-LĐTBXH …"}, …]}}
    /// ```
    ///
    /// `kind` is `holiday`, `compensatory`, `swap_day_off` or `make_up_working_day`;
    /// `working` must be true exactly for `make_up_working_day`, which must fall on a
    /// Saturday or Sunday; `swap_day_off` must fall on a weekday; each entry needs a name
    /// and a source; a date may appear once per year and must lie in that year (or, for
    /// a bridge around New Year, in the last days of December before it); years lie in
    /// 1900..=2100. Any error names its line and reason, and nothing is loaded.
    pub fn parse(text: &str) -> Result<Decisions, DecisionError> {
        let raw: RawFile = serde_json::from_str(text).map_err(|e| DecisionError {
            line: e.line(),
            column: e.column(),
            reason: format!("not a valid decision file: {e}"),
        })?;
        let mut years = BTreeMap::new();
        for (key, entries) in &raw.years {
            let fail_year = |reason: String| {
                let p = locate_entry(text, key, 0).min(text.find(&format!("\"{key}\"")).unwrap_or(0));
                let (line, column) = line_col(text, p);
                DecisionError { line, column, reason }
            };
            let year: i32 = key.parse().map_err(|_| fail_year(format!("year key \"{key}\" is not a year")))?;
            if !(lunar::FIRST_YEAR..=lunar::LAST_YEAR).contains(&year) {
                return Err(fail_year(format!(
                    "year {year} is outside the supported range {}..={}",
                    lunar::FIRST_YEAR,
                    lunar::LAST_YEAR
                )));
            }
            let mut seen = BTreeSet::new();
            let mut out = Vec::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                let fail = |reason: String| {
                    let (line, column) = line_col(text, locate_entry(text, key, i));
                    DecisionError { line, column, reason: format!("year {year}, entry {}: {reason}", i + 1) }
                };
                let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d")
                    .map_err(|_| fail(format!("date \"{}\" is not a YYYY-MM-DD date", e.date)))?;
                let in_year =
                    date.year() == year || (date.year() == year - 1 && date.month() == 12 && date.day() >= 25);
                if !in_year {
                    return Err(fail(format!("date {date} does not belong to year {year}")));
                }
                let kind = DayKind::parse(&e.kind).ok_or_else(|| {
                    fail(format!(
                        "kind \"{}\" is not one of holiday, compensatory, swap_day_off, make_up_working_day",
                        e.kind
                    ))
                })?;
                if e.working != (kind == DayKind::MakeUpWorkingDay) {
                    return Err(fail(format!(
                        "working is {} but kind is {} (only make_up_working_day is a working day)",
                        e.working,
                        kind.as_str()
                    )));
                }
                if kind == DayKind::MakeUpWorkingDay && !is_weekly_rest_day(date) {
                    return Err(fail(format!("make-up working day {date} is not a Saturday or Sunday")));
                }
                if kind == DayKind::SwapDayOff && is_weekly_rest_day(date) {
                    return Err(fail(format!("swapped day off {date} is a Saturday or Sunday")));
                }
                if e.name.trim().is_empty() {
                    return Err(fail("name is empty".into()));
                }
                if e.source.trim().is_empty() {
                    return Err(fail("source is empty: every entry must name its source".into()));
                }
                if !seen.insert(date) {
                    return Err(fail(format!("date {date} is listed twice")));
                }
                out.push(DecisionEntry {
                    date,
                    working: e.working,
                    name: e.name.trim().to_string(),
                    kind,
                    source: e.source.trim().to_string(),
                    events: Event::from_name(&e.name),
                });
            }
            out.sort_by_key(|e| e.date);
            years.insert(year, out);
        }
        Ok(Decisions { source_notes: raw.source_note.into_iter().collect(), years })
    }

    /// Adds `other`'s years, each replacing this set's decision for the same year.
    pub fn merge(&mut self, other: Decisions) {
        self.source_notes.extend(other.source_notes);
        self.years.extend(other.years);
    }

    /// The years that have a decision.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// The decision's entries for `year`, in date order (`None` when there is none).
    pub fn year(&self, year: i32) -> Option<&[DecisionEntry]> {
        self.years.get(&year).map(Vec::as_slice)
    }
}

// ---------------------------------------------------------------------------------------
// The calendar
// ---------------------------------------------------------------------------------------

/// Vietnam's working calendar for state agencies, 1900–2100: Monday–Friday weeks, the
/// statutory holidays computed with the lunar calendar, compensatory days and the loaded
/// [`Decisions`]. Built once (a few milliseconds), then every query is a table look-up.
/// Outside 1900–2100 only weekly rest days are known.
#[derive(Debug, Clone)]
pub struct VietnamCalendar {
    /// One bit per day from [`lunar::FIRST_DATE`]: set when the day is a working day.
    working: Vec<u64>,
    /// Day indices (from [`lunar::FIRST_DATE`]) of the working days, in order.
    working_list: Vec<u32>,
    /// `rank[i]`: number of working days with index < `i` (length = days + 1).
    rank: Vec<u32>,
    /// Every listed day, by date.
    days: BTreeMap<NaiveDate, CalendarDay>,
    first_day: i32,
    last_day: i32,
}

impl VietnamCalendar {
    /// The calendar from computed defaults alone (no decision).
    pub fn computed_only() -> Self {
        Self::new(&Decisions::default())
    }

    /// The calendar from computed defaults plus `decisions`.
    pub fn new(decisions: &Decisions) -> Self {
        let mut days = BTreeMap::new();
        for year in lunar::FIRST_YEAR..=lunar::LAST_YEAR {
            for d in build_year(year, decisions.year(year)) {
                // A later year's entry (a December bridge) never displaces a listed day.
                days.entry(d.date).or_insert(d);
            }
        }
        let first_day = lunar::FIRST_DATE.num_days_from_ce();
        let last_day = lunar::LAST_DATE.num_days_from_ce();
        let n = (last_day - first_day + 1) as usize;
        let mut working = vec![0u64; n.div_ceil(64)];
        let mut working_list = Vec::with_capacity(n);
        let mut rank = Vec::with_capacity(n + 1);
        let mut date = lunar::FIRST_DATE;
        for i in 0..n {
            rank.push(working_list.len() as u32);
            let w = match days.get(&date) {
                Some(d) => d.working,
                None => !is_weekly_rest_day(date),
            };
            if w {
                working[i / 64] |= 1 << (i % 64);
                working_list.push(i as u32);
            }
            date = date.succ_opt().unwrap_or(date);
        }
        rank.push(working_list.len() as u32);
        VietnamCalendar { working, working_list, rank, days, first_day, last_day }
    }

    fn index(&self, date: NaiveDate) -> Option<usize> {
        let n = date.num_days_from_ce();
        (self.first_day..=self.last_day).contains(&n).then(|| (n - self.first_day) as usize)
    }

    /// True when `year` is within the calendar's range (1900..=2100).
    pub fn supports_year(year: i32) -> bool {
        (lunar::FIRST_YEAR..=lunar::LAST_YEAR).contains(&year)
    }

    /// The listed days of Gregorian year `year` in date order: holidays, compensatory days,
    /// swapped days off and make-up working days (weekly rest days are not listed). This
    /// feeds `GET /api/v1/calendar/{year}`. Empty outside 1900..=2100.
    pub fn year_days(&self, year: i32) -> Vec<CalendarDay> {
        let (Some(a), Some(b)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
            return Vec::new();
        };
        self.days.range(a..=b).map(|(_, d)| d.clone()).collect()
    }

    /// The listed day at `date`, if it is one (see [`CalendarDay`]).
    pub fn day(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.days.get(&date)
    }
}

impl WorkingCalendar for VietnamCalendar {
    #[inline]
    fn is_working_day(&self, date: NaiveDate) -> bool {
        let n = date.num_days_from_ce();
        if n < self.first_day || n > self.last_day {
            return !is_weekly_rest_day(date);
        }
        let i = (n - self.first_day) as usize;
        self.working[i / 64] & (1 << (i % 64)) != 0
    }

    fn nth_working_day_after(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return Some(date);
        }
        let Some(i) = self.index(date) else { return walk_working_days(self, date, n) };
        let done = self.rank[i + 1] as usize; // working days up to and including `date`
        let after = self.working_list.len() - done;
        if (n as usize) <= after {
            let j = self.working_list[done + n as usize - 1];
            NaiveDate::from_num_days_from_ce_opt(self.first_day + j as i32)
        } else {
            walk_working_days(self, lunar::LAST_DATE, n - after as u32)
        }
    }

    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to <= from {
            return 0;
        }
        match (self.index(from), self.index(to)) {
            (Some(a), Some(b)) => self.rank[b] - self.rank[a],
            _ => {
                let mut n = 0;
                let mut d = from;
                while d < to {
                    n += u32::from(self.is_working_day(d));
                    match d.succ_opt() {
                        Some(x) => d = x,
                        None => break,
                    }
                }
                n
            }
        }
    }
}

/// The `n`-th working day after `date`, day by day (outside the table's range).
fn walk_working_days(cal: &VietnamCalendar, date: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt()?;
        if cal.is_working_day(d) {
            left -= 1;
        }
    }
    Some(d)
}

/// The listed days of one year: computed holidays of the events the decision does not
/// cover, the decision's entries, and compensatory days for the computed holidays.
fn build_year(year: i32, decision: Option<&[DecisionEntry]>) -> Vec<CalendarDay> {
    let computed = computed_holidays(year);
    let covered: BTreeSet<Event> = decision.unwrap_or(&[]).iter().flat_map(|e| e.events.iter().copied()).collect();
    let mut days: BTreeMap<NaiveDate, CalendarDay> = BTreeMap::new();
    for e in decision.unwrap_or(&[]) {
        days.insert(
            e.date,
            CalendarDay {
                date: e.date,
                working: e.working,
                kind: e.kind,
                reason: e.name.clone(),
                source: e.source.clone(),
            },
        );
    }
    // Computed holidays of covered events that fall on a weekly rest day: the decisions
    // list only weekdays, but these are holidays all the same (shown, not counted). For
    // Tết only the days inside the decision's own span are shown.
    let tet_span = decision.and_then(|d| {
        let dates: Vec<NaiveDate> = d.iter().filter(|e| e.events.contains(&Event::Tet)).map(|e| e.date).collect();
        Some((*dates.iter().min()?, *dates.iter().max()?))
    });
    let mut to_compensate = Vec::new();
    for c in computed {
        if covered.contains(&c.event) {
            let inside = c.event != Event::Tet || tet_span.is_some_and(|(a, b)| a <= c.day.date && c.day.date <= b);
            if is_weekly_rest_day(c.day.date) && inside && !days.contains_key(&c.day.date) {
                let mut day = c.day;
                day.source = format!("{} (on a weekly rest day; the year's decision lists its days off)", day.source);
                days.insert(day.date, day);
            }
            continue;
        }
        if days.contains_key(&c.day.date) {
            continue;
        }
        if is_weekly_rest_day(c.day.date) {
            to_compensate.push(c.day.clone());
        }
        days.insert(c.day.date, c.day);
    }
    // Art. 111(3): the next working day that is not already a holiday or a day off.
    for h in to_compensate {
        let mut d = h.date;
        loop {
            d = d.succ_opt().expect("in range");
            let off = days.get(&d).map(|x| !x.working);
            let working = match off {
                Some(off) => !off,
                None => !is_weekly_rest_day(d),
            };
            if working && !days.get(&d).is_some_and(|x| x.kind == DayKind::MakeUpWorkingDay) {
                break;
            }
        }
        let name = h.reason.split(" (").next().unwrap_or(&h.reason).to_string();
        days.insert(
            d,
            CalendarDay {
                date: d,
                working: false,
                kind: DayKind::Compensatory,
                reason: format!(
                    "Nghỉ bù {name} ({}/{}/{}, {})",
                    h.date.day(),
                    h.date.month(),
                    h.date.year(),
                    weekday_vi(h.date.weekday())
                ),
                source: SRC_111_3.into(),
            },
        );
    }
    days.into_values().collect()
}

/// The lunar date of `date`, for display beside a holiday (`None` outside 1900–2100).
pub fn lunar_of(date: NaiveDate) -> Option<LunarDate> {
    lunar::solar_to_lunar(date).ok()
}
