//! What reads the output follows its link: once a new build is switched in, or an older one
//! switched back, a running server serves its pages and searches its index, without a restart.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{header, Request};
use common::*;
use http_body_util::BodyExt;
use tower::ServiceExt;

const PAGE: &str = "/tin-tuc/cao-toc/";
const HOST: &str = "drvn.mt.gov.vn";
/// A word no build has until the edit.
const WORD: &str = "khinhkhicau";

async fn get(state: &Arc<server::State>, uri: &str) -> String {
    let mut req = Request::builder()
        .uri(uri)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40000))));
    let resp = server::app(state.clone()).oneshot(req).await.unwrap();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// How many pages the search finds for the word.
async fn found(state: &Arc<server::State>) -> u64 {
    let body = get(state, &format!("/api/search?q={WORD}")).await;
    let v: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v["total"].as_u64().unwrap_or_else(|| panic!("{body}"))
}

fn build(root: &Path) {
    assert_ok(&cms(
        root,
        &[
            "build",
            "--content",
            "content",
            "--out",
            "public",
            "--quiet",
        ],
    ));
}

/// Longer than the server waits between looks at the index.
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
}

#[tokio::test]
async fn a_running_server_follows_the_switch_and_a_rollback() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fixture(&root.join("content"));
    build(root);
    let out = root.join("public");
    let state = Arc::new(
        server::State::load(
            &out,
            &server::Options {
                rate_per_second: 0.0,
                answers: 0,
                ..server::Options::default()
            },
        )
        .unwrap(),
    );
    assert!(!get(&state, PAGE).await.contains(WORD));
    assert_eq!(found(&state).await, 0);

    let src = root.join("content/sites/drvn/tin-tuc/cao-toc.md");
    let text = std::fs::read_to_string(&src).unwrap();
    std::fs::write(
        &src,
        text.replace("Nội dung.", &format!("Nội dung {WORD}.")),
    )
    .unwrap();
    build(root);
    settle().await;
    assert!(get(&state, PAGE).await.contains(WORD), "the new page");
    assert_eq!(found(&state).await, 1, "the new index");

    let builds = ssg::builds::list(&out).unwrap();
    assert!(builds[0].live);
    ssg::builds::switch(&out, &builds[1].id).unwrap();
    settle().await;
    assert!(!get(&state, PAGE).await.contains(WORD), "rolled back");
    assert_eq!(found(&state).await, 0);
}
