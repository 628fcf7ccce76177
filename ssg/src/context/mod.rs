//! What templates see: typed views of the network, a site, its sections and pages, built
//! from the model (borrowing its text) and serialized into the template context.
//!
//! Each view is a struct that derives `Serialize`: its fields, and their doc comments, are what
//! a template may use (`docs/templates.md` lists them per template). Serialized into JSON, a
//! view's keys come out sorted (serde_json's map is ordered by key), an `Option` that is `None`
//! is a null (never an absent key), and counts are integers.
//!
//! - [`site`] holds `network` and `site`, made once per language;
//! - [`page`] holds `page` and the page summaries of lists and feeds;
//! - [`section`] holds `section`, breadcrumbs, translations, `org_chart` and the sitemap's
//!   `tree`;
//! - [`mod@paginator`] holds `paginator`;
//! - [`mod@facets`] holds a section's `facets` and a facet list's `facet`;
//! - [`taxonomy`] holds `taxonomy`, `term` and `terms`;
//! - [`sitemap`] holds the `entries` of `sitemap.xml`.

use std::collections::{BTreeMap, HashMap};

use cms_core::{Network, Site};
use serde::Serialize;
use serde_json::Value;

use crate::lazy_markdown::LazyMd;

pub mod facets;
pub mod page;
pub mod paginator;
pub mod section;
pub mod site;
pub mod sitemap;
pub mod taxonomy;

pub use facets::{facet_ref, facets, facets_view, Facet};
pub use page::{page_summary, page_view};
pub use paginator::paginator;
pub use section::{feed_section, org_chart, section_tree, section_view};
pub use site::{network_view, site_view};
pub use sitemap::sitemap_entries;
pub use taxonomy::{Taxonomy, Term};

/// A view as the JSON tree a template context holds (Tera reads JSON values).
pub fn value(view: impl Serialize) -> Value {
    // ok: serde_json refuses only maps with non-text keys and Serialize impls that fail; the
    // views are derived structs whose maps all have text keys.
    serde_json::to_value(view).expect("a template view serializes to JSON") // ok: see above
}

/// Everything rendering a site needs, computed once.
pub struct SiteData<'a> {
    /// Index of the site in the network.
    pub site_idx: usize,
    /// The site.
    pub site: &'a Site,
    /// The Markdown of each page, rendered when an output needs it.
    pub pages_md: Vec<LazyMd<'a>>,
    /// The Markdown of each section, rendered when an output needs it.
    pub sections_md: Vec<LazyMd<'a>>,
    /// The [`page::PageSummary`] of each page, for lists and feeds: made once, as JSON, since each is
    /// copied into every list that shows the page.
    pub summaries: Vec<Value>,
    /// The build cache's key of each summary (see [`crate::deferred`]).
    pub summary_keys: Vec<u64>,
    /// The [`site::SiteView`] per language, as JSON: made once, copied into every output.
    pub site_views: HashMap<String, Value>,
    /// Taxonomies per language.
    pub taxonomies: Vec<Taxonomy>,
    /// Translations by translation key: (lang, path).
    pub translations: HashMap<String, Vec<(String, String)>>,
    /// Site partials (`templates/site/<name>.html`), rendered and minified once per language.
    pub partials: HashMap<String, crate::partials::Partials>,
    /// Facets of each section that has some.
    pub facets: HashMap<usize, Vec<Facet>>,
    /// The stylesheet, inlined in standalone copies of articles.
    pub inline_css: String,
    /// CSS and JS files by name, with the fingerprinted name they are written under.
    pub fingerprinted: BTreeMap<String, String>,
    /// Per language, the build cache's key of what every output of the site shares (see
    /// [`crate::build_cache`]).
    pub base_keys: HashMap<String, u64>,
    /// The URL of each processed image of a bundle (its widest variant in its own format),
    /// by the page's path and the file's name (`/tin-tuc/a/anh.jpg`): the file itself is
    /// not published.
    pub image_urls: HashMap<String, String>,
}

/// `/tin-tuc/a/` → `sites/<domain>/tin-tuc/a/index.html`.
pub fn html_file(domain: &str, path: &str) -> String {
    format!("sites/{domain}{path}index.html")
}

/// The language prefix of URL paths: `` for the default language, `/en` otherwise.
pub fn lang_prefix(network: &Network, lang: &str) -> String {
    if lang == network.config.default_language {
        String::new()
    } else {
        format!("/{lang}")
    }
}

/// `assets`: the URL path of each fingerprinted CSS and JS file (`/style.3f2a….css`), by its
/// name with `.`, `/` and `-` written `_`: `style.css` is `assets.style_css`, since a dot would
/// read as a nested key.
pub fn assets(fingerprinted: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    fingerprinted
        .iter()
        .map(|(name, file)| (name.replace(['.', '/', '-'], "_"), format!("/{file}")))
        .collect()
}

/// `vi`, or its English version `en` when rendering English and there is one.
fn localized<'a>(lang: &str, vi: &'a str, en: Option<&'a String>) -> &'a str {
    match (lang, en) {
        ("en", Some(e)) if !e.is_empty() => e,
        _ => vi,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::json;

    use super::*;
    use crate::links::LinkIndex;

    /// What [`page_view`] and [`section_view`] read of a site's data.
    pub(crate) fn site_data(site: &Site) -> SiteData<'_> {
        SiteData {
            site_idx: 0,
            site,
            pages_md: Vec::new(),
            sections_md: Vec::new(),
            summaries: Vec::new(),
            summary_keys: Vec::new(),
            site_views: HashMap::new(),
            taxonomies: Vec::new(),
            translations: HashMap::new(),
            partials: HashMap::new(),
            facets: HashMap::new(),
            inline_css: String::new(),
            fingerprinted: Default::default(),
            base_keys: HashMap::new(),
            image_urls: HashMap::new(),
        }
    }

    #[test]
    fn a_file_field_is_the_file_with_its_size_and_is_listed_in_files() {
        let (_dir, n) = network();
        let site = &n.sites[0];
        let data = site_data(site);
        let i = site
            .pages
            .iter()
            .position(|p| p.path == "/tin-tuc/b/")
            .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let v = value(page_view(&n, &data, i, today));
        let file = json!({"name": "anh.png", "url": "/tin-tuc/b/anh.png", "size": 5, "ext": "PNG"});
        assert_eq!(
            v["field_list"],
            json!([
                {"name": "image", "label": "Ảnh đại diện", "type": "file", "value": file},
                {"name": "image_alt", "label": "Mô tả ảnh", "type": "string", "value": "Ảnh"},
            ])
        );
        assert_eq!(v["files"], json!([file]));
        assert_eq!(v["assets"], json!([file]));
        assert_eq!(v["section"], json!({"title": "Tin", "path": "/tin-tuc/"}));
        assert_eq!(
            v["breadcrumbs"],
            json!([
                {"title": "M", "path": "/"},
                {"title": "Tin", "path": "/tin-tuc/"},
                {"title": "B", "path": "/tin-tuc/b/"},
            ])
        );
        // A news page has no status: the key is there, null.
        assert_eq!(v.get("status"), Some(&Value::Null));
    }

    /// A network of one site, `mt`, with a home, a section `tin-tuc` and one page in it that
    /// has a date but no description, and a news bundle `b` with an image.
    pub(crate) fn network() -> (tempfile::TempDir, Network) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sites/mt/tin-tuc/b")).unwrap();
        let files = [
            (
                "sites/mt/tin-tuc/b/index.md",
                "+++\ntitle=\"B\"\nkind=\"news\"\n[news]\nimage=\"anh.png\"\nimage_alt=\"Ảnh\"\n+++\n",
            ),
            ("sites/mt/tin-tuc/b/anh.png", "12345"),
            (
                "network.toml",
                "[network]\nname=\"N\"\nbase_domain=\"mt.gov.vn\"\nportal=\"mt\"\n",
            ),
            ("sites/mt/site.toml", "name=\"M\"\ndomain=\"mt.gov.vn\"\n"),
            ("sites/mt/_index.md", "+++\ntitle=\"M\"\n+++\n"),
            ("sites/mt/tin-tuc/_index.md", "+++\ntitle=\"Tin\"\n+++\n"),
            (
                "sites/mt/tin-tuc/a.md",
                "+++\ntitle=\"A\"\ndate=2024-05-01\n+++\nText.\n",
            ),
        ];
        for (f, text) in files {
            std::fs::write(root.join(f), text).unwrap();
        }
        let n = cms_core::load(&cms_core::Source::Dir(root.to_path_buf())).unwrap();
        (dir, n)
    }

    #[test]
    fn a_summary_has_every_key_with_null_for_what_the_page_lacks() {
        let (_dir, n) = network();
        let site = &n.sites[0];
        let page = site.pages.iter().find(|p| p.path == "/tin-tuc/a/").unwrap();
        let v = value(page_summary(&n, site, page));
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        // serde_json's map is sorted by key: the order templates iterate in.
        assert_eq!(
            keys,
            [
                "date",
                "description",
                "fields",
                "image",
                "kind",
                "kind_label",
                "lang",
                "path",
                "permalink",
                "site",
                "title",
                "updated"
            ]
        );
        assert_eq!(v["description"], Value::Null);
        assert_eq!(v["updated"], Value::Null);
        assert_eq!(v["date"], "2024-05-01");
        assert_eq!(v["permalink"], "https://mt.gov.vn/tin-tuc/a/");
        assert_eq!(
            v["site"],
            json!({"id": "mt", "name": "M", "url": "https://mt.gov.vn/"})
        );
    }

    #[test]
    fn a_site_without_a_menu_gets_its_sections_and_the_site_map() {
        let (_dir, n) = network();
        let site = &n.sites[0];
        let links = LinkIndex::new(&n);
        let v = value(site_view(&n, site, 0, "vi", &links, &HashSet::new()));
        assert_eq!(
            v["menu"],
            json!([
                {"name": "Trang chủ", "url": "/"},
                {"name": "Tin", "url": "/tin-tuc/"},
                {"name": "Sơ đồ cổng", "url": "/so-do-cong/"},
            ])
        );
        assert_eq!(v["responsible"], Value::Null);
        assert_eq!(v["contact"]["address"], "");
        assert_eq!(v["contact"]["phone"], Value::Null);
        assert_eq!(v["home"], "/");
        let net = value(network_view(&n, "vi", false));
        assert_eq!(net["sites"], json!([]));
        let net = value(network_view(&n, "vi", true));
        assert_eq!(net["sites"][0]["url"], "https://mt.gov.vn/");
        assert_eq!(net["portal_url"], "https://mt.gov.vn/");
    }

    /// Every key of `v` and of the maps under it, but for the contents of maps written by
    /// editors (`fields`, `extra`, `theme`).
    fn keys(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    out.insert(k.clone());
                    if !matches!(k.as_str(), "fields" | "extra" | "theme") {
                        keys(v, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_key_of_the_views_is_documented_for_theme_authors() {
        let doc = include_str!("../../../docs/templates.md");
        let (_dir, n) = network();
        let site = &n.sites[0];
        let data = site_data(site);
        let links = LinkIndex::new(&n);
        let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let mut views = vec![
            value(site_view(&n, site, 0, "vi", &links, &HashSet::new())),
            value(network_view(&n, "vi", true)),
            value(paginator(&[1, 2, 3], 1, 2, "/tin-tuc/").0),
            value(section_tree(&data, 0)),
            value(sitemap_entries(&data)),
        ];
        for (i, p) in site.pages.iter().enumerate() {
            views.push(value(page_summary(&n, site, p)));
            views.push(value(page_view(&n, &data, i, today)));
        }
        views.push(value(crate::images::tests::picture()));
        for c in 0..site.sections.len() {
            views.push(value(section_view(&data, c)));
            views.push(value(feed_section(&site.sections[c])));
        }
        let mut all = std::collections::BTreeSet::new();
        views.iter().for_each(|v| keys(v, &mut all));
        assert!(
            all.contains("breadcrumbs") && all.contains("pagers"),
            "{all:?}"
        );
        let missing: Vec<&String> = all
            .iter()
            .filter(|k| !doc.contains(&format!("`{k}`")))
            .collect();
        assert!(missing.is_empty(), "not in docs/templates.md: {missing:?}");
    }
}
