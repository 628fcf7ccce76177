//! Full-text search of the whole portal network: one tantivy index, written by `cms build` to
//! `public/search/`, read by `cms search` and `cms serve`.
//!
//! Vietnamese text is indexed as syllables in two forms at one position, exact and folded
//! (`đường`, `duong`), so queries typed with or without diacritics (or in NFD) find the same
//! pages and exact matches rank higher; English pages get a stemming analyzer; document
//! numbers and procedure codes are kept whole as well as split into words. See [`analysis`].

pub mod analysis;
mod distinct;
mod error;
mod marks;
mod schema;
mod search;
mod texts;
mod ui;
mod words;
mod writer;

pub use error::Error;
pub use schema::SCHEMA_VERSION;
pub use search::{
    escape, FacetCount, Facets, Hit, Notice, Request, Response, SearchIndex, Sort, MAX_PAGE,
    MAX_PER_PAGE, MAX_QUERY_CHARS,
};
pub use ui::{SearchUi, UiLanguage, UiSite};
pub use writer::{write_index, write_index_with, IndexStats, SearchDoc, VERSION_FILE};
