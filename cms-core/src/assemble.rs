//! Assembling one site from its parsed files: sections, pages, bundles, kinds, output paths.

use std::collections::{BTreeSet, HashMap};

use crate::config::{NetworkConfig, SiteConfig};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::frontmatter::SortBy;
use crate::load::{parent_dir, read_text, Meta, Parsed, Role, SiteFiles};
use crate::model::{Asset, Page, Section, Site};
use crate::schema::{FieldContext, Schemas};
use crate::source::SourceFile;
use crate::text::{safe_relative_path, slugify};

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
pub(crate) fn assemble_site(
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
