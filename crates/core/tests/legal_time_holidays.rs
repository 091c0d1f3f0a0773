//! Holidays, compensatory days and Government decisions (Labor Code 2019 Art. 111–112).
//! Expected dates are worked out by hand from the calendar and the decisions' texts.

use chrono::{Datelike, NaiveDate, Weekday};
use motcua_core::calendar::WorkingCalendar;
use motcua_core::legal_time::holidays::{is_weekly_rest_day, statutory_holidays};
use motcua_core::legal_time::{DayKind, Decisions, Event, VietnamCalendar, SHIPPED_DECISIONS};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn shipped() -> VietnamCalendar {
    VietnamCalendar::new(&Decisions::parse(SHIPPED_DECISIONS).unwrap())
}

/// Weekdays off (Mon–Fri that are not working) and weekend working days of a year.
fn exceptions(cal: &VietnamCalendar, year: i32) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
    let mut off = Vec::new();
    let mut work = Vec::new();
    let mut date = d(year, 1, 1);
    while date.year() == year {
        let w = cal.is_working_day(date);
        if is_weekly_rest_day(date) && w {
            work.push(date);
        }
        if !is_weekly_rest_day(date) && !w {
            off.push(date);
        }
        date = date.succ_opt().unwrap();
    }
    (off, work)
}

#[test]
fn shipped_file_parses_and_every_entry_is_in_force() {
    let dec = Decisions::parse(SHIPPED_DECISIONS).unwrap();
    assert_eq!(dec.years().collect::<Vec<_>>(), (2020..=2026).collect::<Vec<_>>());
    assert_eq!(dec.source_notes.len(), 1);
    let cal = VietnamCalendar::new(&dec);
    for year in 2020..=2026 {
        let entries = dec.year(year).unwrap();
        for e in entries {
            assert_eq!(cal.is_working_day(e.date), e.working, "{}", e.date);
            let listed = cal.day(e.date).unwrap();
            assert_eq!((listed.kind, listed.working), (e.kind, e.working));
            assert_eq!(listed.source, e.source);
        }
        // The file lists every weekday off and every weekend working day: the calendar
        // has no other exception in these years.
        let (off, work) = exceptions(&cal, year);
        let listed_off: Vec<_> = entries.iter().filter(|e| !e.working).map(|e| e.date).collect();
        let listed_work: Vec<_> = entries.iter().filter(|e| e.working).map(|e| e.date).collect();
        assert_eq!(off, listed_off, "{year}");
        assert_eq!(work, listed_work, "{year}");
    }
}

#[test]
fn computed_2022_equals_the_decisions_of_2022() {
    // 2022 had no swap, and the notices chose the computed days: 1/1 Sat → Mon 3/1;
    // Tết 1/2 (Tue) → 31/1 (last day of the lunar year, 29 tháng Chạp) to 4/2; Giỗ Tổ Sun
    // 10/4 → Mon 11/4; 30/4 Sat, 1/5 Sun → Mon 2/5, Tue 3/5; 2/9 Fri + 1/9.
    let computed = VietnamCalendar::computed_only();
    let (off, work) = exceptions(&computed, 2022);
    assert_eq!(
        off,
        vec![
            d(2022, 1, 3),
            d(2022, 1, 31),
            d(2022, 2, 1),
            d(2022, 2, 2),
            d(2022, 2, 3),
            d(2022, 2, 4),
            d(2022, 4, 11),
            d(2022, 5, 2),
            d(2022, 5, 3),
            d(2022, 9, 1),
            d(2022, 9, 2),
        ]
    );
    assert!(work.is_empty());
    assert_eq!(exceptions(&shipped(), 2022), (off, work));
}

#[test]
fn computed_defaults_2027() {
    // No decision for 2027 is shipped, so the defaults apply:
    // - 1/1/2027 is a Friday: one day off.
    // - Tết 2027 (mùng 1) is Saturday 6 Feb; the last day of the lunar year is Fri 5 Feb;
    //   the five days are Fri 5, Sat 6, Sun 7, Mon 8, Tue 9 Feb. Sat 6 and Sun 7 are weekly
    //   rest days → compensatory Wed 10 and Thu 11 Feb (Art. 111(3)).
    // - Giỗ Tổ 10/3 âm lịch = Fri 16 Apr 2027.
    // - 30/4 Fri; 1/5 Sat → compensatory Mon 3 May.
    // - 2/9/2027 is a Thursday → the adjacent day is Fri 3/9 (rule of the 2021–2026 notices).
    let cal = shipped();
    let (off, work) = exceptions(&cal, 2027);
    assert_eq!(
        off,
        vec![
            d(2027, 1, 1),
            d(2027, 2, 5),
            d(2027, 2, 8),
            d(2027, 2, 9),
            d(2027, 2, 10),
            d(2027, 2, 11),
            d(2027, 4, 16),
            d(2027, 4, 30),
            d(2027, 5, 3),
            d(2027, 9, 2),
            d(2027, 9, 3),
        ]
    );
    assert!(work.is_empty());
    let comp = cal.day(d(2027, 5, 3)).unwrap();
    assert_eq!(comp.kind, DayKind::Compensatory);
    assert!(comp.reason.contains("Lao động"), "{}", comp.reason);
    assert!(comp.source.contains("111(3)"));
    // Weekend holidays are listed too (not working, kind holiday).
    let tet = cal.day(d(2027, 2, 6)).unwrap();
    assert_eq!((tet.kind, tet.working), (DayKind::Holiday, false));
    assert!(tet.reason.contains("mùng 1"));
}

#[test]
fn compensatory_day_skips_days_that_are_already_holidays() {
    // Computed 2023: Giỗ Tổ Sat 29/4, 30/4 Sun, 1/5 Mon (a holiday itself). The next
    // working day after 29/4 that is not a holiday is Tue 2/5 (Mon 1/5 is a holiday);
    // the next after 30/4 is then Wed 3/5 (Tue 2/5 is taken). MoLISA's 2023 notice gave
    // exactly these days.
    let cal = VietnamCalendar::computed_only();
    let days = cal.year_days(2023);
    let comp: Vec<_> = days.iter().filter(|x| x.kind == DayKind::Compensatory).map(|x| x.date).collect();
    assert_eq!(comp, vec![d(2023, 1, 2), d(2023, 1, 26), d(2023, 1, 27), d(2023, 5, 2), d(2023, 5, 3), d(2023, 9, 4)]);
    assert!(cal.day(d(2023, 5, 2)).unwrap().reason.contains("Giỗ Tổ"));
    assert!(cal.day(d(2023, 5, 3)).unwrap().reason.contains("Chiến thắng"));
}

#[test]
fn a_decision_replaces_the_computed_days_of_its_events() {
    let computed = VietnamCalendar::computed_only();
    let cal = shipped();
    // Tết 2024 (mùng 1 Sat 10 Feb). Computed: Fri 9 – Tue 13 + compensatory Wed 14, Thu 15.
    // Thông báo 5015/TB-LĐTBXH: Thu 8 – Wed 14 Feb (5 Tết days + 2 in lieu). So Thu 8 is off
    // and Thu 15 Feb is a working day: the computed compensatory day is replaced.
    assert!(!computed.is_working_day(d(2024, 2, 15)));
    assert!(computed.is_working_day(d(2024, 2, 8)));
    assert!(cal.is_working_day(d(2024, 2, 15)));
    assert!(!cal.is_working_day(d(2024, 2, 8)));
    // The weekend Tết days inside the break are shown as holidays.
    assert_eq!(cal.day(d(2024, 2, 10)).unwrap().kind, DayKind::Holiday);
    // Tết 2025: the notice chose Mon 27 – Fri 31 Jan (two days before mùng 1, Wed 29 Jan),
    // no compensatory day; computed would have Tue 28 Jan – Sat 1 Feb and compensatory Mon 3 Feb.
    assert!(!cal.is_working_day(d(2025, 1, 27)));
    assert!(cal.is_working_day(d(2025, 2, 3)));
    assert!(!computed.is_working_day(d(2025, 2, 3)));
    // An event the decision does not mention keeps its computed days (none here: the
    // shipped years cover every event). A decision for one event only:
    let only_tet = Decisions::parse(
        r#"{"years": {"2027": [
            {"date": "2027-02-04", "working": false, "name": "Tết Nguyên đán", "kind": "holiday", "source": "test"},
            {"date": "2027-02-05", "working": false, "name": "Tết Nguyên đán", "kind": "holiday", "source": "test"},
            {"date": "2027-02-08", "working": false, "name": "Tết Nguyên đán", "kind": "holiday", "source": "test"},
            {"date": "2027-02-09", "working": false, "name": "Tết Nguyên đán", "kind": "compensatory", "source": "test"},
            {"date": "2027-02-10", "working": false, "name": "Tết Nguyên đán", "kind": "compensatory", "source": "test"}
        ]}}"#,
    )
    .unwrap();
    let cal = VietnamCalendar::new(&only_tet);
    // Tết: exactly the decision's days (Thu 11 Feb, computed compensatory, is working).
    assert!(!cal.is_working_day(d(2027, 2, 4)));
    assert!(cal.is_working_day(d(2027, 2, 11)));
    // 1/5/2027 Sat still gives its computed compensatory Monday 3 May.
    assert!(!cal.is_working_day(d(2027, 5, 3)));
}

#[test]
fn swaps_of_2025_and_2026() {
    let cal = shipped();
    // 2025: Fri 2 May off in exchange for Sat 26 April worked (Thông báo 6150/TB-LĐTBXH).
    assert_eq!(cal.day(d(2025, 5, 2)).unwrap().kind, DayKind::SwapDayOff);
    assert!(!cal.is_working_day(d(2025, 5, 2)));
    assert_eq!(cal.day(d(2025, 4, 26)).unwrap().kind, DayKind::MakeUpWorkingDay);
    assert!(cal.is_working_day(d(2025, 4, 26)));
    assert_eq!(d(2025, 4, 26).weekday(), Weekday::Sat);
    // 2026: Fri 2 Jan off for Sat 10 Jan; Mon 31 Aug off for Sat 22 Aug.
    assert!(!cal.is_working_day(d(2026, 1, 2)));
    assert!(cal.is_working_day(d(2026, 1, 10)));
    assert!(!cal.is_working_day(d(2026, 8, 31)));
    assert!(cal.is_working_day(d(2026, 8, 22)));
    // Vietnamese Culture Day, 24/11/2026, shipped as data with its (lower-confidence) source.
    let culture = cal.day(d(2026, 11, 24)).unwrap();
    assert!(culture.source.contains("28/2026/QH16"));
    // Not a computed default: 24/11/2027 is an ordinary Wednesday.
    assert!(cal.is_working_day(d(2027, 11, 24)));
}

#[test]
fn year_days_lists_only_listed_days_in_order() {
    let cal = shipped();
    let days = cal.year_days(2025);
    assert!(days.windows(2).all(|w| w[0].date < w[1].date));
    assert!(days.iter().all(|x| x.date.year() == 2025 && !x.source.is_empty() && !x.reason.is_empty()));
    assert!(days.iter().all(|x| x.working == (x.kind == DayKind::MakeUpWorkingDay)));
    // JSON shape for GET /api/v1/calendar/{year}.
    let v = serde_json::to_value(&days[0]).unwrap();
    assert_eq!(v["date"], "2025-01-01");
    assert_eq!(v["kind"], "holiday");
    assert_eq!(v["working"], false);
    assert!(cal.year_days(1899).is_empty());
    assert!(cal.year_days(2101).is_empty());
    assert!(VietnamCalendar::supports_year(2100) && !VietnamCalendar::supports_year(2101));
    // Outside the range only weekly rest days are known.
    for day in 1..=7 {
        let x = d(2101, 1, day);
        assert_eq!(cal.is_working_day(x), !is_weekly_rest_day(x), "{x}");
    }
    assert!(cal.is_working_day(d(1899, 12, 29)));
}

#[test]
fn every_year_has_the_statutory_days() {
    // 11 statutory days a year (1 + 5 + 1 + 1 + 1 + 2), every year of the range, each
    // event on its lunar or solar date.
    for year in 1900..=2100 {
        let days = statutory_holidays(year);
        assert_eq!(days.len(), 11, "{year}");
        assert_eq!(days.iter().filter(|(e, _)| *e == Event::Tet).count(), 5);
        let nd: Vec<_> = days.iter().filter(|(e, _)| *e == Event::NationalDay).map(|(_, x)| x.date).collect();
        assert!(nd.contains(&d(year, 9, 2)));
        // The adjacent day is never a weekly rest day.
        assert!(nd.iter().all(|x| *x == d(year, 9, 2) || !is_weekly_rest_day(*x)), "{year}");
    }
    assert!(statutory_holidays(2101).is_empty());
}

#[test]
fn event_names() {
    assert_eq!(Event::from_name("Tết Dương lịch"), vec![Event::NewYear]);
    assert_eq!(Event::from_name("Tet Nguyen dan"), vec![Event::Tet]);
    assert_eq!(Event::from_name("Giỗ Tổ Hùng Vương"), vec![Event::HungKings]);
    assert_eq!(Event::from_name("Ngày Chiến thắng 30/4 – Quốc tế Lao động 1/5"), vec![Event::Victory, Event::Labour]);
    assert_eq!(Event::from_name("Quốc khánh 2/9"), vec![Event::NationalDay]);
    assert_eq!(Event::from_name("Ngày Văn hóa Việt Nam"), vec![Event::Other]);
}

#[test]
fn merge_replaces_a_year() {
    let mut dec = Decisions::parse(SHIPPED_DECISIONS).unwrap();
    let new_2025 = Decisions::parse(
        r#"{"years": {"2025": [
        {"date": "2025-01-01", "working": false, "name": "Tết Dương lịch", "kind": "holiday", "source": "test"}
    ]}}"#,
    )
    .unwrap();
    dec.merge(new_2025);
    assert_eq!(dec.year(2025).unwrap().len(), 1);
    let cal = VietnamCalendar::new(&dec);
    // Only New Year is decided now: Tết 2025 falls back to the computed days
    // (Tue 28 Jan – Sat 1 Feb + Mon 3 Feb compensatory) and 2 May is a working day again.
    assert!(!cal.is_working_day(d(2025, 2, 3)));
    assert!(cal.is_working_day(d(2025, 1, 27)));
    assert!(cal.is_working_day(d(2025, 5, 2)));
    assert!(dec.year(2024).is_some());
}

fn err(text: &str) -> (usize, String) {
    let e = Decisions::parse(text).unwrap_err();
    (e.line, e.reason)
}

#[test]
fn malformed_files_name_the_line_and_reason_and_load_nothing() {
    // Not JSON: serde's line.
    let (line, reason) = err("{\n  \"years\": {\n    \"2025\": [\n      {\"date\": \"2025-01-01\",,}\n    ]\n  }\n}");
    assert_eq!(line, 4);
    assert!(reason.contains("not a valid decision file"), "{reason}");

    let entry = |date: &str, working: bool, kind: &str, source: &str| {
        format!(
            "      {{\"date\": \"{date}\", \"working\": {working}, \"name\": \"Tết Nguyên đán\", \"kind\": \"{kind}\", \"source\": \"{source}\"}}"
        )
    };
    let file = |second: String| {
        format!(
            "{{\n  \"years\": {{\n    \"2025\": [\n{},\n{}\n    ]\n  }}\n}}",
            entry("2025-01-27", false, "holiday", "s"),
            second
        )
    };
    // The second entry is on line 5.
    let cases = [
        (entry("2025-01-28", false, "festival", "s"), "kind \"festival\""),
        (entry("2025-02-30", false, "holiday", "s"), "not a YYYY-MM-DD date"),
        (entry("2026-01-28", false, "holiday", "s"), "does not belong to year 2025"),
        (entry("2025-01-28", true, "holiday", "s"), "only make_up_working_day"),
        (entry("2025-01-28", false, "holiday", " "), "source is empty"),
        (entry("2025-01-27", false, "holiday", "s"), "listed twice"),
        (entry("2025-01-28", true, "make_up_working_day", "s"), "is not a Saturday or Sunday"),
        (entry("2025-02-01", false, "swap_day_off", "s"), "is a Saturday or Sunday"),
    ];
    for (second, expect) in cases {
        let (line, reason) = err(&file(second));
        assert_eq!(line, 5, "{reason}");
        assert!(reason.contains(expect) && reason.contains("entry 2"), "{reason}");
    }
    // Missing field: serde names it and its line.
    let (line, reason) = err("{\"years\": {\"2025\": [\n{\"date\": \"2025-01-01\", \"working\": false, \"kind\": \"holiday\", \"source\": \"s\"}\n]}}");
    assert_eq!(line, 2);
    assert!(reason.contains("name"), "{reason}");
    // Bad year keys.
    let (line, reason) = err("{\"years\": {\n\"1800\": []}}");
    assert_eq!(line, 2);
    assert!(reason.contains("outside the supported range"), "{reason}");
    let (_, reason) = err("{\"years\": {\"next\": []}}");
    assert!(reason.contains("not a year"), "{reason}");
    // Unknown top-level field.
    let (_, reason) = err("{\"yaers\": {}}");
    assert!(reason.contains("not a valid decision file"), "{reason}");
}

#[test]
fn national_day_on_a_sunday_and_a_saturday() {
    let cal = VietnamCalendar::computed_only();
    // 2/9/2029 is a Sunday: the adjacent day is Mon 3/9 (rule of the 2021–2026 notices), and
    // the Sunday holiday is compensated on the next working day that is not a holiday:
    // Tue 4/9 (Art. 111(3)).
    let (off, _) = exceptions(&cal, 2029);
    let sept: Vec<_> = off.iter().filter(|x| x.month() == 9).copied().collect();
    assert_eq!(sept, vec![d(2029, 9, 3), d(2029, 9, 4)]);
    assert_eq!(cal.day(d(2029, 9, 4)).unwrap().kind, DayKind::Compensatory);
    // 2/9/2028 is a Saturday: adjacent Fri 1/9, compensatory Mon 4/9.
    let (off, _) = exceptions(&cal, 2028);
    let sept: Vec<_> = off.iter().filter(|x| x.month() == 9).copied().collect();
    assert_eq!(sept, vec![d(2028, 9, 1), d(2028, 9, 4)]);
}

#[test]
fn table_lookups_agree_with_walking_day_by_day() {
    // VietnamCalendar answers nth_working_day_after / working_days_between from tables;
    // the trait's default implementations walk day by day. Both must agree, including
    // across the end of the range (2100-12-31), where only weekly rest days are known.
    struct Walk<'a>(&'a VietnamCalendar);
    impl WorkingCalendar for Walk<'_> {
        fn is_working_day(&self, date: NaiveDate) -> bool {
            self.0.is_working_day(date)
        }
    }
    let cal = shipped();
    let walk = Walk(&cal);
    let starts = [d(1900, 1, 1), d(1967, 12, 30), d(2024, 2, 7), d(2025, 4, 25), d(2026, 12, 31), d(2100, 12, 20)];
    for s in starts {
        for n in [0u32, 1, 2, 5, 17, 60, 400] {
            assert_eq!(cal.nth_working_day_after(s, n), walk.nth_working_day_after(s, n), "{s} {n}");
        }
        for len in [0u64, 1, 6, 30, 365] {
            let t = s + chrono::Days::new(len);
            assert_eq!(cal.working_days_between(s, t), walk.working_days_between(s, t), "{s} {len}");
        }
    }
    // Tết 2026 by hand: from Fri 13 Feb, the 1st working day after is Mon 23 Feb (14–15 and
    // 21–22 weekends, 16–20 Tết); working days in 13 Feb..23 Feb: only Fri 13.
    assert_eq!(cal.nth_working_day_after(d(2026, 2, 13), 1), Some(d(2026, 2, 23)));
    assert_eq!(cal.working_days_between(d(2026, 2, 13), d(2026, 2, 23)), 1);
}
