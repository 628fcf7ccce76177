//! What a process that builds the same content again and again (`cms dev`) keeps from one
//! build to the next, in memory: the Markdown of every page, so that a build after one edit
//! renders the Markdown of the edited pages only.

use std::collections::HashMap;
use std::hash::Hasher as _;
use std::sync::{Arc, Mutex};

use crate::markdown::{MdProblem, Rendered};

/// Results of earlier builds, keyed by everything they were made from. Only the entries the
/// latest build used are kept, so memory stays that of one build.
#[derive(Default)]
pub struct BuildMemo {
    markdown: Mutex<HashMap<u64, Markdown>>,
}

/// One page's Markdown, rendered, with its problems.
pub(crate) type Markdown = Arc<(Rendered, Vec<MdProblem>)>;

impl std::fmt::Debug for BuildMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.markdown.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("BuildMemo").field("markdown", &n).finish()
    }
}

impl BuildMemo {
    /// An empty memo.
    pub fn new() -> BuildMemo {
        BuildMemo::default()
    }

    pub(crate) fn markdown(&self, key: u64) -> Option<Markdown> {
        self.markdown.lock().ok()?.get(&key).cloned()
    }

    /// Replaces the Markdown entries with those of this build.
    pub(crate) fn keep_markdown(&self, entries: HashMap<u64, Markdown>) {
        if let Ok(mut m) = self.markdown.lock() {
            *m = entries;
        }
    }
}

/// The key of one Markdown rendering: the text and everything [`crate::markdown::render`]
/// reads besides it (the link targets of the whole network, the site, the page's path and
/// language).
pub(crate) fn markdown_key(links: u64, site: usize, path: &str, lang: &str, body: &str) -> u64 {
    let mut h = twox_hash::XxHash3_64::with_seed(0);
    h.write(&links.to_le_bytes());
    h.write(&(site as u64).to_le_bytes());
    for part in [path, lang, body] {
        h.write(&(part.len() as u64).to_le_bytes());
        h.write(part.as_bytes());
    }
    h.finish()
}
