//! Text folding for search: Vietnamese with or without diacritics, in NFC or NFD.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds `s` for accent-insensitive matching: canonical decomposition (so NFC and NFD
/// input fold alike), combining marks dropped, `đ`/`Đ` → `d` (a separate letter, not a
/// mark, so NFD alone leaves it), lowercase, and runs of whitespace and punctuation other
/// than `.` collapsed to one space (the dot is kept because procedure codes such as
/// `1.001193` contain it).
///
/// `fold("Đăng ký  khai sinh")` = `"dang ky khai sinh"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() || c == '.' {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn strips_vietnamese_diacritics_and_folds_d_with_stroke() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("Xác nhận thông tin về cư trú"), "xac nhan thong tin ve cu tru");
        assert_eq!(fold("ĐƯỜNG"), "duong");
    }

    #[test]
    fn nfc_and_nfd_fold_alike() {
        let s = "Cấp giấy chứng nhận quyền sử dụng đất";
        let nfc: String = s.nfc().collect();
        let nfd: String = s.nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(fold(&nfc), fold(&nfd));
        assert_eq!(fold(&nfd), "cap giay chung nhan quyen su dung dat");
    }

    #[test]
    fn keeps_codes_and_collapses_punctuation() {
        assert_eq!(fold(" 1.001193 "), "1.001193");
        assert_eq!(fold("a,  b--c"), "a b c");
    }
}
