//! The output of a build: each file written into a new build folder (see [`crate::builds`]),
//! which becomes the live output in one step only when the whole build succeeded, so a failed
//! or killed build leaves the previous output untouched; and the manifest of every file.
//!
//! A build over a previous output (see [`crate::build_cache`]) writes only the files whose bytes
//! changed, and hard-links every other file of the previous manifest from the live build.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::builds::{NewBuild, Preview};
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
    /// The encoding of a precompressed variant (`br`, `gzip`; see [`crate::hosting::compress`]),
    /// whose `mime` is the original's; absent on ordinary files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// The build cache's key of what it was rendered from (not in the manifest).
    #[serde(skip)]
    pub key: Option<u64>,
}

/// Where rendered files go: a new build folder (see [`crate::builds`]), the scratch folder of
/// a preview, or nowhere (`cms check`).
#[derive(Debug)]
pub struct Staging {
    target: Target,
    /// Over a previous output: the entry of each of its files; a file written with the same
    /// bytes is not written again but linked from the previous build, with its variants.
    previous: Option<HashMap<String, ManifestEntry>>,
    /// The files written.
    written: Mutex<Vec<String>>,
    /// Over a previous output: the thread linking all its files into the new build while the
    /// build renders (off the build's path); a file written then replaces its link.
    linking: Option<std::thread::JoinHandle<Result<(), Error>>>,
    /// Whether [`Staging::write_served`] writes precompressed variants.
    precompress: bool,
}

#[derive(Debug)]
enum Target {
    DryRun,
    /// Kept in memory, by path (see [`crate::preview_page`]).
    Memory(Mutex<HashMap<String, Vec<u8>>>),
    Build(NewBuild),
    Preview(Preview),
}

/// What a commit did to the output folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written (new or changed).
    pub written: usize,
    /// Files deleted (no longer produced).
    pub deleted: usize,
    /// Files left as they were (linked from the previous build).
    pub unchanged: usize,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Staging {
    /// A new build of `out`, from scratch.
    pub fn new(out: &Path) -> Result<Staging, Error> {
        Ok(Staging {
            target: Target::Build(NewBuild::begin(out)?),
            previous: None,
            written: Mutex::new(Vec::new()),
            linking: None,
            precompress: true,
        })
    }

    /// A new build of `out` over its live build, whose files are `previous` (by path): only
    /// files with other bytes are written, the others are linked from it.
    pub fn over(out: &Path, previous: HashMap<String, ManifestEntry>) -> Result<Staging, Error> {
        let mut s = Staging::new(out)?;
        if let Target::Build(b) = &s.target {
            let base = b
                .base()
                .ok_or_else(|| io_err(out)(std::io::ErrorKind::NotFound.into()))?;
            let (from, to) = (base.to_path_buf(), b.dir().to_path_buf());
            let mut rels: Vec<String> = previous.keys().cloned().collect();
            // In folder order: links into one folder are cheaper together.
            rels.sort_unstable();
            let thread = std::thread::Builder::new()
                .name("cms-link".into())
                .spawn(move || link_all(&from, &to, &rels))
                .map_err(io_err(b.dir()))?;
            s.linking = Some(thread);
        }
        s.previous = Some(previous);
        Ok(s)
    }

    /// Whether text files get precompressed variants ([`Staging::write_served`]; the default).
    pub fn precompress(mut self, on: bool) -> Staging {
        self.precompress = on;
        self
    }

    /// Whether the build is flushed to disk before it is made live (the default).
    pub fn durable(mut self, on: bool) -> Staging {
        if let Target::Build(b) = &mut self.target {
            b.durable = on;
        }
        self
    }

    /// Pages written over the live build of `out` (see [`crate::preview_pages`]).
    pub fn preview(out: &Path) -> Result<Staging, Error> {
        Ok(Staging {
            target: Target::Preview(Preview::begin(out)?),
            previous: None,
            written: Mutex::new(Vec::new()),
            linking: None,
            precompress: true,
        })
    }

    /// The folder written, unless this is a dry run.
    pub fn dir(&self) -> Option<&Path> {
        match &self.target {
            Target::DryRun | Target::Memory(_) => None,
            Target::Build(b) => Some(b.dir()),
            Target::Preview(p) => Some(p.dir()),
        }
    }

    /// Renders without writing.
    pub fn dry_run() -> Staging {
        Staging {
            target: Target::DryRun,
            previous: None,
            written: Mutex::new(Vec::new()),
            linking: None,
            precompress: true,
        }
    }

    /// Writes `bytes` at `rel` and returns its manifest entry; a text file a host serves gets
    /// its precompressed variants beside it (see [`crate::hosting::compress`]), whose entries
    /// follow its own. Over a previous output, a file with the same bytes keeps its variants.
    pub fn write_served(&self, rel: &str, bytes: &[u8]) -> Result<Vec<ManifestEntry>, Error> {
        use crate::hosting::compress;
        let entry = self.write(rel, bytes)?;
        if !self.precompress || !compress::compressible(rel, &entry.mime) || self.dir().is_none() {
            return Ok(vec![entry]);
        }
        if let Some(prev) = &self.previous {
            // Kept only when the previous build has them: one built without precompression
            // (or read without its cache, whose variants are not trusted) has none. A file
            // too small to gain from compression has none either, and is tried again: cheap.
            let kept = variants_of(prev, rel);
            if !kept.is_empty() && prev.get(rel).is_some_and(|p| p.hash == entry.hash) {
                let mut out = vec![entry];
                out.extend(kept);
                return Ok(out);
            }
        }
        let mut out = Vec::with_capacity(3);
        for (encoding, suffix, packed) in compress::variants(bytes) {
            let mut v = self.write(&format!("{rel}{suffix}"), &packed)?;
            v.mime.clone_from(&entry.mime);
            v.encoding = Some(encoding.to_string());
            out.push(v);
        }
        out.insert(0, entry);
        Ok(out)
    }

    /// Files kept in memory, not written: a page rendered for the editor's preview.
    pub fn memory() -> Staging {
        Staging {
            target: Target::Memory(Mutex::new(HashMap::new())),
            previous: None,
            written: Mutex::new(Vec::new()),
            linking: None,
            precompress: false,
        }
    }

    /// What a [`Staging::memory`] was given, by path (empty for the others).
    pub fn into_memory(self) -> HashMap<String, Vec<u8>> {
        match &self.target {
            Target::Memory(m) => std::mem::take(&mut *m.lock().unwrap_or_else(|e| e.into_inner())),
            _ => HashMap::new(),
        }
    }

    /// Writes `bytes` at `rel` and returns its manifest entry.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<ManifestEntry, Error> {
        if let Target::Memory(m) = &self.target {
            m.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(rel.to_string(), bytes.to_vec());
        }
        let entry = ManifestEntry {
            path: rel.to_string(),
            hash: if self.dir().is_some() {
                hex::encode(Sha256::digest(bytes))
            } else {
                String::new()
            },
            size: bytes.len() as u64,
            mime: mime_of(rel).to_string(),
            key: None,
            encoding: None,
        };
        if let Some(prev) = &self.previous {
            if prev.get(rel).is_some_and(|p| p.hash == entry.hash) {
                return Ok(entry);
            }
        }
        if let Some(dir) = self.dir() {
            let path = dir.join(rel);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(io_err(p))?;
            }
            if self.linking.is_some() {
                replace(&path, bytes)?;
            } else {
                std::fs::write(&path, bytes).map_err(io_err(&path))?;
            }
            self.written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(rel.to_string());
        }
        Ok(entry)
    }

    /// Makes the new build live, in one step: over a previous output, once its files are
    /// linked, those `gone` (no longer produced) are removed first. A preview moves its pages
    /// into the live build.
    pub fn commit(mut self, gone: &[String]) -> Result<WriteStats, Error> {
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        let mut stats = WriteStats {
            written: written.len(),
            ..WriteStats::default()
        };
        if let Some(thread) = self.linking.take() {
            let dir = self.dir().unwrap_or(Path::new(".")).to_path_buf();
            thread.join().unwrap_or_else(|_| {
                Err(io_err(&dir)(std::io::Error::other(
                    "linking the previous build's files failed",
                )))
            })?;
        }
        match std::mem::replace(&mut self.target, Target::DryRun) {
            Target::DryRun | Target::Memory(_) => Ok(WriteStats::default()),
            Target::Preview(p) => p.finish(&written).map(|()| stats),
            Target::Build(b) => {
                if let Some(previous) = &self.previous {
                    remove_gone(b.dir(), gone)?;
                    let skip: HashSet<&str> =
                        written.iter().chain(gone).map(String::as_str).collect();
                    stats.unchanged = previous
                        .keys()
                        .filter(|k| !skip.contains(k.as_str()))
                        .count();
                    stats.deleted = gone.len();
                }
                b.finish()?;
                Ok(stats)
            }
        }
    }
}

impl Drop for Staging {
    // The linking thread writes into the build folder: it ends before the folder is removed.
    fn drop(&mut self) {
        if let Some(thread) = self.linking.take() {
            let _ = thread.join();
        }
    }
}

/// Writes a new file at `path` in place of the link there may be (never into it: the linked
/// file is the previous build's too): a new file beside it, renamed over it.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".cms-new-{n}"));
    std::fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// Hard-links the files `rels` of the folder `from` into `to`, but where a file was written
/// already (copies them where links cannot be made: another file system).
fn link_all(from: &Path, to: &Path, rels: &[String]) -> Result<(), Error> {
    use std::io::ErrorKind;
    let dirs: BTreeSet<&Path> = rels.iter().filter_map(|r| Path::new(r).parent()).collect();
    for d in dirs {
        let d = to.join(d);
        std::fs::create_dir_all(&d).map_err(io_err(&d))?;
    }
    for rel in rels {
        let (src, dst) = (from.join(rel), to.join(rel));
        match std::fs::hard_link(&src, &dst) {
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(io_err(&src)(e)),
            Err(e) if e.kind() != ErrorKind::AlreadyExists => {
                // A copy beside it, then linked in: a link fails where a file was written.
                let tmp = dst.with_file_name(".cms-copy");
                std::fs::copy(&src, &tmp).map_err(io_err(&dst))?;
                let linked = std::fs::hard_link(&tmp, &dst);
                std::fs::remove_file(&tmp).map_err(io_err(&tmp))?;
                match linked {
                    Err(e) if e.kind() != ErrorKind::AlreadyExists => return Err(io_err(&dst)(e)),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Removes the files no longer produced from the new build, and the folders they leave
/// empty, as a clean build would not have them.
fn remove_gone(dir: &Path, gone: &[String]) -> Result<(), Error> {
    let mut parents = BTreeSet::new();
    for rel in gone {
        let p = dir.join(rel);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_err(&p)(e)),
            _ => {}
        }
        parents.extend(
            Path::new(rel)
                .ancestors()
                .skip(1)
                .filter(|a| !a.as_os_str().is_empty()),
        );
    }
    // Deepest first; a folder still holding files stays.
    for p in parents.iter().rev() {
        let _ = std::fs::remove_dir(dir.join(p));
    }
    Ok(())
}

pub use crate::mime::mime_of;

/// The precompressed variants of `rel` among `files`, in the order they are written.
pub(crate) fn variants_of(files: &HashMap<String, ManifestEntry>, rel: &str) -> Vec<ManifestEntry> {
    crate::hosting::compress::ENCODINGS
        .iter()
        .filter_map(|(enc, suffix)| {
            files
                .get(&format!("{rel}{suffix}"))
                .filter(|e| e.encoding.as_deref() == Some(*enc))
                .cloned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entries of `dir`, but the builds folder of `public`.
    fn others(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".public.builds")
            .collect()
    }

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
        s.commit(&[]).unwrap();
        assert!(!out.join("old").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("sites/x/index.html")).unwrap(),
            "new"
        );
        assert_eq!(others(tmp.path()), vec!["public"], "no staging folder left");
    }

    #[test]
    fn a_dropped_build_leaves_the_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("a"), "old").unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("b", b"new").unwrap();
        }
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "old");
        assert!(!out.join("b").exists());
        assert_eq!(others(tmp.path()), vec!["public"]);
        assert!(crate::builds::list(&out).unwrap().is_empty());
    }

    #[test]
    fn over_a_previous_output_unchanged_files_are_linked_and_gone_ones_left_out() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Staging::new(&out).unwrap();
        let same = first.write("sites/x/same.html", b"same").unwrap();
        let changed = first.write("sites/x/changed.html", b"v1").unwrap();
        first.write("sites/x/gone/index.html", b"gone").unwrap();
        first.commit(&[]).unwrap();
        let old = crate::builds::live_dir(&out).unwrap();
        let inode = |p: &Path| std::fs::metadata(p).unwrap().ino();
        let gone_entry = ManifestEntry {
            path: "sites/x/gone/index.html".into(),
            hash: "h".into(),
            ..same.clone()
        };
        let previous: HashMap<String, ManifestEntry> = [&same, &changed, &gone_entry]
            .iter()
            .map(|e| (e.path.clone(), (*e).clone()))
            .collect();
        let second = Staging::over(&out, previous).unwrap();
        second.write("sites/x/same.html", b"same").unwrap();
        second.write("sites/x/changed.html", b"v2").unwrap();
        second.write("sites/x/new.html", b"new").unwrap();
        let stats = second
            .commit(&["sites/x/gone/index.html".to_string()])
            .unwrap();
        assert_eq!((stats.written, stats.deleted, stats.unchanged), (2, 1, 1));
        let read = |rel: &str| std::fs::read_to_string(out.join(rel)).unwrap();
        assert_eq!(read("sites/x/changed.html"), "v2");
        assert_eq!(read("sites/x/new.html"), "new");
        assert_eq!(read("sites/x/same.html"), "same");
        assert_eq!(
            inode(&out.join("sites/x/same.html")),
            inode(&old.join("sites/x/same.html")),
            "linked, not copied"
        );
        assert!(!out.join("sites/x/gone").exists());
        // The previous build is as it was, for a rollback.
        assert_eq!(
            std::fs::read_to_string(old.join("sites/x/changed.html")).unwrap(),
            "v1"
        );
        assert!(old.join("sites/x/gone/index.html").is_file());
        assert_eq!(others(tmp.path()), vec!["public"]);
    }

    #[test]
    fn a_preview_writes_over_the_live_build_and_says_which_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Staging::new(&out).unwrap();
        first.write("a.html", b"v1").unwrap();
        first.commit(&[]).unwrap();
        let p = Staging::preview(&out).unwrap();
        p.write("a.html", b"v2").unwrap();
        p.commit(&[]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "v2");
        assert_eq!(
            std::fs::read_to_string(out.join(crate::builds::PREVIEWED)).unwrap(),
            "a.html\n"
        );
        assert_eq!(crate::builds::list(&out).unwrap().len(), 1);
    }
}
