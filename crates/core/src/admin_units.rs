//! Administrative units after the 2025 reorganisation: 34 provinces and their communes,
//! wards and special zones, as published by the national statistics office.

use serde::{Deserialize, Serialize};

/// A commune, ward or special zone (cấp xã).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commune {
    /// Five-digit statistics code, e.g. `00004`.
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "NameEn")]
    pub name_en: String,
    /// With its type, e.g. "Phường Ba Đình".
    #[serde(rename = "FullName")]
    pub full_name: String,
    #[serde(rename = "FullNameEn")]
    pub full_name_en: String,
    #[serde(rename = "ProvinceCode")]
    pub province_code: String,
}

/// A province or centrally-run city (cấp tỉnh) with its communes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Province {
    /// Two-digit statistics code, e.g. `01` (Hà Nội).
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "NameEn")]
    pub name_en: String,
    #[serde(rename = "FullName")]
    pub full_name: String,
    #[serde(rename = "FullNameEn")]
    pub full_name_en: String,
    #[serde(rename = "Wards")]
    pub communes: Vec<Commune>,
}

/// Parses the units file (`vn-units-*.json`: an array of provinces with their `Wards`).
///
/// # Errors
/// The JSON error when the text is not of that shape.
pub fn parse(json: &str) -> Result<Vec<Province>, serde_json::Error> {
    serde_json::from_str(json)
}
