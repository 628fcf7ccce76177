//! Checks one page's new text as `cms check` would, against a loaded network: what the
//! content API runs on every save, without loading the network again. It runs the loader's
//! own stages on the one file (`markdown_file` to parse it, `meta` and `field` to read its
//! fields, `assemble_page` for its kind, fields, taxonomies, aliases and slug), so the
//! messages, lines, columns and hints are the loader's.

use std::collections::{BTreeSet, HashMap};

use crate::assemble_page::{build_page, PageCx, PageDraft};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::markdown_file::{parse_text, Meta, Parsed, Place, Role};
use crate::model::{Asset, Network, Page, Section, Site};
use crate::reference::PageNames;
use crate::section_tree::{check_section_kinds, SectionTree};
use crate::source::{FileData, SourceFile};
use crate::text::nfc;

/// The diagnostics `cms check` would give for the file `rel` (`sites/<site>/<path>.md`, a
/// page or a section index) if its text were `text`, the rest of `network` unchanged:
/// front matter syntax, fields and types of the page's kind (its section's), taxonomy terms,
/// languages, dates, `publish_at`/`unpublish_at`. Paths in the diagnostics are `rel`.
/// Empty when the text is valid (warnings are included, with their severity).
///
/// A bundle page's file fields are checked against the files its bundle has in `network`;
/// [`check_page_with_files`] takes them from the caller (a draft's own uploads). What the
/// build checks with the theme (templates, `@/` links) is not checked here, and a page with
/// `draft = true` is not validated further than its front matter, as in `cms check`.
pub fn check_page(network: &Network, rel: &str, text: &str) -> Vec<Diagnostic> {
    check_page_with_files(network, rel, text, None)
}

/// [`check_page`], with the names of the files of the page's bundle (relative to its folder)
/// when the caller knows them better than `network` does.
pub fn check_page_with_files(
    network: &Network,
    rel: &str,
    text: &str,
    bundle_files: Option<&BTreeSet<String>>,
) -> Vec<Diagnostic> {
    checked_page(network, rel, text, bundle_files).1
}

/// [`check_page_with_files`], and the page as the loader would make it from `text` (`None`
/// for a section index, a page that has errors the loader stops at, or one with
/// `draft = true`, which is only checked as far as its front matter): what a preview renders
/// in place of the page's published version (see [`with_page`]).
pub fn checked_page(
    network: &Network,
    rel: &str,
    text: &str,
    bundle_files: Option<&BTreeSet<String>>,
) -> (Option<Page>, Vec<Diagnostic>) {
    let (site, path) = match site_of(network, rel) {
        Ok(x) => x,
        Err(d) => return (None, vec![d]),
    };
    let place = Place {
        site: 0,
        rel: path,
        file: rel,
        languages: &site.languages,
        default: &network.config.default_language,
    };
    let parsed = match parse_text(&place, nfc(text)) {
        Ok(p) => p,
        Err(mut ds) => {
            ds.sort_by_key(|d| (d.line, d.col));
            return (None, ds);
        }
    };
    let mut diags = Diagnostics::default();
    let mut page = None;
    match (&parsed.role, &parsed.meta) {
        (Role::Section { dir }, Meta::Section(meta)) => {
            let section = section_stub(rel, &parsed.lang, dir, meta.clone());
            check_section_kinds(&[section], &network.schemas, &mut diags);
        }
        (Role::Page { .. }, Meta::Page(meta)) if !meta.draft => {
            page = check_one_page(network, site, parsed, bundle_files, &mut diags);
        }
        _ => {}
    }
    diags.sort();
    (page, diags.0)
}

/// `network` with `page` in place of the page of the same file of its site, or added to its
/// site and section when the site has none: the network a preview of an edit renders. Only
/// the page itself is meant to be rendered from it (lists are not sorted again).
pub fn with_page(network: &Network, page: Page) -> Network {
    let mut n = network.clone();
    let Some(site) = page
        .file
        .strip_prefix("sites/")
        .and_then(|r| r.split_once('/'))
        .and_then(|(id, _)| n.sites.iter_mut().find(|s| s.id == id))
    else {
        return n;
    };
    match site.pages.iter().position(|p| p.file == page.file) {
        Some(i) => site.pages[i] = page,
        None => {
            let i = site.pages.len();
            if let Some(s) = page.section.and_then(|s| site.sections.get_mut(s)) {
                s.pages.push(i);
            }
            site.pages.push(page);
        }
    }
    n
}

/// The site of `rel` and the path inside it, or the error that `rel` is not a Markdown file
/// of a site of the network.
fn site_of<'n>(network: &'n Network, rel: &'n str) -> Result<(&'n Site, &'n str), Diagnostic> {
    let Some((id, path)) = rel
        .strip_prefix("sites/")
        .and_then(|r| r.split_once('/'))
        .filter(|(_, p)| p.ends_with(".md") && !p.starts_with("static/"))
    else {
        return Err(Diagnostic::error(rel, 0, 0, "not a page of a site")
            .with_hint("pages are sites/<site>/<path>.md"));
    };
    let site = network.site(id).ok_or_else(|| {
        Diagnostic::error(rel, 0, 0, format!("no site `{id}`"))
            .with_hint("a site is a folder sites/<id>/ with a site.toml")
    })?;
    Ok((site, path))
}

/// Assembles the page of `parsed` against its site as the loader does, then looks for
/// another file of the site written to the same output path.
fn check_one_page(
    network: &Network,
    site: &Site,
    parsed: Parsed,
    bundle_files: Option<&BTreeSet<String>>,
    diags: &mut Diagnostics,
) -> Option<Page> {
    let default = network.config.default_language.as_str();
    let tree = SectionTree::new(
        site.sections
            .iter()
            .map(|s| section_stub(&s.file, &s.lang, &s.dir, s.meta.clone()))
            .collect(),
        default,
    );
    let Parsed {
        rel,
        file,
        lang,
        role,
        fm,
        body,
        body_line,
        meta,
        rest,
        ..
    } = parsed;
    let (Role::Page { dir, stem, bundle }, Meta::Page(meta)) = (role, meta) else {
        return None;
    };
    let mut bundle_assets = HashMap::new();
    if let Some(b) = &bundle {
        bundle_assets.insert(b.clone(), assets_of(site, &file, bundle_files));
    }
    let pages = PageNames::Network(network);
    let cx = PageCx {
        config: &network.config,
        schemas: &network.schemas,
        tree: &tree,
        bundle_assets: &bundle_assets,
        default,
        pages: &pages,
    };
    let draft = PageDraft {
        rel,
        file,
        lang,
        dir,
        stem,
        bundle,
        fm,
        body,
        body_line,
        meta,
        rest,
    };
    let page = build_page(&cx, draft, diags)?;
    let other = site
        .sections
        .iter()
        .map(|s| (s.path.as_str(), s.file.as_str()))
        .chain(
            site.pages
                .iter()
                .map(|p| (p.path.as_str(), p.file.as_str())),
        )
        .find(|(path, file)| *path == page.path && *file != page.file);
    if let Some((path, first)) = other {
        diags.push(
            Diagnostic::error(
                &page.file,
                1,
                1,
                format!("output path {path} is also written by {first}"),
            )
            .with_hint("give one of them another file name or a `slug`"),
        );
    }
    Some(page)
}

/// The files of the bundle of the page `file`: the caller's, else those of its page in the
/// site (none for a new page).
fn assets_of(site: &Site, file: &str, names: Option<&BTreeSet<String>>) -> Vec<Asset> {
    match names {
        Some(names) => names
            .iter()
            .map(|n| Asset {
                name: n.clone(),
                file: SourceFile {
                    rel: n.clone(),
                    data: FileData::Blob(Vec::new().into()),
                },
            })
            .collect(),
        // A new translation (`index.en.md`) shares the folder of its bundle's other pages.
        None => {
            let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
            let same_bundle = |p: &&Page| {
                p.file
                    .rsplit_once('/')
                    .is_some_and(|(d, f)| d == dir && f.starts_with("index."))
            };
            site.pages
                .iter()
                .find(|p| p.file == file)
                .or_else(|| site.pages.iter().find(same_bundle))
                .map(|p| p.assets.clone())
                .unwrap_or_default()
        }
    }
}

/// A section with what the section tree and its checks read (folder, language, front
/// matter), for a page to find its section and kind.
pub(crate) fn section_stub(
    file: &str,
    lang: &str,
    dir: &str,
    meta: crate::meta::SectionMeta,
) -> Section {
    Section {
        file: file.to_string(),
        lang: lang.to_string(),
        dir: dir.to_string(),
        path: String::new(),
        meta,
        body: String::new(),
        body_line: 0,
        parent: None,
        subsections: Vec::new(),
        pages: Vec::new(),
        translation_key: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Network {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        crate::load(&crate::Source::Dir(content)).expect("the demo network loads")
    }

    #[test]
    fn a_valid_page_has_no_diagnostics_and_bad_ones_are_located() {
        let n = demo();
        let rel = "sites/mt/tin-tuc/moi.md";
        assert_eq!(
            check_page(&n, rel, "+++\ntitle = \"Mới\"\n+++\nThân bài.\n"),
            []
        );
        let ds = check_page(&n, rel, "+++\ntitle = \"Mới\"\ncolour = 1\n+++\n");
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert_eq!(ds[0].message, "unknown field `colour`");
        assert_eq!((ds[0].path.as_str(), ds[0].line), (rel, 3));
        let ds = check_page(&n, rel, "+++\ntitle = \"Mới\"\npublish_at = \"mai\"\n+++\n");
        assert_eq!(ds[0].message, "field `publish_at`: `mai` is not a date");
    }

    #[test]
    fn a_file_outside_the_sites_is_refused() {
        let n = demo();
        assert_eq!(
            check_page(&n, "network.toml", "")[0].message,
            "not a page of a site"
        );
        assert_eq!(
            check_page(&n, "sites/nope/a.md", "+++\ntitle = \"A\"\n+++\n")[0].message,
            "no site `nope`"
        );
    }

    #[test]
    fn an_unpublish_before_the_publish_is_an_error() {
        let n = demo();
        let ds = check_page(
            &n,
            "sites/mt/tin-tuc/moi.md",
            "+++\ntitle = \"A\"\npublish_at = 2026-02-01T08:00:00\nunpublish_at = 2026-01-01\n+++\n",
        );
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert_eq!(ds[0].line, 4);
        assert!(ds[0].message.starts_with("field `unpublish_at`"), "{ds:?}");
    }

    #[test]
    fn a_checked_page_takes_its_place_in_a_copy_of_the_network() {
        let n = demo();
        let rel = "sites/mt/tin-tuc/moi-xem.md";
        let (page, ds) = checked_page(&n, rel, "+++\ntitle = \"Xem\"\n+++\nThân.\n", None);
        assert_eq!(ds, []);
        let page = page.expect("a page");
        let site = n.sites.iter().position(|s| s.id == "mt").unwrap();
        let before = n.sites[site].pages.len();
        let section = page.section.unwrap();
        let patched = with_page(&n, page);
        let pages = &patched.sites[site].pages;
        assert_eq!(pages.len(), before + 1);
        assert_eq!(pages[before].body.trim(), "Thân.");
        assert!(patched.sites[site].sections[section]
            .pages
            .contains(&before));
        // The same file again replaces it.
        let (again, _) = checked_page(&patched, rel, "+++\ntitle = \"Hai\"\n+++\n", None);
        let twice = with_page(&patched, again.unwrap());
        assert_eq!(twice.sites[site].pages.len(), before + 1);
        assert_eq!(
            n.sites[site].pages.len(),
            before,
            "the network itself is unchanged"
        );
    }

    #[test]
    fn references_name_pages_of_the_network() {
        let n = demo();
        let rel = "sites/mt/thu-tuc/moi.md";
        let text = |refs: &str| {
            format!(
                "+++\ntitle = \"Thủ tục\"\n[procedure]\ncode = \"1\"\nlevel = \"một phần\"\n\
                 field = \"Đường bộ\"\nagency = \"Cục\"\nlegal_documents = [{refs}]\n+++\n"
            )
        };
        let good = "\"@/mt/van-ban/qd-1552-qd-bgtvt-2022/index.md\", \"@/drvn/_index.md\"";
        assert_eq!(check_page(&n, rel, &text(good)), []);
        let ds = check_page(&n, rel, &text("\"@/mt/van-ban/khong-co.md\""));
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert_eq!((ds[0].path.as_str(), ds[0].line), (rel, 8));
        assert_eq!(
            ds[0].message,
            "field `procedure.legal_documents`: no page `@/mt/van-ban/khong-co.md` in the network"
        );
        let ds = check_page(&n, rel, &text("\"van-ban/qd.md\""));
        assert!(
            ds[0]
                .message
                .ends_with("`van-ban/qd.md` is not a reference to a page"),
            "{ds:?}"
        );
        assert!(ds[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("@/<site>/<path>.md"));
    }
}
