//! Raw HTML in an editor's Markdown: a `<script>`, an `onerror=` attribute and `javascript:`
//! links reach neither the built page, nor its item in the static read API, nor `cms dev`'s
//! preview of an edit; a site that `network.toml` lists in `raw_html` keeps them as written.

mod common;

use std::path::Path;

use cms_core::{load_cached, LoadCache, Source};
use common::{fixture, read, repo_root, write_files};

/// A body with every kind of script an editor could slip in.
const ATTACK: &str = "Trước.\n\n<script>alert('xss-script')</script>\n\n\
<img src=\"anh.png\" onerror=\"alert('xss-onerror')\">\n\n\
[bấm vào](javascript:alert('xss-md-link'))\n\n\
<a href=\"JaVaScRiPt:alert('xss-a')\">liên kết</a>\n\n\
<p onclick=\"alert('xss-click')\">Sau.</p>\n";

/// What must not be published.
const MARKS: [&str; 7] = [
    "xss-script",
    "xss-onerror",
    "xss-md-link",
    "xss-a",
    "xss-click",
    "onerror",
    "javascript:",
];

fn page(title: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2024-03-01\n+++\n{ATTACK}")
}

/// The fixture with the attack on both sites; `drvn` keeps raw HTML.
fn network(content: &Path) {
    fixture(content);
    let toml = std::fs::read_to_string(content.join("network.toml")).unwrap();
    write_files(
        content,
        &[
            (
                "network.toml",
                &toml.replace("[network]\n", "[network]\nraw_html = [\"drvn\"]\n"),
            ),
            ("sites/mt/tin-tuc/tan-cong.md", &page("Tấn công")),
            ("sites/drvn/tin-tuc/tho.md", &page("HTML thô")),
        ],
    );
}

fn unsafe_marks(text: &str) -> Vec<&'static str> {
    let lower = text.to_ascii_lowercase();
    MARKS.into_iter().filter(|m| lower.contains(m)).collect()
}

fn options<'a>(out: &Path, theme: &'a ssg::Theme) -> ssg::BuildOptions<'a> {
    ssg::BuildOptions {
        out: out.to_path_buf(),
        sites: Vec::new(),
        dry_run: false,
        theme,
        progress: None,
        minify_each_page: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        search: false,
        tool_version: "test".into(),
        markdown_cache: None,
        durable: false,
        precompress: false,
    }
}

#[test]
fn scripts_reach_neither_the_build_nor_the_api_unless_the_site_keeps_raw_html() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    network(&content);
    let out = tmp.path().join("public");
    let o = common::cms(
        tmp.path(),
        &[
            "build",
            "--content",
            content.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    common::assert_ok(&o);
    let html = read(&out, "sites/mt.gov.vn/tin-tuc/tan-cong/index.html");
    assert!(html.contains("Trước.") && html.contains("Sau."), "{html}");
    assert!(
        html.contains("liên kết") && html.contains("bấm vào"),
        "the texts stay"
    );
    assert_eq!(unsafe_marks(&html), Vec::<&str>::new(), "{html}");
    assert!(
        html.contains("anh.png"),
        "the image stays, without its handler"
    );
    let json = read(&out, "sites/mt.gov.vn/api/v1/content/tin-tuc/tan-cong.json");
    assert_eq!(unsafe_marks(&json), Vec::<&str>::new(), "{json}");
    // The site that keeps raw HTML has it all (but the Markdown link, never published).
    let raw = read(&out, "sites/drvn.mt.gov.vn/tin-tuc/tho/index.html");
    for mark in ["xss-script", "xss-onerror", "xss-a", "xss-click"] {
        assert!(raw.contains(mark), "{mark} kept: {raw}");
    }
    let raw_json = read(&out, "sites/drvn.mt.gov.vn/api/v1/content/tin-tuc/tho.json");
    assert!(raw_json.contains("xss-script"), "{raw_json}");
}

#[test]
fn a_preview_is_sanitized_as_its_build() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    network(&content);
    let theme = ssg::Theme::find("default", &[repo_root().join("themes")]).unwrap();
    let out = tmp.path().join("out");
    // As `cms dev` does: a full build, then an edit of a body previewed alone.
    let cache = LoadCache::new();
    let load = || load_cached(&Source::Dir(content.clone()), Some(&cache)).unwrap();
    let mut network = load();
    ssg::build(&network, &options(&out, &theme)).unwrap();
    const PAGE: &str = "sites/mt/tin-tuc/ke-hoach.md";
    let file = content.join(PAGE);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n{ATTACK}")).unwrap();
    assert!(cache.patch_body(&mut network, &content, PAGE));
    ssg::preview_pages(&network, &options(&out, &theme), &[PAGE.into()]).unwrap();
    let html = read(&out, "sites/mt.gov.vn/tin-tuc/ke-hoach/index.html");
    assert!(html.contains("Sau."), "the preview has the edit: {html}");
    assert_eq!(unsafe_marks(&html), Vec::<&str>::new(), "{html}");
}
