//! The read API (`/api/v1/sites…`) over a built fixture network, through `oneshot` and through
//! a real `cms serve` process: filters, pagination, problems for unknown sites and bad
//! parameters, drafts left out, the same documents as the build's static JSON, a rebuild seen
//! at once, and a 20,000-item listing answered fast.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{assert_ok, cms, fixture, write_files};
use http_body_util::BodyExt;
use ssg::api::{ContentItem, ContentList, ContentPage, SiteDoc, SitesDoc};
use tower::ServiceExt;

/// News pages added to the fixture's portal, one a day from 2024-01-01.
const NEWS: usize = 25;

/// The fixture network with more news (two topics), a draft, an English translation, and a
/// page with raw HTML.
fn network(content: &Path) {
    fixture(content);
    let mut files: Vec<(String, String)> = (1..=NEWS)
        .map(|i| {
            let topic = if i % 2 == 0 { "cao tốc" } else { "đường sắt" };
            (
                format!("sites/mt/tin-tuc/tin-{i:02}.md"),
                format!(
                    "+++\ntitle = \"Tin {i}\"\ndate = 2024-01-{i:02}T08:00:00\n\n[taxonomies]\ntopics = [\"{topic}\"]\n+++\nNội dung {i}.\n"
                ),
            )
        })
        .collect();
    files.push((
        "sites/mt/tin-tuc/nhap.md".into(),
        "+++\ntitle = \"Bản nháp\"\ndate = 2024-02-01\ndraft = true\n+++\nChưa xuất bản.\n".into(),
    ));
    files.push((
        "sites/mt/tin-tuc/sap-dang.md".into(),
        "+++\ntitle = \"Sắp đăng\"\ndate = 2024-02-02\npublish_at = 2099-01-01T08:00:00\n+++\nChưa tới giờ.\n".into(),
    ));
    files.push((
        "sites/mt/tin-tuc/het-han.md".into(),
        "+++\ntitle = \"Hết hạn\"\ndate = 2024-02-03\nunpublish_at = 2001-01-01\n+++\nĐã gỡ.\n"
            .into(),
    ));
    files.push((
        "sites/mt/_index.en.md".into(),
        "+++\ntitle = \"Ministry of Transport\"\n+++\n".into(),
    ));
    files.push((
        "sites/mt/tin-tuc/_index.en.md".into(),
        "+++\ntitle = \"News\"\nkind = \"news\"\n+++\n".into(),
    ));
    files.push((
        "sites/mt/tin-tuc/ke-hoach.en.md".into(),
        "+++\ntitle = \"Plan for Decree 42\"\ndate = 2022-11-25T15:45:00\n+++\nIn English.\n"
            .into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(content, &refs);
}

fn build(cwd: &Path, content: &Path, out: &Path) {
    let o = cms(
        cwd,
        &[
            "build",
            "--content",
            content.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert_ok(&o);
}

/// The network, built once for the tests that only read it.
fn built() -> &'static Path {
    static OUT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = OUT.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join("content");
        network(&content);
        let out = tmp.path().join("public");
        build(tmp.path(), &content, &out);
        (tmp, out)
    });
    out
}

fn state(out: &Path) -> Arc<server::State> {
    Arc::new(server::State::load(out, &server::Options::default()).unwrap())
}

/// The body of a [`Got`] as JSON of the type the call site wants.
macro_rules! json {
    ($g:expr) => {{
        let g = &$g;
        serde_json::from_slice(&g.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&g.body)))
    }};
}

struct Got {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Got {
    fn problem(&self, status: StatusCode) -> serde_json::Value {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type, "application/problem+json");
        let p: serde_json::Value = json!(self);
        assert_eq!(p["status"], status.as_u16());
        p
    }
}

async fn get_in(state: Arc<server::State>, uri: &str) -> Got {
    let req = Request::builder()
        .uri(uri)
        .header(header::HOST, "mt.gov.vn")
        .body(Body::empty())
        .unwrap();
    let resp = server::app(state).oneshot(req).await.unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Got {
        status,
        content_type,
        body,
    }
}

async fn get(uri: &str) -> Got {
    get_in(state(built()), uri).await
}

async fn list(query: &str) -> ContentPage {
    let g = get(&format!("/api/v1/sites/mt/content?{query}")).await;
    assert_eq!(
        g.status,
        StatusCode::OK,
        "{query}: {}",
        String::from_utf8_lossy(&g.body)
    );
    json!(g)
}

#[tokio::test]
async fn sites_and_a_site() {
    let g = get("/api/v1/sites").await;
    assert_eq!(g.status, StatusCode::OK);
    let sites: SitesDoc = json!(g);
    let ids: Vec<&str> = sites.sites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["mt", "drvn"]);
    assert_eq!(sites.sites[1].url, "https://drvn.mt.gov.vn/");
    let site: SiteDoc = json!(get("/api/v1/sites/drvn").await);
    assert_eq!(site.domain, "drvn.mt.gov.vn");
    let mt: SiteDoc = json!(get("/api/v1/sites/mt").await);
    assert!(mt.portal);
    assert_eq!(mt.languages, ["vi", "en"]);
    let news = &mt.sections["vi"].children;
    assert!(
        news.iter().any(|s| s.path == "tin-tuc/_index.md"),
        "{news:?}"
    );
    let topics = mt
        .taxonomies
        .iter()
        .find(|t| t.name == "topics" && t.lang == "vi");
    let slugs: Vec<&str> = topics
        .unwrap()
        .terms
        .iter()
        .map(|t| t.slug.as_str())
        .collect();
    assert!(slugs.contains(&"cao-toc"), "{slugs:?}");
}

#[tokio::test]
async fn the_listing_is_the_static_content_json_paginated() {
    let all = list("per_page=100").await;
    let file: ContentList = serde_json::from_slice(
        &std::fs::read(built().join("sites/mt.gov.vn/api/v1/content.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(all.items, file.items, "the same items, in the same order");
    assert_eq!(all.total, file.items.len());
    let first = list("").await;
    assert_eq!((first.page, first.per_page), (1, 20));
    assert_eq!(first.items[..], all.items[..20]);
    assert_eq!(first.pages, all.total.div_ceil(20));
    let second = list("page=2&per_page=7").await;
    assert_eq!(second.items[..], all.items[7..14]);
    let beyond = list("page=99").await;
    assert!(beyond.items.is_empty() && beyond.total == all.total);
    // Newest first.
    assert_eq!(all.items[0].path, "tin-tuc/tin-25.md");
}

#[tokio::test]
async fn filters() {
    let news = list("kind=news&per_page=100").await;
    assert!(news.items.iter().all(|i| i.kind == "news"));
    assert_eq!(news.total, NEWS + 2, "the 25, ke-hoach and its translation");
    let sections = list("kind=section&per_page=100").await;
    assert!(sections
        .items
        .iter()
        .all(|i| i.path.ends_with("_index.md") || i.path.ends_with("_index.en.md")));
    let legal = list("section=van-ban").await;
    let paths: Vec<&str> = legal.items.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["van-ban/qd-1552/index.md"]);
    let en = list("lang=en&per_page=100").await;
    assert!(
        en.items.iter().all(|i| i.lang == "en") && en.total == 3,
        "{en:?}"
    );
    // By slug or as written.
    let by_slug = list("taxonomy=topics&term=cao-toc&per_page=100").await;
    let by_name = list("taxonomy=topics&term=cao%20t%E1%BB%91c&per_page=100").await;
    assert_eq!(by_slug.total, NEWS / 2);
    assert_eq!(by_slug.items, by_name.items);
    let tagged = list("taxonomy=topics&per_page=100").await;
    assert_eq!(tagged.total, NEWS + 1, "and ke-hoach's chuyển đổi số");
    let january = list("from=2024-01-10&to=2024-01-12").await;
    let paths: Vec<&str> = january.items.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "tin-tuc/tin-12.md",
            "tin-tuc/tin-11.md",
            "tin-tuc/tin-10.md"
        ]
    );
    let morning = list("from=2024-01-10T08:00:01&to=2024-01-11T08:00").await;
    assert_eq!(morning.total, 1);
    let both = list("section=tin-tuc&lang=vi&taxonomy=topics&term=duong-sat&from=2024-01-20").await;
    assert_eq!(both.total, 3, "21, 23, 25");
}

#[tokio::test]
async fn bad_parameters_are_400_problems_naming_them() {
    for (query, names) in [
        ("page=0", "`page`"),
        ("page=x", "`page`"),
        ("per_page=1000", "`per_page`"),
        ("from=h%C3%B4m-qua", "`from`"),
        ("to=2024-13-01", "`to`"),
        ("from=2024-02-01&to=2024-01-01", "`from`"),
        ("lang=fr", "`lang`"),
        ("taxonomy=tags", "`taxonomy`"),
        ("term=cao-toc", "`term`"),
        ("colour=red", "colour"),
    ] {
        let g = get(&format!("/api/v1/sites/mt/content?{query}")).await;
        let p = g.problem(StatusCode::BAD_REQUEST);
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.contains(names), "{query}: {detail}");
        assert!(detail.starts_with("Tham số không hợp lệ"), "{detail}");
    }
}

#[tokio::test]
async fn unknown_sites_items_and_routes_are_404_problems() {
    let p = get("/api/v1/sites/nope")
        .await
        .problem(StatusCode::NOT_FOUND);
    assert!(p["detail"].as_str().unwrap().contains("mt, drvn"), "{p}");
    get("/api/v1/sites/nope/content")
        .await
        .problem(StatusCode::NOT_FOUND);
    get("/api/v1/sites/mt/content/tin-tuc/khong-co.md")
        .await
        .problem(StatusCode::NOT_FOUND);
    for traversal in [
        "../../manifest.json",
        "..%2F..%2Fmanifest.json",
        "%2e%2e/site.json",
    ] {
        let g = get(&format!("/api/v1/sites/mt/content/{traversal}")).await;
        assert!(
            g.status == StatusCode::NOT_FOUND,
            "{traversal}: {}",
            g.status
        );
        assert!(
            !String::from_utf8_lossy(&g.body).contains("\"sites\""),
            "{traversal}"
        );
    }
    let p = get("/api/v1/no/such/route")
        .await
        .problem(StatusCode::NOT_FOUND);
    assert_eq!(p["type"], server::api::NO_ROUTE);
}

#[tokio::test]
async fn drafts_and_pages_out_of_their_window_are_nowhere() {
    let all = list("per_page=100").await;
    for page in ["nhap", "sap-dang", "het-han"] {
        assert!(all.items.iter().all(|i| !i.path.contains(page)), "{page}");
        let uri = format!("/api/v1/sites/mt/content/tin-tuc/{page}.md");
        get(&uri).await.problem(StatusCode::NOT_FOUND);
        let file = format!("sites/mt.gov.vn/api/v1/content/tin-tuc/{page}.json");
        assert!(!built().join(file).exists(), "{page}");
    }
}

#[tokio::test]
async fn an_item_whole_is_its_static_file() {
    let g = get("/api/v1/sites/mt/content/van-ban/qd-1552/index.md").await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.content_type, "application/json");
    let file = built().join("sites/mt.gov.vn/api/v1/content/van-ban/qd-1552/index.json");
    assert_eq!(g.body, std::fs::read(file).unwrap());
    let item: ContentItem = json!(g);
    assert_eq!(item.summary.kind, "legal");
    assert_eq!(item.fields["number"], "1552/QĐ-BGTVT");
    assert_eq!(item.fields["issued"], "2022-11-25");
    assert!(item.html.contains("<table>"), "{}", item.html);
    assert_eq!(item.links.section.unwrap().path, "van-ban/_index.md");
    // `.md` may be left out; translations and neighbours are named.
    let plan: ContentItem = json!(get("/api/v1/sites/mt/content/tin-tuc/ke-hoach").await);
    assert_eq!(plan.summary.translations, ["tin-tuc/ke-hoach.en.md"]);
    assert_eq!(plan.translations_of[0].lang, "en");
    assert_eq!(
        plan.translations_of[0].url,
        "https://mt.gov.vn/en/tin-tuc/ke-hoach/"
    );
    assert!(plan.links.prev.is_some() || plan.links.next.is_some());
    assert!(
        plan.html
            .contains("href=\"https://mt.gov.vn/van-ban/qd-1552/\"")
            || plan.html.contains("href=\"/van-ban/qd-1552/\""),
        "{}",
        plan.html
    );
}

#[tokio::test]
async fn a_rebuild_is_read_by_the_next_request() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    network(&content);
    let out = tmp.path().join("public");
    build(tmp.path(), &content, &out);
    let st = state(&out);
    let before: ContentPage = json!(get_in(st.clone(), "/api/v1/sites/drvn/content").await);
    write_files(
        &content,
        &[(
            "sites/drvn/tin-tuc/moi.md",
            "+++\ntitle = \"Tin mới\"\ndate = 2025-01-01\n+++\nMới.\n",
        )],
    );
    build(tmp.path(), &content, &out);
    let after: ContentPage = json!(get_in(st.clone(), "/api/v1/sites/drvn/content").await);
    assert_eq!(after.total, before.total + 1);
    assert_eq!(after.items[0].title, "Tin mới");
    let g = get_in(st, "/api/v1/sites/drvn/content/tin-tuc/moi.md").await;
    assert_eq!(g.status, StatusCode::OK);
}

#[tokio::test]
async fn the_static_files_are_served_at_their_cdn_paths_too() {
    for f in [
        "content.json",
        "site.json",
        "sites.json",
        "content/tin-tuc/ke-hoach.json",
    ] {
        let g = get(&format!("/api/v1/{f}")).await;
        assert_eq!(g.status, StatusCode::OK, "{f}");
        assert!(
            g.content_type.starts_with("application/json"),
            "{f}: {}",
            g.content_type
        );
        let file = built().join("sites/mt.gov.vn/api/v1").join(f);
        assert_eq!(g.body, std::fs::read(file).unwrap(), "{f}");
    }
    let p = get("/api/v1/content/tin-tuc/khong-co.json")
        .await
        .problem(StatusCode::NOT_FOUND);
    assert_eq!(p["type"], server::api::NO_ROUTE);
}
