//! The output folder: files written into a fresh staging folder, then swapped in whole, so a
//! failed build leaves the previous output untouched; and the manifest of every file.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// One file of the output, as listed in `manifest.json`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
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
}

/// Where rendered files go: a staging folder beside the final one, or nowhere (`cms check`).
#[derive(Debug)]
pub struct Staging {
    dir: Option<PathBuf>,
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
        Ok(Staging { dir: Some(dir) })
    }

    /// The staging folder, unless this is a dry run.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Renders without writing.
    pub fn dry_run() -> Staging {
        Staging { dir: None }
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
        };
        if let Some(dir) = &self.dir {
            let path = dir.join(rel);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(|e| Error::Io {
                    path: p.to_path_buf(),
                    source: e,
                })?;
            }
            std::fs::write(&path, bytes).map_err(|e| Error::Io { path, source: e })?;
        }
        Ok(entry)
    }

    /// Moves the staging folder to `out`, replacing what was there.
    pub fn commit(mut self, out: &Path) -> Result<(), Error> {
        let Some(dir) = self.dir.take() else {
            return Ok(());
        };
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
        Ok(())
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
        s.commit(&out).unwrap();
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
}
