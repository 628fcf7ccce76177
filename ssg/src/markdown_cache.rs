//! The Markdown cache: what a process that builds the same content again and again
//! (`cms dev`) keeps from one build to the next, in memory: the Markdown of every page and
//! section, rendered, so that a build after one edit renders the Markdown of the edited pages
//! only. See `docs/caches.md` for how it sits with the build's other caches.

use std::collections::HashMap;
use std::hash::Hasher as _;
use std::sync::{Arc, Mutex};

use crate::markdown::{MdProblem, Rendered};

/// Renderings of Markdown by earlier builds of this process, keyed by [`markdown_key`]:
/// everything they were made from. Only the entries the latest build used are kept, so memory
/// stays that of one build.
#[derive(Default)]
pub struct MarkdownCache {
    entries: Mutex<HashMap<u64, CachedMarkdown>>,
}

/// One page's Markdown, rendered, with its problems.
pub(crate) type CachedMarkdown = Arc<(Rendered, Vec<MdProblem>)>;

impl std::fmt::Debug for MarkdownCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("MarkdownCache")
            .field("entries", &n)
            .finish()
    }
}

impl MarkdownCache {
    /// An empty cache.
    pub fn new() -> MarkdownCache {
        MarkdownCache::default()
    }

    /// The rendering whose [`markdown_key`] is `key`, if an earlier build kept it.
    pub(crate) fn get(&self, key: u64) -> Option<CachedMarkdown> {
        self.entries.lock().ok()?.get(&key).cloned()
    }

    /// Replaces the entries with those of this build.
    pub(crate) fn keep(&self, entries: HashMap<u64, CachedMarkdown>) {
        if let Ok(mut m) = self.entries.lock() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_changes_with_each_input_and_only_the_latest_build_is_kept() {
        let k = markdown_key(1, 0, "/a/", "vi", "text");
        assert_eq!(k, markdown_key(1, 0, "/a/", "vi", "text"));
        for other in [
            markdown_key(2, 0, "/a/", "vi", "text"),
            markdown_key(1, 1, "/a/", "vi", "text"),
            markdown_key(1, 0, "/b/", "vi", "text"),
            markdown_key(1, 0, "/a/", "en", "text"),
            markdown_key(1, 0, "/a/", "vi", "other"),
            // The parts are length-prefixed: moving a byte from one to the next is seen.
            markdown_key(1, 0, "/a", "/vi", "text"),
        ] {
            assert_ne!(k, other);
        }
        let cache = MarkdownCache::new();
        let md = |html: &str| {
            let r = Rendered {
                html: html.into(),
                ..Rendered::default()
            };
            Arc::new((r, Vec::new()))
        };
        cache.keep(HashMap::from([(1, md("<p>a</p>"))]));
        assert_eq!(cache.get(1).unwrap().0.html, "<p>a</p>");
        cache.keep(HashMap::from([(2, md("<p>b</p>"))]));
        assert!(
            cache.get(1).is_none(),
            "entries of older builds are dropped"
        );
        assert!(cache.get(2).is_some());
    }
}
