//! End-to-end: the search index `cms build` writes, as `cms search` reads it: relevance on the
//! demo network (each query with diacritics, without, and in NFD), document numbers, filters,
//! and re-indexing only what changed.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::*;
use unicode_normalization::UnicodeNormalization;

fn demo() -> &'static Path {
    static OUT: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    let (_, out) = OUT.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        assert_ok(&cms(
            &repo_root(),
            &[
                "build",
                "--content",
                "content",
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ],
        ));
        (tmp, out)
    });
    out
}

/// `cms search QUERY --json` with extra arguments: the result URLs in order.
fn search(out: &Path, query: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["search", query, "--json", "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = cms(&repo_root(), &args);
    assert_ok(&o);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["url"].as_str().unwrap().to_string())
        .collect()
}

fn fold(s: &str) -> String {
    search_index::analysis::fold(s)
}

#[test]
fn vietnamese_queries_find_their_page_in_the_top_3() {
    let out = demo();
    let cases = [
        (
            "kế hoạch thực hiện nghị định 42",
            "https://mt.gov.vn/ke-hoach/ke-hoach-thuc-hien-nghi-dinh-42/",
        ),
        (
            "kế hoạch thực hiện nghị định 42",
            "https://mt.gov.vn/van-ban/qd-1552-qd-bgtvt-2022/",
        ),
        (
            "chuyển đổi số",
            "https://mt.gov.vn/tin-tuc/thong-bao-91-chuyen-doi-so-2022/",
        ),
        (
            "đăng kiểm",
            "https://mt.gov.vn/gioi-thieu/co-cau-to-chuc/cuc-dang-kiem-viet-nam/",
        ),
        (
            "giấy phép lái xe",
            "https://mt.gov.vn/thu-tuc/cap-doi-giay-phep-lai-xe/",
        ),
        (
            "an toàn hàng hải mùa mưa bão",
            "https://vinamarine.mt.gov.vn/tin-tuc/an-toan-hang-hai-mua-mua-bao-2024/",
        ),
    ];
    for (query, want) in cases {
        for typed in [
            query.to_string(),
            fold(query),
            query.nfd().collect::<String>(),
        ] {
            let got = search(out, &typed, &["--per-page", "3"]);
            assert!(
                got.iter().any(|u| u == want),
                "“{typed}” should find {want} in the top 3, got {got:#?}"
            );
        }
    }
}

#[test]
fn document_numbers_find_the_document_first() {
    let out = demo();
    let want = "https://mt.gov.vn/van-ban/qd-1552-qd-bgtvt-2022/";
    for typed in [
        "1552/QĐ-BGTVT",
        "1552/qd-bgtvt",
        "1552/QD-BGTVT",
        "quyết định 1552",
    ] {
        let got = search(out, typed, &[]);
        assert_eq!(
            got.first().map(String::as_str),
            Some(want),
            "{typed}: {got:#?}"
        );
    }
    let got = search(out, "1552", &[]);
    assert!(got.iter().take(3).any(|u| u == want), "{got:#?}");
}

#[test]
fn english_filters_and_sorting() {
    let out = demo();
    let got = search(out, "digital transformation", &["--lang", "en"]);
    assert!(
        !got.is_empty() && got.iter().all(|u| u.contains("/en/")),
        "{got:#?}"
    );
    let got = search(out, "cao tốc", &["--site", "vec", "--sort", "date"]);
    assert!(!got.is_empty() && got.iter().all(|u| u.starts_with("https://vec.mt.gov.vn/")));
    assert_newest_first(&got);
    // The same pages as by relevance (all of them: fewer than a page of 50), in another order:
    // newest first by the dates the content gives them, undated pages last.
    let query = "an toàn giao thông";
    let by_date = search(out, query, &["--sort", "date", "--per-page", "50"]);
    let by_relevance = search(out, query, &["--per-page", "50"]);
    assert!(by_date.len() > 10 && by_date.len() < 50, "{by_date:#?}");
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    assert_eq!(sorted(&by_date), sorted(&by_relevance));
    assert_ne!(by_date, by_relevance, "an order of its own");
    assert_newest_first(&by_date);
    let got = search(out, "", &["--kind", "legal", "--per-page", "50"]);
    assert!(
        got.iter().any(|u| u.contains("/van-ban/")),
        "a filter alone lists pages"
    );
    let got = search(out, "chuyển đổi số", &["--term", "topics=chuyển đổi số"]);
    assert!(!got.is_empty());
    let o = cms(
        &repo_root(),
        &[
            "search",
            "x",
            "--term",
            "nothing",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success() && stderr(&o).contains("TAXONOMY=TERM"));
}

/// Asserts that the demo pages at `urls` are newest first by the dates their content files
/// give them, undated pages last, and that at least three are dated.
fn assert_newest_first(urls: &[String]) {
    let dates: Vec<Option<String>> = urls.iter().map(String::as_str).map(content_date).collect();
    let dated = dates.iter().flatten().count();
    assert!(dated >= 3, "dated pages: {urls:#?}");
    assert!(
        dates[..dated].iter().all(Option::is_some),
        "undated pages last: {urls:#?} {dates:?}"
    );
    assert!(
        dates[..dated].windows(2).all(|w| w[0] >= w[1]),
        "newest first: {urls:#?} {dates:?}"
    );
}

/// The `date` of the demo page at `url`, as its content file gives it (the front matter's TOML
/// datetime, which sorts as text), or `None` for an undated page.
fn content_date(url: &str) -> Option<String> {
    let (host, path) = url
        .strip_prefix("https://")
        .and_then(|u| u.split_once('/'))
        .unwrap_or_else(|| panic!("{url}"));
    let site = host.strip_suffix(".mt.gov.vn").unwrap_or("mt");
    let path = path.trim_end_matches('/');
    let dir = repo_root().join("content/sites").join(site);
    let (path, lang) = match path.strip_prefix("en/").or(path.strip_prefix("en")) {
        Some(rest) => (rest, ".en"),
        None => (path, ""),
    };
    let file = [
        dir.join(format!("{path}{lang}.md")),
        dir.join(path).join(format!("_index{lang}.md")),
        dir.join(path).join(format!("index{lang}.md")),
    ]
    .into_iter()
    .find(|f| f.is_file())
    .unwrap_or_else(|| panic!("no content file for {url}"));
    std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("date = "))
        .map(str::to_string)
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `cms search … | head`: the pipe is closed before the results are written.
    let out = demo();
    for extra in [&[][..], &["--json"][..]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
            .args(["search", "đường", "--out", out.to_str().unwrap()])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success() && !err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_missing_index_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = cms(tmp.path(), &["search", "x", "--out", "nowhere"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cms build"), "{}", stderr(&o));
}

#[test]
fn a_rebuild_reindexes_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fixture(&content);
    let out = tmp.path().join("public");
    let build = || {
        let o = cms(
            tmp.path(),
            &[
                "build",
                "--content",
                content.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_ok(&o);
        stderr(&o)
    };
    let first = build();
    assert!(
        first.contains("Search index: 3 pages; 3 indexed, 0 removed"),
        "{first}"
    );
    let again = build();
    assert!(
        again.contains("Nothing changed since the last build"),
        "{again}"
    );
    // Changing a page where the index does not look (a new alias) re-indexes nothing.
    let touched_page = content.join("sites/drvn/tin-tuc/cao-toc.md");
    let text = std::fs::read_to_string(&touched_page).unwrap();
    let text = text.replacen("date:", "aliases: [/cu/cao-toc/]\ndate:", 1);
    std::fs::write(&touched_page, text).unwrap();
    let touched = build();
    assert!(
        touched.contains("0 indexed, 0 removed (the rest kept"),
        "{touched}"
    );
    // One page changed, one removed.
    let page = content.join("sites/drvn/tin-tuc/cao-toc.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        text.replace("Nội dung.", "Nội dung mới về trạm thu phí."),
    )
    .unwrap();
    std::fs::remove_file(content.join("sites/mt/tin-tuc/ke-hoach.md")).unwrap();
    let changed = build();
    assert!(
        changed.contains("Search index: 2 pages; 1 indexed, 2 removed"),
        "{changed}"
    );
    assert_eq!(
        search(&out, "trạm thu phí", &[]),
        ["https://drvn.mt.gov.vn/tin-tuc/cao-toc/"]
    );
    let gone = "https://mt.gov.vn/tin-tuc/ke-hoach/".to_string();
    assert!(!search(&out, "kế hoạch nghị định", &[]).contains(&gone));
    // Without the index, a build still works, and writes none.
    let o = cms(
        tmp.path(),
        &[
            "build",
            "--content",
            content.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-search",
        ],
    );
    assert_ok(&o);
    assert!(!out.join("search").exists());
}
