//! One Markdown file of a site: what it is (a section's `_index.md` or a page, plain or a
//! bundle), its language (from a `.en.md` suffix), and its front matter read into metadata.

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::frontmatter::{self, FrontMatter};
use crate::meta::{read_page_meta, read_section_meta, PageMeta, SectionMeta};

/// One Markdown file after its front matter is parsed.
#[derive(Clone)]
pub(crate) struct Parsed {
    /// The index of its site in the load.
    pub(crate) site: usize,
    /// Path relative to the site folder.
    pub(crate) rel: String,
    /// Path relative to the content root.
    pub(crate) file: String,
    pub(crate) lang: String,
    pub(crate) role: Role,
    pub(crate) fm: FrontMatter,
    pub(crate) body: String,
    pub(crate) body_line: usize,
    pub(crate) meta: Meta,
    /// Front-matter keys not read as page fields: the kind table, or mistakes.
    pub(crate) rest: serde_json::Map<String, Value>,
}

/// What a Markdown file is, from its path.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    /// `_index.md` of folder `dir`.
    Section { dir: String },
    /// A page in section folder `dir`; `bundle` is its own folder when it is a bundle.
    Page {
        dir: String,
        stem: String,
        bundle: Option<String>,
    },
}

/// The metadata of a section or of a page.
#[derive(Clone)]
pub(crate) enum Meta {
    Section(SectionMeta),
    Page(PageMeta),
}

/// Where a site-relative Markdown file sits in the content: its site, its path and the
/// languages that may suffix its name.
pub(crate) struct Place<'a> {
    pub(crate) site: usize,
    /// Path relative to the site folder.
    pub(crate) rel: &'a str,
    /// Path relative to the content root, for messages.
    pub(crate) file: &'a str,
    pub(crate) languages: &'a [String],
    pub(crate) default: &'a str,
}

fn split_lang<'a>(stem: &'a str, languages: &[String], default: &str) -> (&'a str, String) {
    if let Some((base, suffix)) = stem.rsplit_once('.') {
        if languages.iter().any(|l| l == suffix) && suffix != default {
            return (base, suffix.to_string());
        }
    }
    (stem, default.to_string())
}

/// The folder and the name of a `/`-separated path.
pub(crate) fn parent_dir(rel: &str) -> (&str, &str) {
    match rel.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", rel),
    }
}

pub(crate) fn classify(
    rel: &str,
    languages: &[String],
    default: &str,
) -> Result<(Role, String), String> {
    let (dir, name) = parent_dir(rel);
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let (base, lang) = split_lang(stem, languages, default);
    match base {
        "_index" => Ok((
            Role::Section {
                dir: dir.to_string(),
            },
            lang,
        )),
        "index" => {
            if dir.is_empty() {
                return Err(
                    "index.md at the site root is not a page (the home page is _index.md)".into(),
                );
            }
            let (section_dir, bundle_name) = parent_dir(dir);
            Ok((
                Role::Page {
                    dir: section_dir.to_string(),
                    stem: bundle_name.to_string(),
                    bundle: Some(dir.to_string()),
                },
                lang,
            ))
        }
        _ => Ok((
            Role::Page {
                dir: dir.to_string(),
                stem: base.to_string(),
                bundle: None,
            },
            lang,
        )),
    }
}

/// Parses the NFC `text` of the Markdown file at `at`: every problem of its front matter.
pub(crate) fn parse_text(at: &Place<'_>, text: String) -> Result<Parsed, Vec<Diagnostic>> {
    let path = at.file;
    let (role, lang) = classify(at.rel, at.languages, at.default)
        .map_err(|m| vec![Diagnostic::error(path, 1, 1, m).with_hint("rename it _index.md")])?;
    let (fm, body, body_line) = frontmatter::split(path, &text).map_err(|d| vec![d])?;
    let map = frontmatter::parse(path, &fm).map_err(|d| vec![d])?;
    let (meta, rest) = match role {
        Role::Section { .. } => (
            Meta::Section(read_section_meta(map, &fm, path)?),
            serde_json::Map::new(),
        ),
        Role::Page { .. } => {
            let (meta, rest) = read_page_meta(map, &fm, path)?;
            (Meta::Page(meta), rest)
        }
    };
    Ok(Parsed {
        site: at.site,
        rel: at.rel.to_string(),
        file: path.to_string(),
        lang,
        role,
        fm,
        body,
        body_line,
        meta,
        rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs() -> Vec<String> {
        vec!["vi".into(), "en".into()]
    }

    #[test]
    fn files_are_sections_pages_or_bundles_in_a_language() {
        let (role, lang) = classify("tin-tuc/_index.en.md", &langs(), "vi").unwrap();
        assert!(
            role == Role::Section {
                dir: "tin-tuc".into()
            }
        );
        assert_eq!(lang, "en");
        let (role, lang) = classify("tin-tuc/a.md", &langs(), "vi").unwrap();
        assert!(
            role == Role::Page {
                dir: "tin-tuc".into(),
                stem: "a".into(),
                bundle: None
            }
        );
        assert_eq!(lang, "vi");
        let (role, _) = classify("tin-tuc/b/index.md", &langs(), "vi").unwrap();
        assert!(
            role == Role::Page {
                dir: "tin-tuc".into(),
                stem: "b".into(),
                bundle: Some("tin-tuc/b".into())
            }
        );
        // A suffix that is not a language of the site is part of the name.
        let (role, lang) = classify("a.fr.md", &langs(), "vi").unwrap();
        assert!(matches!(role, Role::Page { stem, .. } if stem == "a.fr"));
        assert_eq!(lang, "vi");
        assert!(classify("index.md", &langs(), "vi").is_err());
    }
}
