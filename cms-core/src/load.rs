//! Loading a content repository into a validated [`Network`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde_json::Value;

use crate::config::{parse_network, parse_site, NetworkConfig, SiteConfig};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::frontmatter::{self, FrontMatter, PageMeta, Reader, SectionMeta, SortBy};
use crate::model::{Asset, Network, Page, Section, Site};
use crate::schema::{FieldContext, Schemas};
use crate::source::{list_files, Source, SourceFile};
use crate::text::{nfc, safe_relative_path, slugify};

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

/// Loads and validates the network in `source`. Every problem is reported, not only the first.
pub fn load(source: &Source) -> Result<Network, Error> {
    let root = source.display_root();
    let mut diags = Diagnostics::default();
    let mut warnings = Vec::new();
    let files = list_files(source, &mut warnings).map_err(Error::Source)?;
    let network = load_files(files, &mut diags, &mut warnings);
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
fn read_text(f: &SourceFile) -> Result<String, Diagnostic> {
    let bytes = f
        .data
        .read()
        .map_err(|e| Diagnostic::error(&f.rel, 0, 0, format!("cannot read: {e}")))?;
    match std::str::from_utf8(&bytes) {
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
                &f.rel,
                line,
                col,
                format!("invalid UTF-8 (byte {})", e.valid_up_to()),
            )
            .with_hint("save the file as UTF-8"))
        }
    }
}

/// One Markdown file after its front matter is parsed.
struct Parsed {
    site: usize,
    /// Path relative to the site folder.
    rel: String,
    /// Path relative to the content root.
    file: String,
    lang: String,
    role: Role,
    fm: FrontMatter,
    body: String,
    body_line: usize,
    meta: Meta,
    /// Front-matter keys not read as page fields: the kind table, or mistakes.
    rest: serde_json::Map<String, Value>,
}

#[derive(Clone, PartialEq, Eq)]
enum Role {
    /// `_index.md` of folder `dir`.
    Section { dir: String },
    /// A page in section folder `dir`; `bundle` is its own folder when it is a bundle.
    Page {
        dir: String,
        stem: String,
        bundle: Option<String>,
    },
}

enum Meta {
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

fn parent_dir(rel: &str) -> (&str, &str) {
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
    site_dir: &str,
    f: &SourceFile,
    rel: &str,
    languages: &[String],
    default: &str,
) -> Result<Parsed, Vec<Diagnostic>> {
    let text = read_text(f).map_err(|d| vec![d])?;
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
    let _ = site_dir;
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

struct SiteFiles {
    id: String,
    config_file: Option<SourceFile>,
    markdown: Vec<(String, SourceFile)>,
    other: Vec<(String, SourceFile)>,
}

fn load_files(
    files: Vec<SourceFile>,
    diags: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
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
    let results: Vec<Result<Parsed, Vec<Diagnostic>>> = jobs
        .par_iter()
        .map(|(i, rel, f, langs)| parse_markdown(*i, "", f, rel, langs, default))
        .collect();
    let mut parsed_by_site: Vec<Vec<Parsed>> = (0..configs.len()).map(|_| Vec::new()).collect();
    for r in results {
        match r {
            Ok(p) => parsed_by_site[p.site].push(p),
            Err(ds) => diags.extend(ds),
        }
    }

    let mut out_sites = Vec::new();
    for ((sf, sc, languages), parsed) in configs.into_iter().zip(parsed_by_site) {
        let is_portal = sf.id == config.portal;
        if let Some(site) = assemble_site(
            &config, &schemas, sf, sc, languages, parsed, is_portal, diags, warnings,
        ) {
            out_sites.push(site);
        }
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

fn url_dir(lang_prefix: &str, dir: &str) -> String {
    let mut p = String::from(lang_prefix);
    p.push('/');
    for seg in dir.split('/').filter(|s| !s.is_empty()) {
        p.push_str(&slugify(seg));
        p.push('/');
    }
    p
}

#[allow(clippy::too_many_arguments)]
fn assemble_site(
    config: &NetworkConfig,
    schemas: &Schemas,
    sf: SiteFiles,
    sc: SiteConfig,
    languages: Vec<String>,
    parsed: Vec<Parsed>,
    is_portal: bool,
    diags: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Site> {
    let default = config.default_language.as_str();
    let prefix = |lang: &str| {
        if lang == default {
            String::new()
        } else {
            format!("/{lang}")
        }
    };
    let site_root = format!("sites/{}/", sf.id);

    // Bundles and their files; the rest is static.
    let bundle_dirs: BTreeSet<String> = parsed
        .iter()
        .filter_map(|p| match &p.role {
            Role::Page {
                bundle: Some(b), ..
            } => Some(b.clone()),
            _ => None,
        })
        .collect();
    let bundle_of = |rel: &str| -> Option<String> {
        let mut dir = parent_dir(rel).0;
        while !dir.is_empty() {
            if bundle_dirs.contains(dir) {
                return Some(dir.to_string());
            }
            dir = parent_dir(dir).0;
        }
        None
    };
    let mut bundle_assets: HashMap<String, Vec<Asset>> = HashMap::new();
    let mut static_files = Vec::new();
    let mut templates = Vec::new();
    for (rel, f) in sf.other {
        if let Some(name) = rel.strip_prefix("static/") {
            static_files.push(SourceFile {
                rel: name.to_string(),
                data: f.data,
            });
        } else if let Some(name) = rel.strip_prefix("templates/") {
            match read_text(&f) {
                Ok(t) => templates.push((name.to_string(), t)),
                Err(d) => diags.push(d),
            }
        } else if let Some(b) = bundle_of(&rel) {
            let name = rel[b.len() + 1..].to_string();
            bundle_assets
                .entry(b)
                .or_default()
                .push(Asset { name, file: f });
        } else {
            static_files.push(SourceFile { rel, data: f.data });
        }
    }

    // Sections.
    let mut sections: Vec<Section> = Vec::new();
    let mut pages_parsed = Vec::new();
    for p in parsed {
        match (&p.role, p.meta) {
            (Role::Section { dir }, Meta::Section(meta)) => {
                if meta.draft {
                    continue;
                }
                let path = url_dir(&prefix(&p.lang), dir);
                sections.push(Section {
                    file: p.file,
                    lang: p.lang,
                    dir: dir.clone(),
                    path,
                    meta,
                    body: p.body,
                    body_line: p.body_line,
                    parent: None,
                    subsections: Vec::new(),
                    pages: Vec::new(),
                    translation_key: format!("{dir}/_index"),
                });
            }
            (Role::Page { dir, stem, bundle }, Meta::Page(meta)) => {
                if meta.draft {
                    continue;
                }
                pages_parsed.push((
                    p.rel,
                    p.file,
                    p.lang,
                    dir.clone(),
                    stem.clone(),
                    bundle.clone(),
                    p.fm,
                    p.body,
                    p.body_line,
                    meta,
                    p.rest,
                ));
            }
            _ => {}
        }
    }
    if !sections
        .iter()
        .any(|s| s.dir.is_empty() && s.lang == default)
    {
        diags.push(
            Diagnostic::error(
                format!("{site_root}_index.md"),
                0,
                0,
                "the site has no home page",
            )
            .with_hint("create _index.md with at least title = \"…\""),
        );
        return None;
    }
    sections.sort_by(|a, b| {
        ((a.lang != default), &a.lang, &a.dir).cmp(&((b.lang != default), &b.lang, &b.dir))
    });
    let index: HashMap<(String, String), usize> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| ((s.lang.clone(), s.dir.clone()), i))
        .collect();
    let find_section = |lang: &str, dir: &str| -> Option<usize> {
        let mut d = dir;
        loop {
            if let Some(&i) = index.get(&(lang.to_string(), d.to_string())) {
                return Some(i);
            }
            if d.is_empty() {
                return None;
            }
            d = parent_dir(d).0;
        }
    };
    for i in 0..sections.len() {
        if sections[i].dir.is_empty() {
            continue;
        }
        let parent = find_section(
            &sections[i].lang.clone(),
            parent_dir(&sections[i].dir.clone()).0,
        );
        sections[i].parent = parent;
        if let Some(p) = parent {
            sections[p].subsections.push(i);
        }
    }
    for s in &sections {
        if let Some(k) = &s.meta.kind {
            if schemas.get(k).is_none() {
                let fm_line = 2;
                diags.push(
                    Diagnostic::error(&s.file, fm_line, 1, format!("unknown kind `{k}`"))
                        .with_hint(format!(
                            "use one of: {}; or add schema/{k}.toml",
                            schemas.names()
                        )),
                );
            }
        }
    }
    // The kind of a page: its own, else the nearest section's (its language first, then the default).
    let section_kind = |lang: &str, dir: &str| -> Option<String> {
        let mut d = dir;
        loop {
            for l in [lang, default] {
                if let Some(&i) = index.get(&(l.to_string(), d.to_string())) {
                    if let Some(k) = &sections[i].meta.kind {
                        return Some(k.clone());
                    }
                }
            }
            if d.is_empty() {
                return None;
            }
            d = parent_dir(d).0;
        }
    };

    // Pages.
    let mut pages: Vec<Page> = Vec::new();
    let empty = BTreeSet::new();
    for (rel, file, lang, dir, stem, bundle, fm, body, body_line, mut meta, mut rest) in
        pages_parsed
    {
        let kind_name = meta
            .kind
            .clone()
            .or_else(|| section_kind(&lang, &dir))
            .unwrap_or_else(|| "page".to_string());
        let Some(kind) = schemas.get(&kind_name) else {
            if meta.kind.is_some() {
                let (l, c) = fm.locate(None, "kind");
                diags.push(
                    Diagnostic::error(&file, l, c, format!("unknown kind `{kind_name}`"))
                        .with_hint(format!(
                            "use one of: {}; or add schema/{kind_name}.toml",
                            schemas.names()
                        )),
                );
            }
            continue;
        };
        let bundle_files: Option<BTreeSet<String>> = bundle.as_ref().map(|b| {
            bundle_assets
                .get(b)
                .map(|a| a.iter().map(|x| x.name.clone()).collect())
                .unwrap_or_default()
        });
        let cx = FieldContext {
            path: &file,
            fm: &fm,
            bundle_files: bundle
                .as_ref()
                .map(|_| bundle_files.as_ref().unwrap_or(&empty)),
        };
        let table = rest.remove(&kind.name);
        let (fields, field_diags) = schemas.validate(kind, table, &cx);
        diags.extend(field_diags);
        for key in rest.keys() {
            let (l, c) = fm.locate(None, key);
            let hint = if schemas.get(key).is_some() {
                format!("this page is of kind `{kind_name}`; set kind = \"{key}\" to use [{key}] fields")
            } else {
                format!("page fields are title, description, date, updated, slug, draft, weight, aliases, template, kind, [taxonomies], [extra] and [{kind_name}]")
            };
            diags.push(
                Diagnostic::error(&file, l, c, format!("unknown field `{key}`")).with_hint(hint),
            );
        }
        for tax in meta.taxonomies.keys() {
            if !config.taxonomies.contains(tax) {
                let (l, c) = fm.locate(Some("taxonomies"), tax);
                diags.push(
                    Diagnostic::error(&file, l, c, format!("unknown taxonomy `{tax}`")).with_hint(
                        if config.taxonomies.is_empty() {
                            "add taxonomies = [\"…\"] to network.toml".to_string()
                        } else {
                            format!(
                                "use one of: {}; or add it to network.toml",
                                config.taxonomies.join(", ")
                            )
                        },
                    ),
                );
            }
        }
        let mut clean_aliases = Vec::new();
        for a in &meta.aliases {
            match safe_relative_path(a.trim_start_matches('/')) {
                Some(p) => clean_aliases.push(p),
                None => {
                    let (l, c) = fm.locate(None, "aliases");
                    diags.push(
                        Diagnostic::error(&file, l, c, format!("alias `{a}` leaves the site"))
                            .with_hint(
                            "write aliases as paths inside the site, e.g. \"/tin-cu/bai-viet/\"",
                        ),
                    );
                }
            }
        }
        meta.aliases = clean_aliases;
        let slug = match &meta.slug {
            Some(s) => {
                let clean = slugify(s);
                if clean.is_empty() {
                    let (l, c) = fm.locate(None, "slug");
                    diags.push(
                        Diagnostic::error(&file, l, c, "slug has no letters or digits")
                            .with_hint("write a slug like \"ke-hoach-2022\""),
                    );
                    continue;
                }
                clean
            }
            None => slugify(&stem),
        };
        let path = format!("{}{}/", url_dir(&prefix(&lang), &dir), slug);
        let assets = bundle
            .as_ref()
            .and_then(|b| bundle_assets.get(b).cloned())
            .unwrap_or_default();
        let translation_key = match &bundle {
            Some(b) => format!("{b}/index"),
            None if dir.is_empty() => stem.clone(),
            None => format!("{dir}/{stem}"),
        };
        let section = find_section(&lang, &dir);
        pages.push(Page {
            file,
            rel,
            lang,
            slug,
            path,
            kind: kind_name,
            meta,
            fields,
            body,
            body_line,
            section,
            assets,
            translation_key,
        });
    }

    // Two sources for one output path.
    let mut owners: HashMap<&str, &str> = HashMap::new();
    for (path, file) in sections
        .iter()
        .map(|s| (s.path.as_str(), s.file.as_str()))
        .chain(pages.iter().map(|p| (p.path.as_str(), p.file.as_str())))
    {
        if let Some(first) = owners.insert(path, file) {
            diags.push(
                Diagnostic::error(
                    file,
                    1,
                    1,
                    format!("output path {path} is also written by {first}"),
                )
                .with_hint("give one of them another file name or a `slug`"),
            );
        }
    }

    // Pages of each section, in its order.
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    for (i, p) in pages.iter().enumerate() {
        if let Some(s) = p.section {
            sections[s].pages.push(i);
        }
    }
    for s in sections.iter_mut() {
        sort_pages(&mut s.pages, &pages, s.meta.sort_by);
    }
    let weights: Vec<(Option<i64>, String)> = sections
        .iter()
        .map(|s| (s.meta.weight, s.meta.title.clone()))
        .collect();
    for s in sections.iter_mut() {
        s.subsections.sort_by(|a, b| weights[*a].cmp(&weights[*b]));
    }
    let _ = warnings;
    Some(Site {
        id: sf.id,
        config: sc,
        is_portal,
        languages,
        sections,
        pages,
        static_files,
        templates,
    })
}

fn sort_pages(list: &mut [usize], pages: &[Page], by: SortBy) {
    match by {
        // Newest first; undated pages last; ties by path so output is stable.
        SortBy::Date => list.sort_by(|a, b| {
            let (pa, pb) = (&pages[*a], &pages[*b]);
            pb.meta
                .date
                .cmp(&pa.meta.date)
                .then_with(|| pa.path.cmp(&pb.path))
        }),
        SortBy::Weight => list.sort_by(|a, b| {
            let (pa, pb) = (&pages[*a], &pages[*b]);
            (pa.meta.weight.is_none(), pa.meta.weight, &pa.path).cmp(&(
                pb.meta.weight.is_none(),
                pb.meta.weight,
                &pb.path,
            ))
        }),
        SortBy::Title => list.sort_by(|a, b| {
            let (pa, pb) = (&pages[*a], &pages[*b]);
            (slugify(&pa.meta.title), &pa.path).cmp(&(slugify(&pb.meta.title), &pb.path))
        }),
        SortBy::None => {}
    }
}
