//! `cms dev`'s preview of an edit: a page whose body alone changed is patched into the loaded
//! network and rendered by itself over the output. Its bytes must be those of a clean build,
//! and nothing else in the output may change until the full rebuild.

mod common;

use std::path::Path;

use cms_core::{load_cached, LoadCache, Network, Source};
use common::{fixture, read_tree, repo_root};

const PAGE: &str = "sites/mt/tin-tuc/ke-hoach.md";
const HTML: &str = "sites/mt.gov.vn/tin-tuc/ke-hoach/index.html";

fn options<'a>(
    out: &Path,
    theme: &'a ssg::Theme,
    search: bool,
    memo: Option<&'a ssg::MarkdownCache>,
) -> ssg::BuildOptions<'a> {
    ssg::BuildOptions {
        out: out.to_path_buf(),
        sites: Vec::new(),
        dry_run: false,
        theme,
        progress: None,
        minify_each_page: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        search,
        tool_version: "test".into(),
        markdown_cache: memo,
        durable: false,
        precompress: false,
    }
}

fn load(content: &Path, cache: Option<&LoadCache>) -> Network {
    load_cached(&Source::Dir(content.to_path_buf()), cache).expect("the fixture loads")
}

#[test]
fn a_previewed_page_is_the_page_of_a_clean_build_and_nothing_else_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fixture(&content);
    let theme = ssg::Theme::find("default", &[repo_root().join("themes")]).unwrap();
    let out = tmp.path().join("out");
    // As `cms dev` does: parsed files and rendered Markdown are kept from build to build.
    let cache = LoadCache::new();
    let memo = ssg::MarkdownCache::new();
    let mut network = load(&content, Some(&cache));
    ssg::build(&network, &options(&out, &theme, true, Some(&memo))).unwrap();

    // The body changes; the front matter stays as it was.
    let file = content.join(PAGE);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nĐoạn mới về chuyển đổi số.\n")).unwrap();
    assert!(cache.patch_body(&mut network, &content, PAGE));

    let before = read_tree(&out);
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    let build_cache = std::fs::read(out.join(ssg::BUILD_CACHE_FILE)).unwrap();
    let r = ssg::preview_pages(
        &network,
        &options(&out, &theme, false, Some(&memo)),
        &[PAGE.into()],
    )
    .unwrap();
    assert!(r.files >= 1, "{r:?}");
    let after = read_tree(&out);
    assert!(common::read(&out, HTML).contains("Đoạn mới về chuyển đổi số."));
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        changed
            .iter()
            .all(|k| k.starts_with("sites/mt.gov.vn/tin-tuc/ke-hoach/")),
        "a preview wrote other files: {changed:?}"
    );
    assert_eq!(
        before.len(),
        after.len(),
        "a preview added or removed files"
    );
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest);
    assert_eq!(
        std::fs::read(out.join(ssg::BUILD_CACHE_FILE)).unwrap(),
        build_cache
    );

    // A clean build of the edited content has the same page, byte for byte.
    let clean = tmp.path().join("clean");
    ssg::build(&load(&content, None), &options(&clean, &theme, true, None)).unwrap();
    let clean_tree = read_tree(&clean);
    for k in &changed {
        assert_eq!(
            after.get(*k),
            clean_tree.get(*k),
            "{k} differs from a clean build"
        );
    }
    // And the full rebuild that follows, from the kept files and Markdown, leaves the output
    // equal to the clean build.
    let network = load(&content, Some(&cache));
    ssg::build(&network, &options(&out, &theme, true, Some(&memo))).unwrap();
    assert_eq!(read_tree(&out), clean_tree);
}

#[test]
fn only_body_edits_of_known_pages_are_previewed() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fixture(&content);
    let cache = LoadCache::new();
    let mut network = load(&content, Some(&cache));
    let file = content.join(PAGE);
    let text = std::fs::read_to_string(&file).unwrap();

    // Another title changes the lists and feeds that show the page: a full rebuild.
    std::fs::write(
        &file,
        text.replace("Kế hoạch thực hiện", "Kế hoạch triển khai"),
    )
    .unwrap();
    assert!(!cache.patch_body(&mut network, &content, PAGE));
    // Same fields, one line more: the body's lines move, and so would its messages.
    std::fs::write(&file, text.replace("date =", "\ndate =")).unwrap();
    assert!(!cache.patch_body(&mut network, &content, PAGE));
    // A section, a new page, a file that is not valid UTF-8.
    assert!(!cache.patch_body(&mut network, &content, "sites/mt/tin-tuc/_index.md"));
    common::write_files(
        &content,
        &[("sites/mt/tin-tuc/moi.md", "+++\ntitle = \"Mới\"\n+++\n")],
    );
    assert!(!cache.patch_body(&mut network, &content, "sites/mt/tin-tuc/moi.md"));
    std::fs::write(&file, b"+++\ntitle = \"x\"\n+++\n\xff\xfe").unwrap();
    assert!(!cache.patch_body(&mut network, &content, PAGE));
    // The network still has the body it was loaded with.
    let page = network
        .sites
        .iter()
        .flat_map(|s| &s.pages)
        .find(|p| p.file == PAGE)
        .unwrap();
    assert!(page.body.contains("Xem [quyết định]"));
}

#[test]
fn a_preview_undone_before_the_rebuild_leaves_no_trace() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fixture(&content);
    let theme = ssg::Theme::find("default", &[repo_root().join("themes")]).unwrap();
    let out = tmp.path().join("out");
    let cache = LoadCache::new();
    let mut network = load(&content, Some(&cache));
    ssg::build(&network, &options(&out, &theme, true, None)).unwrap();
    let built = read_tree(&out);

    // An edit previewed, then undone before the rebuild: the page's bytes are those the
    // manifest lists again, and the preview's page must not stay.
    let file = content.join(PAGE);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nĐoạn xem trước.\n")).unwrap();
    assert!(cache.patch_body(&mut network, &content, PAGE));
    ssg::preview_pages(
        &network,
        &options(&out, &theme, false, None),
        &[PAGE.into()],
    )
    .unwrap();
    assert!(common::read(&out, HTML).contains("Đoạn xem trước."));
    std::fs::write(&file, text).unwrap();
    let network = load(&content, Some(&cache));
    ssg::build(&network, &options(&out, &theme, true, None)).unwrap();
    assert_eq!(read_tree(&out), built);
}
