//! The loaded network: immutable for the length of a build.

use serde_json::{Map, Value};

use crate::config::{NetworkConfig, SiteConfig};
use crate::diagnostic::Diagnostic;
use crate::meta::{PageMeta, SectionMeta};
use crate::schema::Schemas;
use crate::source::SourceFile;

/// The whole network: its configuration, its sites and its content kinds.
#[derive(Debug, Clone)]
pub struct Network {
    /// `network.toml`.
    pub config: NetworkConfig,
    /// Every site, the portal first, then by id.
    pub sites: Vec<Site>,
    /// Content kinds.
    pub schemas: Schemas,
    /// Every page with a publishing window (`publish_at`, `unpublish_at`), those left out at
    /// [`Network::now`] included: when the site changes by itself next.
    pub scheduled: Vec<crate::schedule::Scheduled>,
    /// The time (Vietnam) the pages were selected against: outside their window, left out.
    pub now: chrono::NaiveDateTime,
    /// Warnings found while loading.
    pub warnings: Vec<Diagnostic>,
    /// Prefix for paths in messages (`content/`, `HEAD:content/`).
    pub display_root: String,
}

impl Network {
    /// The site with id `id`.
    pub fn site(&self, id: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.id == id)
    }

    /// The portal site.
    pub fn portal(&self) -> Option<&Site> {
        self.site(&self.config.portal)
    }

    /// The number of pages in every site.
    pub fn page_count(&self) -> usize {
        self.sites.iter().map(|s| s.pages.len()).sum()
    }
}

/// One site of the network.
#[derive(Debug, Clone)]
pub struct Site {
    /// Folder name under `sites/`.
    pub id: String,
    /// `site.toml`.
    pub config: SiteConfig,
    /// Whether this is the network's portal.
    pub is_portal: bool,
    /// Its languages, the default first.
    pub languages: Vec<String>,
    /// Its sections; index 0 is the home page in the default language.
    pub sections: Vec<Section>,
    /// Its pages (drafts left out).
    pub pages: Vec<Page>,
    /// Files copied as they are: `static/…` (with `rel` relative to `static/`) and loose
    /// files beside sections (relative to the site).
    pub static_files: Vec<SourceFile>,
    /// Templates overriding the theme's: (name relative to `templates/`, text).
    pub templates: Vec<(String, String)>,
}

impl Site {
    /// The home section in `lang`.
    pub fn home(&self, lang: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.dir.is_empty() && s.lang == lang)
    }

    /// `https://<domain>`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.config.domain)
    }
}

/// A section: a folder with an `_index.md`.
#[derive(Debug, Clone)]
pub struct Section {
    /// Source path relative to the content root, for messages.
    pub file: String,
    /// Language.
    pub lang: String,
    /// Folder relative to the site (`tin-tuc`, `` for home).
    pub dir: String,
    /// URL path: `/tin-tuc/`, `/en/tin-tuc/`, `/`.
    pub path: String,
    /// Front matter.
    pub meta: SectionMeta,
    /// Markdown body.
    pub body: String,
    /// Line the body starts on.
    pub body_line: usize,
    /// Parent section (same language).
    pub parent: Option<usize>,
    /// Child sections (same language), by weight then title.
    pub subsections: Vec<usize>,
    /// Its pages, in the section's order.
    pub pages: Vec<usize>,
    /// Shared by all translations of this section.
    pub translation_key: String,
}

/// A file of a page bundle.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Name relative to the bundle folder.
    pub name: String,
    /// Where its bytes are.
    pub file: SourceFile,
}

/// A page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Source path relative to the content root, for messages.
    pub file: String,
    /// Source path relative to the site folder, as `@/<site>/<rel>` links name it.
    pub rel: String,
    /// Language.
    pub lang: String,
    /// Slug.
    pub slug: String,
    /// URL path: `/tin-tuc/<slug>/`.
    pub path: String,
    /// Content kind.
    pub kind: String,
    /// Front matter.
    pub meta: PageMeta,
    /// The kind's typed fields, validated and normalized.
    pub fields: Map<String, Value>,
    /// Markdown body.
    pub body: String,
    /// Line the body starts on.
    pub body_line: usize,
    /// The section listing it (same language), if any.
    pub section: Option<usize>,
    /// Files of its bundle.
    pub assets: Vec<Asset>,
    /// Shared by all translations of this page.
    pub translation_key: String,
}
