//! Minifying the templates once gives the same pages as minifying every page: on the demo
//! network, each page of the fast path, minified again, equals the page minified as a whole.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn build(content: &Path, out: &Path, minify_each_page: bool) {
    let network =
        cms_core::load(&cms_core::Source::Dir(content.to_path_buf())).expect("demo loads");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let theme = ssg::Theme::find(&network.config.theme, &[root.join("themes")]).expect("theme");
    let opts = ssg::BuildOptions {
        out: out.to_path_buf(),
        sites: Vec::new(),
        dry_run: false,
        theme: &theme,
        progress: None,
        minify_each_page,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        search: false,
        tool_version: "test".into(),
        markdown_cache: None,
        durable: true,
        precompress: true,
    };
    ssg::build(&network, &opts).expect("demo builds");
}

fn html_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                out.insert(
                    p.strip_prefix(root).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn minified_templates_give_the_pages_of_minified_pages() {
    let content = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content");
    let tmp = tempfile::tempdir().unwrap();
    build(&content, &tmp.path().join("fast"), false);
    build(&content, &tmp.path().join("each"), true);
    let fast = html_files(&tmp.path().join("fast"));
    let each = html_files(&tmp.path().join("each"));
    assert_eq!(
        fast.keys().collect::<Vec<_>>(),
        each.keys().collect::<Vec<_>>()
    );
    let cfg = minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        minify_css: true,
        ..minify_html::Cfg::new()
    };
    let mut differ = Vec::new();
    for (path, bytes) in &fast {
        let a = minify_html::minify(bytes, &cfg);
        let b = minify_html::minify(&each[path], &cfg);
        if a != b {
            if differ.is_empty() {
                let (a, b) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
                let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
                eprintln!(
                    "{path} differs at byte {at}:\n fast: {}\n each: {}",
                    &a[at.saturating_sub(80)..(at + 120).min(a.len())],
                    &b[at.saturating_sub(80)..(at + 120).min(b.len())]
                );
            }
            differ.push(path.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "{} pages differ, e.g. {:?}",
        differ.len(),
        differ.first()
    );
    // And the fast path is no bigger than a few per cent more than the fully minified pages.
    let (sa, sb): (usize, usize) = (
        fast.values().map(Vec::len).sum(),
        each.values().map(Vec::len).sum(),
    );
    assert!(
        sa * 100 <= sb * 106,
        "fast path {sa} bytes, each page minified {sb} bytes"
    );
}
