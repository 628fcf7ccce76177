//! End-to-end on the small fixture network: pagination, taxonomies, translations, aliases.

mod common;

use common::*;

#[test]
fn sections_paginate_and_terms_get_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("content");
    fixture(&c);
    let mut files = Vec::new();
    for i in 0..25 {
        files.push((
            format!("sites/mt/tin-tuc/tin-{i:02}.md"),
            format!("+++\ntitle = \"Tin số {i}\"\ndate = 2024-01-{:02}\n\n[taxonomies]\ntopics = [\"Đường cao tốc\"]\n+++\nNội dung {i}.\n", i + 1),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(&c, &refs);
    assert_ok(&cms(tmp.path(), &["build", "--quiet"]));
    let out = tmp.path().join("public/sites/mt.gov.vn");
    // 26 news pages, 10 a page: 3 list pages.
    assert!(out.join("tin-tuc/page/2/index.html").is_file());
    assert!(out.join("tin-tuc/page/3/index.html").is_file());
    assert!(!out.join("tin-tuc/page/4").exists());
    let first = read(&out, "tin-tuc/index.html");
    assert!(first.contains("Tin số 24"), "newest first");
    assert!(!first.contains("Tin số 3<"), "older items on later pages");
    assert!(has_attr(&first, "href", "/tin-tuc/page/2/"));
    // The term slug folds Vietnamese.
    assert!(out.join("topics/duong-cao-toc/index.html").is_file());
    assert!(out.join("topics/duong-cao-toc/page/3/index.html").is_file());
    assert!(read(&out, "topics/index.html").contains("Đường cao tốc"));
    // Feeds hold the 20 newest.
    assert_eq!(read(&out, "tin-tuc/rss.xml").matches("<item>").count(), 20);
}

#[test]
fn translations_aliases_and_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("content");
    fixture(&c);
    write_files(
        &c,
        &[
            ("sites/mt/gioi-thieu/_index.md", "+++\ntitle = \"Giới thiệu\"\n+++\n"),
            ("sites/mt/gioi-thieu/_index.en.md", "+++\ntitle = \"About\"\n+++\n"),
            ("sites/mt/gioi-thieu/co-cau.md", "+++\ntitle = \"Cơ cấu tổ chức\"\naliases = [\"/co-cau-cu/\"]\n+++\n"),
            ("sites/mt/gioi-thieu/co-cau.en.md", "+++\ntitle = \"Organisation\"\n+++\n"),
            ("sites/drvn/templates/page.html", "<!doctype html><html lang=vi><title>{{ page.title }}</title><p class=override>{{ site.name }}</p></html>"),
            ("sites/drvn/static/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        ],
    );
    assert_ok(&cms(tmp.path(), &["build", "--quiet"]));
    let out = tmp.path().join("public/sites");
    let vi = read(&out, "mt.gov.vn/gioi-thieu/co-cau/index.html");
    assert!(
        has_attr(&vi, "hreflang", "en") && vi.contains("/en/gioi-thieu/co-cau/"),
        "language switch"
    );
    let en = read(&out, "mt.gov.vn/en/gioi-thieu/co-cau/index.html");
    assert!(
        (en.contains("<html lang=en>") || en.contains("<html lang=\"en\">"))
            && en.contains("Organisation")
    );
    assert!(
        read(&out, "mt.gov.vn/co-cau-cu/index.html").contains("url=/gioi-thieu/co-cau/"),
        "alias redirect"
    );
    assert!(
        read(&out, "drvn.mt.gov.vn/tin-tuc/cao-toc/index.html").contains("class=override"),
        "site template override"
    );
    assert!(
        !read(&out, "mt.gov.vn/tin-tuc/ke-hoach/index.html").contains("class=override"),
        "other sites keep the theme"
    );
    assert!(out.join("drvn.mt.gov.vn/logo.svg").is_file());
}

#[test]
fn repository_schema_adds_a_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("content");
    fixture(&c);
    write_files(
        &c,
        &[
            ("schema/project.toml", "name = \"project\"\nlabel = \"Dự án\"\n\n[[field]]\nname = \"budget\"\ntype = \"int\"\nrequired = true\nlabel = \"Tổng mức đầu tư (tỷ đồng)\"\n"),
            ("sites/mt/du-an/_index.md", "+++\ntitle = \"Dự án\"\nkind = \"project\"\n+++\n"),
            ("sites/mt/du-an/cao-toc-bac-nam.md", "+++\ntitle = \"Cao tốc Bắc – Nam\"\n\n[project]\nbudget = 146990\n+++\n"),
        ],
    );
    assert_ok(&cms(tmp.path(), &["build", "--quiet"]));
    let page = read(
        &tmp.path().join("public/sites/mt.gov.vn"),
        "du-an/cao-toc-bac-nam/index.html",
    );
    assert!(
        page.contains("Tổng mức đầu tư (tỷ đồng)") && page.contains("146990"),
        "{page}"
    );
    // A wrong type in the new kind's field is an error.
    write_files(
        &c,
        &[(
            "sites/mt/du-an/cao-toc-bac-nam.md",
            "+++\ntitle = \"X\"\n\n[project]\nbudget = \"nhiều\"\n+++\n",
        )],
    );
    let o = cms(tmp.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("cao-toc-bac-nam.md:5:1: error: field `project.budget`: must be an integer"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_benchmark_corpus_builds_unchanged() {
    // The `cms` flavour of ../shared/bench/gen_corpus.py is a contract of the content format:
    // the README's test command runs with ../shared beside the repository, so a missing script
    // is a failure, not a skip (CMS_TESTS_WITHOUT_SHARED=1 skips it on purpose).
    let script = repo_root().join("../shared/bench/gen_corpus.py");
    if std::env::var_os("CMS_TESTS_WITHOUT_SHARED").is_some() {
        eprintln!("skipped on purpose: CMS_TESTS_WITHOUT_SHARED is set");
        return;
    }
    assert!(
        script.is_file(),
        "{} not found: clone the shared folder beside the repository \
         (or set CMS_TESTS_WITHOUT_SHARED=1 to skip this test)",
        script.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let o = std::process::Command::new("python3")
        .arg(&script)
        .args(["--flavor", "cms", "--pages", "400", "--sites", "4", "--out"])
        .arg(&corpus)
        .output()
        .expect("run python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = cms(
        tmp.path(),
        &["build", "--content", "corpus/content", "--out", "public"],
    );
    assert_ok(&o);
    assert!(
        stderr(&o).contains("Built 4 sites, 400 pages"),
        "{}",
        stderr(&o)
    );
    let out = tmp.path().join("public/sites/mt.gov.vn");
    assert!(out.join("tin-tuc/page/2/index.html").is_file());
    // Every topic the portal's pages carry gets its term page, which lists those pages.
    let topics = corpus_topics(&corpus.join("content/sites/mt"));
    assert!(topics.len() >= 5, "the corpus tags pages: {topics:?}");
    for (topic, titles) in &topics {
        let slug = cms_core::slugify(topic);
        let term = out.join(format!("topics/{slug}/index.html"));
        assert!(
            term.is_file(),
            "no term page for {topic:?} at {}",
            term.display()
        );
        let listed = term_pages_text(&out.join(format!("topics/{slug}")));
        for title in titles {
            assert!(
                listed.contains(title.as_str()),
                "term page of {topic:?} does not list {title:?}"
            );
        }
    }
    assert!(read(&out, "topics/index.html").contains(topics.keys().next().unwrap().as_str()));
    // Every page carries the footer with the network's sites (a partial spliced after minifying).
    let page = read(&out, "tin-tuc/index.html");
    assert!(
        page.contains("https://drvn.mt.gov.vn/")
            && page.contains("</footer>")
            && !page.contains("cms-partial"),
        "{page}"
    );
}

/// Topic → titles of the pages tagged with it, read from the corpus's front matter.
fn corpus_topics(site: &std::path::Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut topics = std::collections::BTreeMap::<String, Vec<String>>::new();
    for e in walkdir::WalkDir::new(site) {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy();
        if !name.ends_with(".md") || name.starts_with('_') {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap();
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim().to_string())
        };
        let (Some(title), Some(list)) = (field("title = "), field("topics = ")) else {
            continue;
        };
        let title = title.trim_matches('"').replace("\\\"", "\"");
        for t in list.trim_matches(['[', ']']).split(',') {
            let t = t.trim().trim_matches('"');
            if !t.is_empty() {
                topics.entry(t.to_string()).or_default().push(title.clone());
            }
        }
    }
    topics
}

/// The text of every page of a term's list (its first page and `page/N/`).
fn term_pages_text(dir: &std::path::Path) -> String {
    let mut all = read(dir, "index.html");
    for n in 2.. {
        let p = dir.join(format!("page/{n}/index.html"));
        if !p.is_file() {
            break;
        }
        all.push_str(&std::fs::read_to_string(p).unwrap());
    }
    all
}
