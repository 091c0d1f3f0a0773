//! Domain values parsed once: after `parse`, the rest of the code never re-checks them.

use serde::Serialize;
use std::fmt;

/// Why a value was refused; `field` is the API field name, `detail` an English message key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct Invalid {
    pub field: &'static str,
    /// A stable message key (e.g. `required`, `too_long`, `id_number_format`) that the server
    /// translates for the user.
    pub detail: &'static str,
}

fn invalid(field: &'static str, detail: &'static str) -> Invalid {
    Invalid { field, detail }
}

/// True for characters that a person's text never needs and that can hide or disguise
/// what is shown: control characters (NUL, escape, bell…), bidirectional overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069, which let "fdp.exe" read as "exe.pdf"), and
/// zero-width characters (U+200B–U+200D, U+2060, U+FEFF).
pub fn is_disallowed_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\r' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Checks free text a person typed (an address, a reason, a document name): trimmed,
/// 1..=`max` characters, no [`is_disallowed_char`]; line breaks allowed when `multiline`.
///
/// # Errors
/// `required` when blank, `too_long`, `invalid_characters`.
pub fn clean_text(field: &'static str, s: &str, max: usize, multiline: bool) -> Result<String, Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return Err(invalid(field, "required"));
    }
    if s.chars().count() > max {
        return Err(invalid(field, "too_long"));
    }
    if s.chars().any(|c| is_disallowed_char(c) || (!multiline && matches!(c, '\n' | '\r' | '\t'))) {
        return Err(invalid(field, "invalid_characters"));
    }
    Ok(s.to_string())
}

macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// A person's full name: 1–100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FullName(String);
string_value!(FullName);

impl FullName {
    /// # Errors
    /// `required` when blank, `too_long` past 100 characters, `invalid_characters` with
    /// control characters or `<>` (names never need them).
    pub fn parse(field: &'static str, s: &str) -> Result<FullName, Invalid> {
        let s = clean_text(field, s, 100, false)?;
        // A name has at least one letter; `<` and `>` are never part of one.
        if !s.chars().any(char::is_alphabetic) || s.contains(['<', '>']) {
            return Err(invalid(field, "invalid_characters"));
        }
        Ok(FullName(s))
    }
}

/// A Vietnamese personal ID number: the 12-digit citizen identity number (căn cước, since
/// 2016; Law on Identification 2023), or the older 9-digit identity card number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdNumber(String);
string_value!(IdNumber);

impl IdNumber {
    /// # Errors
    /// `required` when blank; `id_number_format` unless 12 or 9 digits (spaces ignored).
    pub fn parse(field: &'static str, s: &str) -> Result<IdNumber, Invalid> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.is_empty() {
            return Err(invalid(field, "required"));
        }
        if !(digits.len() == 12 || digits.len() == 9) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(field, "id_number_format"));
        }
        Ok(IdNumber(digits))
    }
}

/// A Vietnamese mobile or landline number, stored as `0` + 9–10 digits. Accepts `+84` and
/// `84` prefixes, spaces, dots and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneNumber(String);
string_value!(PhoneNumber);

impl PhoneNumber {
    /// # Errors
    /// `required` when blank; `phone_format` when not a Vietnamese number.
    pub fn parse(field: &'static str, s: &str) -> Result<PhoneNumber, Invalid> {
        let s = s.trim();
        if s.is_empty() {
            return Err(invalid(field, "required"));
        }
        let mut digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
        if let Some(rest) = digits.strip_prefix("+84") {
            digits = format!("0{rest}");
        } else if digits.starts_with("84") && digits.len() >= 11 {
            digits = format!("0{}", &digits[2..]);
        }
        let ok =
            digits.starts_with('0') && (10..=11).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(invalid(field, "phone_format"));
        }
        Ok(PhoneNumber(digits))
    }
}

/// An email address, lower-cased; checked for shape only (one `@`, a dot in the domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email(String);
string_value!(Email);

impl Email {
    /// # Errors
    /// `required` when blank; `email_format` when not of the shape `local@domain.tld`.
    pub fn parse(field: &'static str, s: &str) -> Result<Email, Invalid> {
        let s = s.trim().to_lowercase();
        if s.is_empty() {
            return Err(invalid(field, "required"));
        }
        let ok = s.len() <= 254
            && s.split_once('@').is_some_and(|(l, d)| {
                !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !d.contains('@')
            })
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(invalid(field, "email_format"));
        }
        Ok(Email(s))
    }
}

/// A free-text address, 1–300 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address(String);
string_value!(Address);

impl Address {
    /// # Errors
    /// `required` when blank, `too_long` past 300 characters.
    pub fn parse(field: &'static str, s: &str) -> Result<Address, Invalid> {
        Ok(Address(clean_text(field, s, 300, false)?))
    }
}

/// A password for a new account: 8–128 characters.
pub fn check_new_password(field: &'static str, s: &str) -> Result<(), Invalid> {
    let n = s.chars().count();
    if n == 0 {
        return Err(invalid(field, "required"));
    }
    if n < 8 {
        return Err(invalid(field, "password_too_short"));
    }
    if n > 128 {
        return Err(invalid(field, "too_long"));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid(field, "invalid_characters"));
    }
    Ok(())
}

/// A username chosen by a person: 3–32 characters, lower-cased, starting with a letter,
/// then letters, digits, `.`, `_` or `-` (ASCII). Starting with a letter and having no `@`
/// keeps a username from ever looking like someone else's phone number or email, which are
/// sign-in names too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Username(String);
string_value!(Username);

impl Username {
    /// # Errors
    /// `required` when blank; `username_format` otherwise when not of that shape.
    pub fn parse(field: &'static str, s: &str) -> Result<Username, Invalid> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(invalid(field, "required"));
        }
        let ok = (3..=32).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !ok {
            return Err(invalid(field, "username_format"));
        }
        Ok(Username(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers() {
        assert_eq!(IdNumber::parse("id", "001 099 012345").unwrap().as_str(), "001099012345");
        assert!(IdNumber::parse("id", "123456789").is_ok());
        assert_eq!(IdNumber::parse("id", "").unwrap_err().detail, "required");
        assert_eq!(IdNumber::parse("id", "12345").unwrap_err().detail, "id_number_format");
        assert_eq!(IdNumber::parse("id", "00109901234x").unwrap_err().detail, "id_number_format");
    }

    #[test]
    fn phones() {
        assert_eq!(PhoneNumber::parse("p", "+84 912 345 678").unwrap().as_str(), "0912345678");
        assert_eq!(PhoneNumber::parse("p", "0912.345.678").unwrap().as_str(), "0912345678");
        assert_eq!(PhoneNumber::parse("p", "84912345678").unwrap().as_str(), "0912345678");
        assert_eq!(PhoneNumber::parse("p", "12345").unwrap_err().detail, "phone_format");
    }

    #[test]
    fn emails_and_names() {
        assert_eq!(Email::parse("e", " An@Example.VN ").unwrap().as_str(), "an@example.vn");
        assert!(Email::parse("e", "an@localhost").is_err());
        assert!(Email::parse("e", "@x.vn").is_err());
        assert_eq!(FullName::parse("n", "  Nguyễn Văn An ").unwrap().as_str(), "Nguyễn Văn An");
        assert_eq!(FullName::parse("n", " ").unwrap_err().detail, "required");
        assert_eq!(FullName::parse("n", &"a".repeat(101)).unwrap_err().detail, "too_long");
    }

    #[test]
    fn invisible_control_and_bidi_characters_are_refused() {
        for bad in ["\u{200b}\u{200b}", "\u{202e}", "Nguyễn \u{202e}An", "a\u{0}b", "x\u{1b}[31m"] {
            assert!(FullName::parse("n", bad).is_err(), "{bad:?}");
            assert!(Address::parse("a", bad).is_err(), "{bad:?}");
        }
        assert_eq!(Address::parse("a", "\u{200b}\u{feff}").unwrap_err().detail, "invalid_characters");
        assert_eq!(FullName::parse("n", "1234").unwrap_err().detail, "invalid_characters");
        assert!(clean_text("r", "dòng 1\ndòng 2", 100, true).is_ok());
        assert!(clean_text("r", "dòng 1\ndòng 2", 100, false).is_err());
        assert!(check_new_password("p", "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}").is_err());
    }

    #[test]
    fn usernames_never_look_like_phones_or_emails() {
        assert_eq!(Username::parse("u", " Can.Bo_1 ").unwrap().as_str(), "can.bo_1");
        for bad in ["0912345678", "a@b.vn", "ab", "dеmo", "demo\u{200b}", "<script>", "_x1"] {
            assert_eq!(Username::parse("u", bad).unwrap_err().detail, "username_format", "{bad:?}");
        }
    }
}
