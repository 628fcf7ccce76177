//! `search/ui.json`: what the search pages of `cms serve` show besides results, in each
//! language. Written by the build, read by the server: this type is the one description of
//! the file both use.
//!
//! Fields are declared in alphabetical order and maps are sorted, so the file's bytes do not
//! depend on anything but its content.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The strings of the search pages, by language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchUi {
    /// The network's default language, the one used for a language without its own strings.
    #[serde(default = "default_language")]
    pub default_language: String,
    /// The strings of each language of the network.
    #[serde(default)]
    pub languages: BTreeMap<String, UiLanguage>,
}

/// The strings of one language.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UiLanguage {
    /// Each content kind's label, by kind name.
    #[serde(default)]
    pub kinds: BTreeMap<String, String>,
    /// Each site, by id.
    #[serde(default)]
    pub sites: BTreeMap<String, UiSite>,
    /// The theme's UI strings, by key.
    #[serde(default)]
    pub strings: BTreeMap<String, String>,
    /// Each taxonomy's label, by taxonomy name.
    #[serde(default)]
    pub taxonomies: BTreeMap<String, String>,
}

/// A site as the search pages name it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UiSite {
    /// Its domain.
    pub domain: String,
    /// Its name in this language.
    pub name: String,
    /// Whether it is the network's portal.
    #[serde(default)]
    pub portal: bool,
}

fn default_language() -> String {
    "vi".to_string()
}

impl Default for SearchUi {
    fn default() -> Self {
        SearchUi {
            default_language: default_language(),
            languages: BTreeMap::new(),
        }
    }
}

impl SearchUi {
    /// The strings of `lang`, or of the default language when it has none.
    pub fn language(&self, lang: &str) -> Option<&UiLanguage> {
        self.languages
            .get(lang)
            .or_else(|| self.languages.get(&self.default_language))
    }

    /// A UI string, or its key when the theme has none.
    pub fn t<'a>(&'a self, lang: &str, key: &'a str) -> &'a str {
        self.language(lang)
            .and_then(|l| l.strings.get(key))
            .map_or(key, String::as_str)
    }

    /// A site's name, or its id.
    pub fn site_name<'a>(&'a self, lang: &str, id: &'a str) -> &'a str {
        self.language(lang)
            .and_then(|l| l.sites.get(id))
            .map_or(id, |s| s.name.as_str())
    }

    /// A kind's label, or its name.
    pub fn kind_label<'a>(&'a self, lang: &str, kind: &'a str) -> &'a str {
        self.language(lang)
            .and_then(|l| l.kinds.get(kind))
            .map_or(kind, String::as_str)
    }

    /// A taxonomy's label, or its name.
    pub fn taxonomy_label<'a>(&'a self, lang: &str, tax: &'a str) -> &'a str {
        self.language(lang)
            .and_then(|l| l.taxonomies.get(tax))
            .map_or(tax, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_sorted_read_back_with_fallbacks() {
        let mut ui = SearchUi::default();
        let mut vi = UiLanguage::default();
        vi.strings.insert("search".into(), "Tìm kiếm".into());
        vi.kinds.insert("news".into(), "Tin tức".into());
        vi.sites.insert(
            "mt".into(),
            UiSite {
                domain: "mt.gov.vn".into(),
                name: "Bộ".into(),
                portal: true,
            },
        );
        ui.languages.insert("vi".into(), vi);
        let text = serde_json::to_string(&ui).unwrap();
        assert_eq!(
            text,
            r#"{"default_language":"vi","languages":{"vi":{"kinds":{"news":"Tin tức"},"sites":{"mt":{"domain":"mt.gov.vn","name":"Bộ","portal":true}},"strings":{"search":"Tìm kiếm"},"taxonomies":{}}}}"#
        );
        let back: SearchUi = serde_json::from_str(&text).unwrap();
        assert_eq!(back, ui);
        assert_eq!(back.t("en", "search"), "Tìm kiếm", "the default language");
        assert_eq!(back.t("vi", "nothing"), "nothing", "the key");
        assert_eq!(back.site_name("vi", "vr"), "vr");
        assert_eq!(back.kind_label("vi", "news"), "Tin tức");
        assert_eq!(back.taxonomy_label("vi", "topics"), "topics");
        let empty: SearchUi = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.default_language, "vi");
    }
}
