//! The pages' texts as written, for excerpts: one file beside the index (`texts.bin`), each
//! page's text stored whole and uncompressed, found by the page's key.
//!
//! In tantivy's document store the texts were two thirds of the index, and compressing them
//! a fifth of the time indexing took; reading one back meant decompressing its block and
//! copying the text out of the document. Here writing a text is a copy, and reading one a
//! slice of the mapped file.
//!
//! The file: the texts one after the other; then a table of (key, offset, length), three
//! little-endian `u64`s a page, sorted by key; then the table's offset, the number of pages
//! and [`MAGIC`].

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};

use crate::Error;

/// The file's name, in the index folder.
pub const FILE: &str = "texts.bin";

/// The file's last bytes.
const MAGIC: &[u8; 8] = b"CMSTEXT1";

/// The table's offset, the count, the magic.
const FOOTER: usize = 24;

/// One page in the table.
const ENTRY: usize = 24;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `texts.bin`, a text at a time.
pub(crate) struct TextsWriter {
    out: BufWriter<std::fs::File>,
    path: PathBuf,
    at: u64,
    table: Vec<(u64, u64, u64)>,
}

impl TextsWriter {
    /// A new file in the index folder `dir`.
    pub(crate) fn create(dir: &Path) -> Result<TextsWriter, Error> {
        let path = dir.join(FILE);
        // Never written through: the file may be a link to the previous build's.
        if path.exists() {
            std::fs::remove_file(&path).map_err(io_err(&path))?;
        }
        let file = std::fs::File::create(&path).map_err(io_err(&path))?;
        Ok(TextsWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            path,
            at: 0,
            table: Vec::new(),
        })
    }

    /// Adds the text of the page `key`.
    pub(crate) fn add(&mut self, key: u64, text: &[u8]) -> Result<(), Error> {
        self.out.write_all(text).map_err(io_err(&self.path))?;
        let len = text.len() as u64;
        self.table.push((key, self.at, len));
        self.at += len;
        Ok(())
    }

    /// Writes the table and closes the file.
    pub(crate) fn finish(mut self) -> Result<(), Error> {
        self.table.sort_unstable_by_key(|(k, _, _)| *k);
        // One text a page: a key twice keeps its first.
        self.table.dedup_by_key(|(k, _, _)| *k);
        let mut bytes = Vec::with_capacity(self.table.len() * ENTRY + FOOTER);
        for (k, off, len) in &self.table {
            for v in [k, off, len] {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        bytes.extend_from_slice(&self.at.to_le_bytes());
        bytes.extend_from_slice(&(self.table.len() as u64).to_le_bytes());
        bytes.extend_from_slice(MAGIC);
        self.out.write_all(&bytes).map_err(io_err(&self.path))?;
        let file = self.out.into_inner().map_err(|e| Error::Io {
            path: self.path.clone(),
            source: e.into_error(),
        })?;
        file.sync_data().map_err(io_err(&self.path))
    }
}

/// `texts.bin`, opened.
pub(crate) struct Texts {
    bytes: OwnedBytes,
    /// Where the table starts.
    table: usize,
    count: usize,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts").field("count", &self.count).finish()
    }
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

impl Texts {
    /// Opens (maps) the file of the index folder `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Texts, Error> {
        let path = dir.join(FILE);
        let bad = |why: &str| {
            Error::Incompatible(format!(
                "{}: {why}; run `cms build` again to write the search index anew",
                path.display()
            ))
        };
        if !path.is_file() {
            return Err(bad("missing"));
        }
        let mmap = MmapDirectory::open(dir).map_err(|e| Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let bytes = mmap
            .open_read(Path::new(FILE))
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|f| f.read_bytes())
            .map_err(io_err(&path))?;
        let n = bytes.len();
        if n < FOOTER || &bytes[n - 8..] != MAGIC {
            return Err(bad("not a texts file"));
        }
        let table = u64_at(&bytes, n - FOOTER).ok_or_else(|| bad("truncated"))? as usize;
        let count = u64_at(&bytes, n - FOOTER + 8).ok_or_else(|| bad("truncated"))? as usize;
        if count.checked_mul(ENTRY).and_then(|t| t.checked_add(table)) != Some(n - FOOTER) {
            return Err(bad("its table does not fit"));
        }
        Ok(Texts {
            bytes,
            table,
            count,
        })
    }

    /// The key of entry `i` of the table.
    fn key(&self, i: usize) -> Option<u64> {
        u64_at(&self.bytes, self.table + i * ENTRY)
    }

    /// The text of the page `key` (empty if it has none).
    pub(crate) fn get(&self, key: u64) -> &[u8] {
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.key(mid) {
                Some(k) if k < key => lo = mid + 1,
                Some(k) if k > key => hi = mid,
                Some(_) => {
                    let at = self.table + mid * ENTRY;
                    let text = u64_at(&self.bytes, at + 8)
                        .zip(u64_at(&self.bytes, at + 16))
                        .and_then(|(off, len)| {
                            let off = usize::try_from(off).ok()?;
                            let end = off.checked_add(usize::try_from(len).ok()?)?;
                            // Texts lie before the table.
                            (end <= self.table).then(|| self.bytes.get(off..end))?
                        });
                    return text.unwrap_or_default();
                }
                None => return &[],
            }
        }
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_found_by_key_and_a_damaged_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = TextsWriter::create(dir.path()).unwrap();
        w.add(30, "ba".as_bytes()).unwrap();
        w.add(10, "Đường một".as_bytes()).unwrap();
        w.add(20, b"").unwrap();
        w.finish().unwrap();
        let t = Texts::open(dir.path()).unwrap();
        assert_eq!(t.get(10), "Đường một".as_bytes());
        assert_eq!(t.get(30), b"ba");
        assert_eq!(t.get(20), b"");
        assert_eq!(t.get(99), b"");
        drop(t);

        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 3);
        std::fs::write(&path, &bytes).unwrap();
        let err = Texts::open(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("texts.bin") && err.contains("cms build"),
            "{err}"
        );
        std::fs::remove_file(&path).unwrap();
        let err = Texts::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("missing"), "{err}");
    }
}
