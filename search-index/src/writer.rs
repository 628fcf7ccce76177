//! Writing the index: from scratch, or from the previous build's index re-indexing only the
//! pages that changed.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use std::sync::Arc;

use tantivy::indexer::UserOperation;
use tantivy::{doc, DateTime, Index, IndexWriter, TantivyDocument, Term};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::schema::{self, Fields, SCHEMA_VERSION};
use crate::texts::{Texts, TextsWriter};
use crate::{analysis, Error};

/// The file beside the index that says which schema and which build tool wrote it.
pub const VERSION_FILE: &str = "VERSION";

/// Bytes of stored fields compressed together. A result list reads ten pages, each from its
/// own block: blocks of about one page (not tantivy's 16 KiB, four pages) made a query 15%
/// faster for an index 7% bigger.
const DOCSTORE_BLOCK: usize = 4096;

/// Pages given to the index writer and not yet taken up, at most.
const MAX_QUEUED: usize = 256;

/// Pages given to the index writer at a time: one at a time, the writer's thread was woken up
/// for each, and the feeding thread put to sleep as often.
const BATCH: usize = 32;

/// One page, as the index receives it.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    /// Site id (`mt`).
    pub site: String,
    /// Site domain (`mt.gov.vn`).
    pub domain: String,
    /// Content kind (`legal`).
    pub kind: String,
    /// Language (`vi`, `en`).
    pub lang: String,
    /// Path on the site (`/van-ban/qd-1552/`).
    pub path: String,
    /// Title.
    pub title: String,
    /// Description (the lead).
    pub description: String,
    /// The page's main text, without navigation or footer.
    pub body: String,
    /// When set, stands for `body` in the change hash: a key of what the body is made from.
    /// Then the body need not be made for a document that did not change: [`write_index_with`]
    /// asks for it when the document is written.
    pub body_key: Option<u64>,
    /// Publication date, seconds since the epoch (UTC).
    pub date: Option<i64>,
    /// Taxonomy terms: (taxonomy, term name).
    pub taxonomies: Vec<(String, String)>,
    /// Values of the typed fields that are searched as words.
    pub fields: Vec<String>,
    /// Identifiers people paste whole (document numbers, procedure codes).
    pub codes: Vec<String>,
}

impl SearchDoc {
    /// The page's URL, the document's key in the index.
    pub fn url(&self) -> String {
        format!("https://{}{}", self.domain, self.path)
    }

    fn content_hash(&self) -> u64 {
        // Stable within one binary, which is all the cache needs: another binary version
        // rebuilds the index (see VERSION_FILE).
        // xxh3: the texts are most of the bytes hashed, where it is many times faster than
        // SipHash.
        // Every field named: a new one does not compile until it is hashed.
        let SearchDoc {
            site,
            domain,
            kind,
            lang,
            path,
            title,
            description,
            body,
            body_key,
            date,
            taxonomies,
            fields,
            codes,
        } = self;
        let mut h = twox_hash::XxHash3_64::with_seed(0);
        (site, domain, kind, lang, path, title, description).hash(&mut h);
        match body_key {
            Some(k) => (1u8, k).hash(&mut h),
            None => (0u8, body).hash(&mut h),
        }
        (date, taxonomies, fields, codes).hash(&mut h);
        h.finish()
    }
}

/// What [`write_index`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Documents in the index.
    pub documents: usize,
    /// Documents written (new or changed).
    pub indexed: usize,
    /// Documents removed (gone or changed).
    pub removed: usize,
    /// Whether the previous index was reused.
    pub incremental: bool,
}

fn nfc(s: &str) -> String {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s.to_string(),
        _ => s.nfc().collect(),
    }
}

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> Error + '_ {
    move |source| Error::Tantivy {
        path: path.to_path_buf(),
        source,
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The version line this build writes: the schema and the tool that wrote it.
fn version_line(tool_version: &str) -> String {
    format!("schema {SCHEMA_VERSION}; {tool_version}\n")
}

/// Writes the index of `docs` into the empty folder `dir`. When `previous` holds an index
/// written by the same schema and tool version, its segments are reused (hard-linked, or
/// copied) and only the documents that are new, changed or gone are written.
pub fn write_index(
    dir: &Path,
    docs: &[SearchDoc],
    previous: Option<&Path>,
    tool_version: &str,
) -> Result<IndexStats, Error> {
    write_index_with(dir, docs, previous, tool_version, &|_| "")
}

/// [`write_index`], where the body of a document `docs[i]` that has a
/// [`SearchDoc::body_key`] is `body_of(i)`, asked for only when the document is written.
pub fn write_index_with<'a>(
    dir: &Path,
    docs: &'a [SearchDoc],
    previous: Option<&Path>,
    tool_version: &str,
    body_of: &dyn Fn(usize) -> &'a str,
) -> Result<IndexStats, Error> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let version = version_line(tool_version);
    let reusable = previous.filter(|p| {
        std::fs::read_to_string(p.join(VERSION_FILE)).is_ok_and(|v| v == version)
            && p.join("meta.json").is_file()
    });
    let mut stats = IndexStats::default();
    let (index, old, old_texts) = match reusable.and_then(|p| reuse_with_texts(p, dir)) {
        Some(found) => {
            stats.incremental = true;
            found
        }
        None => (create(dir)?, HashMap::new(), None),
    };
    analysis::register(&index);
    let f = schema::fields(&index.schema())?;

    let mut seen = HashSet::with_capacity(docs.len());
    // The pages' keys, in order, and those of the pages to write.
    let mut keys = Vec::with_capacity(docs.len());
    let mut changed = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let url = d.url();
        let key = schema::url_key(&url);
        let hash = d.content_hash();
        if old.get(&key) != Some(&hash) {
            changed.push(Change {
                i,
                doc: d,
                url,
                key,
                hash,
            });
        }
        seen.insert(key);
        keys.push(key);
    }
    let gone: Vec<u64> = old.keys().filter(|k| !seen.contains(*k)).copied().collect();
    stats.documents = seen.len();
    stats.indexed = changed.len();
    stats.removed = gone.len() + changed.iter().filter(|c| old.contains_key(&c.key)).count();

    // The same texts as the previous build's: its file is linked (or copied), not written
    // again. Otherwise the texts of unchanged pages are copied from it, in the pages' order
    // (the same bytes for the same content), and the others added as they are written.
    let mut texts = match (reusable, &old_texts) {
        (Some(previous), Some(_)) if changed.is_empty() && gone.is_empty() => {
            link_or_copy(
                &previous.join(crate::texts::FILE),
                &dir.join(crate::texts::FILE),
            )?;
            None
        }
        _ => {
            let mut w = TextsWriter::create(dir)?;
            if let Some(old_texts) = &old_texts {
                let fresh: HashSet<u64> = changed.iter().map(|c| c.key).collect();
                for key in keys.iter().filter(|k| !fresh.contains(k)) {
                    w.add(*key, old_texts.get(*key))?;
                }
            }
            Some(w)
        }
    };
    if !changed.is_empty() || !gone.is_empty() {
        let body = |c: &Change<'a>| -> &'a str {
            match c.doc.body_key {
                Some(_) => body_of(c.i),
                None => c.doc.body.as_str(),
            }
        };
        let changes = Changes {
            changed: &changed,
            gone: &gone,
            old: &old,
            incremental: stats.incremental,
        };
        feed(dir, &index, &f, &changes, &body, &mut texts)?;
    }
    if let Some(t) = texts {
        t.finish()?;
    }
    let vf = dir.join(VERSION_FILE);
    std::fs::write(&vf, version).map_err(io_err(&vf))?;
    Ok(stats)
}

/// A page to write: new, or changed since the previous index.
struct Change<'a> {
    /// Its place in the pages given.
    i: usize,
    doc: &'a SearchDoc,
    url: String,
    key: u64,
    hash: u64,
}

/// What the index writer is to do.
struct Changes<'c, 'a> {
    changed: &'c [Change<'a>],
    /// The keys of the pages gone.
    gone: &'c [u64],
    /// The keys and hashes of the previous index's pages.
    old: &'c HashMap<u64, u64>,
    /// Whether the previous index was reused.
    incremental: bool,
}

/// The previous index reused in `dir`, its pages' keys and hashes, and its texts. The previous
/// texts are copied for the pages that did not change: without them, the index is written
/// anew.
fn reuse_with_texts(
    previous: &Path,
    dir: &Path,
) -> Option<(Index, HashMap<u64, u64>, Option<Texts>)> {
    let texts = Texts::open(previous).ok()?;
    reuse(previous, dir)
        .ok()
        .map(|(index, old)| (index, old, Some(texts)))
}

/// A new, empty index in `dir`.
fn create(dir: &Path) -> Result<Index, Error> {
    // Anything a failed reuse left behind goes first.
    clear(dir)?;
    let settings = tantivy::IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK,
        ..Default::default()
    };
    Index::builder()
        .schema(schema::schema())
        .settings(settings)
        .create_in_dir(dir)
        .map_err(tantivy_err(dir))
}

/// The index writer's threads: half the cores (the build renders pages on the others at the
/// same time), at most 4, or `CMS_INDEX_THREADS`.
fn writer_threads() -> usize {
    std::env::var("CMS_INDEX_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get() / 2)
                .unwrap_or(1)
        })
        .clamp(1, 4)
}

/// Gives the index writer the pages changed and gone, adds the texts of the changed ones to
/// `texts`, and commits.
fn feed<'a>(
    dir: &Path,
    index: &Index,
    f: &Fields,
    changes: &Changes<'_, 'a>,
    body: &dyn Fn(&Change<'a>) -> &'a str,
    texts: &mut Option<TextsWriter>,
) -> Result<(), Error> {
    let threads = writer_threads();
    // A small heap per thread keeps the build's memory low; a full build then leaves a few
    // segments unmerged (merging them would add half the indexing time, and queries do not
    // need it); incremental builds let tantivy merge the small segments they add.
    // Counts the pages whose text the writer has split (see `analysis::counted_words`).
    let progress = Arc::new(crate::words::Progress::default());
    let mut throttle = true;
    index
        .tokenizers()
        .register(analysis::WORDS, crate::words::counted(progress.clone()));
    let mut writer: IndexWriter = index
        .writer_with_num_threads(threads, threads * 40_000_000)
        .map_err(tantivy_err(dir))?;
    if !changes.incremental {
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    let mut batch: Vec<UserOperation> = changes
        .gone
        .iter()
        .map(|key| UserOperation::Delete(Term::from_field_u64(f.key, *key)))
        .collect();
    let mut seen = crate::distinct::Distinct::default();
    let changed = changes.changed;
    for (fed, c) in changed.iter().enumerate() {
        if changes.old.contains_key(&c.key) {
            batch.push(UserOperation::Delete(Term::from_field_u64(f.key, c.key)));
        }
        let text = body(c);
        if let Some(t) = texts {
            t.add(c.key, text.as_bytes())?;
        }
        batch.push(UserOperation::Add(document(
            f, c.doc, text, &c.url, c.key, c.hash, &mut seen,
        )));
        if batch.len() < BATCH && fed + 1 < changed.len() {
            continue;
        }
        // Tantivy queues up to 10,000 documents: a queue that long (70 MB of text here)
        // costs more, in memory first touched and cold caches, than waiting for it. Once
        // MAX_QUEUED are waiting, this thread sleeps until half of them are taken up: one
        // wake-up for many pages, each wake-up taking a core from the pages rendering.
        // A writer that stops taking pages up (a failed thread) is not waited for again:
        // `run` fails then.
        if throttle && fed.saturating_sub(progress.split()) > MAX_QUEUED {
            let wanted = fed - MAX_QUEUED / 2;
            throttle = progress.wait_for(wanted, std::time::Duration::from_secs(10));
        }
        writer
            .run(std::mem::take(&mut batch))
            .map_err(tantivy_err(dir))?;
    }
    if !batch.is_empty() {
        writer.run(batch).map_err(tantivy_err(dir))?;
    }
    writer.commit().map_err(tantivy_err(dir))?;
    writer.wait_merging_threads().map_err(tantivy_err(dir))?;
    Ok(())
}

fn clear(dir: &Path) -> Result<(), Error> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io_err(dir))?;
    }
    std::fs::create_dir_all(dir).map_err(io_err(dir))
}

/// Hard-links `from` to `to`, or copies it where links cannot be made (another file system).
fn link_or_copy(from: &Path, to: &Path) -> Result<(), Error> {
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).map_err(io_err(to))?;
    }
    Ok(())
}

/// Links or copies the previous index into `dir` and reads its documents' keys and hashes.
fn reuse(previous: &Path, dir: &Path) -> Result<(Index, HashMap<u64, u64>), Error> {
    for entry in std::fs::read_dir(previous).map_err(io_err(previous))? {
        let entry = entry.map_err(io_err(previous))?;
        let name = entry.file_name();
        let name_s = name.to_string_lossy();
        if name_s.ends_with(".lock")
            || name_s == VERSION_FILE
            || name_s == crate::texts::FILE
            || !entry.path().is_file()
        {
            continue;
        }
        link_or_copy(&entry.path(), &dir.join(&name))?;
    }
    let index = Index::open_in_dir(dir).map_err(tantivy_err(dir))?;
    // The fields this version reads, checked.
    schema::fields(&index.schema())?;
    let reader = index.reader().map_err(tantivy_err(dir))?;
    let searcher = reader.searcher();
    let mut old = HashMap::new();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let keys = ff.u64("key").map_err(tantivy_err(dir))?;
        let hashes = ff.u64("hash").map_err(tantivy_err(dir))?;
        for doc in seg.doc_ids_alive() {
            if let Some(key) = keys.first(doc) {
                old.insert(key, hashes.first(doc).unwrap_or(0));
            }
        }
    }
    Ok((index, old))
}

fn document(
    f: &Fields,
    d: &SearchDoc,
    body: &str,
    url: &str,
    key: u64,
    hash: u64,
    seen: &mut crate::distinct::Distinct,
) -> TantivyDocument {
    let title = nfc(&d.title);
    let description = nfc(&d.description);
    // The build's text is NFC already (the loader normalizes every file); checking 60 MB again
    // would cost more than the tokenizer's NFD handling saves.
    let english = d.lang == "en";
    let (title_f, meta_f) = if english {
        (f.title_en, f.meta_en)
    } else {
        (f.title, f.meta)
    };
    let mut doc = doc!(
        f.url => url,
        f.key => key,
        f.site => d.site.as_str(),
        f.domain => d.domain.as_str(),
        f.kind => d.kind.as_str(),
        f.lang => d.lang.as_str(),
        f.path => d.path.as_str(),
        f.hash => hash,
        f.desc_s => description.as_str(),
    );
    doc.add_text(title_f, &title);
    if english {
        doc.add_text(f.body_en, body);
        // Every page has a text to split, so that the pages split count the pages taken up.
        doc.add_text(f.body, "");
    } else {
        let words = analysis::text_words_with(body, seen);
        doc.add_text(f.body, words.folded);
        for w in crate::marks::filter(&words.marked) {
            doc.add_u64(f.marks, w);
        }
    }
    doc.add_text(meta_f, &description);
    for v in &d.fields {
        doc.add_text(meta_f, nfc(v));
    }
    for (_, term) in &d.taxonomies {
        doc.add_text(meta_f, nfc(term));
    }
    for c in &d.codes {
        doc.add_text(f.code, c);
        // As words too: `1552` alone finds the decision.
        doc.add_text(meta_f, nfc(c));
    }
    // Every document has a date, so that sorting by date reads one value each; undated pages
    // sort last.
    doc.add_date(f.date, DateTime::from_timestamp_secs(d.date.unwrap_or(0)));
    let year = d
        .date
        .and_then(|ts| chrono::DateTime::from_timestamp(ts, 0))
        .map(|t| t.format("%Y").to_string())
        .unwrap_or_default();
    if !year.is_empty() {
        doc.add_text(f.year, &year);
    }
    doc.add_text(
        f.group,
        schema::group_value(&d.site, &d.kind, &d.lang, &year),
    );
    for (tax, term) in &d.taxonomies {
        doc.add_text(f.tax, schema::tax_value(tax, &nfc(term)));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_one_text_to_split() {
        // The feeding thread counts pages taken up by the texts split (see MAX_QUEUED): a page
        // without one would make it wait for a page that never comes.
        let f = schema::fields(&schema::schema()).unwrap();
        for lang in ["vi", "en"] {
            let d = SearchDoc {
                lang: lang.into(),
                title: "Tiêu đề".into(),
                ..SearchDoc::default()
            };
            let doc = document(
                &f,
                &d,
                "",
                "https://mt.gov.vn/a/",
                1,
                2,
                &mut Default::default(),
            );
            assert_eq!(doc.get_all(f.body).count(), 1, "{lang}");
        }
    }
}
