//! Parts of an output's context that are hashed by a key and made only when the output is
//! rendered: a build over a previous output renders few of its outputs, and making and
//! dropping the big parts of every context (the pages' summaries in lists, the pages' HTML)
//! was most of what it spent on the others.
//!
//! Each part's key stands for its value: a summary's is the hash of that summary, a
//! Markdown's is [`LazyMd::key`]. So the output's key is the same function of its inputs as
//! when the whole context was hashed.

use serde_json::{json, Value};

use crate::build_cache::KeyHasher;
use crate::context::SiteData;
use crate::cx::Cx;
use crate::error::Error;
use crate::lazy_markdown::{LazyMd, MdEnv};

/// A part of a context, made when the output is rendered.
pub(crate) enum Later<'m, 'a> {
    /// The summary of page `page` under the context entry `entry`, whose own fields (the
    /// full view of the page) are added to it.
    Summary { entry: &'static str, page: usize },
    /// `content` and `toc` of the entry `entry` (`page`, `section`): its Markdown.
    Markdown {
        entry: &'static str,
        md: &'m LazyMd<'a>,
    },
    /// The summaries of `pages`, as the list `name` of the entry `entry` (`paginator.pages`),
    /// or of the context itself when `entry` is `None` (`latest`).
    Summaries {
        entry: Option<&'static str>,
        name: &'static str,
        pages: Vec<usize>,
    },
}

impl<'m, 'a> Later<'m, 'a> {
    /// A section's Markdown and the pages of its paginator: what every list of a section
    /// shows (its own page, its facet pages).
    pub fn section_list(md: &'m LazyMd<'a>, pages: Vec<usize>) -> [Later<'m, 'a>; 2] {
        [
            Later::Markdown {
                entry: "section",
                md,
            },
            Later::paginated(pages),
        ]
    }

    /// The summaries of `pages` as `paginator.pages`.
    pub fn paginated(pages: Vec<usize>) -> Later<'m, 'a> {
        Later::Summaries {
            entry: Some("paginator"),
            name: "pages",
            pages,
        }
    }

    /// Hashes what the part will be.
    pub fn hash(&self, d: &SiteData<'_>, h: &mut KeyHasher) {
        match self {
            Later::Summary { entry, page } => {
                h.bytes(b"summary").bytes(entry.as_bytes());
                h.u64(d.summary_keys[*page]);
            }
            Later::Markdown { entry, md } => {
                h.bytes(b"markdown").bytes(entry.as_bytes()).u64(md.key);
            }
            Later::Summaries { entry, name, pages } => {
                h.bytes(b"summaries")
                    .bytes(entry.unwrap_or_default().as_bytes())
                    .bytes(name.as_bytes())
                    .u64(pages.len() as u64);
                for &p in pages {
                    h.u64(d.summary_keys[p]);
                }
            }
        }
    }

    /// Makes the part and puts it into `cx`.
    pub fn fill(&self, d: &SiteData<'_>, env: &MdEnv<'_>, cx: &mut Cx) -> Result<(), Error> {
        match self {
            Later::Summary { entry, page } => {
                let mut full = match &d.summaries[*page] {
                    Value::Object(m) => m.clone(),
                    _ => Cx::new(),
                };
                if let Some(Value::Object(own)) = cx.remove(*entry) {
                    full.extend(own);
                }
                cx.insert((*entry).into(), Value::Object(full));
            }
            Later::Markdown { entry, md } => {
                let r = md.html(env)?;
                if let Some(Value::Object(v)) = cx.get_mut(*entry) {
                    v.insert("content".into(), Value::String(r.html.clone()));
                    v.insert("toc".into(), json!(r.toc));
                }
            }
            Later::Summaries { entry, name, pages } => {
                let list = Value::Array(pages.iter().map(|&p| d.summaries[p].clone()).collect());
                match entry {
                    None => {
                        cx.insert((*name).into(), list);
                    }
                    Some(e) => {
                        if let Some(Value::Object(v)) = cx.get_mut(*e) {
                            v.insert((*name).into(), list);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
