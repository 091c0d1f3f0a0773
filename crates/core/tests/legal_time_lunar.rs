//! The Vietnamese lunar calendar against published dates and an independent computation
//! (tests/fixtures/lunar-reference.csv, made by tests/fixtures/lunar_reference.py with PyEphem).

use chrono::{Datelike, Days, NaiveDate};
use motcua_core::legal_time::lunar::{
    self, gio_to_hung_vuong, leap_month, lunar_to_solar, month_length, solar_to_lunar, tet, LunarDate,
};
use motcua_core::legal_time::LunarError;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn reference_dates_of_legal_time_md() {
    // LEGAL-TIME.md, "Reference dates".
    assert_eq!(tet(2024).unwrap(), d(2024, 2, 10));
    assert_eq!(tet(2025).unwrap(), d(2025, 1, 29));
    assert_eq!(tet(2026).unwrap(), d(2026, 2, 17));
    assert_eq!(tet(2027).unwrap(), d(2027, 2, 6));
    assert_eq!(gio_to_hung_vuong(2024).unwrap(), d(2024, 4, 18));
    assert_eq!(gio_to_hung_vuong(2025).unwrap(), d(2025, 4, 7));
    assert_eq!(gio_to_hung_vuong(2026).unwrap(), d(2026, 4, 26));
    assert_eq!(gio_to_hung_vuong(2027).unwrap(), d(2027, 4, 16));
}

#[test]
fn years_where_vietnam_and_china_differ() {
    // Vietnam (UTC+7) vs China (UTC+8): 21 Jan vs 20 Feb 1985; 17 vs 18 Feb 2007;
    // 2 vs 3 Feb 2030.
    assert_eq!(tet(1985).unwrap(), d(1985, 1, 21));
    assert_eq!(tet(2007).unwrap(), d(2007, 2, 17));
    assert_eq!(tet(2030).unwrap(), d(2030, 2, 2));
    // Tết Mậu Thân: 29 Jan 1968 in (North) Vietnam, the first year at UTC+7; 30 Jan in China.
    assert_eq!(tet(1968).unwrap(), d(1968, 1, 29));
    // Before 1968 Vietnam used the UTC+8 calendar: Tết 1967 = 9 Feb 1967.
    assert_eq!(tet(1967).unwrap(), d(1967, 2, 9));
}

#[test]
fn leap_months() {
    // Well-known leap months: 2020 (4), 2023 (2), 2025 (6), 2028 (5), 2033 (11).
    assert_eq!(leap_month(2020).unwrap(), Some(4));
    assert_eq!(leap_month(2023).unwrap(), Some(2));
    assert_eq!(leap_month(2025).unwrap(), Some(6));
    assert_eq!(leap_month(2028).unwrap(), Some(5));
    assert_eq!(leap_month(2033).unwrap(), Some(11));
    assert_eq!(leap_month(2026).unwrap(), None);
    // The leap 6th month of 2025 began on 25 July 2025 (the regular 6th on 25 June).
    assert_eq!(lunar_to_solar(LunarDate { year: 2025, month: 6, leap: true, day: 1 }).unwrap(), d(2025, 7, 25));
    assert_eq!(lunar_to_solar(LunarDate::new(2025, 6, 1)).unwrap(), d(2025, 6, 25));
    assert_eq!(solar_to_lunar(d(2025, 8, 1)).unwrap(), LunarDate { year: 2025, month: 6, leap: true, day: 8 });
    // No leap 7th month in 2025, and no leap month at all in 2026.
    assert_eq!(lunar_to_solar(LunarDate { year: 2025, month: 7, leap: true, day: 1 }), Err(LunarError::NoSuchDate));
    assert_eq!(lunar_to_solar(LunarDate { year: 2026, month: 1, leap: true, day: 1 }), Err(LunarError::NoSuchDate));
}

#[test]
fn eve_of_tet_is_last_day_of_the_lunar_year() {
    // Tết 2026 is 17 Feb; 16 Feb 2026 is the last day of month 12 of lunar year 2025,
    // which has 29 days (the month began on 18 Jan 2026).
    assert_eq!(solar_to_lunar(d(2026, 2, 16)).unwrap(), LunarDate::new(2025, 12, 29));
    assert_eq!(month_length(2025, 12, false).unwrap(), 29);
    assert_eq!(lunar_to_solar(LunarDate::new(2025, 12, 30)), Err(LunarError::NoSuchDate));
    assert_eq!(lunar::lunar_new_year_eve(2026).unwrap(), d(2026, 2, 16));
}

#[test]
fn bad_input() {
    assert_eq!(solar_to_lunar(d(1899, 12, 31)), Err(LunarError::OutOfRange));
    assert_eq!(solar_to_lunar(d(2101, 1, 1)), Err(LunarError::OutOfRange));
    assert_eq!(tet(2101), Err(LunarError::OutOfRange));
    assert_eq!(lunar_to_solar(LunarDate::new(2025, 13, 1)), Err(LunarError::NoSuchDate));
    assert_eq!(lunar_to_solar(LunarDate::new(2025, 0, 1)), Err(LunarError::NoSuchDate));
    assert_eq!(lunar_to_solar(LunarDate::new(2025, 1, 0)), Err(LunarError::NoSuchDate));
    assert_eq!(lunar_to_solar(LunarDate::new(2025, 1, 31)), Err(LunarError::NoSuchDate));
    // The last months of lunar year 2100 end in 2101, outside the range.
    assert_eq!(lunar_to_solar(LunarDate::new(2100, 12, 15)), Err(LunarError::OutOfRange));
}

struct Row {
    year: i32,
    utc_offset: i32,
    tet: NaiveDate,
    gio_to: NaiveDate,
    leap: u32,
}

fn reference() -> Vec<Row> {
    let text = include_str!("fixtures/lunar-reference.csv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("year"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let p = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
            Row {
                year: f[0].parse().unwrap(),
                utc_offset: f[1].parse().unwrap(),
                tet: p(f[2]),
                gio_to: p(f[3]),
                leap: f[4].parse().unwrap(),
            }
        })
        .collect()
}

#[test]
fn every_year_1900_2100_matches_the_independent_reference() {
    let rows = reference();
    assert_eq!(rows.len(), 201, "one row per year 1900..=2100");
    let mut wrong = Vec::new();
    for r in &rows {
        assert_eq!(lunar::utc_offset_hours(r.year), r.utc_offset, "{}", r.year);
        let got = (tet(r.year).unwrap(), gio_to_hung_vuong(r.year).unwrap(), leap_month(r.year).unwrap().unwrap_or(0));
        if got != (r.tet, r.gio_to, r.leap) {
            wrong.push(format!("{}: got {:?}, reference {} {} leap {}", r.year, got, r.tet, r.gio_to, r.leap));
        }
    }
    assert!(wrong.is_empty(), "differences:\n{}", wrong.join("\n"));
    // The reference itself includes the years where Vietnam and China differ.
    let find = |y: i32| rows.iter().find(|r| r.year == y).unwrap().tet;
    assert_eq!(find(1985), d(1985, 1, 21));
    assert_eq!(find(2007), d(2007, 2, 17));
    assert_eq!(find(2030), d(2030, 2, 2));
}

#[test]
fn every_day_1900_2100_is_consistent() {
    // Walk every day of the range: the lunar day advances by one within a month, a new
    // month starts at day 1 after day 29 or 30, month numbers follow each other (a leap
    // month repeats the number before it), years change at month 1; and every third
    // date converts back (the property test below samples the rest).
    let mut date = lunar::FIRST_DATE;
    let mut prev = solar_to_lunar(date).unwrap();
    let mut checked = 0;
    while date < lunar::LAST_DATE {
        date = date.succ_opt().unwrap();
        let l = solar_to_lunar(date).unwrap();
        if l.day == 1 {
            assert!(prev.day == 29 || prev.day == 30, "{date}: month of {} days", prev.day);
            if l.leap {
                assert_eq!((l.year, l.month), (prev.year, prev.month), "{date}");
            } else {
                let expect = if prev.month == 12 { (prev.year + 1, 1) } else { (prev.year, prev.month + 1) };
                assert_eq!((l.year, l.month), expect, "{date}");
            }
        } else {
            assert_eq!((l.year, l.month, l.leap, l.day), (prev.year, prev.month, prev.leap, prev.day + 1), "{date}");
        }
        if date.day().is_multiple_of(3) {
            assert_eq!(lunar_to_solar(l).unwrap(), date);
            checked += 1;
        }
        prev = l;
    }
    assert!(checked > 23_000, "{checked}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// solar → lunar → solar is the identity on every day of the range.
    #[test]
    fn solar_lunar_solar_round_trip(offset in 0u64..73_414) {
        let date = lunar::FIRST_DATE.checked_add_days(Days::new(offset)).unwrap();
        prop_assume!(date <= lunar::LAST_DATE);
        let l = solar_to_lunar(date).unwrap();
        prop_assert_eq!(lunar_to_solar(l).unwrap(), date);
        prop_assert!((1..=12).contains(&l.month) && (1..=30).contains(&l.day));
    }
}

#[test]
fn round_trip_for_every_day_2020_2030() {
    // Exhaustive for the years the product uses most.
    let mut date = d(2020, 1, 1);
    while date <= d(2030, 12, 31) {
        let l = solar_to_lunar(date).unwrap();
        assert_eq!(lunar_to_solar(l).unwrap(), date, "{date} -> {l}");
        date = date.succ_opt().unwrap();
    }
}
