//! The content model of a government portal network.
//!
//! A content repository (see `docs/content-format.md`) holds one network: `network.toml`,
//! `sites/<id>/…` and optional `schema/<kind>.toml`. [`load`] reads it from a folder or from a
//! git revision ([`Source`]), normalizes all text to NFC, parses front matter (TOML or YAML),
//! validates every page against its content kind ([`Schemas`]) and returns an immutable
//! [`Network`], or every problem found as [`Diagnostic`]s.
//!
//! A load runs in stages, each a module: `source` lists the files; `load` reads
//! `network.toml`, then `site_files` sorts the files into kind schemas (`schema`) and sites
//! and reads each `site.toml` (`config`); `markdown_file` parses each Markdown file in
//! parallel (`decode` for its text, `frontmatter` to split and parse its front matter,
//! `meta` and `field` to read its fields with serde), through `load_cache` in `cms dev`;
//! `assemble` then builds each site: `section_tree` links its sections, `assemble_page`
//! makes each page. Errors are in `error` (the source) and `diagnostic` (the content).

mod assemble;
mod assemble_page;
mod check_page;
mod config;
mod decode;
mod diagnostic;
mod error;
mod field;
mod frontmatter;
mod hash;
mod load;
mod load_cache;
mod markdown_file;
mod meta;
mod model;
mod reference;
mod schedule;
mod schema;
mod section_tree;
mod site_files;
mod source;
pub mod store;
mod summary;
mod text;
mod url_path;
mod value;

pub use check_page::{check_page, checked_page, with_page};
pub use config::{parse_network, Contact, MenuItem, NetworkConfig, Responsible, SiteConfig};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use error::{Error, GitError, SourceError};
pub use frontmatter::line_col;
pub use load::{load, load_cached, load_cached_at, load_listed, load_listed_at};
pub use load_cache::LoadCache;
pub use meta::{PageMeta, SectionMeta, SortBy};
pub use model::{Asset, Network, Page, Section, Site};
pub use schedule::{
    build_now, epoch_of_vietnam_time, next_schedule_change, schedule_fingerprint, vietnam_time,
    Scheduled,
};
pub use schema::{FieldSpec, FieldType, KindSchema, Schemas, SearchUse};
pub use source::{list, list_cached, BlobCache, FileData, Listing, Source, SourceFile};
pub use summary::{FileSummary, SiteSummaries, SECTION_KIND};
pub use text::{nfc, safe_relative_path, slugify};
pub use value::{format_date_iso, parse_date};
