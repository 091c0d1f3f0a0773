//! The crawl importer on real records of the national portal.
//!
//! `fixtures/crawl-sample.jsonl` holds records copied verbatim from
//! `shared/data/procedures/national-portal-crawl.jsonl`; the expectations below were worked
//! out by reading each record. `whole_crawl` parses the whole file when it is present and
//! prints how many records were read fully (`cargo test -p motcua-core --test import_real
//! -- --nocapture`).

use motcua_core::catalogue::import::{parse_record, CrawlRecord, Parsed};
use motcua_core::catalogue::{Channel, ChannelRow, Fee, Level, OnlineLevel, ProcessingTime, TimeUnit};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixture(code: &str) -> Parsed {
    let text = include_str!("fixtures/crawl-sample.jsonl");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let r: CrawlRecord = serde_json::from_str(line).expect("fixture line is a crawl record");
        if r.ma_thu_tuc == code {
            return parse_record(&r);
        }
    }
    panic!("no fixture record {code}");
}

fn time(p: &ProcessingTime) -> Option<(f64, TimeUnit)> {
    match p {
        ProcessingTime::Specified { value, unit } => Some((*value, *unit)),
        ProcessingTime::Unspecified => None,
    }
}

/// The kind of a problem message: quoted parts dropped, numbers replaced by N.
fn problem_kind(p: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut prev_n = false;
    for c in p.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                if quoted {
                    out.push_str("'…'");
                }
            }
            _ if quoted => {}
            c if c.is_ascii_digit() || (prev_n && (c == '.' || c == ',')) => {
                if !prev_n {
                    out.push('N');
                }
                prev_n = true;
                continue;
            }
            c => out.push(c),
        }
        prev_n = false;
    }
    out
}

#[test]
fn whole_crawl() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/procedures/national-portal-crawl.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping whole_crawl: {} not found", path.display());
        return;
    };
    let mut total = 0;
    let mut clean = 0;
    let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new(); // kind -> (records, occurrences)
    let mut examples: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let r: CrawlRecord = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        let parsed = parse_record(&r);
        total += 1;
        assert!(!parsed.procedure.code.is_empty(), "line {}: no code", n + 1);
        assert!(!parsed.procedure.name.is_empty(), "line {}: no name", n + 1);
        if parsed.problems.is_empty() {
            clean += 1;
        }
        let mut seen = Vec::new();
        for p in &parsed.problems {
            let k = problem_kind(p);
            let e = kinds.entry(k.clone()).or_default();
            e.1 += 1;
            if !seen.contains(&k) {
                e.0 += 1;
                seen.push(k.clone());
            }
            let ex = examples.entry(k).or_default();
            if ex.len() < 3 {
                ex.push(format!("{}: {p}", parsed.procedure.code));
            }
        }
    }
    println!("whole crawl: {total} records, {clean} read with no problems, {} with problems", total - clean);
    let mut sorted: Vec<_> = kinds.into_iter().collect();
    sorted.sort_by_key(|(_, (records, _))| std::cmp::Reverse(*records));
    for (k, (records, times)) in &sorted {
        println!("  {records:5} records ({times:5} times)  {k}");
        for e in &examples[k] {
            println!("        e.g. {e}");
        }
    }
    assert_eq!(total, 2642);
}

/// `MOTCUA_DUMP=1.010041 cargo test -p motcua-core --test import_real dump -- --nocapture`
/// prints the parse of one record of the crawl (nothing when unset).
#[test]
fn dump() {
    let Ok(code) = std::env::var("MOTCUA_DUMP") else { return };
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/procedures/national-portal-crawl.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else { return };
    for line in text.lines() {
        let r: CrawlRecord = serde_json::from_str(line).unwrap();
        if r.ma_thu_tuc == code {
            let p = parse_record(&r);
            println!("{}", serde_json::to_string_pretty(&p.procedure).unwrap());
            println!("problems: {:#?}", p.problems);
        }
    }
}

#[test]
fn commune_residence_confirmation_1_010041() {
    let p = fixture("1.010041");
    let pr = &p.procedure;
    assert_eq!(pr.code, "1.010041");
    assert_eq!(pr.name, "Xác nhận thông tin về cư trú");
    assert_eq!(pr.deciding_act.as_deref(), Some("9354/QĐ-BCA-C06"));
    assert_eq!(pr.levels, vec![Level::Commune]);
    assert_eq!(pr.field.as_deref(), Some("Đăng ký, quản lý cư trú"));
    // Commas inside parentheses and before lower-case words do not split.
    assert_eq!(
        pr.applicant_types,
        vec![
            "Tổ chức (không bao gồm doanh nghiệp, HTX)",
            "Hợp tác xã",
            "Công dân Việt Nam",
            "Doanh nghiệp",
            "Cán bộ, công chức, viên chức"
        ]
    );
    assert_eq!(pr.competent_agencies, vec!["Công an cấp Xã"]);
    assert_eq!(pr.implementing_agencies, vec!["Công an cấp Xã"]);
    // Two online rows: 1 working day (data in the national database), 3 (needs checking).
    assert_eq!(pr.channels.len(), 2);
    assert!(pr.channels.iter().all(|c| c.channel == Channel::Online && c.fee == Fee::Free));
    assert_eq!(time(&pr.channels[0].processing_time), Some((1.0, TimeUnit::WorkingDays)));
    assert_eq!(time(&pr.channels[1].processing_time), Some((3.0, TimeUnit::WorkingDays)));
    assert!(pr.channels[0].description.starts_with("- Nộp hồ sơ trực tuyến qua các cổng"));
    assert!(pr.channels[1].description.starts_with("Kể từ ngày nhận được hồ sơ hợp lệ"));
    assert_eq!(pr.online_level, OnlineLevel::Partial);
    assert_eq!(pr.same_day_cutoff, None);
    assert_eq!(pr.conditions, None, "'Không' means no conditions");
    assert!(pr.steps.as_deref().unwrap().starts_with("Bước 1:"));
    // Required documents: the form with its template, and the note row (0 originals).
    let d = &pr.required_documents;
    assert_eq!(d.len(), 2);
    assert!(d[0].name.starts_with("Tờ khai thay đổi thông tin cư trú (Mẫu CT01"));
    assert_eq!((d[0].originals, d[0].copies), (1, 0));
    assert_eq!(d[0].template.as_deref(), Some("MuCT01banhnhkmtheoThngts53.doc"));
    assert!(d[1].name.starts_with("*Lưu ý: Khi nộp hồ sơ trực tuyến"));
    assert_eq!((d[1].originals, d[1].copies, d[1].template.as_deref()), (0, 0, None));
    // Legal basis: the number cell after each title, even when the title runs into it.
    let numbers: Vec<&str> = pr.legal_basis.iter().map(|l| l.number.as_str()).collect();
    assert_eq!(
        numbers,
        vec![
            "53/2025/TT-BCA",
            "68/2020/QH14",
            "66/2023/TT-BCA",
            "57/2021/TT-BCA",
            "54/2025/TT-BCA",
            "55/2021/TT-BCA",
            "56/2021/TT-BCA",
            "62/2021/NĐ-CP"
        ]
    );
    assert_eq!(pr.legal_basis[1].title, "Luật Cư trú 2020");
    assert_eq!(pr.legal_basis[3].title, "Thông tư 57/2021/TT-BCA");
    assert!(pr.legal_basis[0].title.ends_with("Luật Căn cước."));
    // Results with codes, without the portal's page chrome.
    assert_eq!(pr.results.len(), 2);
    assert_eq!(pr.results[0].name, "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (lĩnh vực cư trú)");
    assert_eq!(pr.results[0].code.as_deref(), Some("KQ.G01.000067"));
    assert_eq!(pr.results[1].name, "Xác nhận thông tin về cư trú (CT07)");
    assert_eq!(pr.results[1].code.as_deref(), Some("KQ.G01.000062"));
    assert_eq!(
        pr.source_url.as_deref(),
        Some("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bf7-7f19-762d-be5e-741f71796016")
    );
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn bare_time_running_into_fee_confirmed_by_note_1_000014() {
    // "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)": time 1 (no unit) and fee 20, which the
    // note gives as 20.000 đồng per declaration.
    let p = fixture("1.000014");
    let c = &p.procedure.channels;
    assert_eq!(c.len(), 2);
    assert_eq!((c[0].channel, c[1].channel), (Channel::Online, Channel::InPerson));
    for row in c {
        assert_eq!(time(&row.processing_time), Some((1.0, TimeUnit::Unstated)));
        match &row.fee {
            Fee::Amounts { items } => {
                assert_eq!(items.len(), 1);
                assert_eq!(items[0].vnd, 20_000);
                assert!(items[0].text.contains("20.000 vnđ /tờ khai"));
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(p.procedure.results.is_empty());
    assert!(!p.problems.iter().any(|m| m.starts_with("channel")), "{:?}", p.problems);
}

#[test]
fn bare_time_running_into_fee_unconfirmed_is_reported_1_009092() {
    // "Trực tuyến1Miễn phíTrực tiếp1500 VNĐ(...)": 1 + 500 is the only well-formed split
    // (an amount of 1,000 or more would carry a comma, and "00" is no amount); 500 VND is
    // not a plausible fee, so the record says so.
    let p = fixture("1.009092");
    let c = &p.procedure.channels;
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].channel, Channel::Online);
    assert_eq!(time(&c[0].processing_time), Some((1.0, TimeUnit::Unstated)));
    assert_eq!(c[0].fee, Fee::Free);
    assert_eq!(c[1].channel, Channel::InPerson);
    assert_eq!(time(&c[1].processing_time), Some((1.0, TimeUnit::Unstated)));
    match &c[1].fee {
        Fee::Amounts { items } => assert_eq!(items[0].vnd, 500),
        other => panic!("{other:?}"),
    }
    assert!(p.problems.iter().any(|m| m.starts_with("channel row 2: fee amount 500 VND")), "{:?}", p.problems);
}

#[test]
fn ambiguous_split_settled_by_the_other_rows_2_002032() {
    // "Trực tuyến1100 VNĐDịch vụ bưu chính1100 VNĐTrực tiếp125 VNĐ": 1100 can only be
    // 1 + 100; 125 could be 1 + 25 or 12 + 5, and the other rows say the time is 1.
    let p = fixture("2.002032");
    let c = &p.procedure.channels;
    assert_eq!(c.len(), 3);
    assert_eq!(
        c.iter().map(|r| r.channel).collect::<Vec<_>>(),
        vec![Channel::Online, Channel::Post, Channel::InPerson]
    );
    assert!(c.iter().all(|r| time(&r.processing_time) == Some((1.0, TimeUnit::Unstated))));
    let vnd = |r: &ChannelRow| match &r.fee {
        Fee::Amounts { items } => items[0].vnd,
        other => panic!("{other:?}"),
    };
    assert_eq!((vnd(&c[0]), vnd(&c[1]), vnd(&c[2])), (100, 100, 25));
    assert!(!p.problems.iter().any(|m| m.contains("run together")), "{:?}", p.problems);
}

#[test]
fn foreign_currency_fee_1_000771() {
    let p = fixture("1.000771");
    let c = &p.procedure.channels;
    assert_eq!(c.len(), 3);
    for row in c {
        assert_eq!(time(&row.processing_time), Some((5.0, TimeUnit::WorkingDays)));
        assert_eq!(row.fee, Fee::Foreign { amount: "10".into(), currency: "USD".into(), text: "10 USD(/lần)".into() });
    }
    let lb = &p.procedure.legal_basis;
    assert_eq!(lb[0].number, "23/2023/QH15");
    assert!(lb[0].title.ends_with("sửa đổi 2023"));
    assert_eq!((lb[1].number.as_str(), lb[1].title.as_str()), ("51/2019/QH14", "Luật 51/2019/QH14"));
    assert_eq!(lb[2].number, "47/2014/QH13");
    assert_eq!(lb.last().map(|l| l.number.as_str()), Some("82/2015/NĐ-CP"));
    assert_eq!(p.procedure.results[0].code.as_deref(), Some("KQ.G01.000074"));
}

#[test]
fn documents_with_template_and_copies_1_002693() {
    let p = fixture("1.002693");
    let pr = &p.procedure;
    assert_eq!(pr.levels, vec![Level::Province, Level::Commune]);
    assert_eq!(pr.competent_agencies, Vec::<String>::new());
    assert_eq!(pr.implementing_agencies, vec!["Cơ quan chức năng do Ủy ban nhân dân cấp tỉnh chỉ định"]);
    assert_eq!(pr.channels.len(), 3);
    for row in &pr.channels {
        assert_eq!(time(&row.processing_time), Some((10.0, TimeUnit::WorkingDays)));
        assert_eq!(row.fee, Fee::Unspecified, "'Không có thông tin' in the fee cell");
        assert!(row.description.starts_with("20 ngày làm việc đối với trường hợp"));
    }
    let d = &pr.required_documents;
    assert_eq!(d.len(), 2);
    assert_eq!(
        d[0].name,
        "Đơn đề nghị cấp giấy phép chặt hạ, dịch chuyển cây xanh theo Mẫu số 01 Phụ lục I của Nghị định số 258/2025/NĐ-CP"
    );
    assert_eq!((d[0].originals, d[0].copies), (1, 0));
    assert_eq!(d[0].template.as_deref(), Some("Mẫu số 01.docx"));
    assert_eq!(d[1].name, "Ảnh chụp hiện trạng cây xanh đô thị cần chặt hạ, dịch chuyển");
    assert_eq!((d[1].originals, d[1].copies, d[1].template.as_deref()), (0, 1, None));
    let lb: Vec<(&str, &str)> = pr.legal_basis.iter().map(|l| (l.number.as_str(), l.title.as_str())).collect();
    assert_eq!(
        lb,
        vec![
            ("258/2025/NĐ-CP", "Về quản lý công viên, cây xanh, mặt nước"),
            ("47/2024/QH15", "Luật Quy hoạch đô thị và nông thôn số 47/2024/QH15")
        ]
    );
    assert_eq!(pr.results.len(), 1);
    assert_eq!(pr.results[0].name, "Giấy phép chặt hạ, dịch chuyển cây xanh");
    assert_eq!(pr.results[0].code.as_deref(), Some("KQ.H17.000039"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn same_day_cutoff_and_vnd_amount_1_011423() {
    // The description: "nếu thời điểm nhận hồ sơ sau 15 giờ cùng ngày thì có thể hoàn
    // thành việc đăng ký trong ngày làm việc tiếp theo".
    let p = fixture("1.011423");
    let pr = &p.procedure;
    assert_eq!(pr.same_day_cutoff.as_deref(), Some("15:00"));
    assert_eq!(pr.channels.len(), 3);
    for row in &pr.channels {
        assert_eq!(time(&row.processing_time), Some((3.0, TimeUnit::WorkingDays)));
        match &row.fee {
            Fee::Amounts { items } => {
                assert_eq!(items[0].vnd, 1_800_000);
                assert!(items[0].text.contains("Giá trị giao dịch dưới 2,1 tỷ đồng"));
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(pr.required_documents[0].template.as_deref(), Some("Mau so 01b_Dang ky BPBD tau bay.docx"));
    assert_eq!((pr.required_documents[1].originals, pr.required_documents[1].copies), (1, 1));
    assert_eq!(pr.results[0].code.as_deref(), Some("KQ.G15.000225"));
}

#[test]
fn no_same_day_cutoff_for_a_notification_deadline_2_001159() {
    // "thông báo lưu trú được thực hiện trước 23 giờ ..." is a deadline for the notice,
    // not a desk's cut-off.
    let p = fixture("2.001159");
    assert_eq!(p.procedure.same_day_cutoff, None);
}

#[test]
fn full_process_online_1_013080() {
    // "... thực hiện bằng dịch vụ công trực tuyến toàn trình".
    let p = fixture("1.013080");
    assert_eq!(p.procedure.online_level, OnlineLevel::Full);
    assert!(p.procedure.channels.iter().any(|c| c.channel == Channel::Online));
}

#[test]
fn no_agency_named_needs_review_1_012537() {
    // co_quan_co_tham_quyen is empty and co_quan_thuc_hien says "Không có thông tin".
    let p = fixture("1.012537");
    let pr = &p.procedure;
    assert!(pr.competent_agencies.is_empty());
    assert!(pr.implementing_agencies.is_empty());
    assert!(pr.agency_needs_review);
    assert_eq!(pr.levels, vec![Level::Commune]);
    // Nine rows, one per step and channel (2 days at the desk, 5 for review, 2 to sign).
    assert_eq!(pr.channels.len(), 9);
    assert!(pr.channels.iter().all(|c| c.fee == Fee::Unspecified));
    assert_eq!(pr.channels[0].channel, Channel::Online);
    assert_eq!(time(&pr.channels[0].processing_time), Some((2.0, TimeUnit::WorkingDays)));
    assert_eq!(pr.channels[2].channel, Channel::InPerson);
    assert_eq!(time(&pr.channels[2].processing_time), Some((5.0, TimeUnit::WorkingDays)));
    assert!(pr.channels[6].description.starts_with("Trực tiếp: Nộp hồ sơ trực tiếp tại Ủy ban nhân dân cấp xã."));
    assert_eq!(pr.channels.iter().filter(|c| c.channel == Channel::Post).count(), 3);
    assert_eq!(pr.results[0].code.as_deref(), Some("KQ.G01.000138"));
}
