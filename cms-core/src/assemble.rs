//! Assembling one site from its parsed files, in stages: its other files sorted into bundle
//! assets, static files and templates; its sections linked into a tree; each page given its
//! kind, validated fields, slug and output path; then every list put in its order.

use std::collections::{BTreeSet, HashMap};

use crate::assemble_page::{build_page, PageCx, PageDraft};
use crate::config::NetworkConfig;
use crate::decode::read_text;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::markdown_file::{parent_dir, Meta, Parsed, Role};
use crate::meta::SortBy;
use crate::model::{Asset, Page, Section, Site};
use crate::reference::PageNames;
use crate::schema::Schemas;
use crate::section_tree::{check_section_kinds, SectionTree};
use crate::site_files::SiteInput;
use crate::source::SourceFile;
use crate::text::slugify;
use crate::url_path::{lang_prefix, url_dir};

/// What every site of a network is assembled against.
pub(crate) struct Shared<'a> {
    pub(crate) config: &'a NetworkConfig,
    pub(crate) schemas: &'a Schemas,
    /// Pages outside their publishing window at this time are left out.
    pub(crate) now: chrono::NaiveDateTime,
    /// The pages and sections of every site, for the references of typed fields.
    pub(crate) pages: &'a PageNames<'a>,
}

/// Assembles the site `input` from its parsed Markdown files, with every problem found.
/// `None` when the site cannot be assembled (it has no home page).
pub(crate) fn assemble_site(
    shared: &Shared<'_>,
    input: SiteInput,
    parsed: Vec<Parsed>,
) -> (Option<Site>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let default = shared.config.default_language.as_str();
    let files = sort_other_files(input.files.other, &parsed, &mut diags);
    let (sections, drafts) = sections_and_pages(parsed, default);
    if !sections
        .iter()
        .any(|s| s.dir.is_empty() && s.lang == default)
    {
        diags.push(
            Diagnostic::error(
                format!("sites/{}/_index.md", input.files.id),
                0,
                0,
                "the site has no home page",
            )
            .with_hint("create _index.md with at least title = \"…\""),
        );
        return (None, diags);
    }
    let tree = SectionTree::new(sections, default);
    check_section_kinds(&tree.sections, shared.schemas, &mut diags);
    let cx = PageCx {
        config: shared.config,
        schemas: shared.schemas,
        tree: &tree,
        bundle_assets: &files.bundle_assets,
        default,
        pages: shared.pages,
    };
    let mut pages: Vec<Page> = drafts
        .into_iter()
        .filter_map(|d| build_page(&cx, d, &mut diags))
        .collect();
    check_output_paths(&tree.sections, &pages, &mut diags);
    // Validated (a scheduled page's mistakes show before its time comes), then left out.
    pages.retain(|p| p.meta.visible_at(shared.now));
    let (sections, pages) = put_in_order(tree.sections, pages);
    let site = Site {
        is_portal: input.files.id == shared.config.portal,
        id: input.files.id,
        config: input.config,
        languages: input.languages,
        sections,
        pages,
        static_files: files.static_files,
        templates: files.templates,
    };
    (Some(site), diags)
}

/// A site's files other than Markdown, sorted.
struct OtherFiles {
    /// The files of each page bundle, by the bundle's folder.
    bundle_assets: HashMap<String, Vec<Asset>>,
    /// Files copied as they are.
    static_files: Vec<SourceFile>,
    /// Templates overriding the theme's: (name relative to `templates/`, text).
    templates: Vec<(String, String)>,
}

/// Sorts `other` into `static/` files, templates, files of a page bundle (a folder of an
/// `index.md`, drafts included) and, the rest, loose static files.
fn sort_other_files(
    other: Vec<(String, SourceFile)>,
    parsed: &[Parsed],
    diags: &mut Diagnostics,
) -> OtherFiles {
    let bundle_dirs: BTreeSet<&str> = parsed
        .iter()
        .filter_map(|p| match &p.role {
            Role::Page {
                bundle: Some(b), ..
            } => Some(b.as_str()),
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
    let mut out = OtherFiles {
        bundle_assets: HashMap::new(),
        static_files: Vec::new(),
        templates: Vec::new(),
    };
    for (rel, f) in other {
        if let Some(name) = rel.strip_prefix("static/") {
            out.static_files.push(SourceFile {
                rel: name.to_string(),
                data: f.data,
            });
        } else if let Some(name) = rel.strip_prefix("templates/") {
            match read_text(&f) {
                Ok(t) => out.templates.push((name.to_string(), t)),
                Err(d) => diags.push(d),
            }
        } else if let Some(b) = bundle_of(&rel) {
            let name = rel[b.len() + 1..].to_string();
            out.bundle_assets
                .entry(b)
                .or_default()
                .push(Asset { name, file: f });
        } else {
            out.static_files.push(SourceFile { rel, data: f.data });
        }
    }
    out
}

/// Splits the parsed files into sections (unlinked yet) and page drafts; drafts (`draft =
/// true`) are left out.
fn sections_and_pages(parsed: Vec<Parsed>, default: &str) -> (Vec<Section>, Vec<PageDraft>) {
    let mut sections = Vec::new();
    let mut pages = Vec::new();
    for p in parsed {
        match (p.role, p.meta) {
            (Role::Section { dir }, Meta::Section(meta)) => {
                if meta.draft {
                    continue;
                }
                sections.push(Section {
                    file: p.file,
                    path: url_dir(&lang_prefix(&p.lang, default), &dir),
                    lang: p.lang,
                    meta,
                    body: p.body,
                    body_line: p.body_line,
                    parent: None,
                    subsections: Vec::new(),
                    pages: Vec::new(),
                    translation_key: format!("{dir}/_index"),
                    dir,
                });
            }
            (Role::Page { dir, stem, bundle }, Meta::Page(meta)) => {
                if meta.draft {
                    continue;
                }
                pages.push(PageDraft {
                    rel: p.rel,
                    file: p.file,
                    lang: p.lang,
                    dir,
                    stem,
                    bundle,
                    fm: p.fm,
                    body: p.body,
                    body_line: p.body_line,
                    meta,
                    rest: p.rest,
                });
            }
            _ => {}
        }
    }
    (sections, pages)
}

/// Reports two sources written to one output path.
fn check_output_paths(sections: &[Section], pages: &[Page], diags: &mut Diagnostics) {
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
}

/// Sorts the pages by path, lists each section's pages in the section's order and its
/// subsections by weight, then title.
fn put_in_order(mut sections: Vec<Section>, mut pages: Vec<Page>) -> (Vec<Section>, Vec<Page>) {
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
    (sections, pages)
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
