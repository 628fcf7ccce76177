//! What a search asks and answers: the request, the results, the facet counts.

use serde::Serialize;
use tantivy::DocAddress;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most results on one page.
pub const MAX_PER_PAGE: usize = 50;
/// Deepest page served (deeper pages cost more and nobody reads them).
pub const MAX_PAGE: usize = 100;
/// How many of the best matches are ranked again with the words' proximity.
pub(crate) const RERANK: usize = 100;

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search, as a person or a program asks for it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// What was typed: words, "quoted phrases", document numbers.
    pub q: String,
    /// Only this site (id).
    pub site: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this language.
    pub lang: Option<String>,
    /// Only this year of publication.
    pub year: Option<String>,
    /// Only pages with this taxonomy term: (taxonomy, term name).
    pub term: Option<(String, String)>,
    /// Order.
    pub sort: Sort,
    /// Page number, from 1.
    pub page: usize,
    /// Results per page (at most [`MAX_PER_PAGE`]).
    pub per_page: usize,
}

/// Why a search has no results list, to tell the reader kindly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// Nothing was typed and no filter chosen.
    Empty,
    /// More than [`MAX_QUERY_CHARS`] characters.
    TooLong,
    /// Only punctuation: no word to look for.
    NoWords,
}

/// One value of a facet and how many results have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value (`mt`, `legal`, `2022`, a term name).
    pub value: String,
    /// Results with it.
    pub count: u64,
}

/// Counts of the results by site, kind, language, year and taxonomy term.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    /// By site id.
    pub site: Vec<FacetCount>,
    /// By kind.
    pub kind: Vec<FacetCount>,
    /// By language.
    pub lang: Vec<FacetCount>,
    /// By year, newest first.
    pub year: Vec<FacetCount>,
    /// By taxonomy term: (taxonomy, its terms).
    pub taxonomies: Vec<(String, Vec<FacetCount>)>,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// `https://domain/path`.
    pub url: String,
    /// Site id.
    pub site: String,
    /// Site domain.
    pub domain: String,
    /// Path on the site.
    pub path: String,
    /// Kind.
    pub kind: String,
    /// Language.
    pub lang: String,
    /// Title, plain.
    pub title: String,
    /// Title as HTML, escaped, the matched words in `<mark>`.
    pub title_html: String,
    /// An excerpt as HTML, escaped, the matched words in `<mark>`.
    pub snippet_html: String,
    /// Publication date, seconds since the epoch.
    pub date: Option<i64>,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Response {
    /// The query as understood (NFC, trimmed).
    pub q: String,
    /// Results in all.
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
    /// Pages in all.
    pub pages: usize,
    /// Order used.
    pub sort: Sort,
    /// This page's results.
    pub hits: Vec<Hit>,
    /// Counts by facet.
    pub facets: Facets,
    /// When no search was run, why.
    pub notice: Option<Notice>,
    /// No page has every word, so pages with some of them are shown.
    pub relaxed: bool,
}

/// What one search collected: the total, this page's (score, document), the facet counts.
pub(crate) type Found = (usize, Vec<(f32, DocAddress)>, super::segments::Counts);
