//! The agency model against the shared reference data: classification of the national
//! catalogue's agency texts, and the agencies built from the 2025 administrative units.

use motcua_core::admin_units::{self, Province};
use motcua_core::agency::{build_agencies, classify, kind, Agency, KINDS};
use motcua_core::catalogue::Level;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel)
}

fn provinces() -> Option<Vec<Province>> {
    let path = shared("admin-units/vn-units-2026-07-25.json");
    match std::fs::read_to_string(&path) {
        Ok(json) => Some(admin_units::parse(&json).expect("units file parses")),
        Err(e) => {
            eprintln!("skipping: {} not readable: {e}", path.display());
            None
        }
    }
}

fn c(texts: &[&str], levels: &[Level], field: Option<&str>) -> (Vec<String>, bool) {
    classify(texts, levels, field)
}

fn v(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|s| s.to_string()).collect()
}

use Level::{Commune, Ministry, Province as Prov};

// ---------------------------------------------------------------------------------------
// classify, on texts as they appear in the crawl (expectations worked out by hand).

#[test]
fn commune_people_committee_and_police() {
    assert_eq!(c(&["Ủy ban nhân dân cấp xã"], &[Commune], Some("Hộ tịch")), (v(&["UBNDX"]), false));
    assert_eq!(c(&["", "Công an cấp Xã"], &[Commune], None), (v(&["CAX"]), false));
    // Non-breaking spaces and a trailing dot, the "Uỷ" spelling, "UBND" abbreviated.
    assert_eq!(c(&["Ủy ban Nhân dân\u{a0}xã,\u{a0}phường,\u{a0}thị trấn."], &[Commune], None), (v(&["UBNDX"]), false));
    assert_eq!(c(&["Uỷ ban Nhân dân cấp xã, phường, thị trấn"], &[Commune], None), (v(&["UBNDX"]), false));
    assert_eq!(c(&["Chủ tịch UBND cấp xã"], &[Commune], None), (v(&["UBNDX"]), false));
}

#[test]
fn province_people_committee_and_its_chairman() {
    assert_eq!(c(&["Chủ tịch ủy ban nhân dân cấp tỉnh", ""], &[Prov], Some("Đất đai")), (v(&["UBNDT"]), false));
    assert_eq!(
        c(&["Ủy ban Nhân dân\u{a0}tỉnh\u{a0}và\u{a0}thành phố trực thuộc trung ương."], &[Prov], None),
        (v(&["UBNDT"]), false)
    );
}

#[test]
fn police_at_three_levels() {
    // "Công an tỉnh, Cục cảnh sát giao thông, Công an cấp Xã": province police, a
    // department of the ministry, commune police.
    assert_eq!(
        c(&["Công an tỉnh, Cục cảnh sát giao thông, Công an cấp Xã"], &[Ministry, Prov, Commune], None),
        (v(&["CAX", "CAT", "BCA"]), false)
    );
    // A province police department named with its province police: one kind.
    assert_eq!(
        c(&["Phòng Cảnh sát quản lý hành chính về trật tự xã hội - Công an tỉnh"], &[Prov], None),
        (v(&["CAT"]), false)
    );
    // The comma inside the department's name does not make "xã hội" a commune.
    assert_eq!(
        c(&["Cục cảnh sát quản lý hành chính về trật tự, xã hội, Công an tỉnh"], &[Ministry, Prov], None),
        (v(&["CAT", "BCA"]), false)
    );
    assert_eq!(c(&["Bộ Công an", "Cục y tế-Bộ Công an"], &[Ministry], None), (v(&["BCA"]), false));
    // District police no longer exist: by the procedure's levels.
    assert_eq!(c(&["Công an cấp Tỉnh, Công an huyện"], &[Prov], None), (v(&["CAT"]), false));
    assert_eq!(c(&["Công an huyện"], &[Prov, Commune], None), (v(&["CAX", "CAT"]), false));
}

#[test]
fn departments_including_merged_ones() {
    assert_eq!(c(&["Sở Tư pháp"], &[Prov], Some("Quốc tịch")), (v(&["STP"]), false));
    assert_eq!(c(&["Sở Nông nghiệp và Môi trường Thành phố Hà Nội"], &[Prov], None), (v(&["SNNMT"]), false));
    // Former departments, merged in 2025.
    assert_eq!(
        c(&["Sở Nông nghiệp và Phát triển nông thôn tỉnh Sơn La, Sở Tài chính tỉnh Sơn La"], &[Prov], None),
        (v(&["STC", "SNNMT"]), false)
    );
    assert_eq!(c(&["Sở Tài nguyên và Môi trường"], &[Prov], None), (v(&["SNNMT"]), false));
    assert_eq!(c(&["Sở Kế hoạch và Đầu tư"], &[Prov], None), (v(&["STC"]), false));
    assert_eq!(c(&["Sở Giao thông vận tải"], &[Prov], None), (v(&["SXD"]), false));
    assert_eq!(c(&["Sở Xây dựng, Sở Giao thông công chánh - TP.HCM"], &[Prov], None), (v(&["SXD"]), false));
    assert_eq!(
        c(&["Cục Chính sách, Bộ Công an, Ban Thi đua - Khen thưởng Trung ương - Bộ Nội vụ, Sở Lao động-Thương binh và Xã hội"], &[Ministry, Prov], None),
        (v(&["SNV", "BCA", "BNV"]), false)
    );
}

#[test]
fn ministries_and_their_departments() {
    assert_eq!(c(&["", "Bộ Kế hoạch và Đầu tư"], &[Ministry], None), (v(&["BTC"]), false));
    assert_eq!(
        c(&["Bộ xây dựng (Giao thông vận tải cũ), Bộ Quốc phòng"], &[Ministry], None),
        (v(&["BQP", "BXD"]), false)
    );
    assert_eq!(c(&["Bộ Khoa học và Công nghệ ( Bộ TTTT cũ)"], &[Ministry], None), (v(&["BKHCN"]), false));
    assert_eq!(c(&["Ủy ban Chứng khoán Nhà nước - Bộ tài chính"], &[Ministry], None), (v(&["BTC"]), false));
    assert_eq!(c(&["Cục Hàng không Việt Nam"], &[Ministry], None), (v(&["BXD"]), false));
    assert_eq!(c(&["Cục Chăn nuôi và Thú y - Bộ NN và MT"], &[Ministry], None), (v(&["BNNMT"]), false));
    assert_eq!(
        c(&["Ngân hàng Nhà nước Việt Nam, Ngân hàng Nhà nước Khu vực"], &[Ministry, Prov], None),
        (v(&["NHNN"]), false)
    );
}

#[test]
fn regional_and_vertical_branches() {
    assert_eq!(
        c(&["Cục Thuế - Bộ tài chính, Thuế tỉnh, thành phố, Thuế cơ sở"], &[Ministry, Prov, Commune], Some("Thuế")),
        (v(&["THUET", "BTC"]), false)
    );
    assert_eq!(c(&["Bảo hiểm xã hội cấp Tỉnh, Bảo hiểm xã hội cấp huyện"], &[Prov], None), (v(&["BHXHT"]), false));
    assert_eq!(
        c(
            &["Văn phòng đăng ký đất đai, Chủ tịch Ủy ban nhân dân xã, Chi nhánh Văn phòng đăng ký đất đai"],
            &[Prov, Commune],
            Some("Đất đai")
        ),
        (v(&["UBNDX", "VPDKDD"]), false)
    );
    // Regional plant quarantine is central; a province forest protection branch is the
    // province department's.
    assert_eq!(c(&["Chi cục Kiểm dịch thực vật vùng II"], &[Ministry], None), (v(&["BNNMT"]), false));
    assert_eq!(c(&["Chi cục Kiểm lâm, Chi Cục Thủy Sản"], &[Prov], None), (v(&["SNNMT"]), false));
}

#[test]
fn branches_of_province_departments_and_of_the_ministry() {
    assert_eq!(c(&["Chi cục Thủy sản"], &[Prov], Some("Thủy sản")), (v(&["SNNMT"]), false));
    assert_eq!(c(&["Chi cục Chăn nuôi và Thú y"], &[Prov], None), (v(&["SNNMT"]), false));
    assert_eq!(c(&["Chi cục Chăn nuôi và Thú y vùng"], &[Ministry], None), (v(&["BNNMT"]), false));
    assert_eq!(
        c(&["Cục Thủy sản và Kiểm ngư - Bộ Nông nghiệp và Môi trường"], &[Ministry], None),
        (v(&["BNNMT"]), false)
    );
    // Names with a comma inside.
    assert_eq!(c(&["Trung tâm Đăng ký giao dịch, tài sản"], &[Ministry], None), (v(&["BTP"]), false));
    assert_eq!(c(&["Cục khoa học, chiến lược và lịch sử Công an"], &[Ministry], None), (v(&["BCA"]), false));
    assert_eq!(
        c(&["Chi cục Chất lượng, Chế biến và Phát triển thị trường khu vực Nam Bộ"], &[Ministry], None),
        (v(&["BNNMT"]), false)
    );
}

#[test]
fn owner_bodies_by_level() {
    let field = Some("Tài chính doanh nghiệp");
    assert_eq!(c(&["", "Cơ quan đại diện chủ sở hữu"], &[Ministry], field), (v(&["BTC"]), false));
    assert_eq!(c(&["", "Cơ quan đại diện chủ sở hữu"], &[Prov], field), (v(&["UBNDT"]), false));
    assert_eq!(c(&["Ban quản lý"], &[Prov], None), (v(&["BQLKKT"]), false));
}

#[test]
fn deciders_give_no_kind() {
    // The Prime Minister decides; the Ministry of Finance receives.
    assert_eq!(c(&["Thủ tướng Chính phủ", "Bộ Tài chính"], &[Ministry], Some("Quản lý nợ")), (v(&["BTC"]), false));
    // The President decides nationality; nothing receiving is named: assumed, flagged.
    assert_eq!(c(&["Chủ tịch nước", "Không có thông tin"], &[Ministry], Some("Quốc tịch")), (v(&["BTP"]), true));
    assert_eq!(c(&["Chủ tịch nước", "Sở Tư pháp"], &[Prov], Some("Quốc tịch")), (v(&["STP"]), false));
}

#[test]
fn generic_names_resolved_by_field() {
    assert_eq!(
        c(
            &["Cơ quan chức năng do Ủy ban nhân dân cấp tỉnh chỉ định"],
            &[Prov],
            Some("Thành lập và hoạt động của doanh nghiệp")
        ),
        (v(&["STC"]), false)
    );
    assert_eq!(
        c(&["Người đứng đầu cơ quan chuyên môn thuộc Ủy ban nhân dân cấp tỉnh"], &[Prov], Some("Nhà ở và công sở")),
        (v(&["SXD"]), false)
    );
    assert_eq!(c(&["Giám đốc Sở và cấp tương đương"], &[Prov], None), (v(&["UBNDT"]), false));
    assert_eq!(
        c(&["Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ"], &[Ministry], Some("Hỗ trợ doanh nghiệp nhỏ và vừa")),
        (v(&["BTC"]), false)
    );
    assert_eq!(c(&["Bộ trưởng"], &[Ministry], Some("Giám định tư pháp")), (v(&["BTP"]), false));
    // Without a field a generic ministry is not recognised.
    assert_eq!(c(&["Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ"], &[Ministry], None), (v(&[]), true));
}

#[test]
fn nothing_recognised_is_flagged() {
    assert_eq!(c(&["", "Không có thông tin"], &[Commune], Some("Hộ tịch")), (v(&["UBNDX"]), true));
    assert_eq!(c(&[], &[Prov, Commune], None), (v(&["UBNDX", "UBNDT"]), true));
    assert_eq!(c(&["Các cơ quan, tổ chức liên quan"], &[Prov], None), (v(&["UBNDT"]), true));
    assert_eq!(c(&[""], &[Ministry], Some("Hải quan")), (v(&["BTC"]), true));
    assert_eq!(c(&[""], &[Level::Other], None), (v(&[]), true));
}

#[test]
fn accents_and_normal_forms_do_not_matter() {
    let nfd = "Công an cấp Xã".chars().flat_map(unicode_decompose).collect::<String>();
    assert_eq!(c(&[&nfd], &[Commune], None), (v(&["CAX"]), false));
    assert_eq!(c(&["CONG AN CAP XA"], &[Commune], None), (v(&["CAX"]), false));
    assert_eq!(c(&["So Tu phap"], &[Prov], None), (v(&["STP"]), false));
}

/// A tiny NFD for the few letters of the test above (the crate's own folding is what is
/// being tested, so it is not used to build the input).
fn unicode_decompose(ch: char) -> Vec<char> {
    match ch {
        'ô' => vec!['o', '\u{302}'],
        'ấ' => vec!['a', '\u{302}', '\u{301}'],
        'ã' => vec!['a', '\u{303}'],
        c => vec![c],
    }
}

#[test]
fn output_is_stable_and_deduplicated() {
    let a = c(&["Công an cấp Xã, Công an tỉnh, Cục cảnh sát giao thông"], &[Ministry, Prov, Commune], None);
    let b =
        c(&["Cục cảnh sát giao thông, Công an tỉnh, Công an cấp Xã, Công an tỉnh"], &[Ministry, Prov, Commune], None);
    assert_eq!(a, b);
    assert_eq!(a.0, v(&["CAX", "CAT", "BCA"]));
}

// ---------------------------------------------------------------------------------------
// build_agencies over the real units file.

fn built() -> Option<(Vec<Province>, Vec<Agency>)> {
    let p = provinces()?;
    let a = build_agencies(&p);
    Some((p, a))
}

#[test]
fn agency_codes_are_dossier_safe_and_unique() {
    let Some((_, agencies)) = built() else { return };
    let mut seen = HashSet::new();
    for a in &agencies {
        assert!(
            !a.code.is_empty() && a.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.'),
            "{}",
            a.code
        );
        assert!(!a.code.contains('-'));
        assert!(seen.insert(a.code.clone()), "duplicate {}", a.code);
        assert!(!a.name.is_empty() && !a.name_en.is_empty());
    }
}

#[test]
fn counts_per_kind() {
    let Some((provinces, agencies)) = built() else { return };
    assert_eq!(provinces.len(), 34);
    let communes: usize = provinces.iter().map(|p| p.communes.len()).sum();
    assert_eq!(communes, 3321);
    let mut per_kind: HashMap<&str, usize> = HashMap::new();
    for a in &agencies {
        *per_kind.entry(a.kind.as_str()).or_default() += 1;
    }
    assert_eq!(per_kind["UBNDX"], 3321);
    assert_eq!(per_kind["CAX"], 3321);
    assert_eq!(per_kind["UBNDT"], 34);
    assert_eq!(per_kind["CAT"], 34);
    assert_eq!(per_kind["STP"], 34);
    assert_eq!(per_kind["BCA"], 1);
    for k in KINDS {
        let expected = match k.level {
            Level::Commune => 3321,
            Level::Province => 34,
            Level::Ministry | Level::Other => 1,
        };
        assert_eq!(per_kind[k.code], expected, "{}", k.code);
    }
    let n_province = KINDS.iter().filter(|k| k.level == Level::Province).count();
    let n_central = KINDS.iter().filter(|k| k.level == Level::Ministry).count();
    assert_eq!(agencies.len(), 2 * 3321 + 34 * n_province + n_central);
}

#[test]
fn parents_exist_and_units_are_set() {
    let Some((_, agencies)) = built() else { return };
    let by_code: HashMap<&str, &Agency> = agencies.iter().map(|a| (a.code.as_str(), a)).collect();
    for a in &agencies {
        let k = kind(&a.kind).expect("known kind");
        assert_eq!(a.level, k.level);
        match a.level {
            Level::Commune => {
                assert!(a.commune_code.is_some() && a.province_code.is_some(), "{}", a.code);
                assert_eq!(a.code, format!("{}.{}", a.kind, a.commune_code.as_deref().unwrap_or_default()));
                assert_eq!(a.parent_code, Some(format!("UBNDT.{}", a.province_code.as_deref().unwrap_or_default())));
            }
            Level::Province => {
                assert!(a.commune_code.is_none() && a.province_code.is_some(), "{}", a.code);
                assert_eq!(a.code, format!("{}.{}", a.kind, a.province_code.as_deref().unwrap_or_default()));
            }
            Level::Ministry | Level::Other => {
                assert!(a.commune_code.is_none() && a.province_code.is_none(), "{}", a.code);
                assert_eq!(a.code, a.kind);
                assert_eq!(a.parent_code, None);
            }
        }
        if let Some(p) = &a.parent_code {
            let parent = by_code.get(p.as_str()).unwrap_or_else(|| panic!("{}: parent {p} missing", a.code));
            // A parent in a province is in the same province.
            if parent.province_code.is_some() {
                assert_eq!(parent.province_code, a.province_code, "{}", a.code);
            }
        }
    }
    assert_eq!(by_code["STP.01"].parent_code.as_deref(), Some("UBNDT.01"));
    assert_eq!(by_code["CAT.01"].parent_code.as_deref(), Some("BCA"));
    assert_eq!(by_code["VPDKDD.79"].parent_code.as_deref(), Some("SNNMT.79"));
    assert_eq!(by_code["UBNDT.01"].parent_code, None);
}

#[test]
fn names_in_both_languages() {
    let Some((_, agencies)) = built() else { return };
    let by_code: HashMap<&str, &Agency> = agencies.iter().map(|a| (a.code.as_str(), a)).collect();
    let cax = by_code["CAX.00004"];
    assert_eq!(cax.name, "Công an Phường Ba Đình, Thành phố Hà Nội");
    assert_eq!(cax.name_en, "Police of Ba Dinh Ward, Hanoi City");
    assert_eq!(by_code["UBNDX.00004"].name_en, "People's Committee of Ba Dinh Ward, Hanoi City");
    assert_eq!(by_code["STP.01"].name, "Sở Tư pháp Thành phố Hà Nội");
    assert_eq!(by_code["STP.01"].name_en, "Department of Justice of Hanoi City");
    assert_eq!(by_code["UBNDT.79"].name_en, "People's Committee of Ho Chi Minh City");
    assert_eq!(by_code["BCA"].name, "Bộ Công an");
    assert_eq!(by_code["BCA"].name_en, "Ministry of Public Security");
}

// ---------------------------------------------------------------------------------------
// Coverage over the whole crawl.

fn level_of(s: &str) -> Option<Level> {
    Some(match s.trim() {
        "Cấp bộ" => Level::Ministry,
        "Cấp tỉnh" => Level::Province,
        "Cấp xã" => Level::Commune,
        "Cơ quan khác" => Level::Other,
        _ => return None,
    })
}

/// Prints the share of the crawl's procedures whose agency texts were recognised, and the
/// commonest texts of the ones that were not. Run with `--nocapture` to see it.
#[test]
fn crawl_coverage() {
    let path = shared("procedures/national-portal-crawl.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} not readable", path.display());
        return;
    };
    let (mut total, mut recognised, mut with_text, mut level_gaps) = (0usize, 0usize, 0usize, 0usize);
    let mut unrecognised: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let r: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
        let (competent, implementing) = (s("co_quan_co_tham_quyen"), s("co_quan_thuc_hien"));
        let levels: Vec<Level> = s("cap_thuc_hien").split(',').filter_map(level_of).collect();
        let field = s("linh_vuc");
        let (kinds, flagged) =
            classify(&[&competent, &implementing], &levels, Some(field.as_str()).filter(|f| !f.is_empty()));
        total += 1;
        let has_text = !competent.trim().is_empty() || !matches!(implementing.trim(), "" | "Không có thông tin");
        with_text += usize::from(has_text);
        if flagged {
            if has_text {
                *unrecognised.entry(format!("{competent} | {implementing}")).or_default() += 1;
            }
        } else {
            recognised += 1;
            // A level of the procedure for which no kind of that level was found.
            let covered = |l: &Level| kinds.iter().any(|k| kind(k).is_some_and(|k| k.level == *l));
            if levels.iter().any(|l| *l != Level::Other && !covered(l)) {
                level_gaps += 1;
            }
        }
        for k in kinds {
            *per_kind.entry(k).or_default() += 1;
        }
    }
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    println!(
        "crawl: {recognised}/{total} procedures ({:.1}%) have recognised agency texts; \
         {with_text} have some agency text, of which {:.1}% recognised; \
         {level_gaps} recognised ones name no agency for one of their levels",
        pct(recognised, total),
        pct(recognised, with_text)
    );
    let mut top: Vec<_> = unrecognised.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("commonest unrecognised (competent | implementing):");
    for (t, n) in top.iter().take(25) {
        println!("  {n:4}  {}", t.replace('\n', " ").chars().take(160).collect::<String>());
    }
    println!("procedures per kind: {per_kind:?}");
    assert_eq!(total, 2642);
    // 237 procedures have no agency text at all; nearly all others are recognised.
    assert!(pct(recognised, total) >= 90.0, "coverage fell to {:.1}%", pct(recognised, total));
}
