//! The load cache of a process that loads the same content again and again (`cms dev`):
//! Markdown files parsed by the previous load, reused when their bytes did not change.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::decode::{cannot_read, read_text, text_of};
use crate::diagnostic::Diagnostic;
use crate::frontmatter;
use crate::hash::parse_key;
use crate::markdown_file::{parse_text, Parsed, Place, Role};
use crate::model::Network;
use crate::source::SourceFile;

/// Markdown files already parsed by an earlier load, for a process that loads the same
/// content again and again (`cms dev`): a file whose bytes, site and languages are the same
/// is not parsed again. Only the files of the latest load are kept.
#[derive(Default)]
pub struct LoadCache {
    parsed: Mutex<HashMap<u64, Parsed>>,
    /// The key of each file's entry, by its path relative to the content root.
    files: Mutex<HashMap<String, u64>>,
}

impl std::fmt::Debug for LoadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.parsed.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("LoadCache").field("files", &n).finish()
    }
}

impl LoadCache {
    /// An empty cache.
    pub fn new() -> LoadCache {
        LoadCache::default()
    }

    /// For a page's Markdown file (`file`, relative to the content root, as [`Page::file`]
    /// says) edited since the last load: when only its body changed (the front matter is the
    /// same text on the same lines), puts the new body into its page in `network` and says
    /// so. The page's lists, feeds and links are then what they were; only the page itself
    /// shows the change. Otherwise (a new file, another front matter, a section, unreadable
    /// text), leaves `network` alone: load it again.
    ///
    /// [`Page::file`]: crate::Page::file
    pub fn patch_body(&self, network: &mut Network, root: &std::path::Path, file: &str) -> bool {
        let Some(old) = self
            .files
            .lock()
            .ok()
            .and_then(|f| f.get(file).copied())
            .and_then(|k| self.parsed.lock().ok()?.get(&k).cloned())
        else {
            return false;
        };
        if !matches!(old.role, Role::Page { .. }) {
            return false;
        }
        let Ok(bytes) = std::fs::read(root.join(file)) else {
            return false;
        };
        let Ok(text) = text_of(file, &bytes) else {
            return false;
        };
        let Ok((fm, body, body_line)) = frontmatter::split(file, &text) else {
            return false;
        };
        if fm.text != old.fm.text || fm.syntax != old.fm.syntax || body_line != old.body_line {
            return false;
        }
        let page = network
            .sites
            .iter_mut()
            .flat_map(|s| s.pages.iter_mut())
            .find(|p| p.file == file);
        match page {
            Some(p) => {
                p.body = body;
                true
            }
            None => false,
        }
    }

    /// Starts a load that reads this cache and fills the next one.
    pub(crate) fn round(&self) -> CacheRound<'_> {
        CacheRound {
            old: self,
            parsed: Mutex::default(),
            files: Mutex::default(),
        }
    }
}

/// One load's use of a [`LoadCache`]: the previous load's entries, read, and this load's,
/// which replace them when the load ends ([`CacheRound::finish`]).
pub(crate) struct CacheRound<'a> {
    old: &'a LoadCache,
    parsed: Mutex<HashMap<u64, Parsed>>,
    files: Mutex<HashMap<String, u64>>,
}

impl CacheRound<'_> {
    /// Keeps this load's entries, and only those, for the next load.
    pub(crate) fn finish(self) {
        if let (Ok(mut old), Ok(new)) = (self.old.parsed.lock(), self.parsed.into_inner()) {
            *old = new;
        }
        if let (Ok(mut files), Ok(new)) = (self.old.files.lock(), self.files.into_inner()) {
            *files = new;
        }
    }
}

/// Parses the Markdown file `f` at `at`: the previous load's result when `cache` has one for
/// the same bytes and place, else a fresh parse, which `cache` then keeps.
pub(crate) fn parse_markdown(
    f: &SourceFile,
    at: &Place<'_>,
    cache: Option<&CacheRound<'_>>,
) -> Result<Parsed, Vec<Diagnostic>> {
    let Some(round) = cache else {
        return parse_text(at, read_text(f).map_err(|d| vec![d])?);
    };
    let bytes = f.data.read().map_err(|e| vec![cannot_read(&f.rel, &e)])?;
    let key = parse_key(at.site, at.rel, at.file, &bytes, at.languages, at.default);
    let hit = round
        .old
        .parsed
        .lock()
        .ok()
        .and_then(|m| m.get(&key).cloned());
    let parsed = match hit {
        Some(p) => p,
        None => parse_text(at, text_of(&f.rel, &bytes).map_err(|d| vec![d])?)?,
    };
    if let Ok(mut m) = round.parsed.lock() {
        m.insert(key, parsed.clone());
    }
    if let Ok(mut m) = round.files.lock() {
        m.insert(f.rel.clone(), key);
    }
    Ok(parsed)
}
