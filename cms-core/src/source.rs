//! Where content comes from: a folder on disk, or a git revision read straight from the
//! object database (no checkout, so uncommitted changes are ignored).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::error::{GitError, SourceError};

/// A content repository to load.
#[derive(Debug, Clone)]
pub enum Source {
    /// The working tree of a folder.
    Dir(PathBuf),
    /// The tree of `rev` (anything `git rev-parse` takes) for the folder `dir`, which may be
    /// the repository root or a folder inside it.
    Git {
        /// The content folder, inside a git repository.
        dir: PathBuf,
        /// The revision, e.g. `HEAD`, `main`, a commit id.
        rev: String,
    },
}

impl Source {
    /// The prefix for paths in diagnostics: `content/` or `HEAD:content/`.
    pub fn display_root(&self) -> String {
        match self {
            Source::Dir(d) => with_slash(d),
            Source::Git { dir, rev } => format!("{rev}:{}", with_slash(dir)),
        }
    }
}

fn with_slash(d: &Path) -> String {
    let s = d.to_string_lossy();
    if s.is_empty() || s == "." {
        String::new()
    } else if s.ends_with('/') {
        s.into_owned()
    } else {
        format!("{s}/")
    }
}

/// The bytes of a file: still on disk, or already read.
#[derive(Debug, Clone)]
pub enum FileData {
    /// A file on disk, read when needed.
    Disk(PathBuf),
    /// A blob read from git.
    Blob(Arc<[u8]>),
    /// A file read from disk by [`list`].
    Read(Arc<Vec<u8>>),
}

impl FileData {
    /// Reads the bytes.
    pub fn read(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match self {
            FileData::Disk(p) => std::fs::read(p).map(Cow::Owned),
            FileData::Blob(b) => Ok(Cow::Borrowed(b)),
            FileData::Read(b) => Ok(Cow::Borrowed(b)),
        }
    }
}

/// Every file of a source, with its text files read: what [`crate::load_listed`] loads.
#[derive(Debug)]
pub struct Listing {
    /// The source listed.
    pub source: Source,
    /// Its files, sorted by path.
    pub files: Vec<SourceFile>,
    /// Files skipped (links, names that are not UTF-8).
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Lists every file of `source` (hidden files and symbolic links left out) and reads its
/// Markdown and TOML files, in parallel: the files loading parses, which a build also hashes
/// to tell whether anything changed, so they are read once. Other files (a page's PDFs) stay on disk until copied; a
/// file that cannot be read now is reported when it is loaded.
pub fn list(source: &Source) -> Result<Listing, SourceError> {
    list_cached(source, None)
}

/// [`list`], with the blobs of a git source taken from `blobs` when they were read before (by
/// object id) and kept there for the next call: a server loading commit after commit reads from
/// git only the blobs each commit changed.
pub fn list_cached(source: &Source, blobs: Option<&BlobCache>) -> Result<Listing, SourceError> {
    use rayon::prelude::*;
    let mut warnings = Vec::new();
    let mut files = list_files_cached(source, &mut warnings, blobs)?;
    files.par_iter_mut().for_each(|f| {
        let text = f.rel.ends_with(".md") || f.rel.ends_with(".toml");
        if let (true, FileData::Disk(p)) = (text, &f.data) {
            if let Ok(bytes) = std::fs::read(p) {
                f.data = FileData::Read(Arc::new(bytes));
            }
        }
    });
    Ok(Listing {
        source: source.clone(),
        files,
        warnings,
    })
}

/// One file of the content repository.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the content root, `/`-separated, NFC.
    pub rel: String,
    /// Its bytes.
    pub data: FileData,
}

/// Lists every file under the source, sorted by path. Hidden files and folders (`.git`,
/// `.DS_Store`) and symbolic links are skipped; symlinks with a warning, since following them
/// could leave the content root.
pub(crate) fn list_files(
    source: &Source,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<SourceFile>, SourceError> {
    list_files_cached(source, warnings, None)
}

fn list_files_cached(
    source: &Source,
    warnings: &mut Vec<Diagnostic>,
    blobs: Option<&BlobCache>,
) -> Result<Vec<SourceFile>, SourceError> {
    let mut files = match source {
        Source::Dir(dir) => list_dir(dir, warnings)?,
        Source::Git { dir, rev } => list_git(dir, rev, warnings, blobs)?,
    };
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(files)
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('.') && name != "." && name != ".."
}

fn list_dir(dir: &Path, warnings: &mut Vec<Diagnostic>) -> Result<Vec<SourceFile>, SourceError> {
    if !dir.is_dir() {
        return Err(SourceError::NoFolder(dir.to_path_buf()));
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(is_hidden));
    for entry in walker {
        let entry = entry.map_err(|source| SourceError::Walk {
            dir: dir.to_path_buf(),
            source,
        })?;
        if entry.depth() == 0 {
            continue;
        }
        let rel_path = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let Some(rel) = rel_path.to_str() else {
            warnings.push(
                Diagnostic::warning(
                    rel_path.to_string_lossy(),
                    0,
                    0,
                    "file name is not valid UTF-8; skipped",
                )
                .with_hint("rename the file with a UTF-8 name"),
            );
            continue;
        };
        let rel = crate::text::nfc(&rel.replace('\\', "/"));
        let ft = entry.file_type();
        if ft.is_symlink() {
            warnings.push(
                Diagnostic::warning(rel, 0, 0, "symbolic link skipped")
                    .with_hint("copy the file into the content folder instead of linking it"),
            );
        } else if ft.is_file() {
            files.push(SourceFile {
                rel,
                data: FileData::Disk(entry.into_path()),
            });
        }
    }
    Ok(files)
}

/// Blobs read from git, by object id, kept from one [`list_cached`] to the next; only the blobs
/// of the last listing are kept, so it holds one commit's content at most.
#[derive(Debug, Default)]
pub struct BlobCache {
    blobs: std::sync::Mutex<HashMap<git2::Oid, Arc<[u8]>>>,
}

fn list_git(
    dir: &Path,
    rev: &str,
    warnings: &mut Vec<Diagnostic>,
    blobs: Option<&BlobCache>,
) -> Result<Vec<SourceFile>, SourceError> {
    let git_err = |what: &str, e: git2::Error| SourceError::Git {
        dir: dir.to_path_buf(),
        what: what.to_string(),
        source: GitError(e),
    };
    let io_err = |path: &Path, source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let repo =
        git2::Repository::discover(dir).map_err(|e| git_err("not in a git repository", e))?;
    // The content folder may be a subfolder of the repository: find its tree in the commit.
    let prefix = match repo.workdir() {
        Some(workdir) => {
            let abs_dir = dir.canonicalize().map_err(|e| io_err(dir, e))?;
            let workdir = workdir.canonicalize().map_err(|e| io_err(workdir, e))?;
            abs_dir
                .strip_prefix(&workdir)
                .map(Path::to_path_buf)
                .unwrap_or_default()
        }
        None => PathBuf::new(),
    };
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| git_err(&format!("cannot resolve revision `{rev}`"), e))?;
    let root = commit
        .tree()
        .map_err(|e| git_err("cannot read the commit's tree", e))?;
    let tree = if prefix.as_os_str().is_empty() {
        root
    } else {
        let entry = root.get_path(&prefix).map_err(|e| {
            git_err(
                &format!("`{}` is not in revision `{rev}`", prefix.display()),
                e,
            )
        })?;
        entry
            .to_object(&repo)
            .and_then(|o| o.peel_to_tree())
            .map_err(|e| {
                git_err(
                    &format!("`{}` is not a folder in `{rev}`", prefix.display()),
                    e,
                )
            })?
    };
    let mut files = Vec::new();
    let mut failure = None;
    // A poisoned lock only means a panic elsewhere mid-listing: start from an empty cache.
    let known = blobs
        .map(|c| std::mem::take(&mut *c.blobs.lock().unwrap_or_else(|e| e.into_inner())))
        .unwrap_or_default();
    let mut seen = HashMap::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
        let Ok(name) = entry.name() else {
            return git2::TreeWalkResult::Skip;
        };
        if is_hidden(name) {
            return git2::TreeWalkResult::Skip;
        }
        let rel = crate::text::nfc(&format!("{parent}{name}"));
        match entry.filemode() {
            0o120000 => warnings.push(
                Diagnostic::warning(rel, 0, 0, "symbolic link skipped")
                    .with_hint("commit the file itself instead of a link"),
            ),
            0o100644 | 0o100755 => {
                let bytes = match known.get(&entry.id()) {
                    Some(bytes) => Arc::clone(bytes),
                    None => match repo.find_blob(entry.id()) {
                        Ok(blob) => Arc::from(blob.content()),
                        Err(e) => {
                            failure = Some(git_err(&format!("cannot read blob {rel}"), e));
                            return git2::TreeWalkResult::Abort;
                        }
                    },
                };
                if blobs.is_some() {
                    seen.insert(entry.id(), Arc::clone(&bytes));
                }
                files.push(SourceFile {
                    rel,
                    data: FileData::Blob(bytes),
                });
            }
            _ => {}
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| {
        failure
            .take()
            .unwrap_or_else(|| git_err("cannot walk the tree", e))
    })?;
    if let Some(f) = failure {
        return Err(f);
    }
    if let Some(cache) = blobs {
        *cache.blobs.lock().unwrap_or_else(|e| e.into_inner()) = seen;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commits `files` (path, text) on HEAD of the repository in `dir`.
    fn commit(repo: &git2::Repository, files: &[(&str, &str)]) -> String {
        let mut index = repo.index().unwrap();
        for (path, text) in files {
            std::fs::write(repo.workdir().unwrap().join(path), text).unwrap();
            index.add_path(Path::new(path)).unwrap();
        }
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("A", "a@example.invalid").unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, "m", &tree, &parents)
            .unwrap()
            .to_string()
    }

    fn blob(listing: &Listing, rel: &str) -> Arc<[u8]> {
        match &listing.files.iter().find(|f| f.rel == rel).unwrap().data {
            FileData::Blob(b) => Arc::clone(b),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cached_listing_reads_only_the_changed_blobs_and_sees_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let first = commit(&repo, &[("a.md", "một"), ("b.md", "hai")]);
        let second = commit(&repo, &[("b.md", "hai mới")]);
        let cache = BlobCache::default();
        let at = |rev: &str| Source::Git {
            dir: dir.path().to_path_buf(),
            rev: rev.to_string(),
        };
        let one = list_cached(&at(&first), Some(&cache)).unwrap();
        let two = list_cached(&at(&second), Some(&cache)).unwrap();
        assert!(
            Arc::ptr_eq(&blob(&one, "a.md"), &blob(&two, "a.md")),
            "a.md read again"
        );
        assert_eq!(&*blob(&two, "b.md"), "hai mới".as_bytes());
        // The same answers as without the cache, and back to the first commit too.
        let plain = list(&at(&first)).unwrap();
        let again = list_cached(&at(&first), Some(&cache)).unwrap();
        for rel in ["a.md", "b.md"] {
            assert_eq!(blob(&plain, rel), blob(&again, rel), "{rel}");
        }
        assert_eq!(
            cache.blobs.lock().unwrap().len(),
            2,
            "only the last listing's blobs kept"
        );
    }
}
