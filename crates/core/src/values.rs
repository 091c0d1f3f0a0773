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
        let s = s.trim();
        if s.is_empty() {
            return Err(invalid(field, "required"));
        }
        if s.chars().count() > 100 {
            return Err(invalid(field, "too_long"));
        }
        if s.chars().any(|c| c.is_control() || c == '<' || c == '>') {
            return Err(invalid(field, "invalid_characters"));
        }
        Ok(FullName(s.to_string()))
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
        let s = s.trim();
        if s.is_empty() {
            return Err(invalid(field, "required"));
        }
        if s.chars().count() > 300 {
            return Err(invalid(field, "too_long"));
        }
        Ok(Address(s.to_string()))
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
    Ok(())
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
}
