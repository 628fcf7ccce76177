//! The previews' cache ([`ssg::PreviewCache`]) renders a page as [`ssg::preview_page`] does
//! on the network with the edited page in place: the same HTML for every page of the demo
//! network, edited in its body, its front matter, or added; and a cache made for a new
//! network resolves links to the pages that network added.

use std::path::PathBuf;
use std::sync::Arc;

use cms_core::{Network, Page};

fn demo() -> (Network, Arc<ssg::Theme>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let network = cms_core::load(&cms_core::Source::Dir(root.join("content"))).expect("demo");
    let theme = ssg::Theme::find(&network.config.theme, &[root.join("themes")]).expect("theme");
    (network, Arc::new(theme))
}

/// The preview of `page` without the cache: the whole network copied with it in place.
fn uncached(network: &Network, theme: &ssg::Theme, page: &Page) -> ssg::PagePreview {
    let opts = ssg::BuildOptions::in_memory(theme, network.now.date());
    let patched = cms_core::with_page(network, page.clone());
    ssg::preview_page(&patched, &opts, &page.file).expect("uncached preview")
}

/// The page of `file` as the loader makes it from `text`.
fn checked(network: &Network, file: &str, text: &str) -> Page {
    let (page, diags) = cms_core::checked_page(network, file, text, None);
    assert!(
        !diags
            .iter()
            .any(|d| d.severity == cms_core::Severity::Error),
        "{file}: {diags:?}\n{text}"
    );
    page.expect("a page")
}

fn source(file: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content");
    std::fs::read_to_string(root.join(file)).expect("the page's source")
}

fn same(network: &Network, theme: &ssg::Theme, cache: &ssg::PreviewCache, page: Page) {
    let file = page.file.clone();
    let want = uncached(network, theme, &page);
    let got = cache.preview(page).expect("cached preview");
    assert!(want.html.is_some(), "{file}: {:?}", want.problems);
    assert_eq!(got.html, want.html, "{file}: the HTML differs");
    assert_eq!(got.body_html, want.body_html, "{file}");
    let errors = |p: &ssg::PagePreview| {
        let mut e: Vec<String> = p
            .problems
            .iter()
            .filter(|d| d.severity == cms_core::Severity::Error)
            .map(|d| d.to_string())
            .collect();
        e.sort();
        e
    };
    assert_eq!(errors(&got), errors(&want), "{file}");
}

#[test]
fn a_cached_preview_is_the_uncached_one_for_every_page_edited_in_its_body() {
    let (network, theme) = demo();
    let cache = ssg::PreviewCache::new(Arc::new(network.clone()), theme.clone());
    let mut seen = 0;
    for site in &network.sites {
        for page in &site.pages {
            let mut edited = page.clone();
            edited.body.push_str("\n\nMột đoạn *mới* gõ thêm.\n");
            same(&network, &theme, &cache, edited);
            seen += 1;
        }
    }
    assert!(seen > 50, "the demo has pages: {seen}");
}

#[test]
fn a_cached_preview_is_the_uncached_one_when_the_front_matter_changes_or_the_page_is_new() {
    let (network, theme) = demo();
    let cache = ssg::PreviewCache::new(Arc::new(network.clone()), theme.clone());
    // A page with taxonomy terms and a translation: a new title and a new term.
    let page = network
        .sites
        .iter()
        .flat_map(|s| &s.pages)
        .find(|p| !p.meta.taxonomies.is_empty() && p.lang == "vi")
        .expect("a page with terms");
    let text = source(&page.file);
    let (tax, _) = page.meta.taxonomies.iter().next().expect("a taxonomy");
    let edited = text.replacen("title = \"", "title = \"Sửa: ", 1).replacen(
        &format!("{tax} = ["),
        &format!("{tax} = [\"Thuật ngữ mới\", "),
        1,
    );
    let p = checked(&network, &page.file, &edited);
    assert!(p.meta.title.starts_with("Sửa: "), "{}", p.meta.title);
    let terms = &p.meta.taxonomies[tax];
    assert!(terms.iter().any(|t| t == "Thuật ngữ mới"), "{terms:?}");
    same(&network, &theme, &cache, p);
    // A new page of a section, linking to a page of another site.
    let site = &network.sites[1];
    let other = &network.sites[2].pages[0];
    let section = site
        .sections
        .iter()
        .find(|c| !c.dir.is_empty() && c.lang == "vi")
        .expect("a section");
    let file = format!("sites/{}/{}/bai-moi-xem-truoc.md", site.id, section.dir);
    let text = format!(
        "+++\ntitle = \"Bài mới\"\ndate = 2026-12-01\n+++\n\nXem [bài kia](@/{}/{}).\n",
        network.sites[2].id, other.rel
    );
    let p = checked(&network, &file, &text);
    same(&network, &theme, &cache, p);
}

#[test]
fn a_cache_made_for_a_new_build_resolves_links_to_the_pages_it_added() {
    let (network, theme) = demo();
    let site = &network.sites[1];
    let page = site.pages.iter().find(|p| p.lang == "vi").expect("a page");
    let added = format!("sites/{}/bai-them-sau.md", site.id);
    let text = format!(
        "{}\n\nXem [bài thêm](@/{}/bai-them-sau.md).\n",
        source(&page.file).trim_end(),
        site.id
    );
    let before = ssg::PreviewCache::new(Arc::new(network.clone()), theme.clone());
    let shown = before
        .preview(checked(&network, &page.file, &text))
        .expect("preview");
    assert!(
        shown
            .problems
            .iter()
            .any(|d| d.message.contains("broken link")),
        "no such page yet: {:?}",
        shown.problems
    );
    // The new build has the page: a cache made for it resolves the link.
    let new_page = checked(
        &network,
        &added,
        "+++\ntitle = \"Bài thêm sau\"\n+++\n\nNội dung.\n",
    );
    let path = new_page.path.clone();
    let rebuilt = Arc::new(cms_core::with_page(&network, new_page));
    let after = ssg::PreviewCache::new(rebuilt.clone(), theme.clone());
    assert!(after.is_for(&rebuilt, &theme) && !before.is_for(&rebuilt, &theme));
    let shown = after
        .preview(checked(&rebuilt, &page.file, &text))
        .expect("preview");
    assert!(shown.problems.is_empty(), "{:?}", shown.problems);
    assert!(
        shown.body_html.contains(&format!("href=\"{path}\"")),
        "{path} in {}",
        shown.body_html
    );
}
