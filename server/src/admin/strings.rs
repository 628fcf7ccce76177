//! The admin's UI strings, Vietnamese first with English translations, from
//! `admin/i18n/{vi,en}.toml` (embedded). Templates see the chosen language's table as `t`.

use std::collections::BTreeMap;

/// The languages of the admin UI; the first is the default.
pub const LANGS: &[&str] = &["vi", "en"];

/// The cookie that keeps a user's choice of language.
pub const LANG_COOKIE: &str = "cms_admin_lang";

/// One language's strings, by key.
pub type Table = BTreeMap<String, String>;

/// The strings of every language of [`LANGS`].
#[derive(Debug)]
pub struct Strings {
    vi: Table,
    en: Table,
}

impl Strings {
    /// Parses the embedded tables. They are part of the binary, so a broken table is a bug
    /// caught by the unit test below, not an input error.
    pub fn new() -> Result<Strings, toml::de::Error> {
        Ok(Strings {
            vi: toml::from_str(include_str!("../../admin/i18n/vi.toml"))?,
            en: toml::from_str(include_str!("../../admin/i18n/en.toml"))?,
        })
    }

    /// The table of `lang` (Vietnamese for any other).
    pub fn table(&self, lang: &str) -> &Table {
        match lang {
            "en" => &self.en,
            _ => &self.vi,
        }
    }
}

/// `lang` when it is one of [`LANGS`], else the default.
pub fn known(lang: &str) -> &'static str {
    LANGS
        .iter()
        .find(|l| **l == lang)
        .copied()
        .unwrap_or(LANGS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_no_empty_string() {
        let s = Strings::new().expect("the embedded tables parse");
        let vi: Vec<_> = s.vi.keys().collect();
        let en: Vec<_> = s.en.keys().collect();
        assert_eq!(vi, en, "vi.toml and en.toml must have the same keys");
        for (k, v) in s.vi.iter().chain(s.en.iter()) {
            assert!(!v.trim().is_empty(), "`{k}` is empty");
        }
        assert_eq!(known("en"), "en");
        assert_eq!(known("fr"), "vi");
    }
}
