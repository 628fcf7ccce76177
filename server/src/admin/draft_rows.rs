//! The drafts of a site as rows of the content list: their title, kind, language and date as
//! the drafts API summarizes them (the read API has only published pages), their section
//! from their path, and the filters of the list applied to them.

use cms_core::store::Status;
use search_index::analysis::fold;
use serde::Serialize;

use crate::api::DraftView;

/// One row of the content list: a published page or a draft.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Its file in the site (`tin-tuc/a.md`).
    pub path: String,
    /// Its title.
    pub title: String,
    /// Its kind (`news`, `section`…), empty when the draft does not say.
    pub kind: String,
    /// Its section's folder (`tin-tuc`).
    pub section: String,
    /// Its language.
    pub lang: String,
    /// Its date as written (`2024-05-01` or `2024-05-01T08:30:00`), if any.
    pub date: Option<String>,
    /// `published`, `draft` or `in_review`: the key of its label.
    pub status: String,
    /// Published and with a draft waiting (`status` is then the draft's).
    pub published: bool,
    /// Its draft deletes it.
    pub deleted: bool,
    /// Its public URL when published.
    pub url: Option<String>,
    /// Author of the draft's last change.
    pub author: Option<String>,
}

/// The status key of a draft.
pub fn status_key(s: Status) -> &'static str {
    match s {
        Status::InReview => "in_review",
        Status::Draft => "draft",
        _ => "published",
    }
}

/// The row of draft `d`, from what the drafts API says of it, on a site whose languages are
/// `langs` (the default first).
pub fn draft_row(d: &DraftView, langs: &[String]) -> Row {
    let file = d.path.rsplit('/').next().unwrap_or(&d.path);
    let stem = file.strip_suffix(".md").unwrap_or(file);
    // The folder that lists it: a bundle (`a/b/index.md`) is listed by `a`.
    let mut dirs: Vec<&str> = d.path.split('/').collect();
    dirs.pop();
    if stem.starts_with("index") || stem.starts_with("_index") {
        dirs.pop();
    }
    // The API knows the language when the server has loaded the network.
    let lang = Some(d.lang.clone())
        .filter(|l| !l.is_empty())
        .or_else(|| langs.first().cloned())
        .unwrap_or_default();
    Row {
        title: Some(d.title.clone())
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| d.path.clone()),
        path: d.path.clone(),
        kind: d.kind.clone(),
        section: dirs.join("/"),
        lang,
        date: d.date.clone(),
        status: status_key(d.status).to_string(),
        published: d.published,
        deleted: d.deleted,
        url: None,
        author: Some(d.author_name.clone()),
    }
}

/// What the drafts are filtered by (the list's form, checked).
#[derive(Debug, Default)]
pub struct DraftFilter<'a> {
    /// Kind.
    pub kind: Option<&'a str>,
    /// Section folder: it and its subsections.
    pub section: Option<&'a str>,
    /// Language.
    pub lang: Option<&'a str>,
    /// Part of the author's name or e-mail.
    pub author: Option<&'a str>,
    /// Words of the title, diacritics optional.
    pub q: Option<&'a str>,
    /// Dated at or after (`2024-05-01`).
    pub from: Option<&'a str>,
    /// Dated at or before.
    pub to: Option<&'a str>,
    /// A taxonomy term is asked: drafts are not indexed by term, so none passes.
    pub term: bool,
}

/// Lowercase and without diacritics, to compare what people type.
pub fn loose(s: &str) -> String {
    fold(&s.to_lowercase())
}

impl DraftFilter<'_> {
    /// Whether the row of a draft by `d` passes.
    pub fn passes(&self, row: &Row, d: &DraftView) -> bool {
        if self.term
            || self.kind.is_some_and(|k| row.kind != k)
            || self.lang.is_some_and(|l| row.lang != l)
        {
            return false;
        }
        if let Some(s) = self.section {
            let inside = row
                .section
                .strip_prefix(s)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
            if !inside {
                return false;
            }
        }
        if let Some(a) = self.author.map(loose) {
            if !loose(&d.author_name).contains(&a) && !loose(&d.author_email).contains(&a) {
                return false;
            }
        }
        if let Some(q) = self.q {
            let title = loose(&row.title);
            if !loose(q).split_whitespace().all(|w| title.contains(w)) {
                return false;
            }
        }
        // Dates as written compare as text (`2024-05-01` < `2024-05-01T08:00`).
        let day = row.date.as_deref().map(|d| d.get(..10).unwrap_or(d));
        if self.from.is_some() || self.to.is_some() {
            let Some(day) = day else { return false };
            if self.from.is_some_and(|f| day < f) || self.to.is_some_and(|t| day > t) {
                return false;
            }
        }
        true
    }
}
