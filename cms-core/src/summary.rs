//! What a list shows of one Markdown file of a site (title, kind, language, date), read with
//! the loader's own stages: `frontmatter` splits and parses the front matter, `markdown_file`
//! says whether the file is a section or a page and its language, `section_tree` gives the
//! kind a page inherits from its section. Unlike [`crate::checked_page`], nothing is checked
//! beyond the syntax, so a draft with a wrong field is still listed under its title, and a
//! broken front matter gives an empty summary with the loader's message, never an error.

use serde_json::{Map, Value};

use crate::check_page::section_stub;
use crate::diagnostic::Diagnostic;
use crate::frontmatter;
use crate::markdown_file::{classify, Role};
use crate::model::Network;
use crate::section_tree::SectionTree;
use crate::text::nfc;

/// The `kind` of a section (`_index.md`) in a [`FileSummary`], as in the read API.
pub const SECTION_KIND: &str = "section";

/// A Markdown file of a site as a list shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSummary {
    /// Its `title`, empty when it has none or its front matter does not parse.
    pub title: String,
    /// Its content kind: `kind` in its front matter, else its section's (nearest ancestor
    /// that sets one), else `page`; [`SECTION_KIND`] for a section. Empty when the front
    /// matter does not parse.
    pub kind: String,
    /// Its language, from the file name's suffix (`a.en.md`), else the network's default.
    pub lang: String,
    /// Its `date` as written (`2024-05-01`, `2024-05-01T08:30:00`), if it has one.
    pub date: Option<String>,
    /// Why the front matter could not be read, as `cms check` says it.
    pub error: Option<Diagnostic>,
}

/// Summaries of the files of one site of a loaded network: the site's section tree is
/// linked once, for any number of files.
pub struct SiteSummaries<'n> {
    site: String,
    languages: &'n [String],
    default: &'n str,
    /// `None` without a network: kinds are not inherited then.
    tree: Option<SectionTree<'n>>,
}

impl<'n> SiteSummaries<'n> {
    /// The summaries of site `site` of `network`; `None` when the network has no such site.
    pub fn new(network: &'n Network, site: &str) -> Option<Self> {
        let s = network.site(site)?;
        let default = network.config.default_language.as_str();
        let sections = s
            .sections
            .iter()
            .map(|x| section_stub(&x.file, &x.lang, &x.dir, x.meta.clone()))
            .collect();
        Some(SiteSummaries {
            site: s.id.clone(),
            languages: &s.languages,
            default,
            tree: Some(SectionTree::new(sections, default)),
        })
    }

    /// Summaries without a loaded network (the server has not loaded it yet): the front
    /// matter's own fields only, so `lang` is empty and a page's `kind` is its own or empty.
    pub fn without_network(site: &str) -> Self {
        SiteSummaries {
            site: site.to_string(),
            languages: &[],
            default: "",
            tree: None,
        }
    }

    /// The summary of the file `path` of the site (`tin-tuc/a.md`) if its text were `text`.
    pub fn summary(&self, path: &str, text: &str) -> FileSummary {
        let file = format!("sites/{}/{path}", self.site);
        let (role, lang) = match classify(path, self.languages, self.default) {
            Ok(x) => x,
            Err(m) => {
                return FileSummary {
                    lang: self.default.to_string(),
                    error: Some(Diagnostic::error(&file, 1, 1, m)),
                    ..FileSummary::default()
                }
            }
        };
        let table = frontmatter::split(&file, &nfc(text))
            .and_then(|(fm, _, _)| frontmatter::parse(&file, &fm));
        let table = match table {
            Ok(t) => t,
            Err(d) => {
                return FileSummary {
                    lang,
                    error: Some(d),
                    ..FileSummary::default()
                }
            }
        };
        let kind = match &role {
            Role::Section { .. } => SECTION_KIND.to_string(),
            Role::Page { dir, .. } => match (text_of(&table, "kind"), &self.tree) {
                (Some(k), _) => k,
                (None, Some(tree)) => tree.kind(&lang, dir).unwrap_or_else(|| "page".into()),
                (None, None) => String::new(),
            },
        };
        FileSummary {
            title: text_of(&table, "title").unwrap_or_default(),
            kind,
            date: text_of(&table, "date"),
            lang,
            error: None,
        }
    }
}

/// The top-level field `key` of a front matter table when it is text (TOML dates are text
/// there, as written).
fn text_of(table: &Map<String, Value>, key: &str) -> Option<String> {
    match table.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Network {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        crate::load(&crate::Source::Dir(content)).expect("the demo network loads")
    }

    #[test]
    fn both_syntaxes_give_title_kind_language_and_date() {
        let n = demo();
        let s = SiteSummaries::new(&n, "mt").expect("the demo has mt");
        let toml = s.summary(
            "tin-tuc/a.md",
            "+++\ntitle = \"Cầu \\\"mới\\\"\"\ndate = 2024-05-02\n[extra]\nkind = \"x\"\n+++\n",
        );
        assert_eq!(toml.title, "Cầu \"mới\"");
        assert_eq!(toml.date.as_deref(), Some("2024-05-02"));
        assert_eq!(toml.kind, "news", "the section's kind, not extra.kind");
        assert_eq!(toml.lang, "vi");
        let yaml = s.summary(
            "tin-tuc/b.en.md",
            "---\ntitle: Opened\nkind: page\ndate: 2024-05-01T08:30:00\n---\nBody",
        );
        assert_eq!(yaml.title, "Opened");
        assert_eq!(yaml.kind, "page");
        assert_eq!(yaml.lang, "en");
        assert_eq!(yaml.date.as_deref(), Some("2024-05-01T08:30:00"));
        assert_eq!(
            s.summary("tin-tuc/_index.md", "+++\ntitle = \"Tin\"\n+++\n")
                .kind,
            SECTION_KIND
        );
    }

    #[test]
    fn a_wrong_field_keeps_the_title_and_a_broken_front_matter_says_why() {
        let n = demo();
        let s = SiteSummaries::new(&n, "mt").expect("the demo has mt");
        let wrong = s.summary("tin-tuc/a.md", "+++\ntitle = \"A\"\nweight = \"x\"\n+++\n");
        assert_eq!((wrong.title.as_str(), wrong.error.is_none()), ("A", true));
        let broken = s.summary("tin-tuc/a.md", "+++\ntitle = \"A\n+++\n");
        assert_eq!(broken.title, "");
        let e = broken.error.expect("a diagnostic");
        assert!(e.message.contains("malformed TOML"), "{e}");
        assert!(s.summary("a.md", "no front matter").error.is_some());
        assert!(SiteSummaries::new(&n, "nope").is_none());
        let bare =
            SiteSummaries::without_network("mt").summary("tin-tuc/a.md", "---\ntitle: A\n---\n");
        assert_eq!((bare.title.as_str(), bare.kind.as_str()), ("A", ""));
    }
}
