//! The manifest of a built output (`manifest.json`, written by `ssg`), as publishing reads it:
//! the files to publish, and the check that the output folder still holds what it lists.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// One file of the output, as the manifest lists it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// SHA-256 of the bytes, hex.
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type (of the original, for a precompressed variant).
    #[serde(rename = "type")]
    pub mime: String,
    /// `br` or `gzip` for a precompressed variant.
    #[serde(default)]
    pub encoding: Option<String>,
}

/// The manifest's fields that publishing reads.
#[derive(Debug, Deserialize)]
struct Raw {
    #[serde(default)]
    network: String,
    files: Vec<Entry>,
}

/// A parsed manifest, with its bytes (published as they are) and their SHA-256.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The network's name.
    pub network: String,
    /// The files to publish, by path: `deploy/` (host configuration, not content) left out.
    pub files: BTreeMap<String, Entry>,
    /// The bytes of `manifest.json`.
    pub bytes: Vec<u8>,
    /// Their SHA-256, hex: the identity of a deployment's content.
    pub hash: String,
}

/// Whether a manifest path is published (contract 3: not `deploy/`).
fn published(path: &str) -> bool {
    !path.starts_with("deploy/")
}

/// Why `path` cannot be an object's name, if it cannot.
fn bad_path(path: &str) -> Option<&'static str> {
    if path.is_empty() || path.starts_with('/') || path.contains('\\') {
        return Some("is empty, absolute or has a backslash");
    }
    if path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Some("has an empty, `.` or `..` segment");
    }
    None
}

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Manifest {
    /// Parses `bytes`; the error says what is wrong.
    pub fn parse(bytes: Vec<u8>) -> Result<Manifest, String> {
        let raw: Raw =
            serde_json::from_slice(&bytes).map_err(|e| format!("not a manifest: {e}"))?;
        let mut files = BTreeMap::new();
        for e in raw.files {
            if let Some(why) = bad_path(&e.path) {
                return Err(format!("the file path {:?} {why}", e.path));
            }
            if e.hash.len() != 64 || !e.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("{}: `hash` is not a SHA-256", e.path));
            }
            if published(&e.path) {
                files.insert(e.path.clone(), e);
            }
        }
        Ok(Manifest {
            network: raw.network,
            files,
            hash: sha256_hex(&bytes),
            bytes,
        })
    }

    /// The manifest of the output folder `dir`.
    pub fn read_output(dir: &Path) -> Result<Manifest, Error> {
        let path = dir.join("manifest.json");
        let bytes = std::fs::read(&path).map_err(|e| Error::Manifest {
            path: path.clone(),
            reason: format!("cannot be read ({e})"),
        })?;
        Manifest::parse(bytes).map_err(|reason| Error::Manifest { path, reason })
    }
}

/// Checks that every file of `entries` is in `dir` with its manifest size, and that the files
/// of `hashed` (those about to be uploaded) have their manifest hash; names the first that
/// does not. Files not uploaded need no hash: the target already has their bytes.
pub fn verify(dir: &Path, entries: &[&Entry], hashed: &[&Entry]) -> Result<(), Error> {
    entries.par_iter().try_for_each(|e| {
        let path = dir.join(&e.path);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() && m.len() == e.size => Ok(()),
            Ok(m) => Err(Error::Altered {
                path,
                reason: format!("{} bytes where the manifest says {}", m.len(), e.size),
            }),
            Err(_) => Err(Error::Altered {
                path,
                reason: "missing, though the manifest lists it".into(),
            }),
        }
    })?;
    hashed.par_iter().try_for_each(|e| {
        let path = dir.join(&e.path);
        let hash = hash_file(&path)?;
        if hash != e.hash {
            return Err(Error::Altered {
                path,
                reason: format!("its SHA-256 is {hash}, the manifest says {}", e.hash),
            });
        }
        Ok(())
    })
}

/// SHA-256 of a file, hex.
fn hash_file(path: &PathBuf) -> Result<String, Error> {
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(files: &str) -> Vec<u8> {
        format!(r#"{{"version":1,"network":"N","files":[{files}]}}"#).into_bytes()
    }

    fn entry(path: &str, bytes: &[u8]) -> String {
        format!(
            r#"{{"path":"{path}","hash":"{}","size":{},"type":"text/plain"}}"#,
            sha256_hex(bytes),
            bytes.len()
        )
    }

    #[test]
    fn deploy_files_are_not_published_and_bad_paths_are_refused() {
        let m = Manifest::parse(manifest(&format!(
            "{},{}",
            entry("sites/a/x.txt", b"x"),
            entry("deploy/nginx/a.conf", b"c")
        )))
        .unwrap();
        assert_eq!(m.files.keys().collect::<Vec<_>>(), ["sites/a/x.txt"]);
        assert_eq!(m.network, "N");
        for bad in ["../x", "sites/../../x", "/etc/passwd", "a//b"] {
            let e = Manifest::parse(manifest(&entry(bad, b"x"))).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn a_missing_or_altered_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("s")).unwrap();
        std::fs::write(dir.path().join("s/a.txt"), b"abc").unwrap();
        let m = Manifest::parse(manifest(&format!(
            "{},{}",
            entry("s/a.txt", b"abc"),
            entry("s/b.txt", b"b")
        )))
        .unwrap();
        let a = &m.files["s/a.txt"];
        assert!(verify(dir.path(), &[a], &[a]).is_ok());
        let b = &m.files["s/b.txt"];
        let e = verify(dir.path(), &[a, b], &[]).unwrap_err().to_string();
        assert!(e.contains("s/b.txt") && e.contains("missing"), "{e}");
        std::fs::write(dir.path().join("s/a.txt"), b"abd").unwrap();
        let e = verify(dir.path(), &[a], &[a]).unwrap_err().to_string();
        assert!(e.contains("s/a.txt") && e.contains("SHA-256"), "{e}");
    }
}
