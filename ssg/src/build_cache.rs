//! The build cache: what each output was rendered from, so that a build over an existing
//! output renders only the outputs whose inputs changed, and rewrites only the files whose
//! bytes changed.
//!
//! An output's key hashes everything its bytes are made from: the template and every template
//! it extends or includes, the template context (the page and its lists, the site and network
//! views, the partials, the asset names, the build date's statuses), and the settings of the
//! whole build (tool version, UI strings, minification). Output = f(templates, context), so an
//! equal key means equal bytes: nothing is tracked by hand that could be forgotten.
//!
//! `docs/caches.md` explains it together with the other caches of a build.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::output::ManifestEntry;

/// Where the cache lives in the output folder (not published: not in the manifest).
pub const BUILD_CACHE_FILE: &str = ".cms/build-cache";

/// The first line of the cache file: another format is not read.
const BUILD_CACHE_HEADER: &str = "cms build cache 3";

/// The previous build in the output folder: its manifest, and its cache when compatible.
#[derive(Debug, Default)]
pub(crate) struct PreviousBuild {
    /// Every file of the previous manifest, by path.
    pub files: HashMap<String, ManifestEntry>,
    /// Its keys, when the global key is the same as this build's.
    pub keys: HashMap<String, u64>,
}

#[derive(Deserialize)]
struct Manifest {
    files: Vec<ManifestEntry>,
}

fn manifest_hash(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}

/// The cache file of a build: the settings of the whole build (`global`: another value
/// invalidates every key), a hash of the manifest written with it, and a line for each file of
/// the manifest with its key (`-` for a file copied, not rendered, or a precompressed variant)
/// and encoding (`-` for none). A line per file, tab
/// separated, reads many times faster than the JSON manifest, which a build over 26,000 files
/// would otherwise parse first.
pub(crate) fn build_cache_file(global: u64, manifest: &[u8], entries: &[ManifestEntry]) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(64 + entries.len() * 160);
    let _ = writeln!(out, "{BUILD_CACHE_HEADER}");
    let _ = writeln!(out, "global {global:016x}");
    let _ = writeln!(out, "manifest {:016x}", manifest_hash(manifest));
    for e in entries {
        match e.key {
            Some(k) => {
                let _ = write!(out, "{k:016x}");
            }
            None => out.push('-'),
        }
        let enc = e.encoding.as_deref().unwrap_or("-");
        let _ = writeln!(
            out,
            "\t{}\t{}\t{enc}\t{}\t{}",
            e.size, e.hash, e.mime, e.path
        );
    }
    // A file cut short is not read.
    let _ = writeln!(out, "end {}", entries.len());
    out.into_bytes()
}

/// Reads a cache file written with the manifest `manifest`: its entries and its keys (when
/// `global` is this build's). `None` when it is another format, for another manifest, or
/// damaged.
fn read_build_cache(text: &str, manifest: &[u8], global: u64) -> Option<PreviousBuild> {
    let mut lines = text.lines();
    if lines.next()? != BUILD_CACHE_HEADER {
        return None;
    }
    let hex = |s: Option<&str>, name: &str| {
        s.and_then(|l| l.strip_prefix(name))
            .and_then(|h| u64::from_str_radix(h, 16).ok())
    };
    let same_global = hex(lines.next(), "global ")? == global;
    if hex(lines.next(), "manifest ")? != manifest_hash(manifest) {
        return None;
    }
    let mut prev = PreviousBuild::default();
    let mut skipped = 0;
    for line in lines {
        if let Some(n) = line.strip_prefix("end ") {
            return (n.parse::<usize>().ok()? == prev.files.len() + skipped).then_some(prev);
        }
        let mut parts = line.splitn(6, '\t');
        let (key, size, hash, enc, mime, path) = (
            parts.next()?,
            parts.next()?.parse().ok()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        let encoding = (enc != "-").then(|| enc.to_string());
        // Variants compressed by another version or with other settings are made again.
        if encoding.is_some() && !same_global {
            skipped += 1;
            continue;
        }
        if key != "-" && same_global {
            prev.keys
                .insert(path.to_string(), u64::from_str_radix(key, 16).ok()?);
        }
        prev.files.insert(
            path.to_string(),
            ManifestEntry {
                path: path.to_string(),
                hash: hash.to_string(),
                size,
                mime: mime.to_string(),
                key: None,
                encoding,
            },
        );
    }
    None
}

impl PreviousBuild {
    /// Reads the previous build in `out`, if there is a complete one. The files a preview
    /// wrote over it are left out: their bytes are no longer those listed.
    pub fn load(out: &Path, global: u64) -> Option<PreviousBuild> {
        let mut previous = PreviousBuild::read(out, global)?;
        if let Ok(text) = std::fs::read_to_string(out.join(crate::builds::PREVIEWED)) {
            for rel in text.lines() {
                previous.files.remove(rel);
                previous.keys.remove(rel);
            }
        }
        Some(previous)
    }

    fn read(out: &Path, global: u64) -> Option<PreviousBuild> {
        let manifest = std::fs::read(out.join("manifest.json")).ok()?;
        let cached = std::fs::read_to_string(out.join(BUILD_CACHE_FILE))
            .ok()
            .and_then(|text| read_build_cache(&text, &manifest, global));
        if let Some(p) = cached {
            return Some(p);
        }
        // No cache for this manifest: its files can still be left as they are when the same
        // bytes are written again.
        let manifest: Manifest = serde_json::from_slice(&manifest).ok()?;
        // Its variants may have been compressed otherwise: made again.
        let files = manifest
            .files
            .into_iter()
            .filter(|e| e.encoding.is_none())
            .map(|e| (e.path.clone(), e))
            .collect();
        Some(PreviousBuild {
            files,
            keys: HashMap::new(),
        })
    }

    /// The previous entries of `rel` (its own, then its precompressed variants'), if it was
    /// rendered from the same inputs.
    pub fn hit(&self, rel: &str, key: u64) -> Option<Vec<ManifestEntry>> {
        if self.keys.get(rel) != Some(&key) {
            return None;
        }
        let own = self.files.get(rel).map(|e| ManifestEntry {
            key: Some(key),
            ..e.clone()
        })?;
        let mut out = vec![own];
        out.extend(crate::output::variants_of(&self.files, rel));
        Some(out)
    }
}

/// A hash (xxh3) of the inputs of an output. The bytes are gathered and hashed at once: most
/// writes are a few bytes (tags, lengths, short strings), where a streaming hasher's
/// bookkeeping costs more than the copy.
pub(crate) struct KeyHasher(Vec<u8>);

impl KeyHasher {
    pub fn new() -> KeyHasher {
        KeyHasher(Vec::with_capacity(1024))
    }
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        // Length first: ("ab", "c") and ("a", "bc") must differ.
        self.0.extend_from_slice(&(b.len() as u64).to_le_bytes());
        self.0.extend_from_slice(b);
        self
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn write(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    /// Hashes a JSON value by its structure: a tag for each kind of value, lengths before
    /// strings, arrays and objects. Walking the tree is several times cheaper than serializing
    /// it (no escaping, no number formatting), and contexts are most of what a build hashes.
    pub fn json(&mut self, v: &Value) -> &mut Self {
        match v {
            Value::Null => self.write(&[0]),
            Value::Bool(b) => self.write(&[1, u8::from(*b)]),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    self.write(&[2]);
                    self.write(&u.to_le_bytes());
                } else if let Some(i) = n.as_i64() {
                    self.write(&[3]);
                    self.write(&i.to_le_bytes());
                } else {
                    self.write(&[4]);
                    self.write(&n.as_f64().unwrap_or(f64::NAN).to_bits().to_le_bytes());
                }
            }
            Value::String(s) => {
                self.write(&[5]);
                self.bytes(s.as_bytes());
            }
            Value::Array(a) => {
                self.write(&[6]);
                self.u64(a.len() as u64);
                for x in a {
                    self.json(x);
                }
            }
            Value::Object(m) => {
                self.write(&[7]);
                self.u64(m.len() as u64);
                for (k, x) in m {
                    self.bytes(k.as_bytes());
                    self.json(x);
                }
            }
        }
        self
    }
    pub fn finish(&self) -> u64 {
        twox_hash::XxHash3_64::oneshot(&self.0)
    }
}

/// The key of each template: its text and the keys of every template it names (extends,
/// include, import, or any quoted name of another template: more than needed, never less).
pub(crate) fn template_keys(
    theme: &[(String, String)],
    overrides: &[(String, String)],
) -> HashMap<String, u64> {
    let mut texts: BTreeMap<&str, &str> = theme
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    for (n, t) in overrides {
        texts.insert(n, t);
    }
    let names: Vec<&str> = texts.keys().copied().collect();
    let deps: HashMap<&str, Vec<&str>> = texts
        .iter()
        .map(|(n, text)| {
            let d = names
                .iter()
                .copied()
                .filter(|other| {
                    other != n
                        && (text.contains(&format!("\"{other}\""))
                            || text.contains(&format!("'{other}'")))
                })
                .collect();
            (*n, d)
        })
        .collect();
    names
        .iter()
        .map(|n| {
            // Every template reachable from `n`, in a stable order.
            let mut seen = std::collections::BTreeSet::new();
            let mut stack = vec![*n];
            while let Some(t) = stack.pop() {
                if seen.insert(t) {
                    stack.extend(deps.get(t).into_iter().flatten().copied());
                }
            }
            let mut h = KeyHasher::new();
            for t in seen {
                h.bytes(t.as_bytes()).bytes(texts[t].as_bytes());
            }
            (n.to_string(), h.finish())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_key_covers_what_it_extends_and_includes() {
        let theme = vec![
            ("base.html".to_string(), "<main>{% block c %}{% endblock c %}</main>".to_string()),
            ("page.html".to_string(), "{% extends \"base.html\" %}{% block c %}{% include \"parts/x.html\" %}{% endblock c %}".to_string()),
            ("parts/x.html".to_string(), "x".to_string()),
            ("other.html".to_string(), "o".to_string()),
        ];
        let a = template_keys(&theme, &[]);
        let b = template_keys(&theme, &[("parts/x.html".into(), "y".into())]);
        assert_ne!(a["page.html"], b["page.html"], "an include changed");
        assert_eq!(a["base.html"], b["base.html"]);
        assert_eq!(a["other.html"], b["other.html"]);
        let c = template_keys(&theme, &[("base.html".into(), "<main></main>".into())]);
        assert_ne!(a["page.html"], c["page.html"], "a parent changed");
    }

    #[test]
    fn the_cache_file_reads_back_and_is_ignored_for_another_manifest() {
        let entries = vec![
            ManifestEntry {
                path: "sites/mt.gov.vn/index.html".into(),
                hash: "ab".repeat(32),
                size: 1234,
                mime: "text/html; charset=utf-8".into(),
                key: Some(7),
                encoding: None,
            },
            ManifestEntry {
                path: "sites/mt.gov.vn/tệp có dấu cách.pdf".into(),
                hash: "cd".repeat(32),
                size: 5,
                mime: "application/pdf".into(),
                key: None,
                encoding: None,
            },
            ManifestEntry {
                path: "sites/mt.gov.vn/index.html.br".into(),
                hash: "ef".repeat(32),
                size: 300,
                mime: "text/html; charset=utf-8".into(),
                key: None,
                encoding: Some("br".into()),
            },
        ];
        let file = build_cache_file(42, b"{manifest}", &entries);
        let text = String::from_utf8(file).unwrap();
        let p = read_build_cache(&text, b"{manifest}", 42).unwrap();
        assert_eq!(p.files.len(), 3);
        assert_eq!(p.keys.len(), 1, "a copied file has no key");
        let hit = p.hit("sites/mt.gov.vn/index.html", 7).unwrap();
        assert_eq!(
            hit,
            vec![
                ManifestEntry {
                    key: Some(7),
                    ..entries[0].clone()
                },
                entries[2].clone()
            ]
        );
        assert_eq!(p.files["sites/mt.gov.vn/tệp có dấu cách.pdf"], entries[1]);
        assert!(p.hit("sites/mt.gov.vn/index.html", 8).is_none());
        // Another build's settings: the files, not the keys nor the variants.
        let other = read_build_cache(&text, b"{manifest}", 43).unwrap();
        assert!(other.keys.is_empty() && other.files.len() == 2);
        // Another manifest, or a damaged file: not read.
        assert!(read_build_cache(&text, b"{other}", 42).is_none());
        let cut = text.trim_end().rsplit_once('\n').unwrap().0;
        assert!(read_build_cache(cut, b"{manifest}", 42).is_none());
        assert!(read_build_cache("", b"{manifest}", 42).is_none());
    }

    #[test]
    fn json_keys_differ_with_content() {
        let k = |v: Value| KeyHasher::new().json(&v).finish();
        assert_eq!(
            k(serde_json::json!({"a": 1})),
            k(serde_json::json!({"a": 1}))
        );
        assert_ne!(
            k(serde_json::json!({"a": 1})),
            k(serde_json::json!({"a": 2}))
        );
    }
}
