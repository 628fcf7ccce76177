//! The output folder: files written into a staging folder, then moved into place only when the
//! whole build succeeded, so a failed build leaves the previous output untouched; and the
//! manifest of every file.
//!
//! A first build writes everything into a fresh folder and swaps it in whole. A build over a
//! previous output (see [`crate::build_cache`]) stages only the files whose bytes changed, then moves
//! them into place, deletes the files that are gone, and leaves every other file as it was.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// One file of the output, as listed in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ManifestEntry {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// SHA-256 of the bytes, hex.
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type.
    #[serde(rename = "type")]
    pub mime: String,
    /// The build cache's key of what it was rendered from (not in the manifest).
    #[serde(skip)]
    pub key: Option<u64>,
}

/// Where rendered files go: a staging folder beside the final one, or nowhere (`cms check`).
#[derive(Debug)]
pub struct Staging {
    dir: Option<PathBuf>,
    /// Over a previous output: the SHA-256 of each of its files; a file written with the same
    /// bytes is not staged.
    previous: Option<HashMap<String, String>>,
    /// The files staged, to move into place.
    staged: Mutex<Vec<String>>,
}

/// What a commit did to the output folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written (new or changed).
    pub written: usize,
    /// Files deleted (no longer produced).
    pub deleted: usize,
    /// Files left as they were.
    pub unchanged: usize,
}

impl Staging {
    /// A staging folder next to `out` (same file system, so the final rename is atomic).
    pub fn new(out: &Path) -> Result<Staging, Error> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::Io {
            path: parent.clone(),
            source: e,
        })?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::Io {
                path: dir.clone(),
                source: e,
            })?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
            path: dir.clone(),
            source: e,
        })?;
        Ok(Staging {
            dir: Some(dir),
            previous: None,
            staged: Mutex::new(Vec::new()),
        })
    }

    /// A staging folder for a build over a previous output whose files have these SHA-256s:
    /// only files with other bytes are staged.
    pub fn over(out: &Path, previous: HashMap<String, String>) -> Result<Staging, Error> {
        let mut s = Staging::new(out)?;
        s.previous = Some(previous);
        Ok(s)
    }

    /// Whether this build updates a previous output in place.
    pub fn incremental(&self) -> bool {
        self.previous.is_some()
    }

    /// The staging folder, unless this is a dry run.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Renders without writing.
    pub fn dry_run() -> Staging {
        Staging {
            dir: None,
            previous: None,
            staged: Mutex::new(Vec::new()),
        }
    }

    /// Writes `bytes` at `rel` and returns its manifest entry.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<ManifestEntry, Error> {
        let entry = ManifestEntry {
            path: rel.to_string(),
            hash: if self.dir.is_some() {
                hex::encode(Sha256::digest(bytes))
            } else {
                String::new()
            },
            size: bytes.len() as u64,
            mime: mime_of(rel).to_string(),
            key: None,
        };
        if let Some(prev) = &self.previous {
            if prev.get(rel) == Some(&entry.hash) {
                return Ok(entry);
            }
        }
        if let Some(dir) = &self.dir {
            let path = dir.join(rel);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(|e| Error::Io {
                    path: p.to_path_buf(),
                    source: e,
                })?;
            }
            std::fs::write(&path, bytes).map_err(|e| Error::Io { path, source: e })?;
            if self.previous.is_some() {
                self.staged
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(rel.to_string());
            }
        }
        Ok(entry)
    }

    /// Moves a whole staged folder (the search index) into place at commit.
    pub fn stage_dir(&self, rel: &str) {
        self.staged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!("{rel}/"));
    }

    /// Over a previous output: moves the staged files into `out`, and deletes the files of
    /// `gone` (output paths no longer produced). The manifest and the cache are staged files
    /// like the others, written last.
    fn commit_over(&self, dir: &Path, out: &Path, gone: &[String]) -> Result<WriteStats, Error> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        let mut staged =
            std::mem::take(&mut *self.staged.lock().unwrap_or_else(|e| e.into_inner()));
        // The manifest and the cache describe the files: they go first (removed) and last
        // (written), so an interrupted commit leaves no manifest a later build would trust.
        let last = ["manifest.json", crate::build_cache::BUILD_CACHE_FILE];
        // (A preview, which stages neither, leaves them as they are.)
        for l in last.iter().filter(|l| staged.iter().any(|s| s == *l)) {
            let p = out.join(l);
            if p.exists() {
                std::fs::remove_file(&p).map_err(io(&p))?;
            }
        }
        staged.sort_by_key(|r| last.contains(&r.as_str()));
        let mut stats = WriteStats::default();
        for rel in &staged {
            let (rel, is_dir) = match rel.strip_suffix('/') {
                Some(r) => (r, true),
                None => (rel.as_str(), false),
            };
            let from = dir.join(rel);
            let to = out.join(rel);
            if let Some(p) = to.parent() {
                std::fs::create_dir_all(p).map_err(io(p))?;
            }
            if to.is_dir() {
                std::fs::remove_dir_all(&to).map_err(io(&to))?;
            }
            if is_dir && to.exists() {
                std::fs::remove_file(&to).map_err(io(&to))?;
            }
            std::fs::rename(&from, &to).map_err(io(&to))?;
            stats.written += 1;
        }
        let mut parents = HashSet::new();
        for rel in gone {
            let p = out.join(rel);
            if p.is_file() {
                std::fs::remove_file(&p).map_err(io(&p))?;
                stats.deleted += 1;
            }
            if let Some(parent) = Path::new(rel).parent() {
                parents.insert(parent.to_path_buf());
            }
        }
        // Folders left empty go too, as a clean build would not have them.
        let mut parents: Vec<PathBuf> = parents.into_iter().collect();
        parents.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        for p in parents {
            let mut cur = Some(p.as_path());
            while let Some(c) = cur.filter(|c| !c.as_os_str().is_empty()) {
                if std::fs::remove_dir(out.join(c)).is_err() {
                    break;
                }
                cur = c.parent();
            }
        }
        Ok(stats)
    }

    /// Moves the staging folder to `out`, replacing what was there; or, over a previous output,
    /// moves only the staged files and deletes the `gone` ones.
    pub fn commit(mut self, out: &Path, gone: &[String]) -> Result<WriteStats, Error> {
        let Some(dir) = self.dir.take() else {
            return Ok(WriteStats::default());
        };
        if self.previous.is_some() {
            let r = self.commit_over(&dir, out, gone);
            let _ = std::fs::remove_dir_all(&dir);
            return r;
        }
        let written = self.staged.lock().map(|s| s.len()).unwrap_or(0);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        if out.exists() {
            let old = dir.with_extension("old");
            std::fs::rename(out, &old).map_err(io(out))?;
            std::fs::rename(&dir, out).map_err(io(out))?;
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            std::fs::rename(&dir, out).map_err(io(out))?;
        }
        Ok(WriteStats {
            written,
            ..WriteStats::default()
        })
    }
}

impl Drop for Staging {
    // A build that failed or panicked leaves no staging folder behind.
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The MIME type of a file, by its extension.
pub fn mime_of(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "csv" => "text/csv; charset=utf-8",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "zip" => "application/zip",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_in_the_new_output_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("old")).unwrap();
        std::fs::write(out.join("old/a.html"), "old").unwrap();
        let s = Staging::new(&out).unwrap();
        let e = s.write("sites/x/index.html", b"new").unwrap();
        assert_eq!(e.size, 3);
        assert_eq!(e.mime, "text/html; charset=utf-8");
        s.commit(&out, &[]).unwrap();
        assert!(!out.join("old").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("sites/x/index.html")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "no staging folder left"
        );
    }

    #[test]
    fn a_dropped_staging_folder_leaves_the_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("a"), "old").unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("b", b"new").unwrap();
        }
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "old");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn over_a_previous_output_only_changed_files_move_and_gone_ones_go() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Staging::new(&out).unwrap();
        let same = first.write("sites/x/same.html", b"same").unwrap();
        let changed = first.write("sites/x/changed.html", b"v1").unwrap();
        first.write("sites/x/gone/index.html", b"gone").unwrap();
        first.commit(&out, &[]).unwrap();
        let previous: HashMap<String, String> = [&same, &changed]
            .iter()
            .map(|e| (e.path.clone(), e.hash.clone()))
            .chain([("sites/x/gone/index.html".to_string(), "h".to_string())])
            .collect();
        let second = Staging::over(&out, previous).unwrap();
        assert!(second.incremental());
        second.write("sites/x/same.html", b"same").unwrap();
        second.write("sites/x/changed.html", b"v2").unwrap();
        second.write("sites/x/new.html", b"new").unwrap();
        let stats = second
            .commit(&out, &["sites/x/gone/index.html".to_string()])
            .unwrap();
        assert_eq!((stats.written, stats.deleted), (2, 1));
        assert_eq!(
            std::fs::read_to_string(out.join("sites/x/changed.html")).unwrap(),
            "v2"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("sites/x/new.html")).unwrap(),
            "new"
        );
        assert!(out.join("sites/x/same.html").is_file());
        assert!(
            !out.join("sites/x/gone").exists(),
            "the emptied folder goes too"
        );
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
