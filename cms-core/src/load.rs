//! Loading a content repository into a validated [`Network`].

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde_json::Value;

use crate::assemble::assemble_site;
use crate::config::{parse_network, parse_site, SiteConfig};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::frontmatter::{self, FrontMatter, PageMeta, Reader, SectionMeta};
use crate::model::Network;
use crate::schema::Schemas;
use crate::source::{list_files, Listing, Source, SourceFile};
use crate::text::nfc;

/// Why a network could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source itself is unusable (no folder, not a git repository, unknown revision).
    #[error("{0}")]
    Source(String),
    /// The content has errors; all of them are listed.
    #[error("{}", .0)]
    Invalid(Diagnostics),
}

/// Markdown files already parsed by an earlier load, for a process that loads the same
/// content again and again (`cms dev`): a file whose bytes, site and languages are the same
/// is not parsed again. Only the files of the latest load are kept.
#[derive(Default)]
pub struct LoadCache {
    parsed: std::sync::Mutex<HashMap<u64, Parsed>>,
    /// The key of each file's entry, by its path relative to the content root.
    files: std::sync::Mutex<HashMap<String, u64>>,
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
}

/// What a parse depends on: the file's path and bytes, its site and the languages.
fn parse_key(
    site: usize,
    rel: &str,
    file: &str,
    bytes: &[u8],
    langs: &[String],
    default: &str,
) -> u64 {
    use std::hash::Hasher;
    let mut h = twox_hash::XxHash3_64::with_seed(0);
    for part in [rel.as_bytes(), file.as_bytes(), default.as_bytes(), bytes] {
        h.write(&(part.len() as u64).to_le_bytes());
        h.write(part);
    }
    h.write(&(site as u64).to_le_bytes());
    for l in langs {
        h.write(&(l.len() as u64).to_le_bytes());
        h.write(l.as_bytes());
    }
    h.finish()
}

/// Loads and validates the network in `source`. Every problem is reported, not only the first.
pub fn load(source: &Source) -> Result<Network, Error> {
    load_cached(source, None)
}

/// [`load`], reusing the files parsed by the previous load through `cache` when their bytes
/// did not change.
pub fn load_cached(source: &Source, cache: Option<&LoadCache>) -> Result<Network, Error> {
    let mut warnings = Vec::new();
    let files = list_files(source, &mut warnings).map_err(Error::Source)?;
    let listing = Listing {
        source: source.clone(),
        files,
        warnings,
    };
    load_listed(listing, cache)
}

/// [`load_cached`] of the files `listing` holds (see [`crate::list`]).
pub fn load_listed(listing: Listing, cache: Option<&LoadCache>) -> Result<Network, Error> {
    let Listing {
        source,
        files,
        mut warnings,
    } = listing;
    let root = source.display_root();
    let mut diags = Diagnostics::default();
    let network = load_files(files, &mut diags, &mut warnings, cache);
    let under = |d: Diagnostic| d.under(&root);
    match network {
        Some(mut n) if !diags.has_errors() => {
            let mut w = Diagnostics(warnings.into_iter().map(under).collect());
            w.sort();
            n.warnings = w.0;
            n.display_root = root;
            Ok(n)
        }
        _ => {
            let mut all = Diagnostics(diags.0.into_iter().chain(warnings).map(under).collect());
            all.sort();
            Err(Error::Invalid(all))
        }
    }
}

/// Reads a file as NFC text; invalid UTF-8 is an error at its line and column.
pub(crate) fn read_text(f: &SourceFile) -> Result<String, Diagnostic> {
    let bytes = f
        .data
        .read()
        .map_err(|e| Diagnostic::error(&f.rel, 0, 0, format!("cannot read: {e}")))?;
    text_of(&f.rel, &bytes)
}

/// The bytes of the file `rel` as NFC text; invalid UTF-8 is an error at its line and column.
fn text_of(rel: &str, bytes: &[u8]) -> Result<String, Diagnostic> {
    // SIMD validation is several times faster on Vietnamese text, which is mostly multi-byte;
    // the standard library's says where the error is.
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok(nfc(s));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(nfc(s)),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = good
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|p| p + 1)
                .unwrap_or(0);
            let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            Err(Diagnostic::error(
                rel,
                line,
                col,
                format!("invalid UTF-8 (byte {})", e.valid_up_to()),
            )
            .with_hint("save the file as UTF-8"))
        }
    }
}

/// One Markdown file after its front matter is parsed.
#[derive(Clone)]
pub(crate) struct Parsed {
    pub(crate) site: usize,
    /// Path relative to the site folder.
    pub(crate) rel: String,
    /// Path relative to the content root.
    pub(crate) file: String,
    pub(crate) lang: String,
    pub(crate) role: Role,
    pub(crate) fm: FrontMatter,
    pub(crate) body: String,
    pub(crate) body_line: usize,
    pub(crate) meta: Meta,
    /// Front-matter keys not read as page fields: the kind table, or mistakes.
    pub(crate) rest: serde_json::Map<String, Value>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    /// `_index.md` of folder `dir`.
    Section { dir: String },
    /// A page in section folder `dir`; `bundle` is its own folder when it is a bundle.
    Page {
        dir: String,
        stem: String,
        bundle: Option<String>,
    },
}

#[derive(Clone)]
pub(crate) enum Meta {
    Section(SectionMeta),
    Page(PageMeta),
}

fn split_lang<'a>(stem: &'a str, languages: &[String], default: &str) -> (&'a str, String) {
    if let Some((base, suffix)) = stem.rsplit_once('.') {
        if languages.iter().any(|l| l == suffix) && suffix != default {
            return (base, suffix.to_string());
        }
    }
    (stem, default.to_string())
}

pub(crate) fn parent_dir(rel: &str) -> (&str, &str) {
    match rel.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", rel),
    }
}

fn classify(rel: &str, languages: &[String], default: &str) -> Result<(Role, String), String> {
    let (dir, name) = parent_dir(rel);
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let (base, lang) = split_lang(stem, languages, default);
    match base {
        "_index" => Ok((
            Role::Section {
                dir: dir.to_string(),
            },
            lang,
        )),
        "index" => {
            if dir.is_empty() {
                return Err(
                    "index.md at the site root is not a page (the home page is _index.md)".into(),
                );
            }
            let (section_dir, bundle_name) = parent_dir(dir);
            Ok((
                Role::Page {
                    dir: section_dir.to_string(),
                    stem: bundle_name.to_string(),
                    bundle: Some(dir.to_string()),
                },
                lang,
            ))
        }
        _ => Ok((
            Role::Page {
                dir: dir.to_string(),
                stem: base.to_string(),
                bundle: None,
            },
            lang,
        )),
    }
}

fn parse_markdown(
    site: usize,
    f: &SourceFile,
    rel: &str,
    languages: &[String],
    default: &str,
    cache: Option<Memo<'_>>,
) -> Result<Parsed, Vec<Diagnostic>> {
    let Some(Memo {
        old,
        parsed: new,
        files,
    }) = cache
    else {
        return parse_text(
            site,
            f,
            rel,
            languages,
            default,
            read_text(f).map_err(|d| vec![d])?,
        );
    };
    let bytes = f
        .data
        .read()
        .map_err(|e| vec![Diagnostic::error(&f.rel, 0, 0, format!("cannot read: {e}"))])?;
    let key = parse_key(site, rel, &f.rel, &bytes, languages, default);
    let hit = old.parsed.lock().ok().and_then(|m| m.get(&key).cloned());
    let parsed = match hit {
        Some(p) => p,
        None => {
            let text = text_of(&f.rel, &bytes).map_err(|d| vec![d])?;
            parse_text(site, f, rel, languages, default, text)?
        }
    };
    if let Ok(mut m) = new.lock() {
        m.insert(key, parsed.clone());
    }
    if let Ok(mut m) = files.lock() {
        m.insert(f.rel.clone(), key);
    }
    Ok(parsed)
}

/// The previous load's cache and what this load puts in it.
#[derive(Clone, Copy)]
struct Memo<'a> {
    old: &'a LoadCache,
    parsed: &'a std::sync::Mutex<HashMap<u64, Parsed>>,
    files: &'a std::sync::Mutex<HashMap<String, u64>>,
}

fn parse_text(
    site: usize,
    f: &SourceFile,
    rel: &str,
    languages: &[String],
    default: &str,
    text: String,
) -> Result<Parsed, Vec<Diagnostic>> {
    let (role, lang) = classify(rel, languages, default)
        .map_err(|m| vec![Diagnostic::error(&f.rel, 1, 1, m).with_hint("rename it _index.md")])?;
    let (fm, body, body_line) = frontmatter::split(&f.rel, &text).map_err(|d| vec![d])?;
    let map = frontmatter::parse(&f.rel, &fm).map_err(|d| vec![d])?;
    let mut reader = Reader::new(map, &fm, &f.rel);
    let meta = match role {
        Role::Section { .. } => Meta::Section(frontmatter::read_section_meta(&mut reader)),
        Role::Page { .. } => Meta::Page(frontmatter::read_page_meta(&mut reader)),
    };
    let Reader {
        map: rest, diags, ..
    } = reader;
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Parsed {
        site,
        rel: rel.to_string(),
        file: f.rel.clone(),
        lang,
        role,
        fm,
        body,
        body_line,
        meta,
        rest,
    })
}

pub(crate) struct SiteFiles {
    pub(crate) id: String,
    pub(crate) config_file: Option<SourceFile>,
    pub(crate) markdown: Vec<(String, SourceFile)>,
    pub(crate) other: Vec<(String, SourceFile)>,
}

fn load_files(
    files: Vec<SourceFile>,
    diags: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
    cache: Option<&LoadCache>,
) -> Option<Network> {
    let Some(net_file) = files.iter().find(|f| f.rel == "network.toml") else {
        diags.push(
            Diagnostic::error("network.toml", 0, 0, "not found")
                .with_hint("the content folder must hold network.toml; pass --content DIR"),
        );
        return None;
    };
    let config = match read_text(net_file).and_then(|t| parse_network(&net_file.rel, &t)) {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };

    let mut schemas = Schemas::builtin();
    let mut sites: BTreeMap<String, SiteFiles> = BTreeMap::new();
    for f in files {
        if let Some(name) = f.rel.strip_prefix("schema/") {
            match name.strip_suffix(".toml") {
                Some(stem) if !stem.contains('/') => {
                    if let Err(d) = read_text(&f).and_then(|t| schemas.add_file(&f.rel, stem, &t)) {
                        diags.push(d);
                    }
                }
                _ => warnings.push(
                    Diagnostic::warning(&f.rel, 0, 0, "not a kind schema; ignored")
                        .with_hint("kind schemas are schema/<kind>.toml"),
                ),
            }
        } else if let Some(rest) = f.rel.strip_prefix("sites/") {
            let Some((id, rel)) = rest.split_once('/') else {
                warnings.push(Diagnostic::warning(
                    &f.rel,
                    0,
                    0,
                    "file outside any site folder; ignored",
                ));
                continue;
            };
            let (id, rel) = (id.to_string(), rel.to_string());
            let entry = sites.entry(id.clone()).or_insert_with(|| SiteFiles {
                id,
                config_file: None,
                markdown: Vec::new(),
                other: Vec::new(),
            });
            if rel == "site.toml" {
                entry.config_file = Some(f);
            } else if rel.ends_with(".md")
                && !rel.starts_with("static/")
                && !rel.starts_with("templates/")
            {
                entry.markdown.push((rel, f));
            } else {
                entry.other.push((rel, f));
            }
        }
    }

    // Site configurations.
    let mut configs: Vec<(SiteFiles, SiteConfig, Vec<String>)> = Vec::new();
    let mut domains: HashMap<String, String> = HashMap::new();
    for (id, sf) in sites {
        let Some(cf) = &sf.config_file else {
            diags.push(
                Diagnostic::error(format!("sites/{id}/site.toml"), 0, 0, "missing site.toml")
                    .with_hint(format!(
                        "create it with name = \"…\" and domain = \"{id}.{}\"",
                        config.base_domain
                    )),
            );
            continue;
        };
        match read_text(cf).and_then(|t| parse_site(&cf.rel, &id, &t)) {
            Ok(sc) => {
                for d in std::iter::once(&sc.domain).chain(&sc.aliases) {
                    if let Some(other) = domains.insert(d.clone(), cf.rel.clone()) {
                        diags.push(
                            Diagnostic::error(
                                &cf.rel,
                                1,
                                1,
                                format!("domain `{d}` is already used by {other}"),
                            )
                            .with_hint("each domain and alias may belong to one site only"),
                        );
                    }
                }
                let languages = match &sc.languages {
                    Some(ls) => {
                        let mut out = vec![config.default_language.clone()];
                        for l in ls {
                            if !config.languages.contains(l) {
                                diags.push(
                                    Diagnostic::error(
                                        &cf.rel,
                                        1,
                                        1,
                                        format!("language `{l}` is not a language of the network"),
                                    )
                                    .with_hint(format!(
                                        "use some of: {}",
                                        config.languages.join(", ")
                                    )),
                                );
                            } else if !out.contains(l) {
                                out.push(l.clone());
                            }
                        }
                        out
                    }
                    None => {
                        let mut out = vec![config.default_language.clone()];
                        out.extend(
                            config
                                .languages
                                .iter()
                                .filter(|l| **l != config.default_language)
                                .cloned(),
                        );
                        out
                    }
                };
                configs.push((sf, sc, languages));
            }
            Err(d) => diags.push(d),
        }
    }
    if !configs.iter().any(|(sf, _, _)| sf.id == config.portal) {
        diags.push(
            Diagnostic::error(
                "network.toml",
                1,
                1,
                format!("the portal site `{}` does not exist", config.portal),
            )
            .with_hint(format!(
                "create sites/{}/site.toml or set portal to an existing site id",
                config.portal
            )),
        );
    }

    // Front matter of every Markdown file of every site, in parallel.
    let jobs: Vec<(usize, &str, &SourceFile, &[String])> = configs
        .iter()
        .enumerate()
        .flat_map(|(i, (sf, _, langs))| {
            sf.markdown
                .iter()
                .map(move |(rel, f)| (i, rel.as_str(), f, langs.as_slice()))
        })
        .collect();
    let default = config.default_language.as_str();
    let fresh = std::sync::Mutex::new(HashMap::new());
    let fresh_files = std::sync::Mutex::new(HashMap::new());
    let results: Vec<Result<Parsed, Vec<Diagnostic>>> = jobs
        .par_iter()
        .map(|(i, rel, f, langs)| {
            let memo = cache.map(|c| Memo {
                old: c,
                parsed: &fresh,
                files: &fresh_files,
            });
            parse_markdown(*i, f, rel, langs, default, memo)
        })
        .collect();
    if let Some(c) = cache {
        if let (Ok(mut old), Ok(new)) = (c.parsed.lock(), fresh.into_inner()) {
            *old = new;
        }
        if let (Ok(mut files), Ok(new)) = (c.files.lock(), fresh_files.into_inner()) {
            *files = new;
        }
    }
    let mut parsed_by_site: Vec<Vec<Parsed>> = (0..configs.len()).map(|_| Vec::new()).collect();
    for r in results {
        match r {
            Ok(p) => parsed_by_site[p.site].push(p),
            Err(ds) => diags.extend(ds),
        }
    }

    // Each site on its own, in parallel; their messages in the order of the sites.
    let assembled: Vec<_> = configs
        .into_par_iter()
        .zip(parsed_by_site)
        .map(|((sf, sc, languages), parsed)| {
            let is_portal = sf.id == config.portal;
            let (mut d, mut w) = (Diagnostics::default(), Vec::new());
            let site = assemble_site(
                &config, &schemas, sf, sc, languages, parsed, is_portal, &mut d, &mut w,
            );
            (site, d, w)
        })
        .collect();
    let mut out_sites = Vec::new();
    for (site, d, w) in assembled {
        diags.extend(d.0);
        warnings.extend(w);
        out_sites.extend(site);
    }
    out_sites.sort_by(|a, b| (!a.is_portal, &a.id).cmp(&(!b.is_portal, &b.id)));
    Some(Network {
        config,
        sites: out_sites,
        schemas,
        warnings: Vec::new(),
        display_root: String::new(),
    })
}
