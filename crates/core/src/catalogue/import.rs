//! Importer for the national-portal crawl (`national-portal-crawl.jsonl`).
//! PLACEHOLDER: a helper is writing the real parser.

use super::{OnlineLevel, Procedure};
use serde::Deserialize;

/// One record of the crawl, all strings (see `shared/data/README.md`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CrawlRecord {
    pub ma_thu_tuc: String,
    pub ten_thu_tuc: String,
    pub so_quyet_dinh: String,
    pub cap_thuc_hien: String,
    pub loai_thu_tuc: String,
    pub linh_vuc: String,
    pub doi_tuong_thuc_hien: String,
    pub co_quan_co_tham_quyen: String,
    pub co_quan_thuc_hien: String,
    pub co_quan_duoc_uy_quyen: String,
    pub co_quan_phoi_hop: String,
    pub dia_chi_tiep_nhan: String,
    pub thu_tuc_lien_quan: String,
    pub trinh_tu_thuc_hien: String,
    pub cach_thuc_thuc_hien: String,
    pub thanh_phan_ho_so: String,
    pub can_cu_phap_ly: String,
    pub yeu_cau_dieu_kien: String,
    pub ket_qua_xu_ly: String,
    pub detail_url: String,
    pub formality_id: String,
    pub ministry_dir: String,
}

/// A procedure read from one record, with what could not be read.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub procedure: Procedure,
    /// Human-readable reasons why the record was not read fully; empty when it was.
    pub problems: Vec<String>,
}

/// Parses one crawl record. Never fails: what cannot be read is listed in `problems`.
pub fn parse_record(r: &CrawlRecord) -> Parsed {
    let procedure = Procedure {
        code: r.ma_thu_tuc.trim().to_string(),
        name: r.ten_thu_tuc.trim().to_string(),
        deciding_act: None,
        levels: vec![],
        field: Some(r.linh_vuc.clone()),
        applicant_types: vec![],
        competent_agencies: vec![],
        implementing_agencies: vec![],
        agency_kinds: vec![],
        agency_needs_review: false,
        channels: vec![],
        same_day_cutoff: None,
        required_documents: vec![],
        legal_basis: vec![],
        results: vec![],
        online_level: OnlineLevel::Offline,
        steps: None,
        conditions: None,
        source_url: None,
    };
    Parsed { procedure, problems: vec!["placeholder importer".into()] }
}
