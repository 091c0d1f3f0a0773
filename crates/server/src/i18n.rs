//! Localisation with Fluent (Project Fluent's `fluent-bundle`): every string a user sees
//! comes from `locales/{vi,en}/main.ftl`. Vietnamese first.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses `vi` or `en` (also `vi-VN`, `en-US`…).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "vi" || s.starts_with("vi-") {
            Some(Lang::Vi)
        } else if s == "en" || s.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language of an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut prefs: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let lang = Lang::parse(it.next()?)?;
                let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse().ok()).unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        prefs.sort_by(|a, b| b.0.total_cmp(&a.0));
        prefs.first().map(|p| p.1)
    }
}

pub(crate) const VI: &str = include_str!("../locales/vi/main.ftl");
pub(crate) const EN: &str = include_str!("../locales/en/main.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang) -> &'static Bundle {
    static VI_B: OnceLock<Bundle> = OnceLock::new();
    static EN_B: OnceLock<Bundle> = OnceLock::new();
    let (cell, src, id) = match lang {
        Lang::Vi => (&VI_B, VI, unic_langid::langid!("vi")),
        Lang::En => (&EN_B, EN, unic_langid::langid!("en")),
    };
    cell.get_or_init(|| {
        let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(r, errs)| {
            tracing::error!(?errs, lang = lang.as_str(), "errors in the Fluent file");
            r
        });
        let mut b = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks: they would show in HTML attributes and plain text.
        b.set_use_isolating(false);
        if let Err(errs) = b.add_resource(res) {
            tracing::error!(?errs, "duplicate Fluent messages");
        }
        b
    })
}

/// A translator for one language, handed to templates as `tr`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The message `key`; the key itself (and an error in the log) when missing.
    pub fn t(&self, key: &str) -> String {
        self.t_args(key, &[])
    }

    /// The message `key` with named arguments.
    pub fn t_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let b = bundle(self.lang);
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            tracing::error!(key, lang = self.lang.as_str(), "missing translation");
            return key.to_string();
        };
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, FluentValue::from(*v));
        }
        let mut errs = vec![];
        b.format_pattern(pattern, Some(&fa), &mut errs).into_owned()
    }

    /// True when `key` exists in this language.
    pub fn has(&self, key: &str) -> bool {
        bundle(self.lang).has_message(key)
    }

    pub fn lang(&self) -> &'static str {
        self.lang.as_str()
    }

    /// An integer amount of VND in the local form: `1.000.000 ₫` (both languages use the
    /// Vietnamese grouping for the đồng).
    pub fn vnd(&self, amount: i64) -> String {
        format!("{} ₫", group_thousands(amount))
    }

    /// A UTC instant shown in Vietnam time, `dd/mm/yyyy HH:MM`.
    pub fn datetime(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&motcua_core::calendar::vietnam()).format("%d/%m/%Y %H:%M").to_string()
    }

    /// Optional instant; an em dash when absent.
    pub fn datetime_opt(&self, t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
        t.as_ref().map_or_else(|| "—".to_string(), |t| self.datetime(t))
    }
}

/// `1234567` → `1.234.567`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The message ids of a Fluent source, for the completeness test.
pub fn message_ids(src: &str) -> Vec<String> {
    src.lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('.'))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages() {
        let vi = message_ids(VI);
        let en = message_ids(EN);
        let missing_en: Vec<_> = vi.iter().filter(|k| !en.contains(k)).collect();
        let missing_vi: Vec<_> = en.iter().filter(|k| !vi.contains(k)).collect();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_vi.is_empty(), "missing in vi: {missing_vi:?}");
        assert!(vi.len() > 20);
    }

    #[test]
    fn fluent_files_parse_without_errors() {
        for src in [VI, EN] {
            assert!(FluentResource::try_new(src.to_string()).is_ok());
        }
    }

    #[test]
    fn accept_language_by_quality() {
        assert_eq!(Lang::from_accept_language("fr, en;q=0.8, vi;q=0.9"), Some(Lang::Vi));
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr"), None);
    }

    #[test]
    fn money_grouping() {
        assert_eq!(group_thousands(1_000_000), "1.000.000");
        assert_eq!(group_thousands(25_000), "25.000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(Tr::new(Lang::En).vnd(1_000_000), "1.000.000 ₫");
    }
}
