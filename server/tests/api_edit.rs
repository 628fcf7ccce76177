//! The editor's API: the kind schemas of a site (`GET /sites/{site}/kinds`) and the live
//! preview (`POST /sites/{site}/preview/{path}`): the page in the site's theme with the typed
//! text, cleaned as the build cleans it, and `cms check`'s problems with their fields.

mod api_common;

use api_common::World;
use axum::http::{Method, StatusCode};
use serde_json::json;

const PREVIEW: &str = "/api/v1/sites/drvn/preview/tin-tuc/moi.md";

#[tokio::test]
async fn kinds_list_the_fields_of_each_kind_and_the_sections() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let got = w
        .call(&ed, Method::GET, "/api/v1/sites/drvn/kinds", None)
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.json);
    let kinds: server::api::KindsView = serde_json::from_value(got.json.clone()).unwrap();
    let legal = kinds.kinds.iter().find(|k| k.name == "legal").unwrap();
    let doc_type = legal.fields.iter().find(|f| f.name == "doc_type").unwrap();
    assert_eq!(doc_type.ty, "enum");
    assert!(doc_type.required && doc_type.values.contains(&"Thông tư".to_string()));
    assert!(!doc_type.translated);
    let news = kinds.sections.iter().find(|s| s.dir == "tin-tuc").unwrap();
    assert_eq!(news.kind, "news");
    assert!(kinds.common.iter().any(|f| f.name == "title" && f.required));
    // Another agency's editor may not read them.
    let other = w.session("mt-bien-tap").await;
    let no = w
        .call(&other, Method::GET, "/api/v1/sites/drvn/kinds", None)
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_preview_is_the_theme_s_page_with_the_typed_text_escaped() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let text = "+++\ntitle = \"Cầu <script>alert(1)</script> mới\"\ndate = 2024-05-01\n+++\n\nĐoạn **đậm** <script>alert(2)</script>\n";
    let started = std::time::Instant::now();
    let got = w
        .call(&ed, Method::POST, PREVIEW, Some(json!({ "text": text })))
        .await;
    let took = started.elapsed();
    assert_eq!(got.status, StatusCode::OK, "{}", got.json);
    let v: server::api::PreviewView = serde_json::from_value(got.json.clone()).unwrap();
    assert!(v.errors.is_empty(), "{:?}", v.errors);
    assert!(
        v.body_html.contains("<strong>đậm</strong>"),
        "{}",
        v.body_html
    );
    assert!(!v.body_html.contains("<script"), "{}", v.body_html);
    assert!(
        v.html.starts_with("<!") || v.html.contains("<html"),
        "{}",
        v.html
    );
    assert!(v.html.contains("Cục Đường bộ Việt Nam"), "the site's theme");
    assert!(v.html.contains("&lt;script&gt;alert(1)"), "{}", v.html);
    assert!(!v.html.contains("<script>alert"), "{}", v.html);
    eprintln!("preview: {took:?} (server {} ms)", v.ms);
    // Repeated, as the editor does while typing.
    let mut times = Vec::new();
    for i in 0..20 {
        let t = format!("+++\ntitle = \"Tin {i}\"\n+++\nThân {i}.\n");
        let c = std::time::Instant::now();
        let got = w
            .call(&ed, Method::POST, PREVIEW, Some(json!({ "text": t })))
            .await;
        times.push(c.elapsed());
        assert!(got.json["body_html"]
            .as_str()
            .unwrap()
            .contains(&format!("Thân {i}.")));
    }
    times.sort();
    eprintln!("preview p50 {:?} p95 {:?}", times[10], times[19]);
}

#[tokio::test]
async fn the_preview_gives_check_s_errors_with_their_fields() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let text = "+++\ndate = \"mai\"\n+++\nThân.\n";
    let got = w
        .call(&ed, Method::POST, PREVIEW, Some(json!({ "text": text })))
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.json);
    let v: server::api::PreviewView = serde_json::from_value(got.json.clone()).unwrap();
    assert!(
        v.errors
            .iter()
            .any(|e| e.field.as_deref() == Some("title") && e.message.contains("title")),
        "{:?}",
        v.errors
    );
    // Only writers of the site preview.
    let other = w.session("mt-bien-tap").await;
    let no = w
        .call(&other, Method::POST, PREVIEW, Some(json!({ "text": text })))
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
    let anon = w
        .call(
            &api_common::Who::Anonymous,
            Method::POST,
            PREVIEW,
            Some(json!({ "text": text })),
        )
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
}

/// The preview's stages on a large corpus (`CMS_PREVIEW_CORPUS=…/content`, e.g. the 20,000
/// pages of `scripts/bench`), in release: `cargo test --release -p server --test api_edit
/// -- --ignored --nocapture`.
#[test]
#[ignore]
fn preview_time_on_a_large_corpus() {
    let Ok(dir) = std::env::var("CMS_PREVIEW_CORPUS") else {
        return;
    };
    let network = cms_core::load(&cms_core::Source::Dir(dir.into())).unwrap();
    let pages: usize = network.sites.iter().map(|s| s.pages.len()).sum();
    let theme = ssg::Theme::embedded().unwrap();
    let site = &network.sites[0];
    let page = &site.pages[site.pages.len() / 2];
    let rel = page.file.clone();
    let text = std::fs::read_to_string(
        std::path::Path::new(&std::env::var("CMS_PREVIEW_CORPUS").unwrap()).join(&rel),
    )
    .unwrap();
    let opts = ssg::BuildOptions::in_memory(&theme, network.now.date());
    let mut laps: Vec<[std::time::Duration; 5]> = Vec::new();
    let clock = std::time::Instant::now();
    let cache = ssg::PreviewCache::new(
        std::sync::Arc::new(network.clone()),
        std::sync::Arc::new(ssg::Theme::embedded().unwrap()),
    );
    eprintln!("preview cache made in {:?}", clock.elapsed());
    for i in 0..21 {
        let typed = format!("{text}\nĐoạn {i}.\n");
        let t0 = std::time::Instant::now();
        let (p, diags) = cms_core::checked_page(&network, &rel, &typed, None);
        let t1 = std::time::Instant::now();
        let patched = cms_core::with_page(&network, p.unwrap());
        let t2 = std::time::Instant::now();
        let shown = ssg::preview_page(&patched, &opts, &rel).unwrap();
        let t3 = std::time::Instant::now();
        assert!(diags.is_empty(), "{diags:?}");
        assert!(shown.body_html.contains(&format!("Đoạn {i}.")));
        if i == 0 {
            eprintln!("stages: {:?}", shown.timings);
        }
        let (p, _) = cms_core::checked_page(&network, &rel, &typed, None);
        let cached = cache.preview(p.unwrap()).unwrap();
        let t4 = std::time::Instant::now();
        assert_eq!(cached.html, shown.html, "the cache renders the same page");
        if i == 0 {
            eprintln!("cached stages: {:?}", cached.timings);
        }
        laps.push([t1 - t0, t2 - t1, t3 - t2, t3 - t0, t4 - t3]);
    }
    let names = [
        "check",
        "patch (clone)",
        "render",
        "total",
        "cached (check and render)",
    ];
    for (k, name) in names.iter().enumerate() {
        let mut v: Vec<_> = laps.iter().map(|l| l[k]).collect();
        v.sort();
        eprintln!("{pages} pages, {name}: p50 {:?} p95 {:?}", v[10], v[19]);
    }
}
