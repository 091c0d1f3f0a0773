//! The Vietnamese lunar calendar (âm lịch), computed from astronomical new moons and
//! solar terms.
//!
//! Method: Hồ Ngọc Đức's well-known procedure for the Vietnamese calendar, with the
//! astronomy of Jean Meeus, *Astronomical Algorithms* (2nd ed. 1998): the instant of each
//! new moon from chapter 49 (all periodic terms and the fourteen planetary corrections),
//! the Sun's apparent longitude from the abridged VSOP87 series of Appendix III with
//! nutation (ch. 22) and aberration (ch. 25), and ΔT from the Espenak–Meeus polynomials.
//!
//! The rules ([`solar_to_lunar`], [`lunar_to_solar`]):
//! - a lunar month begins on the local date of a new moon;
//! - month 11 is the month that contains the winter solstice;
//! - when 13 months begin between two consecutive months 11, the first of them that
//!   contains no major solar term (trung khí, the Sun entering a 30° sector of longitude)
//!   is a leap month and repeats the number of the month before it;
//! - "local" is UTC+7 for lunar years from 1968 on, and UTC+8 before 1968, when Vietnam
//!   still used the calendar computed for China (LEGAL-TIME.md). A Chinese-calendar
//!   library (UTC+8 throughout) differs from this in some years after 1968: Tết fell on
//!   21 January 1985 in Vietnam (20 February in China), 17 February 2007 (China: 18
//!   February) and will fall on 2 February 2030 (China: 3 February).
//!
//! Valid for Gregorian dates 1900-01-01 to 2100-12-31 ([`FIRST_DATE`], [`LAST_DATE`]); checked
//! for every year of that range against an independent computation with PyEphem
//! (`tests/fixtures/lunar_reference.py`). Pure computation, no tables, no I/O.

use chrono::{Datelike, NaiveDate};
use std::f64::consts::PI;
use std::fmt;

/// First Gregorian year of the supported range.
pub const FIRST_YEAR: i32 = 1900;
/// Last Gregorian year of the supported range.
pub const LAST_YEAR: i32 = 2100;
/// First supported Gregorian date (1900-01-01).
pub const FIRST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};
/// Last supported Gregorian date (2100-12-31).
pub const LAST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// A date of the Vietnamese lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LunarDate {
    /// The lunar year, named by the Gregorian year in which it begins (Tết 2026 begins
    /// lunar year 2026, Bính Ngọ).
    pub year: i32,
    /// Month number, 1..=12 (a leap month repeats the number of the month before it).
    pub month: u32,
    /// True for the leap month (tháng nhuận).
    pub leap: bool,
    /// Day of the month, 1..=30.
    pub day: u32,
}

impl LunarDate {
    /// A regular (non-leap) lunar date.
    pub const fn new(year: i32, month: u32, day: u32) -> Self {
        LunarDate { year, month, leap: false, day }
    }
}

impl fmt::Display for LunarDate {
    /// `10/3/2025 âm lịch`, or `15/6 nhuận/2025 âm lịch` for a leap month.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.leap {
            write!(f, "{}/{} nhuận/{} âm lịch", self.day, self.month, self.year)
        } else {
            write!(f, "{}/{}/{} âm lịch", self.day, self.month, self.year)
        }
    }
}

/// Why a lunar conversion could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LunarError {
    /// The date (or the result) lies outside 1900-01-01..=2100-12-31.
    #[error("date outside the supported range {FIRST_DATE}..={LAST_DATE}")]
    OutOfRange,
    /// No such lunar date: month not in 1..=12, day past the month's length, or a leap
    /// month in a year that has no such leap month.
    #[error("no such lunar date")]
    NoSuchDate,
}

/// UTC offset, in hours, at which the lunar year `lunar_year` is computed: 7 from 1968 on,
/// 8 before (LEGAL-TIME.md, "The lunar calendar").
pub fn utc_offset_hours(lunar_year: i32) -> i32 {
    if lunar_year >= 1968 {
        7
    } else {
        8
    }
}

// ---------------------------------------------------------------------------------------
// Astronomy
// ---------------------------------------------------------------------------------------

const DEG: f64 = PI / 180.0;
/// Mean synodic month, days (Meeus ch. 49).
const SYNODIC: f64 = 29.530_588_861;
/// JDE of the mean new moon of k = 0 (6 January 2000).
const K0_JDE: f64 = 2_451_550.097_66;

/// Julian Day Number (noon-based integer day) of a Gregorian date.
pub(crate) fn jdn(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + 1_721_425
}

/// Gregorian date of a Julian Day Number.
pub(crate) fn from_jdn(jdn: i64) -> Option<NaiveDate> {
    i32::try_from(jdn - 1_721_425).ok().and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// ΔT = TT − UT in seconds for a decimal year (Espenak & Meeus polynomials, 1860–2150).
fn delta_t_seconds(y: f64) -> f64 {
    if y < 1900.0 {
        let t = y - 1860.0;
        7.62 + 0.5737 * t - 0.251_754 * t * t + 0.016_806_68 * t.powi(3) - 0.000_447_362_4 * t.powi(4)
            + t.powi(5) / 233_174.0
    } else if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t * t + 0.006_196_6 * t.powi(3) - 0.000_197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t * t + 0.002_093_6 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t * t / 233.0 + t.powi(3) / 2547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t * t / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.3345 * t - 0.060_374 * t * t
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t * t
    } else {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u - 0.5628 * (2150.0 - y)
    }
}

fn decimal_year(jd: f64) -> f64 {
    2000.0 + (jd - 2_451_545.0) / 365.25
}

/// Instant (Julian Ephemeris Day, TT) of the true new moon of lunation `k`
/// (k = 0: January 2000). Meeus ch. 49, all terms.
fn new_moon_jde(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3, t4) = (t * t, t * t * t, t * t * t * t);
    let jde = K0_JDE + SYNODIC * k + 0.000_154_37 * t2 - 0.000_000_150 * t3 + 0.000_000_000_73 * t4;
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let m = (2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3) * DEG;
    let mp = (201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4) * DEG;
    let f = (160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4) * DEG;
    let om = (124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3) * DEG;
    let s = f64::sin;
    let corr =
        -0.40720 * s(mp) + 0.17241 * e * s(m) + 0.01608 * s(2.0 * mp) + 0.01039 * s(2.0 * f) + 0.00739 * e * s(mp - m)
            - 0.00514 * e * s(mp + m)
            + 0.00208 * e * e * s(2.0 * m)
            - 0.00111 * s(mp - 2.0 * f)
            - 0.00057 * s(mp + 2.0 * f)
            + 0.00056 * e * s(2.0 * mp + m)
            - 0.00042 * s(3.0 * mp)
            + 0.00042 * e * s(m + 2.0 * f)
            + 0.00038 * e * s(m - 2.0 * f)
            - 0.00024 * e * s(2.0 * mp - m)
            - 0.00017 * s(om)
            - 0.00007 * s(mp + 2.0 * m)
            + 0.00004 * s(2.0 * mp - 2.0 * f)
            + 0.00004 * s(3.0 * m)
            + 0.00003 * s(mp + m - 2.0 * f)
            + 0.00003 * s(2.0 * mp + 2.0 * f)
            - 0.00003 * s(mp + m + 2.0 * f)
            + 0.00003 * s(mp - m + 2.0 * f)
            - 0.00002 * s(mp - m - 2.0 * f)
            - 0.00002 * s(3.0 * mp + m)
            + 0.00002 * s(4.0 * mp);
    // Planetary arguments (Meeus table 49.B).
    const A: [(f64, f64, f64); 13] = [
        (251.88, 0.016_321, 0.000_165),
        (251.83, 26.651_886, 0.000_164),
        (349.42, 36.412_478, 0.000_126),
        (84.66, 18.206_239, 0.000_110),
        (141.74, 53.303_771, 0.000_062),
        (207.14, 2.453_732, 0.000_060),
        (154.84, 7.306_860, 0.000_056),
        (34.52, 27.261_239, 0.000_047),
        (207.19, 0.121_824, 0.000_042),
        (291.34, 1.844_379, 0.000_040),
        (161.72, 24.198_154, 0.000_037),
        (239.56, 25.513_099, 0.000_035),
        (331.55, 3.592_518, 0.000_023),
    ];
    let a1 = (299.77 + 0.107_408 * k - 0.009_173 * t2) * DEG;
    let mut planetary = 0.000_325 * s(a1);
    for (c0, c1, amp) in A {
        planetary += amp * s((c0 + c1 * k) * DEG);
    }
    jde + corr + planetary
}

/// Instant (Julian Day, UT) of the new moon of lunation `k`.
fn new_moon_ut(k: i64) -> f64 {
    let jde = new_moon_jde(k);
    jde - delta_t_seconds(decimal_year(jde)) / 86_400.0
}

/// Julian Day Number of the local date (at UTC+`tz` hours) on which lunation `k` begins.
fn new_moon_day(k: i64, tz: i32) -> i64 {
    (new_moon_ut(k) + 0.5 + f64::from(tz) / 24.0).floor() as i64
}

/// Lunation whose mean new moon is the last one at or before Julian Day `jd`.
fn lunation_before(jd: f64) -> i64 {
    ((jd - K0_JDE) / SYNODIC).floor() as i64
}

// Abridged VSOP87 for the Earth's heliocentric longitude (Meeus, Appendix III), in units of
// 1e-8 radian: (A, B, C) for A cos(B + C τ), τ in Julian millennia from J2000. Printed as
// published (3.142 and 3.14 are the published phases, not π).
#[rustfmt::skip]
#[allow(clippy::approx_constant, clippy::inconsistent_digit_grouping)]
const L0: [(f64, f64, f64); 64] = [
    (175_347_046.0, 0.0, 0.0), (3_341_656.0, 4.669_256_8, 6283.075_85), (34_894.0, 4.626_10, 12_566.151_7),
    (3_497.0, 2.744_1, 5_753.384_9), (3_418.0, 2.828_9, 3.523_1), (3_136.0, 3.627_7, 77_713.771_5),
    (2_676.0, 4.418_1, 7_860.419_4), (2_343.0, 6.135_2, 3_930.209_7), (1_324.0, 0.742_5, 11_506.769_8),
    (1_273.0, 2.037_1, 529.691_0), (1_199.0, 1.109_6, 1_577.343_5), (990.0, 5.233, 5_884.927),
    (902.0, 2.045, 26.298), (857.0, 3.508, 398.149), (780.0, 1.179, 5_223.694), (753.0, 2.533, 5_507.553),
    (505.0, 4.583, 18_849.228), (492.0, 4.205, 775.523), (357.0, 2.920, 0.067), (317.0, 5.849, 11_790.629),
    (284.0, 1.899, 796.298), (271.0, 0.315, 10_977.079), (243.0, 0.345, 5_486.778), (206.0, 4.806, 2_544.314),
    (205.0, 1.869, 5_573.143), (202.0, 2.458, 6_069.777), (156.0, 0.833, 213.299), (132.0, 3.411, 2_942.463),
    (126.0, 1.083, 20.775), (115.0, 0.645, 0.980), (103.0, 0.636, 4_694.003), (102.0, 0.976, 15_720.839),
    (102.0, 4.267, 7.114), (99.0, 6.21, 2_146.17), (98.0, 0.68, 155.42), (86.0, 5.98, 161_000.69),
    (85.0, 1.30, 6_275.96), (85.0, 3.67, 71_430.70), (80.0, 1.81, 17_260.15), (79.0, 3.04, 12_036.46),
    (75.0, 1.76, 5_088.63), (74.0, 3.50, 3_154.69), (74.0, 4.68, 801.82), (70.0, 0.83, 9_437.76),
    (62.0, 3.98, 8_827.39), (61.0, 1.82, 7_084.90), (57.0, 2.78, 6_286.60), (56.0, 4.39, 14_143.50),
    (56.0, 3.47, 6_279.55), (52.0, 0.19, 12_139.55), (52.0, 1.33, 1_748.02), (51.0, 0.28, 5_856.48),
    (49.0, 0.49, 1_194.45), (41.0, 5.37, 8_429.24), (41.0, 2.40, 19_651.05), (39.0, 6.17, 10_447.39),
    (37.0, 6.04, 10_213.29), (37.0, 2.57, 1_059.38), (36.0, 1.71, 2_352.87), (36.0, 1.78, 6_812.77),
    (33.0, 0.59, 17_789.85), (30.0, 0.44, 83_996.85), (30.0, 2.74, 1_349.87), (25.0, 3.16, 4_690.48),
];
#[rustfmt::skip]
#[allow(clippy::approx_constant, clippy::inconsistent_digit_grouping)]
const L1: [(f64, f64, f64); 34] = [
    (628_331_966_747.0, 0.0, 0.0), (206_059.0, 2.678_235, 6_283.075_85), (4_303.0, 2.635_1, 12_566.151_7),
    (425.0, 1.590, 3.523), (119.0, 5.796, 26.298), (109.0, 2.966, 1_577.344), (93.0, 2.59, 18_849.23),
    (72.0, 1.14, 529.69), (68.0, 1.87, 398.15), (67.0, 4.41, 5_507.55), (59.0, 2.89, 5_223.69),
    (56.0, 2.17, 155.42), (45.0, 0.40, 796.30), (36.0, 0.47, 775.52), (29.0, 2.65, 7.11), (21.0, 5.34, 0.98),
    (19.0, 1.85, 5_486.78), (19.0, 4.97, 213.30), (17.0, 2.99, 6_275.96), (16.0, 0.03, 2_544.31),
    (16.0, 1.43, 2_146.17), (15.0, 1.21, 10_977.08), (12.0, 2.83, 1_748.02), (12.0, 3.26, 5_088.63),
    (12.0, 5.27, 1_194.45), (12.0, 2.08, 4_694.00), (11.0, 0.77, 553.57), (10.0, 1.30, 6_286.60),
    (10.0, 4.24, 1_349.87), (9.0, 2.70, 242.73), (9.0, 5.64, 951.72), (8.0, 5.30, 2_352.87),
    (6.0, 2.65, 9_437.76), (6.0, 4.67, 4_690.48),
];
#[rustfmt::skip]
#[allow(clippy::approx_constant, clippy::inconsistent_digit_grouping)]
const L2: [(f64, f64, f64); 20] = [
    (52_919.0, 0.0, 0.0), (8_720.0, 1.072_1, 6_283.075_8), (309.0, 0.867, 12_566.152), (27.0, 0.05, 3.52),
    (16.0, 5.19, 26.30), (16.0, 3.68, 155.42), (10.0, 0.76, 18_849.23), (9.0, 2.06, 77_713.77),
    (7.0, 0.83, 775.52), (5.0, 4.66, 1_577.34), (4.0, 1.03, 7.11), (4.0, 3.44, 5_573.14), (3.0, 5.14, 796.30),
    (3.0, 6.05, 5_507.55), (3.0, 1.19, 242.73), (3.0, 6.12, 529.69), (3.0, 0.31, 398.15), (3.0, 2.28, 553.57),
    (2.0, 4.38, 5_223.69), (2.0, 3.75, 0.98),
];
#[rustfmt::skip]
#[allow(clippy::approx_constant, clippy::inconsistent_digit_grouping)]
const L3: [(f64, f64, f64); 7] = [
    (289.0, 5.844, 6_283.076), (35.0, 0.0, 0.0), (17.0, 5.49, 12_566.15), (3.0, 5.20, 155.42),
    (1.0, 4.72, 3.52), (1.0, 5.30, 18_849.23), (1.0, 5.97, 242.73),
];
#[allow(clippy::approx_constant, clippy::inconsistent_digit_grouping)]
const L4: [(f64, f64, f64); 3] = [(114.0, 3.142, 0.0), (8.0, 4.13, 6_283.08), (1.0, 3.84, 12_566.15)];
#[allow(clippy::approx_constant, clippy::inconsistent_digit_grouping)]
const L5: [(f64, f64, f64); 1] = [(1.0, 3.14, 0.0)];

fn series(terms: &[(f64, f64, f64)], tau: f64) -> f64 {
    terms.iter().map(|(a, b, c)| a * (b + c * tau).cos()).sum()
}

/// Apparent geocentric ecliptic longitude of the Sun, radians in [0, 2π), at Julian
/// Ephemeris Day `jde` (Meeus ch. 25 "higher accuracy", ch. 22 nutation).
fn sun_apparent_longitude(jde: f64) -> f64 {
    let tau = (jde - 2_451_545.0) / 365_250.0;
    let l = (series(&L0, tau)
        + tau
            * (series(&L1, tau)
                + tau
                    * (series(&L2, tau)
                        + tau * (series(&L3, tau) + tau * (series(&L4, tau) + tau * series(&L5, tau))))))
        / 1e8;
    // Geocentric, FK5 correction.
    let t = tau * 10.0;
    let arcsec = DEG / 3600.0;
    let mut theta = l + PI - 0.090_33 * arcsec;
    // Nutation in longitude (ch. 22, 0.5" accuracy).
    let om = (125.044_52 - 1_934.136_261 * t) * DEG;
    let ls = (280.4665 + 36_000.769_8 * t) * DEG;
    let lm = (218.3165 + 481_267.881_3 * t) * DEG;
    let dpsi =
        (-17.20 * om.sin() - 1.32 * (2.0 * ls).sin() - 0.23 * (2.0 * lm).sin() + 0.21 * (2.0 * om).sin()) * arcsec;
    // Aberration with the Sun's distance (main terms of VSOP87 R0).
    let r = 1.000_139_89
        + 0.016_707_00 * (3.098_463_5 + 6_283.075_85 * tau).cos()
        + 0.000_139_56 * (3.055_25 + 12_566.151_7 * tau).cos();
    theta += dpsi - 20.4898 * arcsec / r;
    theta.rem_euclid(2.0 * PI)
}

/// The 30° sector (0..=11; sector 9 begins at the winter solstice, 270°) the Sun is in at
/// the local midnight that begins the day with Julian Day Number `day` (UTC+`tz`).
fn sun_sector(day: i64, tz: i32) -> i64 {
    let jd_ut = day as f64 - 0.5 - f64::from(tz) / 24.0;
    let jde = jd_ut + delta_t_seconds(decimal_year(jd_ut)) / 86_400.0;
    (sun_apparent_longitude(jde) / (PI / 6.0)).floor() as i64
}

/// Julian Day Number of the first day of the lunar month that contains the winter solstice
/// of Gregorian year `year` (month 11).
fn month11(year: i32, tz: i32) -> i64 {
    let dec31 = jdn(NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date"));
    let k = lunation_before(dec31 as f64);
    let nm = new_moon_day(k, tz);
    if nm > dec31 || sun_sector(nm, tz) >= 9 {
        new_moon_day(k - 1, tz)
    } else {
        nm
    }
}

/// Lunation number of the month that begins on day `start`.
fn lunation_at(start: i64) -> i64 {
    ((start as f64 - K0_JDE + 0.5) / SYNODIC).round() as i64
}

/// Offset, counted from month 11 (`a11`) of a 13-month span, of its leap month: the first
/// month after month 11 that contains no major solar term.
fn leap_offset(a11: i64, tz: i32) -> i64 {
    let k = lunation_at(a11);
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i, tz), tz);
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i, tz), tz);
        if arc == last || i >= 14 {
            return i - 1;
        }
    }
}

fn in_range(date: NaiveDate) -> bool {
    (FIRST_DATE..=LAST_DATE).contains(&date)
}

fn solar_to_lunar_at(day: i64, year: i32, tz: i32) -> LunarDate {
    let k = lunation_before(day as f64 + 0.5);
    let mut month_start = new_moon_day(k + 1, tz);
    if month_start > day {
        month_start = new_moon_day(k, tz);
        if month_start > day {
            month_start = new_moon_day(k - 1, tz);
        }
    }
    let mut a11 = month11(year, tz);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = year;
        a11 = month11(year - 1, tz);
    } else {
        lunar_year = year + 1;
        b11 = month11(year + 1, tz);
    }
    let day_of_month = (day - month_start + 1) as u32;
    let diff = lunation_at(month_start) - lunation_at(a11);
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_offset(a11, tz);
        if diff >= leap_diff {
            month = diff + 10;
            if diff == leap_diff {
                leap = true;
            }
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    LunarDate { year: lunar_year, month: month as u32, leap, day: day_of_month }
}

/// The Vietnamese lunar date of Gregorian date `date` (1900-01-01..=2100-12-31).
pub fn solar_to_lunar(date: NaiveDate) -> Result<LunarDate, LunarError> {
    if !in_range(date) {
        return Err(LunarError::OutOfRange);
    }
    let day = jdn(date);
    let at7 = solar_to_lunar_at(day, date.year(), 7);
    if utc_offset_hours(at7.year) == 7 {
        return Ok(at7);
    }
    Ok(solar_to_lunar_at(day, date.year(), 8))
}

/// First day and length (29 or 30 days) of a lunar month, as Julian Day Numbers.
fn month_bounds(year: i32, month: u32, leap: bool, tz: i32) -> Result<(i64, i64), LunarError> {
    if !(1..=12).contains(&month) {
        return Err(LunarError::NoSuchDate);
    }
    let (a11, b11) = if month < 11 {
        (month11(year - 1, tz), month11(year, tz))
    } else {
        (month11(year, tz), month11(year + 1, tz))
    };
    let k = lunation_at(a11);
    let mut off = i64::from(month) - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        // The leap month sits `leap_off` months after month 11 and repeats the number of
        // the month before it: 11 + leap_off - 1, modulo 12 (in 1..=12).
        let leap_off = leap_offset(a11, tz);
        let leap_month_number = (leap_off + 10 - 1).rem_euclid(12) + 1;
        if leap && i64::from(month) != leap_month_number {
            return Err(LunarError::NoSuchDate);
        }
        if leap || off >= leap_off {
            off += 1;
        }
    } else if leap {
        return Err(LunarError::NoSuchDate);
    }
    let start = new_moon_day(k + off, tz);
    let next = new_moon_day(k + off + 1, tz);
    Ok((start, next - start))
}

/// The Gregorian date of a Vietnamese lunar date. Errors when the lunar date does not
/// exist (see [`LunarError::NoSuchDate`]) or falls outside 1900-01-01..=2100-12-31.
pub fn lunar_to_solar(lunar: LunarDate) -> Result<NaiveDate, LunarError> {
    if !(FIRST_YEAR - 1..=LAST_YEAR).contains(&lunar.year) {
        return Err(LunarError::OutOfRange);
    }
    if lunar.day == 0 || lunar.day > 30 {
        return Err(LunarError::NoSuchDate);
    }
    let tz = utc_offset_hours(lunar.year);
    let (start, len) = month_bounds(lunar.year, lunar.month, lunar.leap, tz)?;
    if i64::from(lunar.day) > len {
        return Err(LunarError::NoSuchDate);
    }
    let date = from_jdn(start + i64::from(lunar.day) - 1).ok_or(LunarError::OutOfRange)?;
    if !in_range(date) {
        return Err(LunarError::OutOfRange);
    }
    // At the 1968 change of meridian a day can exist at UTC+8 that UTC+7 already counts
    // in the new year: only dates that convert back are real.
    if solar_to_lunar(date)? != lunar {
        return Err(LunarError::NoSuchDate);
    }
    Ok(date)
}

/// Number of days (29 or 30) of a lunar month.
pub fn month_length(year: i32, month: u32, leap: bool) -> Result<u32, LunarError> {
    if !(FIRST_YEAR - 1..=LAST_YEAR).contains(&year) {
        return Err(LunarError::OutOfRange);
    }
    let (_, len) = month_bounds(year, month, leap, utc_offset_hours(year))?;
    Ok(len as u32)
}

/// The leap month of lunar year `year` (the number it repeats), if the year has one.
pub fn leap_month(year: i32) -> Result<Option<u32>, LunarError> {
    if !(FIRST_YEAR - 1..=LAST_YEAR).contains(&year) {
        return Err(LunarError::OutOfRange);
    }
    Ok((1..=12).find(|&m| month_bounds(year, m, true, utc_offset_hours(year)).is_ok()))
}

/// Tết Nguyên đán: the Gregorian date of the first day of lunar year `year`
/// (1/1 âm lịch), for `year` in 1900..=2100.
pub fn tet(year: i32) -> Result<NaiveDate, LunarError> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(LunarError::OutOfRange);
    }
    lunar_to_solar(LunarDate::new(year, 1, 1))
}

/// Giỗ Tổ Hùng Vương: the Gregorian date of 10/3 âm lịch of lunar year `year`
/// (Labor Code 2019 Art. 112(1)(e)), for `year` in 1900..=2100.
pub fn gio_to_hung_vuong(year: i32) -> Result<NaiveDate, LunarError> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(LunarError::OutOfRange);
    }
    lunar_to_solar(LunarDate::new(year, 3, 10))
}

/// The last day of lunar year `year - 1`, i.e. the eve of Tết `year` (ngày cuối năm âm
/// lịch, 29 or 30 of month 12), as a Gregorian date.
pub fn lunar_new_year_eve(year: i32) -> Result<NaiveDate, LunarError> {
    tet(year)?.pred_opt().ok_or(LunarError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn new_moon_of_meeus_example_49a() {
        // Meeus example 49.a: new moon of 1977 February 18, JDE 2443192.65118 (k = -283).
        assert!((new_moon_jde(-283) - 2_443_192.651_18).abs() < 1e-4);
    }

    #[test]
    fn sun_longitude_of_meeus_example_25b() {
        // Meeus example 25.b: 1992 October 13.0 TD, apparent longitude 199°54'21.818"
        // (199.906060°) with the full VSOP87; the abridged series is within 1".
        let lon = sun_apparent_longitude(2_448_908.5) / DEG;
        assert!((lon - 199.906_060).abs() < 1.0 / 3600.0, "{lon}");
    }

    #[test]
    fn known_dates() {
        assert_eq!(tet(2026).unwrap(), d(2026, 2, 17));
        assert_eq!(solar_to_lunar(d(2026, 2, 16)).unwrap(), LunarDate::new(2025, 12, 29));
        assert_eq!(leap_month(2025).unwrap(), Some(6));
        assert_eq!(leap_month(2024).unwrap(), None);
    }
}
