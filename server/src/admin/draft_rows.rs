//! The drafts of a site as rows of the content list: their title, kind, language, section and
//! date read from the draft's own text (the read API has only published pages), and the
//! filters of the list applied to them.

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

/// The value of the top-level front matter field `key` (TOML `+++` or YAML `---`), unquoted:
/// enough for a list's title, kind and date (the edit form reads the page whole).
pub fn field(text: &str, key: &str) -> Option<String> {
    let (delim, sep) = if text.starts_with("+++") {
        ("+++", '=')
    } else if text.starts_with("---") {
        ("---", ':')
    } else {
        return None;
    };
    for line in text.lines().skip(1) {
        let line = line.trim_end();
        if line == delim || (delim == "+++" && line.trim_start().starts_with('[')) {
            break;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            continue;
        }
        let Some((k, v)) = line.split_once(sep) else {
            continue;
        };
        if k.trim() != key {
            continue;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
            .unwrap_or(v);
        return Some(v.replace("\\\"", "\"")).filter(|v| !v.is_empty());
    }
    None
}

/// The row of a draft whose text is `text` (`None` when it is a deletion), on a site whose
/// languages are `langs` (the default first).
pub fn draft_row(d: &DraftView, text: Option<&str>, langs: &[String]) -> Row {
    let file = d.path.rsplit('/').next().unwrap_or(&d.path);
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let default = langs.first().cloned().unwrap_or_else(|| "vi".into());
    let lang = stem
        .rsplit_once('.')
        .map(|(_, l)| l.to_string())
        .filter(|l| langs.contains(l))
        .unwrap_or(default);
    let is_section = stem.starts_with("_index");
    // The folder that lists it: a bundle (`a/b/index.md`) is listed by `a`.
    let mut dirs: Vec<&str> = d.path.split('/').collect();
    dirs.pop();
    if stem.starts_with("index") || is_section {
        dirs.pop();
    }
    let text = text.unwrap_or_default();
    let kind = if is_section {
        "section".to_string()
    } else {
        field(text, "kind").unwrap_or_default()
    };
    Row {
        title: field(text, "title").unwrap_or_else(|| d.path.clone()),
        path: d.path.clone(),
        kind,
        section: dirs.join("/"),
        lang,
        date: field(text, "date"),
        status: status_key(d.status).to_string(),
        published: false,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_fields_of_both_syntaxes() {
        let toml =
            "+++\ntitle = \"Cầu \\\"mới\\\"\"\ndate = 2024-05-02\n[extra]\nkind = \"x\"\n+++\n";
        assert_eq!(field(toml, "title").as_deref(), Some("Cầu \"mới\""));
        assert_eq!(field(toml, "date").as_deref(), Some("2024-05-02"));
        assert_eq!(field(toml, "kind"), None, "only the top level");
        let yaml = "---\ntitle: Thông xe\ntaxonomies:\n  title: no\n---\nbody";
        assert_eq!(field(yaml, "title").as_deref(), Some("Thông xe"));
        assert_eq!(field("no front matter", "title"), None);
    }
}
