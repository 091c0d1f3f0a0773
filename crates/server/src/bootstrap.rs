//! First start: the bundled administrative units, agencies and catalogue, and demo accounts.
//! Also the reader of the national-portal crawl used by `motcua import procedures`.

use crate::StartError;
use flate2::read::GzDecoder;
use motcua_core::catalogue::import::{parse_record, CrawlRecord};
use motcua_core::catalogue::Procedure;
use motcua_store::accounts::{random_secret, NewUser, Role};
use motcua_store::Store;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};

/// The 34 provinces and 3,321 communes (MIT, see `data/admin-units/LICENSE`).
const UNITS_JSON: &str = include_str!("../../../data/admin-units/vn-units-2026-07-25.json");
/// The catalogue the portal starts with, generated from the national-portal crawl by
/// `motcua import procedures … --bundle data/catalogue/procedures.jsonl.gz`.
const CATALOGUE_GZ: &[u8] = include_bytes!("../../../data/catalogue/procedures.jsonl.gz");

/// One line of the bundled catalogue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundledProcedure {
    pub procedure: Procedure,
    /// What the importer could not read in the source record.
    pub problems: Vec<String>,
}

/// Loads units and agencies when there are none, and the catalogue when it is empty.
///
/// # Errors
/// [`StartError::Data`] when a bundled file does not parse; store errors.
pub async fn load_reference_data(store: &Store) -> Result<(), StartError> {
    if store.agency_count().await? == 0 {
        let provinces = motcua_core::admin_units::parse(UNITS_JSON).map_err(|e| StartError::Data(e.to_string()))?;
        let agencies = motcua_core::agency::build_agencies(&provinces);
        store.load_units_and_agencies(&provinces, &agencies).await?;
        tracing::info!(provinces = provinces.len(), agencies = agencies.len(), "loaded administrative units");
    }
    if store.procedure_count().await? == 0 {
        let items = bundled_catalogue()?;
        let rows: Vec<(Procedure, Vec<String>)> = items.into_iter().map(|b| (b.procedure, b.problems)).collect();
        store.upsert_procedures(&rows).await?;
        tracing::info!(procedures = rows.len(), "loaded the bundled catalogue");
    }
    Ok(())
}

/// The working calendar: the shipped Government decisions (`data/holidays/`) merged with
/// every decisions file an administrator loaded, in load order.
///
/// # Errors
/// [`StartError::Data`] when a decisions file does not parse.
pub async fn build_calendar(store: &Store) -> Result<motcua_core::legal_time::VietnamCalendar, StartError> {
    use motcua_core::legal_time::{Decisions, VietnamCalendar, SHIPPED_DECISIONS};
    let mut decisions = Decisions::parse(SHIPPED_DECISIONS).map_err(|e| StartError::Data(format!("holidays: {e}")))?;
    for (i, content) in store.calendar_decision_contents().await?.iter().enumerate() {
        let loaded =
            Decisions::parse(content).map_err(|e| StartError::Data(format!("loaded decisions #{}: {e}", i + 1)))?;
        decisions.merge(loaded);
    }
    Ok(VietnamCalendar::new(&decisions))
}

/// The bundled catalogue, decoded.
///
/// # Errors
/// [`StartError::Data`] naming the line that does not parse.
pub fn bundled_catalogue() -> Result<Vec<BundledProcedure>, StartError> {
    let mut text = String::new();
    GzDecoder::new(CATALOGUE_GZ).read_to_string(&mut text).map_err(|e| StartError::Data(e.to_string()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| StartError::Data(format!("catalogue line {}: {e}", i + 1))))
        .collect()
}

/// The outcome of reading a crawl file.
#[derive(Debug, Default)]
pub struct CrawlImport {
    pub procedures: Vec<BundledProcedure>,
    /// Lines that are not a JSON record at all: (line number, error).
    pub bad_lines: Vec<(usize, String)>,
}

/// Reads a national-portal crawl (JSON Lines). Every line becomes a procedure with its
/// problems, or a bad line with its number; nothing is dropped silently. A record without a
/// code cannot be stored and is reported as a bad line.
pub fn read_crawl(reader: impl Read) -> std::io::Result<CrawlImport> {
    let mut out = CrawlImport::default();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<CrawlRecord>(&line) {
            Ok(rec) if rec.ma_thu_tuc.trim().is_empty() => out.bad_lines.push((i + 1, "no procedure code".into())),
            Ok(rec) => {
                let parsed = parse_record(&rec);
                out.procedures.push(BundledProcedure { procedure: parsed.procedure, problems: parsed.problems });
            }
            Err(e) => out.bad_lines.push((i + 1, e.to_string())),
        }
    }
    Ok(out)
}

/// A demo account created at first start.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub agency_code: Option<String>,
}

/// The commune of the demo officials: Phường Ba Đình, Hà Nội (statistics code 00004).
pub const DEMO_COMMUNE: &str = "00004";

/// Creates demo accounts when the database has no accounts: a citizen, the commune police
/// and People's Committee desks of [`DEMO_COMMUNE`], and an administrator, each with a
/// random password (printed once by the caller).
///
/// # Errors
/// Store errors.
pub async fn create_demo_accounts(store: &Store) -> Result<Vec<DemoAccount>, StartError> {
    if store.user_count().await? > 0 {
        return Ok(vec![]);
    }
    let police = format!("CAX.{DEMO_COMMUNE}");
    let committee = format!("UBNDX.{DEMO_COMMUNE}");
    // (username, full name, phone, email, role, agency)
    type Spec<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Role, Option<&'a str>);
    let specs: [Spec; 4] = [
        ("demo", "Nguyễn Văn An", Some("0912345678"), Some("an.nguyen@example.vn"), Role::Citizen, None),
        ("canbo.congan", "Trần Thị Bình", None, None, Role::Official, Some(police.as_str())),
        ("canbo.ubnd", "Lê Văn Cường", None, None, Role::Official, Some(committee.as_str())),
        ("admin", "Quản trị hệ thống", None, None, Role::Admin, None),
    ];
    let mut out = Vec::new();
    for (username, full_name, phone, email, role, agency) in specs {
        let agency = match agency {
            Some(code) if store.agency(code).await?.is_some() => Some(code),
            Some(_) => continue,
            None => None,
        };
        let password = random_secret()[..16].to_string();
        store
            .create_user(&NewUser { username, full_name, phone, email, password: &password, role, agency_code: agency })
            .await?;
        out.push(DemoAccount { username: username.into(), password, role, agency_code: agency.map(str::to_string) });
    }
    Ok(out)
}
