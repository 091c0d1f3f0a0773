//! Importer for the national-portal crawl (`national-portal-crawl.jsonl`).
//!
//! The portal's tables were flattened into one string each, with the cell boundaries lost.
//! This module reads them back using what the portal renders in each cell:
//!
//! * channel table (`cach_thuc_thuc_hien`): each row is `{channel}{time}{fee}{description}`.
//!   The time cell is `N Unit`, a bare `N`, or a "no time" text (`Không có thông tin`,
//!   `Không quy định`, ...). The fee cell is exactly one of `Miễn phí`, `Không có thông tin`
//!   or `{amount} {currency}`, optionally followed by a parenthesised note. The portal prints
//!   amounts with `,` thousands separators (`1,200,000 Việt Nam Đồng`), so an amount of 1,000
//!   or more always contains a comma and an amount without one has at most three digits. A
//!   bare time running into an amount (`Trực tuyến125 VNĐ`) is split so that the amount is
//!   well formed; between several well-formed splits, the amount that the fee note confirms
//!   wins, then the time another row of the table states, then the shortest time (bare times
//!   are nearly always one digit).
//! * required documents (`thanh_phan_ho_so`): sections headed `Tên giấy tờMẫu đơn, tờ
//!   khaiSố lượng`, rows `{name}{template files}{N bản chính[,M bản sao]}`.
//! * legal basis (`can_cu_phap_ly`): rows `{title}{number}`.
//! * results (`ket_qua_xu_ly`): `{name}Mã: {code}` repeated, then portal page chrome.
//!
//! Nothing fails: what cannot be read is listed in [`Parsed::problems`].

use super::{
    Channel, ChannelRow, Fee, FeeAmount, LegalDocument, Level, OnlineLevel, Procedure, ProcessingTime,
    RequiredDocument, ResultDocument, TimeUnit,
};
use crate::text::fold;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

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

/// The text the portal shows for an empty field.
const NO_INFO: &str = "Không có thông tin";

/// Parses one crawl record. Never fails: what cannot be read is listed in `problems`.
pub fn parse_record(r: &CrawlRecord) -> Parsed {
    let mut problems = Vec::new();
    let nfc = |s: &str| -> String { s.nfc().collect::<String>() };

    let code = nfc(r.ma_thu_tuc.trim());
    let name = nfc(r.ten_thu_tuc.trim());
    if code.is_empty() {
        problems.push("no procedure code".to_string());
    }
    if name.is_empty() {
        problems.push("no procedure name".to_string());
    }

    let (levels, level_problems) = parse_levels(&nfc(&r.cap_thuc_hien));
    problems.extend(level_problems);
    let field = non_empty(&nfc(&r.linh_vuc));
    let competent_agencies = split_list(&nfc(&r.co_quan_co_tham_quyen));
    let implementing_agencies = split_list(&nfc(&r.co_quan_thuc_hien));
    let texts: Vec<&str> = competent_agencies.iter().chain(implementing_agencies.iter()).map(String::as_str).collect();
    let (agency_kinds, agency_needs_review) = crate::agency::classify(&texts, &levels, field.as_deref());

    let channel_text = nfc(&r.cach_thuc_thuc_hien);
    let (channels, channel_problems) = parse_channels(&channel_text);
    problems.extend(channel_problems);

    let steps = non_empty(&nfc(&r.trinh_tu_thuc_hien));
    let conditions = parse_conditions(&nfc(&r.yeu_cau_dieu_kien));

    let mut cutoff_sources: Vec<&str> = channels.iter().map(|c| c.description.as_str()).collect();
    cutoff_sources.extend(steps.as_deref());
    cutoff_sources.extend(conditions.as_deref());
    let same_day_cutoff = find_same_day_cutoff(&cutoff_sources);

    let (required_documents, doc_problems) = parse_required_documents(&nfc(&r.thanh_phan_ho_so));
    problems.extend(doc_problems);
    let (legal_basis, legal_problems) = parse_legal_basis(&nfc(&r.can_cu_phap_ly));
    problems.extend(legal_problems);
    let (results, result_problems) = parse_results(&nfc(&r.ket_qua_xu_ly));
    problems.extend(result_problems);

    let mut online_sources: Vec<&str> = vec![&name];
    online_sources.extend(conditions.as_deref());
    online_sources.extend(steps.as_deref());
    online_sources.extend(channels.iter().map(|c| c.description.as_str()));
    let online_level = online_level(&online_sources, &channels);

    let procedure = Procedure {
        code,
        name,
        deciding_act: non_empty(&nfc(&r.so_quyet_dinh)),
        levels,
        field,
        applicant_types: split_list(&nfc(&r.doi_tuong_thuc_hien)),
        competent_agencies,
        implementing_agencies,
        agency_kinds,
        agency_needs_review,
        channels,
        same_day_cutoff,
        required_documents,
        legal_basis,
        results,
        online_level,
        steps,
        conditions,
        source_url: non_empty(r.detail_url.trim()),
    };
    Parsed { procedure, problems }
}

/// `None` for an empty or "Không có thông tin" field, else the trimmed text.
fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || t == NO_INFO {
        None
    } else {
        Some(t.to_string())
    }
}

/// Conditions: `None` when the record says there are none.
fn parse_conditions(s: &str) -> Option<String> {
    let t = s.trim();
    let f = fold(t);
    let f = f.trim_end_matches('.').trim();
    if matches!(f, "" | "khong" | "khong co" | "khong co thong tin" | "khong quy dinh") {
        None
    } else {
        Some(t.to_string())
    }
}

/// Levels from `cap_thuc_hien`.
pub fn parse_levels(s: &str) -> (Vec<Level>, Vec<String>) {
    let mut levels = Vec::new();
    let mut problems = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let level = match part {
            "Cấp bộ" => Level::Ministry,
            "Cấp tỉnh" => Level::Province,
            "Cấp xã" => Level::Commune,
            "Cơ quan khác" => Level::Other,
            other => {
                problems.push(format!("level not recognised: '{other}'"));
                continue;
            }
        };
        if !levels.contains(&level) {
            levels.push(level);
        }
    }
    if levels.is_empty() && problems.is_empty() {
        problems.push("no level".to_string());
    }
    (levels, problems)
}

/// Splits a portal list ("A, B (x, y), Cán bộ, công chức, viên chức") into its items.
///
/// A comma inside parentheses does not split, and neither does a comma followed by a word
/// in lower case: the portal's items start with a capital, so "Cán bộ, công chức, viên
/// chức" is one item. "Không có thông tin" and empty text give no items.
pub fn split_list(s: &str) -> Vec<String> {
    let s = s.trim();
    if s.is_empty() || s == NO_INFO {
        return Vec::new();
    }
    let mut items: Vec<String> = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            ',' if depth == 0 => {
                let next = s[i + 1..].trim_start().chars().next();
                if next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit()) {
                    items.push(s[start..i].trim().to_string());
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    items.push(s[start..].trim().to_string());
    items.retain(|i| !i.is_empty());
    items
}

// ---------------------------------------------------------------------------------------
// Channel table
// ---------------------------------------------------------------------------------------

const CHANNEL_HEADER: &str = "Hình thức nộpThời gianPhí, lệ phíMô tả";
const CHANNELS: &[(&str, Channel)] =
    &[("Trực tiếp", Channel::InPerson), ("Trực tuyến", Channel::Online), ("Dịch vụ bưu chính", Channel::Post)];
/// Longest first, so "Ngày làm việc" wins over "Ngày".
const UNITS: &[(&str, TimeUnit)] = &[
    ("Ngày làm việc", TimeUnit::WorkingDays),
    ("Giờ làm việc", TimeUnit::WorkingHours),
    ("Ngày", TimeUnit::CalendarDays),
    ("Giờ", TimeUnit::Hours),
    ("Tháng", TimeUnit::Months),
    ("Năm", TimeUnit::Years),
    ("Tuần", TimeUnit::Weeks),
];
const VND_CURRENCIES: &[&str] = &["Việt Nam Đồng", "VNĐ", "Đồng", "đồng"];

/// The time cell of a row as read.
#[derive(Debug, Clone, PartialEq)]
enum TimeCell {
    /// A value and its unit.
    Value(f64, TimeUnit),
    /// A bare number that may run into an amount: the candidate (time, amount) splits.
    Ambiguous(Vec<(f64, String)>),
    /// A "no time" text (`Không có thông tin`, `Không quy định`).
    None,
}

/// The beginning of a channel row: where it starts, its channel and time, where its fee
/// cell starts (or, for an ambiguous bare number, the candidate amounts).
#[derive(Debug, Clone)]
struct RowHead {
    start: usize,
    channel: Channel,
    time: TimeCell,
    /// Byte offset of the fee cell (after the time, or after the whole digit run for an
    /// ambiguous split, pointing at the currency).
    fee_at: usize,
}

/// A fee cell: its text, classification and end.
#[derive(Debug, Clone)]
struct FeeCell {
    /// "Miễn phí", "Không có thông tin", or the amount as written.
    head: FeeHead,
    note: Option<String>,
    end: usize,
    note_unclosed: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum FeeHead {
    Free,
    NoInfo,
    Amount { amount: String, currency: String },
}

fn is_digitish(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || c == ','
}

/// Reads a number such as `5`, `0.5` or `0,5`.
fn parse_time_number(s: &str) -> Option<f64> {
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit()) || !s.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let seps = s.chars().filter(|c| *c == '.' || *c == ',').count();
    if seps > 1 {
        return None;
    }
    s.replace(',', ".").parse().ok()
}

/// Whether `s` is an amount as the portal prints it: `0`, or `[1-9]\d{0,2}(,\d{3})*`,
/// optionally with a decimal part (foreign currencies).
fn is_portal_amount(s: &str) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    if int == "0" {
        return true;
    }
    let groups: Vec<&str> = int.split(',').collect();
    let first = groups[0];
    if first.is_empty() || first.len() > 3 || first.starts_with('0') || !first.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    groups[1..].iter().all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

/// The currency at `s[at..]` (after one space): (currency as written, byte length incl. space).
fn currency_at(s: &str, at: usize) -> Option<(String, usize)> {
    let rest = s[at..].strip_prefix(' ')?;
    for c in VND_CURRENCIES {
        if rest.starts_with(c) {
            return Some((c.to_string(), 1 + c.len()));
        }
    }
    let code: String = rest.chars().take_while(|c| c.is_ascii_uppercase()).collect();
    let after = rest[code.len()..].chars().next();
    if code.len() == 3 && !after.is_some_and(|c| c.is_alphabetic()) {
        return Some((code.clone(), 1 + code.len()));
    }
    None
}

/// Reads the fee cell at `s[at..]`.
fn fee_cell_at(s: &str, at: usize) -> Option<FeeCell> {
    let rest = &s[at..];
    let (head, mut end) = if rest.starts_with("Miễn phí") {
        (FeeHead::Free, at + "Miễn phí".len())
    } else if rest.starts_with(NO_INFO) {
        (FeeHead::NoInfo, at + NO_INFO.len())
    } else {
        let run: String = rest.chars().take_while(|c| is_digitish(*c)).collect();
        if run.is_empty() || !is_portal_amount(&run) {
            return None;
        }
        let (currency, len) = currency_at(s, at + run.len())?;
        (FeeHead::Amount { amount: run.clone(), currency }, at + run.len() + len)
    };
    let mut note = None;
    let mut note_unclosed = false;
    if s[end..].starts_with('(') {
        match balanced_end(s, end) {
            Some(e) => {
                note = Some(s[end + 1..e - 1].trim().to_string());
                end = e;
            }
            None => {
                note_unclosed = true;
            }
        }
    }
    Some(FeeCell { head, note, end, note_unclosed })
}

/// The byte offset just past the `)` that closes the `(` at `s[open]`.
fn balanced_end(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// A "no time" text in the time cell, followed directly by a fee cell: its end.
fn no_time_text_at(s: &str, at: usize) -> Option<usize> {
    let rest = &s[at..];
    if !rest.starts_with("Không") {
        return None;
    }
    // Shortest text starting with "Không", without digits or parentheses, of at most 60
    // characters, that is followed by a fee cell.
    for (n, (i, c)) in rest.char_indices().enumerate().skip(1) {
        if fee_cell_at(s, at + i).is_some() {
            return Some(at + i);
        }
        if n > 60 || c.is_ascii_digit() || c == '(' || c == ')' {
            return None;
        }
    }
    None
}

/// Tries to read a row head at `s[start..]`.
fn row_head_at(s: &str, start: usize) -> Option<RowHead> {
    let (name, channel) = CHANNELS.iter().find(|(n, _)| s[start..].starts_with(n))?;
    let at = start + name.len();
    let rest = &s[at..];
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        let run: String = rest.chars().take_while(|c| is_digitish(*c)).collect();
        let after = at + run.len();
        // N Unit
        if let Some(unit_rest) = s[after..].strip_prefix(' ') {
            if let Some((u, unit)) = UNITS.iter().find(|(u, _)| unit_rest.starts_with(u)) {
                let value = parse_time_number(&run)?;
                let fee_at = after + 1 + u.len();
                return Some(RowHead { start, channel: *channel, time: TimeCell::Value(value, *unit), fee_at });
            }
        }
        // Bare number followed by a word fee ("1Miễn phí").
        if let (Some(v), Some(fc)) = (parse_time_number(&run), fee_cell_at(s, after)) {
            if !matches!(fc.head, FeeHead::Amount { .. }) {
                return Some(RowHead {
                    start,
                    channel: *channel,
                    time: TimeCell::Value(v, TimeUnit::Unstated),
                    fee_at: after,
                });
            }
        }
        // Bare number running into an amount: candidate splits.
        if currency_at(s, after).is_some() {
            let mut candidates = Vec::new();
            for k in 1..run.len() {
                let (t, a) = run.split_at(k);
                if let Some(v) = parse_time_number(t) {
                    if is_portal_amount(a) && a != "0" {
                        candidates.push((v, a.to_string()));
                    }
                }
            }
            if !candidates.is_empty() {
                return Some(RowHead {
                    start,
                    channel: *channel,
                    time: TimeCell::Ambiguous(candidates),
                    fee_at: after,
                });
            }
        }
        return None;
    }
    if let Some(fee_at) = no_time_text_at(s, at) {
        return Some(RowHead { start, channel: *channel, time: TimeCell::None, fee_at });
    }
    None
}

/// Parses the channel table.
pub fn parse_channels(text: &str) -> (Vec<ChannelRow>, Vec<String>) {
    let mut problems = Vec::new();
    let t = text.trim();
    if t.is_empty() || t == NO_INFO {
        return (Vec::new(), vec!["channel table: empty".to_string()]);
    }
    let Some(body) = t.strip_prefix(CHANNEL_HEADER) else {
        return (Vec::new(), vec![format!("channel table: header not found: '{}'", clip(t, 80))]);
    };

    // Find the row heads.
    let mut heads: Vec<RowHead> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if let Some(h) = row_head_at(body, i) {
            heads.push(h);
            i = heads.last().map_or(i + 1, |h| h.fee_at.max(i + 1));
            continue;
        }
        i += body[i..].chars().next().map_or(1, char::len_utf8);
    }
    if heads.is_empty() {
        return (Vec::new(), vec![format!("channel table: no row recognised in '{}'", clip(body, 80))]);
    }
    if heads[0].start > 0 && !body[..heads[0].start].trim().is_empty() {
        problems.push(format!("channel table: text before the first row: '{}'", clip(&body[..heads[0].start], 80)));
    }

    // Times stated unambiguously elsewhere in the table, as evidence for ambiguous splits.
    let known_times: Vec<f64> = heads
        .iter()
        .filter_map(|h| match &h.time {
            TimeCell::Value(v, _) => Some(*v),
            TimeCell::Ambiguous(c) if c.len() == 1 => Some(c[0].0),
            _ => None,
        })
        .collect();

    let mut rows = Vec::new();
    for (n, h) in heads.iter().enumerate() {
        let row_no = n + 1;
        let row_end = heads.get(n + 1).map_or(body.len(), |next| next.start);
        let (processing_time, fee, desc_start) = match &h.time {
            TimeCell::Ambiguous(cands) => {
                let (currency, len) = currency_at(body, h.fee_at).unwrap_or_default();
                let mut cell_end = h.fee_at + len;
                let mut note = None;
                if body[cell_end..row_end].starts_with('(') {
                    match balanced_end(&body[..row_end], cell_end) {
                        Some(e) => {
                            note = Some(body[cell_end + 1..e - 1].trim().to_string());
                            cell_end = e;
                        }
                        None => {
                            problems.push(format!("channel row {row_no}: fee note not closed"));
                            note = Some(body[cell_end + 1..row_end].trim().to_string());
                            cell_end = row_end;
                        }
                    }
                }
                let (v, amount) = choose_split(cands, note.as_deref(), &known_times, &currency);
                if cands.len() > 1 && !split_has_evidence(cands, note.as_deref(), &known_times, &currency) {
                    problems.push(format!(
                        "channel row {row_no}: time and fee run together in '{}', read as {} + {}",
                        &body[h.start..h.fee_at + len],
                        fmt_num(v),
                        amount
                    ));
                }
                let cell_text = body[h.fee_at - amount.len()..cell_end].trim().to_string();
                let head = FeeHead::Amount { amount, currency };
                let fee = classify_fee(&head, note.as_deref(), &cell_text, row_no, &mut problems);
                (ProcessingTime::Specified { value: v, unit: TimeUnit::Unstated }, fee, cell_end)
            }
            time => {
                let pt = match time {
                    TimeCell::Value(v, u) => ProcessingTime::Specified { value: *v, unit: *u },
                    _ => ProcessingTime::Unspecified,
                };
                match fee_cell_at(&body[..row_end], h.fee_at) {
                    Some(fc) => {
                        let mut end = fc.end;
                        let mut note = fc.note.clone();
                        if fc.note_unclosed {
                            let open = fc.end;
                            let rest = body[open + 1..row_end].trim();
                            if !rest.is_empty() {
                                problems.push(format!("channel row {row_no}: fee note not closed"));
                            }
                            note = Some(rest.to_string()).filter(|r| !r.is_empty());
                            end = row_end;
                        }
                        let cell_text = body[h.fee_at..end].trim().to_string();
                        let fee = classify_fee(&fc.head, note.as_deref(), &cell_text, row_no, &mut problems);
                        (pt, fee, end)
                    }
                    _ => {
                        problems.push(format!(
                            "channel row {row_no}: fee not recognised: '{}'",
                            clip(&body[h.fee_at..row_end], 60)
                        ));
                        (pt, Fee::Unspecified, h.fee_at)
                    }
                }
            }
        };
        rows.push(ChannelRow {
            channel: h.channel,
            processing_time,
            fee,
            description: body[desc_start..row_end].trim().to_string(),
        });
    }
    (rows, problems)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Integer value of a portal amount ("1,200,000" → 1200000); `None` for decimals.
fn amount_value(a: &str) -> Option<i64> {
    if a.contains('.') {
        return None;
    }
    a.replace(',', "").parse().ok()
}

/// Amounts written in a note the Vietnamese way ("20.000 đồng", "135.000đ", "1.200.000 VNĐ").
fn note_amounts(note: &str) -> Vec<(i64, usize, usize)> {
    let mut out = Vec::new();
    let b = note.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.' || b[i - 1] == b',')) {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            let run = note[start..i].trim_end_matches('.');
            let end = start + run.len();
            let grouped = run.contains('.') && {
                let g: Vec<&str> = run.split('.').collect();
                !g[0].is_empty() && g[0].len() <= 3 && g[1..].iter().all(|x| x.len() == 3)
            };
            let rest = note[end..].trim_start();
            let folded_rest: String = fold(&rest.chars().take(6).collect::<String>());
            let money = folded_rest.starts_with("dong")
                || folded_rest.starts_with("vnd")
                || folded_rest.starts_with('d')
                    && !folded_rest.starts_with("den")
                    && !folded_rest.starts_with("dieu")
                    && !folded_rest.starts_with("doi")
                    && !folded_rest.starts_with("dat")
                    && !folded_rest.starts_with("du");
            if money && (grouped || !run.contains('.')) {
                if let Ok(v) = run.replace('.', "").parse::<i64>() {
                    out.push((v, start, end));
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Picks the (time, amount) split of a bare number running into an amount.
fn choose_split(cands: &[(f64, String)], note: Option<&str>, known_times: &[f64], currency: &str) -> (f64, String) {
    if let Some(c) = evidence_split(cands, note, known_times, currency) {
        return c;
    }
    cands[0].clone()
}

fn split_has_evidence(cands: &[(f64, String)], note: Option<&str>, known_times: &[f64], currency: &str) -> bool {
    evidence_split(cands, note, known_times, currency).is_some()
}

fn evidence_split(
    cands: &[(f64, String)],
    note: Option<&str>,
    known_times: &[f64],
    currency: &str,
) -> Option<(f64, String)> {
    if let Some(note) = note {
        let stated: Vec<i64> = if VND_CURRENCIES.contains(&currency) {
            note_amounts(note).into_iter().map(|(v, _, _)| v).collect()
        } else {
            Vec::new()
        };
        let matching: Vec<&(f64, String)> = cands
            .iter()
            .filter(|(_, a)| amount_value(a).is_some_and(|v| stated.iter().any(|s| *s == v || *s == v * 1000)))
            .collect();
        if matching.len() == 1 {
            return Some(matching[0].clone());
        }
    }
    let matching: Vec<&(f64, String)> = cands.iter().filter(|(t, _)| known_times.contains(t)).collect();
    if matching.len() == 1 {
        return Some(matching[0].clone());
    }
    if cands.len() == 1 {
        return Some(cands[0].clone());
    }
    None
}

/// Whether a note to "Miễn phí" says there is no charge.
fn note_says_free(note: &str) -> bool {
    let f = fold(note);
    let f = f.trim_matches(|c: char| !c.is_alphanumeric()).trim();
    f.is_empty()
        || f.starts_with("khong")
        || matches!(f, "mien phi" | "mien le phi" | "mien thu" | "phi le phi")
        || (f.starts_with("mien phi") || f.starts_with("mien le phi")) && f.len() < 60
}

/// Splits a note into clauses and returns the clause around each amount.
fn amounts_from_note(note: &str) -> Vec<FeeAmount> {
    let mut out = Vec::new();
    for (v, s, e) in note_amounts(note) {
        let is_sep = |c: char| matches!(c, ';' | '\n' | '\t');
        let from = note[..s].rfind(is_sep).map_or(0, |p| p + 1);
        let to = note[e..].find(is_sep).map_or(note.len(), |p| e + p);
        let text = note[from..to].trim().trim_start_matches(['-', '+', '*']).trim().to_string();
        out.push(FeeAmount { vnd: v, text });
    }
    out
}

fn classify_fee(head: &FeeHead, note: Option<&str>, cell_text: &str, row_no: usize, problems: &mut Vec<String>) -> Fee {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    match head {
        FeeHead::Free => match note {
            None => Fee::Free,
            Some(n) if note_says_free(n) => Fee::Free,
            Some(n) => {
                let items = amounts_from_note(n);
                if items.is_empty() {
                    Fee::Described { text: n.to_string() }
                } else {
                    Fee::Amounts { items }
                }
            }
        },
        FeeHead::NoInfo => match note {
            None => Fee::Unspecified,
            Some(n) => Fee::Described { text: n.to_string() },
        },
        FeeHead::Amount { amount, currency } => {
            if VND_CURRENCIES.contains(&currency.as_str()) {
                let Some(mut vnd) = amount_value(amount) else {
                    problems.push(format!("channel row {row_no}: fee amount not recognised: '{cell_text}'"));
                    return Fee::Described { text: cell_text.to_string() };
                };
                if vnd == 0 {
                    return match note {
                        Some(n) if !note_says_free(n) => Fee::Described { text: n.to_string() },
                        _ => Fee::Free,
                    };
                }
                if vnd < 1000 {
                    // Some agencies typed the amount in thousands ("20 VNĐ" with the note
                    // "20.000 đồng/tờ khai"); the note confirms it.
                    let stated = note.map(note_amounts).unwrap_or_default();
                    if stated.iter().any(|(s, _, _)| *s == vnd * 1000) {
                        vnd *= 1000;
                    } else {
                        problems.push(format!(
                            "channel row {row_no}: fee amount {vnd} VND is implausibly small (thousands?): '{}'",
                            clip(cell_text, 60)
                        ));
                    }
                }
                Fee::Amounts { items: vec![FeeAmount { vnd, text: cell_text.to_string() }] }
            } else {
                Fee::Foreign { amount: amount.clone(), currency: currency.clone(), text: cell_text.to_string() }
            }
        }
    }
}

/// Cuts `s` to at most `n` characters for messages.
fn clip(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n).collect();
        out.push('…');
        out
    }
}

// ---------------------------------------------------------------------------------------
// Same-day cut-off and online level
// ---------------------------------------------------------------------------------------

/// Finds a same-day cut-off ("nếu tiếp nhận hồ sơ sau 15 giờ thì ... trong ngày làm việc
/// tiếp theo") in `texts`, in order: "HH:MM".
///
/// A time counts only when it follows "trước"/"sau", lies within office hours (07–18), and
/// its clause speaks of a dossier and of the same or next working day.
pub fn find_same_day_cutoff(texts: &[&str]) -> Option<String> {
    for t in texts {
        let f = fold(t);
        let words: Vec<&str> = f.split(' ').collect();
        for (i, w) in words.iter().enumerate() {
            if *w != "truoc" && *w != "sau" {
                continue;
            }
            let Some((hour, minute)) = read_clock(&words[i + 1..]) else { continue };
            if !(7..=18).contains(&hour) || minute >= 60 {
                continue;
            }
            // The clause around: up to 25 words either side, cut at sentence ends.
            let lo = i.saturating_sub(25);
            let hi = (i + 25).min(words.len());
            let mut from = lo;
            for (j, w) in words.iter().enumerate().take(i).skip(lo) {
                if w.ends_with('.') {
                    from = j + 1;
                }
            }
            let mut to = hi;
            for (j, w) in words.iter().enumerate().take(hi).skip(i + 1) {
                if w.ends_with('.') {
                    to = j + 1;
                    break;
                }
            }
            let clause = words[from..to].join(" ");
            let same_day = ["ngay lam viec tiep theo", "ngay lam viec ke tiep", "trong ngay", "cung ngay"]
                .iter()
                .any(|p| clause.contains(p));
            if same_day && clause.contains("ho so") {
                return Some(format!("{hour:02}:{minute:02}"));
            }
        }
    }
    None
}

/// Reads "15 gio", "15 gio 30", "15h", "15h30", "15 gio 30 phut" from folded words.
fn read_clock(words: &[&str]) -> Option<(u32, u32)> {
    let first = *words.first()?;
    let digits: String = first.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    let hour: u32 = digits.parse().ok()?;
    let rest = &first[digits.len()..];
    if let Some(m) = rest.strip_prefix('h') {
        if m.is_empty() {
            return Some((hour, 0));
        }
        return m.parse().ok().filter(|_| m.len() == 2).map(|mm| (hour, mm));
    }
    if !rest.is_empty() {
        return None;
    }
    match words.get(1) {
        Some(&"gio") | Some(&"h") => {
            let minute = words
                .get(2)
                .filter(|w| w.len() == 2 && w.chars().all(|c| c.is_ascii_digit()))
                .and_then(|w| w.parse().ok())
                .unwrap_or(0);
            Some((hour, minute))
        }
        _ => None,
    }
}

/// `Full` when the record says the service is online end to end ("dịch vụ công trực tuyến
/// toàn trình"); else `Partial` when a row is online; else `Offline`.
pub fn online_level(texts: &[&str], channels: &[ChannelRow]) -> OnlineLevel {
    let full = texts.iter().any(|t| {
        let f = fold(t);
        f.contains("truc tuyen toan trinh") || f.contains("dich vu cong toan trinh")
    });
    if full {
        OnlineLevel::Full
    } else if channels.iter().any(|c| c.channel == Channel::Online) {
        OnlineLevel::Partial
    } else {
        OnlineLevel::Offline
    }
}

// ---------------------------------------------------------------------------------------
// Required documents
// ---------------------------------------------------------------------------------------

const DOC_HEADER: &str = "Tên giấy tờMẫu đơn, tờ khaiSố lượng";
const TEMPLATE_EXTS: &[&str] = &[".docx", ".doc", ".pdf", ".xlsx", ".xls", ".rar", ".zip", ".odt", ".rtf"];

/// A quantity cell `N bản chính[,M bản sao]` found in a section.
struct Quantity {
    start: usize,
    end: usize,
    originals: u32,
    copies: u32,
}

/// Finds the quantity cells of a section body.
fn find_quantities(s: &str) -> Vec<Quantity> {
    const ORIG: &str = " bản chính";
    const COPY: &str = " bản sao";
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(p) = s[search..].find(ORIG) {
        let at = search + p;
        search = at + ORIG.len();
        let run_start = s[..at]
            .rfind(|c: char| !c.is_ascii_digit())
            .map_or(0, |i| i + s[i..].chars().next().map_or(1, char::len_utf8));
        let run = &s[run_start..at];
        if run.is_empty() {
            continue;
        }
        let mut end = at + ORIG.len();
        let mut copies = 0;
        if let Some(rest) = s[end..].strip_prefix(',') {
            let d: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !d.is_empty() && rest[d.len()..].starts_with(COPY) {
                copies = d.parse().unwrap_or(0);
                end += 1 + d.len() + COPY.len();
            }
        }
        // An in-text mention ("01 bản chính văn bản ...") is followed by a space, or
        // has a leading zero after a space or parenthesis.
        let before = s[..run_start].chars().next_back();
        if s[end..].starts_with([' ', '\u{a0}']) {
            continue;
        }
        if run.len() > 1 && run.starts_with('0') && before.is_none_or(|c| c.is_whitespace() || c == '(') {
            continue;
        }
        // The count: the whole run when it stands alone and is small, else the digits the
        // name does not end with (names often end in a number: "năm 2016", "Mẫu 02").
        let whole_ok = !run.starts_with('0') || run == "0";
        let standalone = before.is_none_or(|c| !c.is_alphanumeric() && c != '.' && !c.is_whitespace());
        let (count_start, originals) = if whole_ok && standalone && run.len() <= 2 {
            (run_start, run.parse().unwrap_or(0))
        } else {
            (at - 1, run[run.len() - 1..].parse().unwrap_or(0))
        };
        out.push(Quantity { start: count_start, end, originals, copies });
        search = end;
    }
    out
}

/// Parses the required-documents table(s).
pub fn parse_required_documents(text: &str) -> (Vec<RequiredDocument>, Vec<String>) {
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    let t = text.trim();
    if t.trim_matches('-').trim().is_empty() || t == NO_INFO {
        return (docs, problems);
    }
    let sections: Vec<&str> = t.split(DOC_HEADER).collect();
    if sections.len() == 1 {
        problems.push(format!("required documents: no table in '{}'", clip(t, 60)));
        return (docs, problems);
    }
    for (k, sec) in sections.iter().enumerate().skip(1) {
        let quantities = find_quantities(sec);
        let mut prev = 0;
        for q in &quantities {
            let seg = &sec[prev..q.start];
            prev = q.end;
            let (name, template, guessed) = split_name_template(seg);
            if guessed {
                problems.push(format!("document '{}': template file name boundary guessed", clip(&name, 40)));
            }
            if name.is_empty() {
                problems.push(format!(
                    "required documents: row without a name before '{}'",
                    clip(&sec[q.start..q.end], 30)
                ));
            }
            docs.push(RequiredDocument { name, originals: q.originals, copies: q.copies, template });
        }
        // After the last row: the next section's title, or trailing text.
        let tail = sec[prev..].trim();
        let is_last = k == sections.len() - 1;
        if is_last && !tail.trim_matches('-').trim().is_empty() {
            problems.push(format!("required documents: text without a quantity: '{}'", clip(tail, 60)));
        }
        if quantities.is_empty() && !is_last {
            // A section with no rows: only a title for the next one, fine.
        }
    }
    (docs, problems)
}

/// Where a template file name (ending at `e`, the start of its extension) starts in `t`.
/// Returns (start, guessed).
fn template_start(t: &str, e: usize) -> (usize, bool) {
    let chars: Vec<(usize, char)> = t[..e].char_indices().collect();
    // Strong boundaries: after ';' ':' or ')' (not before a space), or after '.' that
    // follows a non-digit and is not followed by a space.
    let mut strong: Option<usize> = None;
    for j in 1..chars.len() {
        let (p, c) = chars[j];
        let prev = chars[j - 1].1;
        let prev2 = if j >= 2 { Some(chars[j - 2].1) } else { None };
        let ok = match prev {
            ';' | ':' => !c.is_whitespace(),
            ')' => !c.is_whitespace() && c != '.' && balanced(&t[p..e]),
            '.' => {
                !c.is_whitespace()
                    && (prev2.is_some_and(|d| !d.is_ascii_digit()) || ends_with_date(&t[..p - 1]))
                    && balanced(&t[p..e])
            }
            _ => false,
        };
        if ok {
            strong = Some(p);
        }
    }
    let from = strong.unwrap_or(0);
    let cand = &t[from..e];
    if !cand.contains(char::is_whitespace) {
        return (from, false);
    }
    // Weak boundaries after `from`: lower→Upper glued ("sảnMau"), or UPPER UPPER lower
    // ("CPMẫu").
    let mut weak = None;
    let sub: Vec<(usize, char)> = cand.char_indices().collect();
    for j in 1..sub.len() {
        let (p, c) = sub[j];
        let prev = sub[j - 1].1;
        let next = sub.get(j + 1).map(|x| x.1);
        let lower_upper = prev.is_lowercase() && c.is_uppercase();
        let upper_upper_lower =
            prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase) && j >= 2;
        if (lower_upper || upper_upper_lower) && balanced(&cand[p..]) {
            weak = Some(from + p);
        }
    }
    match (weak, strong) {
        (Some(w), _) => (w, false),
        (None, Some(s)) => (s, false),
        (None, None) => {
            // No boundary at all: take the last space-free token, or its part after a
            // letter glued to a digit ("chung1.000423.docx"), and say so.
            let p = cand.rfind(char::is_whitespace).map_or(0, |i| i + 1);
            let token = &cand[p..];
            let glued = token
                .char_indices()
                .zip(token.chars().skip(1))
                .find(|((_, a), b)| a.is_lowercase() && b.is_ascii_digit())
                .map(|((i, a), _)| i + a.len_utf8());
            (from + p + glued.unwrap_or(0), true)
        }
    }
}

/// Whether `s` ends with a date `d/m/yyyy`.
fn ends_with_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 8 && b[b.len() - 4..].iter().all(u8::is_ascii_digit) && b[b.len() - 5] == b'/'
}

fn balanced(s: &str) -> bool {
    let mut d = 0i32;
    for c in s.chars() {
        match c {
            '(' => d += 1,
            ')' => {
                d -= 1;
                if d < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    d == 0
}

/// The extension ending `t` (case-insensitive): its start.
fn ext_at_end(t: &str) -> Option<usize> {
    let lower = t.to_ascii_lowercase();
    TEMPLATE_EXTS.iter().find(|x| lower.ends_with(*x)).map(|x| t.len() - x.len())
}

/// Splits `{name}{template files}` into the name and the template file name(s) (several
/// are joined with "; "). The third value is true when the boundary was guessed.
fn split_name_template(seg: &str) -> (String, Option<String>, bool) {
    let seg = seg.trim_end();
    let mut end = seg.len();
    let mut files: Vec<String> = Vec::new();
    let mut guessed = false;
    while let Some(x) = ext_at_end(&seg[..end]) {
        if x == 0 {
            break;
        }
        let (start, g) = template_start(&seg[..end], x);
        if start >= x {
            break;
        }
        guessed |= g;
        files.push(seg[start..end].to_string());
        end = start;
        if g {
            break;
        }
    }
    files.reverse();
    let files: Vec<String> = files
        .into_iter()
        .map(|f| {
            // Drop the portal's numbering ("1.MuCT01….doc", "2. 02.MGTH.docx").
            let d: String = f.chars().take_while(|c| c.is_ascii_digit()).collect();
            let rest = &f[d.len()..];
            match rest.strip_prefix('.') {
                Some(r)
                    if !d.is_empty() && d.len() <= 2 && r.trim_start().starts_with(|c: char| c.is_alphanumeric()) =>
                {
                    let r = r.trim_start();
                    if ext_at_end(r) == Some(0) {
                        f.trim().to_string()
                    } else {
                        r.to_string()
                    }
                }
                _ => f.trim().to_string(),
            }
        })
        .collect();
    let name = seg[..end].trim().to_string();
    let template = if files.is_empty() { None } else { Some(files.join("; ")) };
    (name, template, guessed)
}

// ---------------------------------------------------------------------------------------
// Legal basis
// ---------------------------------------------------------------------------------------

const LEGAL_HEADER: &str = "Tên văn bản pháp lýMã văn bản";

/// A document number found in the text.
#[derive(Debug, Clone)]
struct NumberTok {
    start: usize,
    end: usize,
}

/// Reads a document number (`68/2020/QH14`, `62/2021/NĐ-CP`, `9354/QĐ-BCA-C06`,
/// `66.16/2026/NQ-CP`) starting at the digit `s[start]`. Returns its end.
fn number_at(s: &str, start: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = start;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == start {
        return None;
    }
    if i < b.len() && b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i >= b.len() || b[i] != b'/' {
        return None;
    }
    i += 1;
    // Optional year.
    if s.get(i..i + 4).is_some_and(|y| y.bytes().all(|c| c.is_ascii_digit())) && b.get(i + 4) == Some(&b'/') {
        i += 5;
    }
    // Segments: UPPER+ digits{0,2}, separated by '-'.
    let mut any = false;
    loop {
        let seg_start = i;
        let upper_len: usize = s[i..].chars().take_while(|c| c.is_uppercase()).map(char::len_utf8).sum();
        if upper_len == 0 {
            break;
        }
        i += upper_len;
        // "TTg" (Thủ tướng) is the one suffix with a lower-case letter.
        if s[seg_start..i].ends_with("TT")
            && s[i..].starts_with('g')
            && !s[i + 1..].starts_with(|c: char| c.is_lowercase())
        {
            i += 1;
            any = true;
            break;
        }
        // The last capital may start the next word ("NĐ-CPLuật", "NĐ-CPNghị").
        let next = s[i..].chars().next();
        if next.is_some_and(char::is_lowercase) {
            let last_len = s[..i].chars().next_back().map_or(0, char::len_utf8);
            let word: String = s[i - last_len..].chars().take_while(|c| c.is_alphabetic()).collect();
            if starts_title_word(&word) || i - last_len == seg_start {
                i -= last_len;
                if i == seg_start {
                    break;
                }
                any = true;
                break;
            }
        }
        // Digits after the letters (QH14, C06): at most two, not the start of a new number.
        let d: usize = s[i..].bytes().take_while(u8::is_ascii_digit).count();
        if d > 0 {
            let letters = &s[seg_start..i];
            if letters.ends_with("QH") && d >= 2 {
                i += 2;
            } else if d <= 2 && !s[i + d..].starts_with('/') && !s[i + d..].starts_with('.') {
                i += d;
            }
        }
        any = true;
        if s[i..].starts_with('-') && s[i + 1..].starts_with(char::is_uppercase) {
            i += 1;
            continue;
        }
        break;
    }
    if !any {
        return None;
    }
    Some(i)
}

/// Words that start the title of a legal document.
fn starts_title_word(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "Luật", "Nghị", "Thông", "Quyết", "Quy", "Sửa", "Hướng", "Văn", "Bộ", "Pháp", "Chỉ", "Công", "Hiến", "Về",
        "Ban", "Điều", "Hiệp", "Lệnh", "Kế", "Chương", "Danh", "Biểu", "Tiêu", "Quốc", "Hệ",
    ];
    WORDS.contains(&word)
}

/// Parses the legal-basis table.
pub fn parse_legal_basis(text: &str) -> (Vec<LegalDocument>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let t = text.trim();
    if t.is_empty() || t == NO_INFO || t.starts_with(NO_INFO) && !t.contains(LEGAL_HEADER) {
        return (out, problems);
    }
    let Some(body) = t.strip_prefix(LEGAL_HEADER) else {
        return (out, vec![format!("legal basis: header not found: '{}'", clip(t, 60))]);
    };
    // All numbers, each starting where a digit run starts.
    let mut nums: Vec<NumberTok> = Vec::new();
    let b = body.as_bytes();
    let mut i = 0;
    let mut last_end = usize::MAX;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit() || i == last_end) {
            // The digit run may carry the end of the title ("Luật Cư trú 202068/2020/QH14"):
            // try each start within the run, the longest number that carries the run's year.
            let run_end = i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let year = body[run_end..].strip_prefix('/').and_then(|r| r.get(..4));
            let st = match year {
                Some(y) if run_end - i > 4 && body[i..run_end].starts_with(y) => i + 4,
                // A title ending in a year ("Luật Doanh nghiệp 2020" + "76/2025/QH15").
                _ if run_end - i > 4
                    && body[i..i + 4].parse::<u32>().is_ok_and(|y| (1945..=2035).contains(&y))
                    && b[i + 4] != b'0' =>
                {
                    i + 4
                }
                _ => i,
            };
            let found = number_at(body, st).map(|e| (st, e));
            if let Some((st, e)) = found {
                nums.push(NumberTok { start: st, end: e });
                i = e;
                last_end = e;
                continue;
            }
            i = run_end;
            continue;
        }
        i += 1;
    }
    // Row ends: a number followed by the end of the text, or directly (no space) by the next
    // title — a letter, but not "ngày" (a date inside a title) — or by a number that is
    // not the same number repeated.
    let mut ends: Vec<usize> = Vec::new(); // indices into nums
    for (k, n) in nums.iter().enumerate() {
        let rest = &body[n.end..];
        let is_end = if rest.trim().is_empty() {
            true
        } else if let Some(next) = nums.get(k + 1).filter(|m| m.start == n.end) {
            // Glued to another number: the first is title text when the second repeats it
            // and closes a row itself; else the first closes a row.
            let same = body[n.start..n.end] == body[next.start..next.end];
            !same
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            c.is_alphabetic() && !fold(&rest.chars().take(5).collect::<String>()).starts_with("ngay")
        };
        if is_end {
            ends.push(k);
        }
    }
    let mut prev = 0;
    for k in ends {
        let n = &nums[k];
        let title = body[prev..n.start].trim().to_string();
        out.push(LegalDocument { number: body[n.start..n.end].to_string(), title });
        prev = n.end;
    }
    let tail = body[prev..].trim();
    if !tail.is_empty() {
        problems.push(format!("legal basis: text without a document number: '{}'", clip(tail, 60)));
        out.push(LegalDocument { number: String::new(), title: tail.to_string() });
    }
    (out, problems)
}

// ---------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------

/// Parses the results: names with their codes, up to the portal's page chrome.
pub fn parse_results(text: &str) -> (Vec<ResultDocument>, Vec<String>) {
    let mut out = Vec::new();
    let problems = Vec::new();
    let mut body = text.trim();
    for junk in ["Từ khóaKhông có thông tin", "Từ khóa", "Chọn cơ quan thực hiện", "Hệ thống chỉ hiển thị"]
    {
        if let Some(p) = body.find(junk) {
            body = &body[..p];
        }
    }
    let body = body.trim();
    if body.is_empty() || body == NO_INFO {
        return (out, problems);
    }
    let mut prev = 0;
    let mut search = 0;
    while let Some(p) = body[search..].find("Mã:") {
        let at = search + p;
        let name = body[prev..at].trim().to_string();
        let code_start = at + "Mã:".len();
        let ws = body[code_start..].len() - body[code_start..].trim_start().len();
        let cs = code_start + ws;
        let mut ce = cs;
        for c in body[cs..].chars() {
            if c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_') {
                ce += c.len_utf8();
            } else {
                break;
            }
        }
        // The last capital may start the next name ("KQ.G01.000067Phiếu").
        if ce > cs
            && body[ce..].starts_with(char::is_lowercase)
            && body[..ce].ends_with(|c: char| c.is_ascii_uppercase())
        {
            ce -= 1;
        }
        let code = body[cs..ce].trim_end_matches(['.', '-', '_']);
        let ce = cs + code.len();
        out.push(ResultDocument { name, code: if code.is_empty() { None } else { Some(code.to_string()) } });
        prev = ce;
        search = ce.max(at + "Mã:".len());
    }
    let tail = body[prev..].trim();
    if !tail.is_empty() {
        out.push(ResultDocument { name: tail.to_string(), code: None });
    }
    (out, problems)
}
