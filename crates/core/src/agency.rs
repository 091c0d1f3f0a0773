//! Agencies (cơ quan thực hiện): an agency kind × an administrative unit.
//!
//! A *kind* is a type of agency at one level: the commune People's Committee (`UBNDX`),
//! the commune police (`CAX`), a province department such as the Department of Justice
//! (`STP`), a ministry (`BCA`)… An *agency* is a kind placed in a unit: `CAX.00004` is the
//! police of ward 00004, `STP.01` the Department of Justice of province 01, and a
//! ministry, of which there is one, is just its kind code (`BCA`).
//!
//! The kinds follow the organisation in force after the 2025 reorganisation: ministries
//! merged on 1 March 2025 (Decree 25/2025 and the ministries' decrees), province
//! departments merged the same spring (Decree 45/2025), district level abolished and
//! provinces merged on 1 July 2025. The national catalogue still names many old bodies;
//! [`classify`] maps them onto the kind that took over their work.
//!
//! Procedures name agency kinds (see [`classify`]); a dossier names one agency.

use crate::admin_units::Province;
use crate::catalogue::Level;
use crate::text::fold;
use serde::{Deserialize, Serialize};

/// A kind of agency, e.g. the commune People's Committee or a province department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgencyKind {
    /// Short code: ASCII uppercase letters and digits only, e.g. `UBNDX`, `CAX`, `STP`.
    pub code: &'static str,
    /// Vietnamese name, without the unit: "Sở Tư pháp".
    pub name_vi: &'static str,
    /// English name, without the unit: "Department of Justice".
    pub name_en: &'static str,
    pub level: Level,
    /// The kind of the parent agency: a province-level kind is taken in the same province,
    /// a ministry-level kind is the ministry itself. `None` for the top of a hierarchy.
    pub parent_kind: Option<&'static str>,
}

const fn k(
    code: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
    level: Level,
    parent_kind: Option<&'static str>,
) -> AgencyKind {
    AgencyKind { code, name_vi, name_en, level, parent_kind }
}

const UBNDT: Option<&str> = Some("UBNDT");

/// The kinds known to motcua, in the order [`classify`] returns them: commune, province,
/// ministry.
pub static KINDS: &[AgencyKind] = &[
    // Commune level (cấp xã). Both answer to the province People's Committee here; the
    // commune police is, professionally, a unit of the province police.
    k("UBNDX", "Ủy ban nhân dân", "People's Committee", Level::Commune, UBNDT),
    k("CAX", "Công an", "Police", Level::Commune, UBNDT),
    // Province level (cấp tỉnh): the People's Committee and its departments (Decree
    // 45/2025: 13 standard departments, of which the Office of the People's Committee is
    // left out as it receives no dossiers).
    k("UBNDT", "Ủy ban nhân dân", "People's Committee", Level::Province, None),
    k("CAT", "Công an", "Police", Level::Province, Some("BCA")),
    k("STP", "Sở Tư pháp", "Department of Justice", Level::Province, UBNDT),
    // Took over labour, employment and people with meritorious services from the former
    // Sở Lao động - Thương binh và Xã hội.
    k("SNV", "Sở Nội vụ", "Department of Home Affairs", Level::Province, UBNDT),
    // Merged with the former Sở Kế hoạch và Đầu tư.
    k("STC", "Sở Tài chính", "Department of Finance", Level::Province, UBNDT),
    k("SCT", "Sở Công Thương", "Department of Industry and Trade", Level::Province, UBNDT),
    // The former Sở Nông nghiệp và Phát triển nông thôn and Sở Tài nguyên và Môi trường.
    k("SNNMT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment", Level::Province, UBNDT),
    // Merged with the former Sở Giao thông vận tải (in Ho Chi Minh City, Sở Giao thông
    // công chánh).
    k("SXD", "Sở Xây dựng", "Department of Construction", Level::Province, UBNDT),
    // Merged with the former Sở Thông tin và Truyền thông.
    k("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology", Level::Province, UBNDT),
    k(
        "SVHTTDL",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Department of Culture, Sports and Tourism",
        Level::Province,
        UBNDT,
    ),
    k("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training", Level::Province, UBNDT),
    k("SYT", "Sở Y tế", "Department of Health", Level::Province, UBNDT),
    // Only in provinces with large ethnic-minority or religious communities; elsewhere
    // the Sở Nội vụ does its work. Built for every province for now.
    k("SDTTG", "Sở Dân tộc và Tôn giáo", "Department of Ethnic Minorities and Religion", Level::Province, UBNDT),
    k("TTT", "Thanh tra", "Inspectorate", Level::Province, UBNDT),
    // Only in provinces with industrial or economic zones; built for every province.
    k(
        "BQLKKT",
        "Ban Quản lý các khu công nghiệp và khu kinh tế",
        "Management Board of Industrial and Economic Zones",
        Level::Province,
        UBNDT,
    ),
    // Vertically managed branches of central bodies.
    k("BHXHT", "Bảo hiểm xã hội", "Social Security", Level::Province, Some("BTC")),
    k("THUET", "Thuế", "Tax Office", Level::Province, Some("BTC")),
    k("THADS", "Thi hành án dân sự", "Civil Judgment Enforcement Office", Level::Province, Some("BTP")),
    k("TANDT", "Tòa án nhân dân", "People's Court", Level::Province, Some("TANDTC")),
    // A public service unit of the department of agriculture and environment.
    k("VPDKDD", "Văn phòng Đăng ký đất đai", "Land Registration Office", Level::Province, Some("SNNMT")),
    // Central level (cấp bộ): the 14 ministries and the ministry-level bodies after
    // 1 March 2025, and the Supreme People's Court.
    k("BCA", "Bộ Công an", "Ministry of Public Security", Level::Ministry, None),
    k("BQP", "Bộ Quốc phòng", "Ministry of National Defence", Level::Ministry, None),
    k("BNG", "Bộ Ngoại giao", "Ministry of Foreign Affairs", Level::Ministry, None),
    // Merged with the former Bộ Lao động - Thương binh và Xã hội.
    k("BNV", "Bộ Nội vụ", "Ministry of Home Affairs", Level::Ministry, None),
    k("BTP", "Bộ Tư pháp", "Ministry of Justice", Level::Ministry, None),
    // Merged with the former Bộ Kế hoạch và Đầu tư; Vietnam Social Security is under it.
    k("BTC", "Bộ Tài chính", "Ministry of Finance", Level::Ministry, None),
    k("BCT", "Bộ Công Thương", "Ministry of Industry and Trade", Level::Ministry, None),
    // The former Bộ Nông nghiệp và Phát triển nông thôn and Bộ Tài nguyên và Môi trường.
    k("BNNMT", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment", Level::Ministry, None),
    // Merged with the former Bộ Giao thông vận tải.
    k("BXD", "Bộ Xây dựng", "Ministry of Construction", Level::Ministry, None),
    k("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism", Level::Ministry, None),
    // Merged with the former Bộ Thông tin và Truyền thông.
    k("BKHCN", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology", Level::Ministry, None),
    k("BGDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training", Level::Ministry, None),
    k("BYT", "Bộ Y tế", "Ministry of Health", Level::Ministry, None),
    // The former Ủy ban Dân tộc, with religious affairs from the Ministry of Home Affairs.
    k("BDTTG", "Bộ Dân tộc và Tôn giáo", "Ministry of Ethnic Minorities and Religion", Level::Ministry, None),
    k("NHNN", "Ngân hàng Nhà nước Việt Nam", "State Bank of Vietnam", Level::Ministry, None),
    k("TTCP", "Thanh tra Chính phủ", "Government Inspectorate", Level::Ministry, None),
    k("VPCP", "Văn phòng Chính phủ", "Office of the Government", Level::Ministry, None),
    k("TANDTC", "Tòa án nhân dân tối cao", "Supreme People's Court", Level::Ministry, None),
];

/// Finds a kind by code.
pub fn kind(code: &str) -> Option<&'static AgencyKind> {
    KINDS.iter().find(|k| k.code == code)
}

/// A concrete agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// Letters, digits and dots, never a hyphen: `{kind}.{unit code}`, e.g. `CAX.00004`;
    /// a ministry is just its kind code, e.g. `BCA`.
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub level: Level,
    pub parent_code: Option<String>,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
}

/// The code of the agency of `kind` in `unit` (a province or commune code; ignored for
/// a ministry-level kind): `CAX.00004`, `STP.01`, `BCA`.
pub fn agency_code(kind: &AgencyKind, unit: &str) -> String {
    match kind.level {
        Level::Ministry | Level::Other => kind.code.to_string(),
        Level::Province | Level::Commune => format!("{}.{unit}", kind.code),
    }
}

/// The parent agency's code of an agency of `kind` in province `province_code`.
fn parent_code(kind: &AgencyKind, province_code: &str) -> Option<String> {
    let parent = self::kind(kind.parent_kind?)?;
    Some(agency_code(parent, province_code))
}

/// All agencies: every kind × every unit of its level (communes for commune kinds,
/// provinces for province kinds, one each for central kinds), provinces and communes in
/// the order given, kinds in [`KINDS`] order within a unit.
pub fn build_agencies(provinces: &[Province]) -> Vec<Agency> {
    let mut out = Vec::new();
    for kind in KINDS.iter().filter(|k| matches!(k.level, Level::Ministry | Level::Other)) {
        out.push(Agency {
            code: agency_code(kind, ""),
            name: kind.name_vi.to_string(),
            name_en: kind.name_en.to_string(),
            kind: kind.code.to_string(),
            level: kind.level,
            parent_code: parent_code(kind, ""),
            province_code: None,
            commune_code: None,
        });
    }
    for p in provinces {
        for kind in KINDS.iter().filter(|k| k.level == Level::Province) {
            out.push(Agency {
                code: agency_code(kind, &p.code),
                name: format!("{} {}", kind.name_vi, p.full_name),
                name_en: format!("{} of {}", kind.name_en, p.full_name_en),
                kind: kind.code.to_string(),
                level: Level::Province,
                parent_code: parent_code(kind, &p.code),
                province_code: Some(p.code.clone()),
                commune_code: None,
            });
        }
        for c in &p.communes {
            for kind in KINDS.iter().filter(|k| k.level == Level::Commune) {
                out.push(Agency {
                    code: agency_code(kind, &c.code),
                    name: format!("{} {}, {}", kind.name_vi, c.full_name, p.full_name),
                    name_en: format!("{} of {}, {}", kind.name_en, c.full_name_en, p.full_name_en),
                    kind: kind.code.to_string(),
                    level: Level::Commune,
                    parent_code: parent_code(kind, &p.code),
                    province_code: Some(p.code.clone()),
                    commune_code: Some(c.code.clone()),
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Classification of the catalogue's agency texts.

/// What a recognised phrase stands for.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// That kind.
    Kind(&'static str),
    /// Depends on the procedure's levels: (ministry, province, commune) kind; each level
    /// of the procedure that has one contributes it. When none of the procedure's levels
    /// has one, the first given (province, then commune, then ministry) is taken.
    /// [`FIELD`] stands for the field's ministry or department.
    ByLevel(Option<&'static str>, Option<&'static str>, Option<&'static str>),
    /// A province body "of the field" ("the specialised agency of the province People's
    /// Committee"): the field's department, else the province People's Committee.
    FieldDepartment,
    /// A central body "of the field" ("ministries, ministerial-level agencies"): the
    /// field's ministry; unrecognised when the field is unknown.
    FieldMinistry,
    /// A body that decides but does not receive dossiers (the Prime Minister, the
    /// President, the National Assembly, a People's Council): no kind. Its dossiers go
    /// through a ministry or a People's Committee named elsewhere or assumed.
    Decider,
}

use Target::{ByLevel, Decider, FieldDepartment, FieldMinistry, Kind};

/// In a [`ByLevel`] target: the field's ministry (at ministry level) or department (at
/// province level, else the province People's Committee).
const FIELD: &str = "@";

/// Recognised phrases, folded (see [`fold`]) and matched on whole words, in order: a
/// phrase once matched is blanked out, so more specific phrases come first. A `/` stands
/// for the boundary of a comma-separated part of the text (also its start and end).
static RULES: &[(&str, Target)] = &[
    // Deciders (competent authorities that receive nothing themselves).
    ("thu tuong chinh phu", Decider),
    ("chu tich nuoc", Decider),
    ("quoc hoi", Decider),
    ("hoi dong nhan dan", Decider),
    // Generic bodies named by their relation to the People's Committee: resolved by field.
    ("co quan chuc nang do uy ban nhan dan cap tinh chi dinh", FieldDepartment),
    ("co quan chuyen mon thuoc uy ban nhan dan cap tinh", FieldDepartment),
    ("co quan chuyen mon thuoc ubnd cap tinh", FieldDepartment),
    ("co quan phan cap uy quyen cua ubnd cap tinh", FieldDepartment),
    ("co quan to chuc duoc ubnd cap tinh giao", FieldDepartment),
    ("giam doc so va cap tuong duong", FieldDepartment),
    ("co quan quan ly nha nuoc ve nha o", ByLevel(Some(FIELD), Some(FIELD), Some("UBNDX"))),
    // The owner of a state enterprise or the sponsor of a project: a ministry or a
    // province People's Committee.
    ("/ co quan chu quan /", ByLevel(Some(FIELD), Some("UBNDT"), None)),
    ("co quan dai dien chu so huu", ByLevel(Some(FIELD), Some("UBNDT"), None)),
    ("co quan chuyen mon ve nong nghiep va moi truong thuoc uy ban nhan dan cap tinh", Kind("SNNMT")),
    ("co quan chuyen mon ve nong nghiep va moi truong thuoc ubnd cap xa", Kind("UBNDX")),
    ("co quan chuyen mon ve nong nghiep va moi truong thuoc uy ban nhan dan cap xa", Kind("UBNDX")),
    // State compensation: "the body directly managing the official who caused the damage
    // (...) at central / province / commune level".
    ("luat tnbtcnn nam 2017 o cap trung uong", FieldMinistry),
    ("luat tnbtcnn nam 2017 o cap tinh", Kind("UBNDT")),
    ("luat tnbtcnn nam 2017 o cap xa", Kind("UBNDX")),
    // Police. Province police units ("Phòng …") before the ministry's departments ("Cục").
    ("cuc khoa hoc / chien luoc va lich su cong an", Kind("BCA")),
    ("bo cong an", Kind("BCA")),
    ("phong canh sat", Kind("CAT")),
    ("phong quan ly xuat nhap canh", Kind("CAT")),
    ("phong xuat nhap canh", Kind("CAT")),
    ("cuc canh sat", Kind("BCA")),
    ("cuc quan ly xuat nhap canh", Kind("BCA")),
    ("cuc an ninh mang", Kind("BCA")),
    ("cuc ho so nghiep vu", Kind("BCA")),
    ("trung tam du lieu quoc gia", Kind("BCA")),
    ("cong an cap tinh", Kind("CAT")),
    ("cong an tinh", Kind("CAT")),
    ("cong an thanh pho", Kind("CAT")),
    ("cong an cap xa", Kind("CAX")),
    ("cong an xa", Kind("CAX")),
    ("cong an phuong", Kind("CAX")),
    ("cong an dac khu", Kind("CAX")),
    // District police were abolished on 1 March 2025; their work went to the commune and
    // province police.
    ("cong an cap huyen", ByLevel(None, Some("CAT"), Some("CAX"))),
    ("cong an huyen", ByLevel(None, Some("CAT"), Some("CAX"))),
    ("cong an", ByLevel(Some("BCA"), Some("CAT"), Some("CAX"))),
    // Defence (the border guard, the military region enforcement offices).
    ("bo quoc phong", Kind("BQP")),
    ("phong thi hanh an cap quan khu", Kind("BQP")),
    ("bo tong tham muu", Kind("BQP")),
    ("cuc tac chien", Kind("BQP")),
    ("quan chung phong khong", Kind("BQP")),
    ("bien phong cua khau", Kind("BQP")),
    // Foreign affairs, and Vietnam's missions abroad.
    ("bo ngoai giao", Kind("BNG")),
    ("cuc lanh su", Kind("BNG")),
    ("cuc le tan nha nuoc", Kind("BNG")),
    ("co quan dai dien viet nam", Kind("BNG")),
    ("co quan dai dien co tham quyen", Kind("BNG")),
    // Home affairs; labour and war invalids merged into it in 2025.
    ("bo noi vu", Kind("BNV")),
    ("bo lao dong thuong binh va xa hoi", Kind("BNV")),
    ("ban thi dua khen thuong trung uong", Kind("BNV")),
    ("so noi vu", Kind("SNV")),
    ("so lao dong thuong binh va xa hoi", Kind("SNV")),
    // Justice.
    ("bo tu phap", Kind("BTP")),
    ("cuc bo tro tu phap", Kind("BTP")),
    ("cuc hanh chinh tu phap", Kind("BTP")),
    ("trung tam dang ky giao dich", Kind("BTP")),
    ("co quan quan ly co so du lieu ho tich", Kind("BTP")),
    ("so tu phap", Kind("STP")),
    ("trung tam tro giup phap ly", Kind("STP")),
    // District justice offices were abolished on 1 July 2025 (civil status went to the
    // communes).
    ("phong tu phap", ByLevel(None, Some("STP"), Some("UBNDX"))),
    ("thi hanh an dan su", Kind("THADS")),
    // Finance; planning and investment merged into it in 2025, and with it Vietnam Social
    // Security. Customs, the State Treasury and the regional branches of the tax
    // department are not modelled per region yet: they map to the ministry.
    ("bo tai chinh", Kind("BTC")),
    ("bo ke hoach va dau tu", Kind("BTC")),
    ("uy ban chung khoan", Kind("BTC")),
    ("cuc thue tinh", Kind("THUET")),
    ("chi cuc thue doanh nghiep lon", Kind("BTC")),
    ("chi cuc thue thuong mai dien tu", Kind("BTC")),
    ("chi cuc thue khu vuc", Kind("THUET")),
    ("chi cuc thue huyen", Kind("THUET")),
    ("chi cuc thue", Kind("THUET")),
    ("doi thue", Kind("THUET")),
    ("cuc thue", Kind("BTC")),
    ("thue tinh", Kind("THUET")),
    ("thue co so", Kind("THUET")),
    ("co quan thue", ByLevel(Some("BTC"), Some("THUET"), Some("THUET"))),
    ("cuc hai quan", Kind("BTC")),
    ("chi cuc hai quan", Kind("BTC")),
    ("hai quan cua khau", Kind("BTC")),
    ("hai quan ngoai cua khau", Kind("BTC")),
    ("hai quan khu vuc", Kind("BTC")),
    ("kho bac nha nuoc", Kind("BTC")),
    ("cuc du tru nha nuoc", Kind("BTC")),
    ("chi cuc du tru nha nuoc", Kind("BTC")),
    ("cuc quan ly dau thau", Kind("BTC")),
    ("cuc quan ly gia", Kind("BTC")),
    ("cuc phat trien doanh nghiep", Kind("BTC")),
    ("cuc kiem tra sau thong quan", Kind("BTC")),
    ("vu cac dinh che tai chinh", Kind("BTC")),
    ("bao hiem xa hoi viet nam", Kind("BTC")),
    ("bhxh viet nam", Kind("BTC")),
    ("bao hiem xa hoi cap tinh", Kind("BHXHT")),
    ("bao hiem xa hoi tinh", Kind("BHXHT")),
    // District social security offices became local offices of the province's.
    ("bao hiem xa hoi cap huyen", Kind("BHXHT")),
    ("bao hiem xa hoi huyen", Kind("BHXHT")),
    ("bao hiem xa hoi co so", Kind("BHXHT")),
    ("bao hiem xa hoi khu vuc", Kind("BHXHT")),
    ("bao hiem xa hoi", ByLevel(Some("BTC"), Some("BHXHT"), Some("BHXHT"))),
    ("so tai chinh", Kind("STC")),
    ("so ke hoach va dau tu", Kind("STC")),
    ("ban quan ly cac khu cong nghiep", Kind("BQLKKT")),
    ("ban quan ly khu", Kind("BQLKKT")),
    ("/ ban quan ly /", Kind("BQLKKT")),
    ("ban qlda dau tu xay dung khu kinh te", Kind("BQLKKT")),
    // The State Bank, its regional branches (15 since 2025, not modelled apart) and units.
    ("ngan hang nha nuoc", Kind("NHNN")),
    ("vu chinh sach tien te", Kind("NHNN")),
    ("cuc quan ly / giam sat to chuc tin dung", Kind("NHNN")),
    // Construction; transport merged into it in 2025. The aviation, maritime and inland
    // waterway administrations, their port authorities and the registry map to the
    // ministry.
    ("bo xay dung", Kind("BXD")),
    ("bo giao thong van tai", Kind("BXD")),
    ("cuc hang khong", Kind("BXD")),
    ("cang vu hang khong", Kind("BXD")),
    ("cuc hang hai", Kind("BXD")),
    ("chi cuc hang hai", Kind("BXD")),
    ("cang vu hang hai", Kind("BXD")),
    ("van phong dai dien cang vu", Kind("BXD")),
    ("cang vu duong thuy noi dia", Kind("BXD")),
    ("cuc duong thuy noi dia", Kind("BXD")),
    ("chi cuc duong thuy noi dia", Kind("BXD")),
    ("co quan dang ky tau bien", Kind("BXD")),
    ("co so dang kiem tau ca", Kind("SNNMT")),
    ("cuc dang kiem", Kind("BXD")),
    ("chi cuc dang kiem", Kind("BXD")),
    ("co so dang kiem", Kind("BXD")),
    ("cac don vi dang kiem", Kind("BXD")),
    ("trung tam dang kiem", Kind("BXD")),
    ("trung tam chung nhan he thong quan ly chat luong va an toan", Kind("BXD")),
    ("cuc duong bo", Kind("BXD")),
    ("khu quan ly duong bo", Kind("BXD")),
    ("cuc duong sat", Kind("BXD")),
    ("tong cong ty duong sat", Kind("BXD")),
    ("cuc giam dinh nha nuoc ve chat luong cong trinh", Kind("BXD")),
    ("cuc quan ly nha va thi truong bat dong san", Kind("BXD")),
    ("vu quy hoach kien truc", Kind("BXD")),
    ("so xay dung", Kind("SXD")),
    ("so giao thong van tai", Kind("SXD")),
    ("so giao thong cong chanh", Kind("SXD")),
    // Agriculture and environment (agriculture and natural resources merged in 2025).
    ("bo nong nghiep va moi truong", Kind("BNNMT")),
    ("bo nn va mt", Kind("BNNMT")),
    ("bo nong nghiep va phat trien nong thon", Kind("BNNMT")),
    ("bo tai nguyen va moi truong", Kind("BNNMT")),
    // Central plant quarantine and livestock branches by region ("vùng") first, then the
    // province department's branches ("chi cục"), then the ministry's departments.
    ("chi cuc kiem dich thuc vat", Kind("BNNMT")),
    ("chi cuc chan nuoi va thu y vung", Kind("BNNMT")),
    ("chi cuc chat luong / che bien", Kind("BNNMT")),
    ("chi cuc kiem lam", Kind("SNNMT")),
    ("chi cuc lam nghiep", Kind("SNNMT")),
    ("chi cuc thuy san", Kind("SNNMT")),
    ("chi cuc chan nuoi", Kind("SNNMT")),
    ("chi cuc trong trot", Kind("SNNMT")),
    ("chi cuc thuy loi", Kind("SNNMT")),
    ("cuc chan nuoi", Kind("BNNMT")),
    ("cuc trong trot", Kind("BNNMT")),
    ("cuc bien doi khi hau", Kind("BNNMT")),
    ("cuc dia chat", Kind("BNNMT")),
    ("cuc quan ly tai nguyen nuoc", Kind("BNNMT")),
    ("cuc thuy san", Kind("BNNMT")),
    ("cuc bien va hai dao", Kind("BNNMT")),
    ("cuc do dac", Kind("BNNMT")),
    ("cuc lam nghiep", Kind("BNNMT")),
    ("cuc bao ton thien nhien", Kind("BNNMT")),
    ("cuc quan ly de dieu", Kind("BNNMT")),
    ("cuc quan ly va xay dung cong trinh thuy loi", Kind("BNNMT")),
    ("cuc chat luong / che bien", Kind("BNNMT")),
    ("trung tam chat luong / che bien", Kind("BNNMT")),
    ("co quan tham quyen quan ly cites", Kind("BNNMT")),
    ("quy bao ve va phat trien rung viet nam", Kind("BNNMT")),
    ("van phong hoi dong danh gia tru luong", Kind("BNNMT")),
    ("co quan kiem dich dong vat", Kind("BNNMT")),
    ("co quan kiem dich thuc vat", Kind("BNNMT")),
    ("so nong nghiep va moi truong", Kind("SNNMT")),
    ("so nong nghiep va phat trien nong thon", Kind("SNNMT")),
    ("so tai nguyen va moi truong", Kind("SNNMT")),
    ("quy bao ve va phat trien rung", Kind("SNNMT")),
    ("co quan co chuc nang quan ly dat dai cap tinh", Kind("SNNMT")),
    ("co quan quan ly nha nuoc ve thuy san cap tinh", Kind("SNNMT")),
    ("co quan quan ly chuyen nganh thu y cap tinh", Kind("SNNMT")),
    ("van phong dang ky dat dai", Kind("VPDKDD")),
    ("co quan quan ly dat dai cap xa", Kind("UBNDX")),
    // Science and technology; information and communications merged into it in 2025.
    ("bo khoa hoc va cong nghe", Kind("BKHCN")),
    ("bo thong tin va truyen thong", Kind("BKHCN")),
    ("bo tttt", Kind("BKHCN")),
    ("so khoa hoc va cong nghe", Kind("SKHCN")),
    ("so thong tin va truyen thong", Kind("SKHCN")),
    // Industry and trade.
    ("bo cong thuong", Kind("BCT")),
    ("trung tam thong tin cong nghiep va thuong mai", Kind("BCT")),
    ("so cong thuong", Kind("SCT")),
    // Culture, sports and tourism (press and publishing joined it in 2025).
    ("bo van hoa the thao va du lich", Kind("BVHTTDL")),
    ("so van hoa the thao va du lich", Kind("SVHTTDL")),
    ("so van hoa va the thao", Kind("SVHTTDL")),
    ("so du lich", Kind("SVHTTDL")),
    // Education, health.
    ("bo giao duc va dao tao", Kind("BGDDT")),
    ("so giao duc va dao tao", Kind("SGDDT")),
    ("bo y te", Kind("BYT")),
    ("so y te", Kind("SYT")),
    // Ethnic minorities and religion (the former Committee for Ethnic Minority Affairs).
    ("bo dan toc va ton giao", Kind("BDTTG")),
    ("uy ban dan toc", Kind("BDTTG")),
    ("so dan toc va ton giao", Kind("SDTTG")),
    ("ban dan toc", Kind("SDTTG")),
    // Inspectorates, the Government Office.
    ("thanh tra chinh phu", Kind("TTCP")),
    ("thanh tra tinh", Kind("TTT")),
    ("/ thanh tra bo /", FieldMinistry),
    ("van phong chinh phu", Kind("VPCP")),
    // Courts.
    ("toa an nhan dan toi cao", Kind("TANDTC")),
    ("toa an nhan dan cap tinh", Kind("TANDT")),
    ("toa an nhan dan tinh", Kind("TANDT")),
    ("toa an nhan dan khu vuc", Kind("TANDT")),
    ("toa an nhan dan", ByLevel(Some("TANDTC"), Some("TANDT"), None)),
    // People's Committees (and their chairmen, and the one-stop centres they run).
    ("trung tam phuc vu hanh chinh cong", Kind("UBNDT")),
    ("trung tam hanh chinh cong", Kind("UBNDT")),
    ("uy ban nhan dan cap tinh", Kind("UBNDT")),
    ("uy ban nhan dan tinh", Kind("UBNDT")),
    ("ubnd cap tinh", Kind("UBNDT")),
    ("ubnd tinh", Kind("UBNDT")),
    ("uy ban nhan dan cap xa", Kind("UBNDX")),
    ("uy ban nhan dan xa", Kind("UBNDX")),
    ("uy ban nhan dan phuong", Kind("UBNDX")),
    ("ubnd cap xa", Kind("UBNDX")),
    ("ubnd xa", Kind("UBNDX")),
    // District People's Committees were abolished on 1 July 2025.
    ("uy ban nhan dan cap huyen", ByLevel(None, Some("UBNDT"), Some("UBNDX"))),
    ("uy ban nhan dan huyen", ByLevel(None, Some("UBNDT"), Some("UBNDX"))),
    ("ubnd cap huyen", ByLevel(None, Some("UBNDT"), Some("UBNDX"))),
    ("uy ban nhan dan", ByLevel(None, Some("UBNDT"), Some("UBNDX"))),
    ("ubnd", ByLevel(None, Some("UBNDT"), Some("UBNDX"))),
    // "Ministries, ministerial-level agencies, government agencies", "the minister".
    ("co quan ngang bo", FieldMinistry),
    ("bo nganh", FieldMinistry),
    ("bo phan tiep cong dan cua cac bo", FieldMinistry),
    ("don vi dau moi thuoc bo", FieldMinistry),
    ("/ bo truong /", FieldMinistry),
];

/// A sector, found from a procedure's field: its ministry, province and commune kinds.
type Sector = (&'static str, Option<&'static str>, Option<&'static str>);

const POLICE: Sector = ("BCA", Some("CAT"), Some("CAX"));
const JUSTICE: Sector = ("BTP", Some("STP"), Some("UBNDX"));
const FINANCE: Sector = ("BTC", Some("STC"), Some("UBNDX"));
const TAX: Sector = ("BTC", Some("THUET"), Some("THUET"));
const SOCIAL_SECURITY: Sector = ("BTC", Some("BHXHT"), Some("BHXHT"));
const CUSTOMS: Sector = ("BTC", None, None);
const BANK: Sector = ("NHNN", None, None);
const CONSTRUCTION: Sector = ("BXD", Some("SXD"), Some("UBNDX"));
const AGRI_ENV: Sector = ("BNNMT", Some("SNNMT"), Some("UBNDX"));
const HOME: Sector = ("BNV", Some("SNV"), Some("UBNDX"));
const INSPECTION: Sector = ("TTCP", Some("TTT"), Some("UBNDX"));
const SCIENCE: Sector = ("BKHCN", Some("SKHCN"), Some("UBNDX"));
const EDUCATION: Sector = ("BGDDT", Some("SGDDT"), Some("UBNDX"));
const HEALTH: Sector = ("BYT", Some("SYT"), Some("UBNDX"));
const CULTURE: Sector = ("BVHTTDL", Some("SVHTTDL"), Some("UBNDX"));
const TRADE: Sector = ("BCT", Some("SCT"), Some("UBNDX"));
const ETHNIC: Sector = ("BDTTG", Some("SDTTG"), Some("UBNDX"));
const FOREIGN: Sector = ("BNG", Some("UBNDT"), None);
const COURT: Sector = ("TANDTC", Some("TANDT"), None);

/// Words of a folded field name → its sector, first match wins.
static FIELDS: &[(&str, Sector)] = &[
    // Police fields first: "an ninh hàng không", "trật tự, an toàn giao thông" are police
    // work, as are driving licences and vehicle registration since 2025.
    ("an ninh", POLICE),
    ("trat tu", POLICE),
    ("can cuoc", POLICE),
    ("cu tru", POLICE),
    ("xuat nhap canh", POLICE),
    ("vu khi", POLICE),
    ("phong chay", POLICE),
    ("con dau", POLICE),
    ("giay phep lai xe", POLICE),
    ("phuong tien giao thong co gioi", POLICE),
    ("cai nghien", POLICE),
    ("dinh danh", POLICE),
    ("du lieu", POLICE),
    ("ly lich tu phap", POLICE),
    ("chi phi to tung", FINANCE),
    ("thi hanh an", ("BTP", Some("THADS"), None)),
    ("ho tich", JUSTICE),
    ("chung thuc", JUSTICE),
    ("cong chung", JUSTICE),
    ("luat su", JUSTICE),
    ("tro giup phap ly", JUSTICE),
    ("ho tro phap ly", JUSTICE),
    ("tu van phap luat", JUSTICE),
    ("giam dinh tu phap", JUSTICE),
    ("hoa giai", JUSTICE),
    ("trong tai", JUSTICE),
    ("quoc tich", JUSTICE),
    ("nuoi con nuoi", JUSTICE),
    ("thua phat lai", JUSTICE),
    ("quan tai vien", JUSTICE),
    ("dau gia", JUSTICE),
    ("boi thuong nha nuoc", JUSTICE),
    ("bien phap bao dam", JUSTICE),
    ("pho bien giao duc phap luat", JUSTICE),
    ("thue", TAX),
    ("hai quan", CUSTOMS),
    ("bhxh", SOCIAL_SECURITY),
    ("bhyt", SOCIAL_SECURITY),
    ("bao hiem xa hoi", SOCIAL_SECURITY),
    ("tai chinh", FINANCE),
    ("chung khoan", FINANCE),
    ("kho bac", FINANCE),
    ("bao hiem", FINANCE),
    ("ke toan", FINANCE),
    ("kiem toan", FINANCE),
    ("cong san", FINANCE),
    ("quan ly gia", FINANCE),
    ("quan ly no", FINANCE),
    ("doanh nghiep", FINANCE),
    ("hop tac xa", FINANCE),
    ("to hop tac", FINANCE),
    ("dau tu", FINANCE),
    ("dau thau", FINANCE),
    ("du tru", FINANCE),
    ("muc tieu quoc gia", FINANCE),
    ("cac bon", FINANCE),
    ("thong ke", FINANCE),
    ("khu cong nghiep", FINANCE),
    ("ngan hang", BANK),
    ("ngoai hoi", BANK),
    ("tien te", BANK),
    ("tin dung", BANK),
    ("thanh toan", BANK),
    ("kho quy", BANK),
    ("xay dung", CONSTRUCTION),
    ("nha o", CONSTRUCTION),
    ("bat dong san", CONSTRUCTION),
    ("kien truc", CONSTRUCTION),
    ("quy hoach", CONSTRUCTION),
    ("ha tang ky thuat", CONSTRUCTION),
    ("do thi", CONSTRUCTION),
    ("giao thong", CONSTRUCTION),
    ("duong bo", CONSTRUCTION),
    ("duong sat", CONSTRUCTION),
    ("hang hai", CONSTRUCTION),
    ("duong thuy", CONSTRUCTION),
    ("hang khong", CONSTRUCTION),
    ("dang kiem", CONSTRUCTION),
    ("kiem dinh ky thuat an toan lao dong", CONSTRUCTION),
    ("dat dai", AGRI_ENV),
    ("moi truong", AGRI_ENV),
    ("tai nguyen", AGRI_ENV),
    ("dia chat", AGRI_ENV),
    ("khoang san", AGRI_ENV),
    ("bien va hai dao", AGRI_ENV),
    ("do dac", AGRI_ENV),
    ("khi tuong", AGRI_ENV),
    ("bien doi khi hau", AGRI_ENV),
    ("chan nuoi", AGRI_ENV),
    ("thu y", AGRI_ENV),
    ("trong trot", AGRI_ENV),
    ("bao ve thuc vat", AGRI_ENV),
    ("thuy san", AGRI_ENV),
    ("thuy loi", AGRI_ENV),
    ("lam nghiep", AGRI_ENV),
    ("kiem lam", AGRI_ENV),
    ("nong nghiep", AGRI_ENV),
    ("nong thon", AGRI_ENV),
    ("nong lam san", AGRI_ENV),
    ("giam ngheo", AGRI_ENV),
    ("de dieu", AGRI_ENV),
    ("thien tai", AGRI_ENV),
    ("da dang sinh hoc", AGRI_ENV),
    ("nguoi co cong", HOME),
    ("thi dua", HOME),
    ("khen thuong", HOME),
    ("to chuc can bo", HOME),
    ("cong chuc", HOME),
    ("vien chuc", HOME),
    ("lao dong", HOME),
    ("viec lam", HOME),
    ("tien luong", HOME),
    ("van thu", HOME),
    ("luu tru", HOME),
    ("thanh nien", HOME),
    ("chinh quyen dia phuong", HOME),
    ("khieu nai", INSPECTION),
    ("to cao", INSPECTION),
    ("tiep cong dan", INSPECTION),
    ("thanh tra", INSPECTION),
    ("giao duc", EDUCATION),
    ("dao tao", EDUCATION),
    ("khoa hoc", SCIENCE),
    ("cong nghe", SCIENCE),
    ("tin hoc", SCIENCE),
    ("buu chinh", SCIENCE),
    ("vien thong", SCIENCE),
    ("so huu tri tue", SCIENCE),
    ("tieu chuan", SCIENCE),
    ("do luong", SCIENCE),
    ("chat luong san pham", SCIENCE),
    ("y te", HEALTH),
    ("duoc", HEALTH),
    ("kham benh", HEALTH),
    ("an toan thuc pham", HEALTH),
    ("bao tro xa hoi", HEALTH),
    ("tre em", HEALTH),
    ("van hoa", CULTURE),
    ("the thao", CULTURE),
    ("du lich", CULTURE),
    ("gia dinh", CULTURE),
    ("bao chi", CULTURE),
    ("xuat ban", CULTURE),
    ("cong thuong", TRADE),
    ("thuong mai", TRADE),
    ("dien luc", TRADE),
    ("nang luong", TRADE),
    ("hoa chat", TRADE),
    ("xuc tien", TRADE),
    ("dan toc", ETHNIC),
    ("ton giao", ETHNIC),
    ("tin nguong", ETHNIC),
    ("ngoai giao", FOREIGN),
    ("lanh su", FOREIGN),
    ("ngoai vu", FOREIGN),
    ("toa an", COURT),
];

/// `needle` (words separated by single spaces) as whole words of `hay` (the same, padded
/// with a space at each end): the byte range of the needle.
fn find_words(hay: &str, needle: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let start = from + i;
        let end = start + needle.len();
        let before_ok = start == 0 || hay.as_bytes()[start - 1] == b' ' || needle.starts_with('/');
        let after_ok = end == hay.len() || hay.as_bytes()[end] == b' ' || needle.ends_with('/');
        if before_ok && after_ok {
            return Some((start, end));
        }
        from = start + 1;
    }
    None
}

/// The sector of a field, from the words of its folded name.
fn sector(field: Option<&str>) -> Option<Sector> {
    let f = format!(" {} ", fold(field?));
    FIELDS.iter().find(|(w, _)| f.contains(&format!(" {w} "))).map(|(_, s)| *s)
}

/// The agency texts folded into one haystack: each comma- (or semicolon- or line-)
/// separated part folded, dots dropped, parts joined by ` / ` and the whole wrapped in
/// `/ … /`, so that rules may anchor on part boundaries.
fn haystack(texts: &[&str]) -> String {
    let mut parts = Vec::new();
    for t in texts {
        for p in t.split([',', ';', '\n']) {
            let f = fold(&p.replace('.', " "));
            if !f.is_empty() {
                parts.push(f);
            }
        }
    }
    format!("/ {} /", parts.join(" / "))
}

/// The agency kinds a procedure's agency texts name, for its levels; with `true` when
/// none could be recognised and the People's Committee of the level was assumed.
///
/// `texts` are the catalogue's agency fields (competent and implementing agencies, as
/// they come, several agencies to a text separated by commas); `levels` the procedure's
/// levels; `field` its field (lĩnh vực), used to resolve generic names ("the specialised
/// agency of the province People's Committee", "ministries") and, for a central-level
/// procedure with no recognisable agency, to assume the field's ministry.
///
/// Kinds come deduplicated, in [`KINDS`] order. Bodies that decide but receive nothing
/// (the Prime Minister, the President, the National Assembly, People's Councils) give no
/// kind. Matching folds diacritics, so "Ủy ban", "Uỷ ban" and "Uy ban" are alike.
pub fn classify(texts: &[&str], levels: &[Level], field: Option<&str>) -> (Vec<String>, bool) {
    let mut hay = haystack(texts);
    let sector = sector(field);
    let mut found: Vec<&'static str> = Vec::new();
    for (pattern, target) in RULES {
        while let Some((start, end)) = find_words(&hay, pattern) {
            // Blank the match out, keeping part boundaries, so that shorter rules do not
            // match inside it.
            let blank: String = hay[start..end]
                .bytes()
                .map(|b| {
                    if b == b'/' {
                        '/'
                    } else if b == b' ' {
                        ' '
                    } else {
                        '#'
                    }
                })
                .collect();
            hay.replace_range(start..end, &blank);
            match *target {
                Kind(code) => found.push(code),
                ByLevel(ministry, province, commune) => {
                    // FIELD resolved: the field's ministry (none when the field is
                    // unknown), the field's department or the People's Committee.
                    let ministry = ministry.and_then(|c| if c == FIELD { sector.map(|s| s.0) } else { Some(c) });
                    let province =
                        province.map(|c| if c == FIELD { sector.and_then(|s| s.1).unwrap_or("UBNDT") } else { c });
                    let mut any = false;
                    for (level, code) in
                        [(Level::Ministry, ministry), (Level::Province, province), (Level::Commune, commune)]
                    {
                        if let (true, Some(code)) = (levels.contains(&level), code) {
                            found.push(code);
                            any = true;
                        }
                    }
                    if !any {
                        if let Some(code) = province.or(commune).or(ministry) {
                            found.push(code);
                        }
                    }
                }
                FieldDepartment => found.push(sector.and_then(|s| s.1).unwrap_or("UBNDT")),
                FieldMinistry => {
                    if let Some(s) = sector {
                        found.push(s.0);
                    }
                }
                Decider => {}
            }
        }
    }
    let flagged = found.is_empty();
    if flagged {
        for level in levels {
            match level {
                Level::Commune => found.push("UBNDX"),
                Level::Province => found.push("UBNDT"),
                Level::Ministry => {
                    if let Some(s) = sector {
                        found.push(s.0);
                    }
                }
                Level::Other => {}
            }
        }
    }
    let kinds = KINDS.iter().filter(|k| found.contains(&k.code)).map(|k| k.code.to_string()).collect();
    (kinds, flagged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_codes_are_uppercase_ascii_and_unique() {
        for (i, k) in KINDS.iter().enumerate() {
            assert!(k.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{}", k.code);
            assert!(KINDS[..i].iter().all(|o| o.code != k.code), "duplicate {}", k.code);
            if let Some(p) = k.parent_kind {
                let parent = kind(p).unwrap_or_else(|| panic!("{}: no parent kind {p}", k.code));
                assert!(parent.level != Level::Commune, "{}", k.code);
            }
        }
    }

    #[test]
    fn rules_are_folded_and_name_known_kinds() {
        let known = |c: &str| c == FIELD || kind(c).is_some();
        for (pattern, target) in RULES {
            for part in pattern.split('/').map(str::trim).filter(|p| !p.is_empty()) {
                assert_eq!(fold(part), part, "{pattern}");
            }
            match *target {
                Kind(c) => assert!(known(c), "{c}"),
                ByLevel(m, p, c) => assert!([m, p, c].into_iter().flatten().all(known), "{pattern}"),
                _ => {}
            }
        }
        for (words, (m, p, c)) in FIELDS {
            assert_eq!(&fold(words), words);
            assert!(known(m) && p.is_none_or(known) && c.is_none_or(known), "{words}");
        }
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(find_words("/ bo cong an /", "cong an"), Some((5, 12)));
        assert_eq!(find_words("/ xcong an /", "cong an"), None);
        assert_eq!(find_words("/ bo truong / x /", "/ bo truong /"), Some((0, 13)));
        assert_eq!(find_words("/ bo truong bo y te /", "/ bo truong /"), None);
    }
}
