//! The procedure catalogue: administrative procedures (thủ tục hành chính) as the national
//! public-service portal publishes them, in structured form.
//!
//! `import` turns one record of the portal crawl into a [`Procedure`]; the store keeps the
//! whole procedure as JSON beside a few indexed columns.

pub mod import;

use serde::{Deserialize, Serialize};

/// Administrative level at which a procedure is carried out (`cap_thuc_hien`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Cấp bộ: a ministry or central agency.
    Ministry,
    /// Cấp tỉnh: province or centrally-run city.
    Province,
    /// Cấp xã: commune, ward or special zone.
    Commune,
    /// Cơ quan khác: another body (e.g. a bank, a university).
    Other,
}

impl Level {
    /// Stable lower-case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ministry => "ministry",
            Level::Province => "province",
            Level::Commune => "commune",
            Level::Other => "other",
        }
    }

    /// Parses [`Level::as_str`] back.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "ministry" => Level::Ministry,
            "province" => Level::Province,
            "commune" => Level::Commune,
            "other" => Level::Other,
            _ => return None,
        })
    }
}

/// How much of a procedure can be done online (dịch vụ công trực tuyến toàn trình / một phần).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình: submission, payment and result all online.
    Full,
    /// Một phần: can be submitted online, but some step needs presence or paper.
    Partial,
    /// No online channel.
    Offline,
}

impl OnlineLevel {
    /// Stable lower-case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineLevel::Full => "full",
            OnlineLevel::Partial => "partial",
            OnlineLevel::Offline => "offline",
        }
    }

    /// Parses [`OnlineLevel::as_str`] back.
    pub fn parse(s: &str) -> Option<OnlineLevel> {
        Some(match s {
            "full" => OnlineLevel::Full,
            "partial" => OnlineLevel::Partial,
            "offline" => OnlineLevel::Offline,
            _ => return None,
        })
    }
}

/// A submission channel (hình thức nộp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Trực tiếp: at the one-stop desk.
    InPerson,
    /// Trực tuyến: online.
    Online,
    /// Dịch vụ bưu chính: by public postal service.
    Post,
}

/// Unit of a processing time exactly as the catalogue gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// "Ngày làm việc".
    WorkingDays,
    /// "Ngày": calendar days.
    CalendarDays,
    /// "Giờ làm việc".
    WorkingHours,
    /// "Giờ": hours.
    Hours,
    /// "Tháng": months.
    Months,
    /// "Năm": years.
    Years,
    /// "Tuần": weeks.
    Weeks,
    /// A bare number with no unit in the source.
    Unstated,
}

/// Statutory processing time of one channel row (thời hạn giải quyết).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProcessingTime {
    /// A value (may be fractional, e.g. 0.5) and its unit as given.
    Specified { value: f64, unit: TimeUnit },
    /// The catalogue gives no time for this row.
    Unspecified,
}

/// Fee or charge (phí, lệ phí) of one channel row. Amounts are integer VND.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fee {
    /// "Miễn phí" / "Không" / 0 đồng.
    Free,
    /// One or more amounts in VND, each with its per-unit or case text
    /// ("Phí : 25.000 Đồng / lần").
    Amounts { items: Vec<FeeAmount> },
    /// A foreign-currency amount kept as given (e.g. 50 USD).
    Foreign { amount: String, currency: String, text: String },
    /// A regime described in words (e.g. "theo quy định của Bộ Tài chính").
    Described { text: String },
    /// Nothing stated.
    Unspecified,
}

/// One fee amount in VND.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeAmount {
    /// Integer VND.
    pub vnd: i64,
    /// The text around the amount: fee or charge, per what ("Lệ phí : 25.000 Đồng / bản").
    pub text: String,
}

/// One row of the channel table: a channel, its time, its fee and the case it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub channel: Channel,
    pub processing_time: ProcessingTime,
    pub fee: Fee,
    /// The row's description (the case it applies to), as given.
    pub description: String,
}

/// A required document of the dossier (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequiredDocument {
    pub name: String,
    /// Number of originals (bản chính).
    pub originals: u32,
    /// Number of copies (bản sao).
    pub copies: u32,
    /// File name of the form template, if any (e.g. `MuCT01...doc`).
    pub template: Option<String>,
}

/// A legal document the procedure rests on (căn cứ pháp lý).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalDocument {
    /// The act's number, e.g. `68/2020/QH14`.
    pub number: String,
    /// Its title or description, as given.
    pub title: String,
}

/// A result document (kết quả) with its national code `KQ.Gnn.nnnnnn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultDocument {
    pub name: String,
    pub code: Option<String>,
}

/// A structured administrative procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    /// National code, e.g. `1.010041`.
    pub code: String,
    pub name: String,
    /// The decision that published it (`so_quyet_dinh`).
    pub deciding_act: Option<String>,
    pub levels: Vec<Level>,
    pub field: Option<String>,
    pub applicant_types: Vec<String>,
    pub competent_agencies: Vec<String>,
    pub implementing_agencies: Vec<String>,
    /// Normalised agency kind codes (see `agency::AgencyKind`) that receive this procedure.
    pub agency_kinds: Vec<String>,
    /// True when no agency was named and the level's People's Committee was assumed.
    pub agency_needs_review: bool,
    pub channels: Vec<ChannelRow>,
    /// Same-day cut-off "HH:MM" where the text states one ("sau 15 giờ").
    pub same_day_cutoff: Option<String>,
    pub required_documents: Vec<RequiredDocument>,
    pub legal_basis: Vec<LegalDocument>,
    pub results: Vec<ResultDocument>,
    pub online_level: OnlineLevel,
    pub steps: Option<String>,
    pub conditions: Option<String>,
    pub source_url: Option<String>,
}

impl Procedure {
    /// The processing time for `channel`: the first row of that channel with a specified
    /// time, else the first specified time of any row. `None` when the catalogue gives none.
    pub fn processing_time_for(&self, channel: Channel) -> Option<(f64, TimeUnit)> {
        let specified = |r: &&ChannelRow| match r.processing_time {
            ProcessingTime::Specified { value, unit } => Some((value, unit)),
            ProcessingTime::Unspecified => None,
        };
        self.channels
            .iter()
            .filter(|r| r.channel == channel)
            .find_map(|r| specified(&r))
            .or_else(|| self.channels.iter().find_map(|r| specified(&r)))
    }

    /// The fee of the first row of `channel` (else of the first row).
    pub fn fee_for(&self, channel: Channel) -> Option<&Fee> {
        self.channels.iter().find(|r| r.channel == channel).or(self.channels.first()).map(|r| &r.fee)
    }
}
