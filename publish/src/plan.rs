//! What a publish does, in its order: the new and changed assets, then the pages and feeds
//! that point at them, then the manifest (the switch), then the deletions of what the new
//! build no longer has. Comparing the live manifest with the new one, so only changed files
//! move.

use std::collections::BTreeSet;

use crate::manifest::{Entry, Manifest};

/// The changes from the live deployment to a new one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// New and changed files that pages point at (CSS, JS, images, documents…), first.
    pub assets: Vec<Entry>,
    /// New and changed pages, feeds and other documents that point at files, second.
    pub pages: Vec<Entry>,
    /// Paths no longer published, with the hash they had (`None`: left by an interrupted
    /// publish, in no manifest), deleted after the switch.
    pub deletions: Vec<(String, Option<String>)>,
    /// Files already live as they are.
    pub unchanged: usize,
}

/// Whether a file points at others, and so goes after them: HTML, feeds and sitemaps (XML),
/// and the host's rules (`_headers`, `_redirects`). Precompressed variants carry their
/// original's type, and go with it.
fn points_at_files(e: &Entry) -> bool {
    let name = e.path.rsplit('/').next().unwrap_or(&e.path);
    e.mime.starts_with("text/html")
        || e.mime.contains("xml")
        || name.starts_with("_headers")
        || name.starts_with("_redirects")
}

/// Whether a path is one that points at files, judged by its name where its type is not at
/// hand (a deletion): pages and feeds are deleted before the assets they point at, since the
/// host serves them until they are gone.
pub fn points_at_files_path(path: &str) -> bool {
    let base = path
        .strip_suffix(".br")
        .or_else(|| path.strip_suffix(".gz"))
        .unwrap_or(path);
    let name = base.rsplit('/').next().unwrap_or(base);
    [".html", ".htm", ".xml", ".xsl"]
        .iter()
        .any(|e| name.ends_with(e))
        || name == "_headers"
        || name == "_redirects"
}

impl Plan {
    /// The plan from `live` (none: an empty target) to `new`. `dirty` are paths an
    /// interrupted publish may have written: each is written again, even where the live
    /// manifest has the same hash; those in no manifest are deleted.
    pub fn new(live: Option<&Manifest>, new: &Manifest, dirty: &BTreeSet<String>) -> Plan {
        let mut plan = Plan::default();
        for (path, e) in &new.files {
            let same = live
                .and_then(|l| l.files.get(path))
                .is_some_and(|old| old.hash == e.hash);
            if same && !dirty.contains(path) {
                plan.unchanged += 1;
            } else if points_at_files(e) {
                plan.pages.push(e.clone());
            } else {
                plan.assets.push(e.clone());
            }
        }
        if let Some(l) = live {
            for (path, e) in &l.files {
                if !new.files.contains_key(path) {
                    plan.deletions.push((path.clone(), Some(e.hash.clone())));
                }
            }
        }
        for path in dirty {
            let in_live = live.is_some_and(|l| l.files.contains_key(path));
            if !in_live && !new.files.contains_key(path) {
                plan.deletions.push((path.clone(), None));
            }
        }
        plan
    }

    /// Whether there is nothing to write or delete.
    pub fn is_empty(&self) -> bool {
        self.assets.is_empty() && self.pages.is_empty() && self.deletions.is_empty()
    }

    /// Files to upload.
    pub fn uploads(&self) -> impl Iterator<Item = &Entry> {
        self.assets.iter().chain(&self.pages)
    }

    /// Bytes to upload.
    pub fn upload_bytes(&self) -> u64 {
        self.uploads().map(|e| e.size).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(files: &[(&str, &str, &str)]) -> Manifest {
        let entries: Vec<String> = files
            .iter()
            .map(|(p, h, t)| {
                format!(
                    r#"{{"path":"{p}","hash":"{}","size":1,"type":"{t}"}}"#,
                    h.repeat(64)
                )
            })
            .collect();
        Manifest::parse(
            format!(r#"{{"network":"N","files":[{}]}}"#, entries.join(",")).into_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn only_changes_move_assets_first_and_deletions_last() {
        let html = "text/html; charset=utf-8";
        let live = m(&[
            ("s/a.html", "a", html),
            ("s/x.css", "b", "text/css"),
            ("s/old.html", "c", html),
        ]);
        let new = m(&[
            ("s/a.html", "d", html),
            ("s/a.html.br", "e", html),
            ("s/x.css", "b", "text/css"),
            ("s/y.css", "f", "text/css"),
            ("s/rss.xml", "1", "application/rss+xml"),
            ("deploy/nginx/s.conf", "2", "text/plain"),
        ]);
        let p = Plan::new(Some(&live), &new, &BTreeSet::new());
        let paths = |v: &[Entry]| v.iter().map(|e| e.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&p.assets), ["s/y.css"]);
        assert_eq!(paths(&p.pages), ["s/a.html", "s/a.html.br", "s/rss.xml"]);
        assert_eq!(
            p.deletions,
            [("s/old.html".to_string(), Some("c".repeat(64)))]
        );
        assert_eq!(p.unchanged, 1);
        assert!(Plan::new(Some(&new), &new, &BTreeSet::new()).is_empty());
        // After an interrupted publish: what it wrote is written again, or deleted.
        let dirty = BTreeSet::from(["s/x.css".to_string(), "s/tmp.css".to_string()]);
        let p = Plan::new(Some(&new), &new, &dirty);
        assert_eq!(paths(&p.assets), ["s/x.css"]);
        assert_eq!(p.deletions, [("s/tmp.css".to_string(), None)]);
        assert!(points_at_files_path("sites/d/a/index.html.br"));
        assert!(points_at_files_path("sites/d/rss.xml"));
        assert!(!points_at_files_path("sites/d/style.1234abcd.css"));
    }
}
