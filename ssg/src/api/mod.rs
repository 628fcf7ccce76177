//! The read API as static JSON: what every build writes under each site's `/api/v1/`, so
//! apps read published content from the CDN, and what `cms serve` answers at `/api/v1/sites/…`
//! (the server reads these same files).
//!
//! - `sites.json` ([`SitesDoc`]): every site of the network;
//! - `site.json` ([`SiteDoc`]): the site, its sections as trees per language, its taxonomies;
//! - `content.json` ([`ContentList`]): every published page and section as a
//!   [`ContentSummary`], newest first;
//! - `content/<path without .md>.json` ([`ContentItem`]): one page or section whole, its
//!   typed fields and its body as sanitized HTML.
//!
//! Items are named by their file path relative to the site folder, as the git store names
//! them (`tin-tuc/cao-toc.md`, `_index.en.md`). The types derive `Serialize`, `Deserialize` and
//! `utoipa::ToSchema`: the server's OpenAPI document describes them from here.

mod build;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use build::sort_newest_first;
pub(crate) use build::{run, ApiData, ApiJob};

/// The folder of the API under a site's output folder.
pub const API_DIR: &str = "api/v1";

/// The `kind` of a section in [`ContentSummary`] (pages have their content kind).
pub const SECTION_KIND: &str = "section";

/// A site of the network, as `sites.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SiteRef {
    /// Its id: the folder under `sites/` (`drvn`).
    pub id: String,
    /// Its name, in Vietnamese.
    pub name: String,
    /// Its domain (`drvn.mt.gov.vn`).
    pub domain: String,
    /// Its home: `https://<domain>/`.
    pub url: String,
}

/// `sites.json`: every site of the network, the portal first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SitesDoc {
    /// The network's name.
    pub network: String,
    /// Its sites.
    pub sites: Vec<SiteRef>,
}

/// A section in the tree of `site.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SectionNode {
    /// Its file, relative to the site (`tin-tuc/_index.md`).
    pub path: String,
    /// Its URL.
    pub url: String,
    /// Its title.
    pub title: String,
    /// How many pages it lists.
    pub pages: usize,
    /// Its subsections.
    #[schema(no_recursion)]
    pub children: Vec<SectionNode>,
}

/// A term of a taxonomy, in `site.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TermDoc {
    /// As written by editors.
    pub name: String,
    /// Its slug: the value of the `term` filter.
    pub slug: String,
    /// Its page's URL.
    pub url: String,
    /// How many pages have it.
    pub pages: usize,
}

/// A taxonomy of one language of the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaxonomyDoc {
    /// Its name in `network.toml` (`topics`).
    pub name: String,
    /// The language.
    pub lang: String,
    /// Its terms, by slug.
    pub terms: Vec<TermDoc>,
}

/// `site.json`: one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SiteDoc {
    /// Its id.
    pub id: String,
    /// Its name, in Vietnamese.
    pub name: String,
    /// Its English name, if any.
    pub name_en: Option<String>,
    /// Its domain.
    pub domain: String,
    /// Its home: `https://<domain>/`.
    pub url: String,
    /// Whether it is the network's portal.
    pub portal: bool,
    /// Its languages, the default first.
    pub languages: Vec<String>,
    /// Per language, the home section and its subsections.
    pub sections: BTreeMap<String, SectionNode>,
    /// Its taxonomies, per language.
    pub taxonomies: Vec<TaxonomyDoc>,
}

/// A page or section, as `content.json` and the content listing show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContentSummary {
    /// Its file, relative to the site (`tin-tuc/cao-toc.md`): the item's name in the API.
    pub path: String,
    /// Its URL.
    pub url: String,
    /// Its content kind (`news`, `legal`, `page`…), or `section`.
    pub kind: String,
    /// The folder of the section that lists it, relative to the site (`tin-tuc`; `` for the
    /// home page); null for a home section.
    pub section: Option<String>,
    /// Its language.
    pub lang: String,
    /// Its title.
    pub title: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its date, `2024-05-01` or `2024-05-01T08:30:00`, if any.
    pub date: Option<String>,
    /// When it was last updated, same form, if any.
    pub updated: Option<String>,
    /// Its taxonomy terms, by taxonomy, as written.
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// The files of its translations (`tin-tuc/cao-toc.en.md`).
    pub translations: Vec<String>,
}

/// `content.json`: every published page and section of a site, newest first (then by path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContentList {
    /// The site's id.
    pub site: String,
    /// The items.
    pub items: Vec<ContentSummary>,
}

/// One page of a filtered listing (`GET /api/v1/sites/{site}/content`): the same summaries
/// as `content.json`, in the same order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContentPage {
    /// The site's id.
    pub site: String,
    /// How many items match the filters, on every page.
    pub total: usize,
    /// This page, from 1.
    pub page: usize,
    /// Items per page.
    pub per_page: usize,
    /// How many pages the matching items fill (0 when none match).
    pub pages: usize,
    /// The items of this page.
    pub items: Vec<ContentSummary>,
}

/// Another item, as an item's links and translations name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemRef {
    /// Its file, relative to the site.
    pub path: String,
    /// Its URL.
    pub url: String,
    /// Its title.
    pub title: String,
    /// Its language.
    pub lang: String,
}

/// Where an item leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemLinks {
    /// Its URL.
    pub url: String,
    /// The section that lists it, if any.
    pub section: Option<ItemRef>,
    /// The item before it in its section's order, if any.
    pub prev: Option<ItemRef>,
    /// The item after it, if any.
    pub next: Option<ItemRef>,
}

/// `content/<path>.json`: one page or section whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContentItem {
    /// What the listing shows of it.
    #[serde(flatten)]
    pub summary: ContentSummary,
    /// Its content kind's typed fields, by name (dates as text), as validated.
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
    /// Front matter `[extra]`, as written.
    #[schema(value_type = Object)]
    pub extra: Value,
    /// Its body as HTML (sanitized unless the site keeps raw HTML). Relative links are
    /// relative to `url`.
    pub html: String,
    /// Its translations.
    pub translations_of: Vec<ItemRef>,
    /// Where it leads.
    pub links: ItemLinks,
}

/// The file of the item at `path` (relative to the site), relative to the API folder:
/// `tin-tuc/cao-toc.md` → `content/tin-tuc/cao-toc.json`.
pub fn item_file(path: &str) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    format!("content/{stem}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_files_keep_the_path_and_drop_md() {
        assert_eq!(item_file("tin-tuc/a.md"), "content/tin-tuc/a.json");
        assert_eq!(item_file("_index.en.md"), "content/_index.en.json");
        assert_eq!(item_file("a/b/index.md"), "content/a/b/index.json");
    }
}
