//! Agencies (cơ quan thực hiện): an agency kind × an administrative unit.
//! PLACEHOLDER: a helper is writing the real kinds and the classifier.

use crate::admin_units::Province;
use crate::catalogue::Level;
use serde::{Deserialize, Serialize};

/// A kind of agency, e.g. the commune People's Committee or a province department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgencyKind {
    /// Short code: letters and digits only, e.g. `UBNDX`, `CAX`, `STP`.
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    pub level: Level,
}

/// The kinds known to motcua.
pub static KINDS: &[AgencyKind] = &[
    AgencyKind { code: "UBNDX", name_vi: "Ủy ban nhân dân", name_en: "People's Committee", level: Level::Commune },
    AgencyKind { code: "CAX", name_vi: "Công an", name_en: "Police", level: Level::Commune },
    AgencyKind { code: "UBNDT", name_vi: "Ủy ban nhân dân", name_en: "People's Committee", level: Level::Province },
];

/// Finds a kind by code.
pub fn kind(code: &str) -> Option<&'static AgencyKind> {
    KINDS.iter().find(|k| k.code == code)
}

/// A concrete agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// Letters, digits and dots, never a hyphen: `{kind}.{unit code}`, e.g. `CAX.00004`.
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub level: Level,
    pub parent_code: Option<String>,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
}

/// The agency kinds a procedure's agency texts name, for its levels; with `true` when
/// none could be recognised and the People's Committee of the level was assumed.
pub fn classify(texts: &[&str], levels: &[Level], _field: Option<&str>) -> (Vec<String>, bool) {
    let _ = texts;
    let kinds = levels
        .iter()
        .filter_map(|l| match l {
            Level::Commune => Some("UBNDX".to_string()),
            Level::Province => Some("UBNDT".to_string()),
            _ => None,
        })
        .collect();
    (kinds, true)
}

/// All agencies: every kind × every unit of its level.
pub fn build_agencies(provinces: &[Province]) -> Vec<Agency> {
    let mut out = Vec::new();
    for p in provinces {
        let ubndt = format!("UBNDT.{}", p.code);
        out.push(Agency {
            code: ubndt.clone(),
            name: format!("Ủy ban nhân dân {}", p.full_name),
            name_en: format!("People's Committee of {}", p.full_name_en),
            kind: "UBNDT".into(),
            level: Level::Province,
            parent_code: None,
            province_code: Some(p.code.clone()),
            commune_code: None,
        });
        for c in &p.communes {
            for (k, vi, en) in [("UBNDX", "Ủy ban nhân dân", "People's Committee of"), ("CAX", "Công an", "Police of")]
            {
                out.push(Agency {
                    code: format!("{k}.{}", c.code),
                    name: format!("{vi} {}, {}", c.full_name, p.full_name),
                    name_en: format!("{en} {}, {}", c.full_name_en, p.full_name_en),
                    kind: k.into(),
                    level: Level::Commune,
                    parent_code: Some(ubndt.clone()),
                    province_code: Some(p.code.clone()),
                    commune_code: Some(c.code.clone()),
                });
            }
        }
    }
    out
}
