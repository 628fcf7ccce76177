//! `taxonomy`, `term` and `terms`: a site's taxonomies (`topics`…) per language, and the
//! views their pages get.

use std::collections::BTreeMap;

use serde::Serialize;

/// A taxonomy term of one site and language.
#[derive(Debug)]
pub struct Term {
    /// As written by editors.
    pub name: String,
    /// URL path of its first page.
    pub path: String,
    /// Its pages, newest first.
    pub pages: Vec<usize>,
}

/// A taxonomy of one site and language.
#[derive(Debug)]
pub struct Taxonomy {
    /// Its name in `network.toml`.
    pub name: String,
    /// Language.
    pub lang: String,
    /// URL path of the term list.
    pub path: String,
    /// Terms by slug.
    pub terms: BTreeMap<String, Term>,
}

/// `taxonomy`: the taxonomy a term list or a term's page belongs to.
#[derive(Debug, Serialize)]
pub struct TaxonomyRef<'a> {
    /// Its name in `network.toml` (`topics`).
    pub name: &'a str,
    /// URL path of its term list: `/topics/`.
    pub path: &'a str,
}

/// `term`, and each of `terms`: a term with its page count.
#[derive(Debug, Serialize)]
pub struct TermView<'a> {
    /// As written by editors.
    pub name: &'a str,
    /// URL path of its first page.
    pub path: &'a str,
    /// How many pages have it.
    pub page_count: usize,
}

impl Taxonomy {
    /// This taxonomy as `taxonomy`.
    pub fn view(&self) -> TaxonomyRef<'_> {
        TaxonomyRef {
            name: &self.name,
            path: &self.path,
        }
    }

    /// Its terms by slug, as `terms`.
    pub fn terms_view(&self) -> Vec<TermView<'_>> {
        self.terms.values().map(Term::view).collect()
    }
}

impl Term {
    /// This term as `term`.
    pub fn view(&self) -> TermView<'_> {
        TermView {
            name: &self.name,
            path: &self.path,
            page_count: self.pages.len(),
        }
    }
}
