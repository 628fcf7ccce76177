//! Every route of `/api/v1` is in the OpenAPI document and every path of the document is
//! routed, whoever added it: `server::api::ROUTES` (the list kept beside the router) against
//! `ApiDoc`, both ways, and each one requested through the real router (a path no route has
//! answers the `no-route` problem; a method it lacks, 405).

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{fixture, repo_root};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// `{*path}` (axum) and `{path}` (OpenAPI) name the same parameter.
fn normal(path: &str) -> String {
    path.replace("{*", "{")
}

/// A server over the fixture network, built.
fn state(tmp: &std::path::Path) -> Arc<server::State> {
    let content = tmp.join("content");
    fixture(&content);
    let out = tmp.join("public");
    let o = common::cms(
        &repo_root(),
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
    Arc::new(server::State::load(&out, &server::Options::default()).unwrap())
}

/// `GET /api/v1/openapi.json`.
async fn served(state: Arc<server::State>) -> serde_json::Value {
    let req = Request::builder()
        .uri("/api/v1/openapi.json")
        .header(header::HOST, "mt.gov.vn")
        .body(Body::empty())
        .unwrap();
    let resp = server::app(state).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

/// Every (method, path) of the OpenAPI document.
fn documented(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head"].contains(&method.as_str()) {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// A request of `method` on `path` with every parameter filled in: whether a route took it.
async fn routed(state: Arc<server::State>, method: &str, path: &str) -> Result<(), String> {
    let uri = format!(
        "/api/v1{}",
        normal(path)
            .replace("{site}", "mt")
            .replace("{path}", "tin-tuc/ke-hoach.md")
            .replace("{login}", "bientap")
            .replace("{id}", "1")
    );
    assert!(
        !uri.contains('{'),
        "a parameter this test does not fill in: {uri}"
    );
    let req = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(&uri)
        .header(header::HOST, "mt.gov.vn")
        .body(Body::empty())
        .unwrap();
    let resp = server::app(state).oneshot(req).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&body);
    if status == StatusCode::METHOD_NOT_ALLOWED || text.contains(server::api::NO_ROUTE) {
        return Err(format!("{method} {uri}: {status} {text}"));
    }
    Ok(())
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_path_is_routed() {
    let tmp = tempfile::tempdir().unwrap();
    let state = state(tmp.path());
    let docs = documented(&served(state.clone()).await);
    let listed: BTreeSet<(String, String)> = server::api::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), normal(p)))
        .collect();
    assert_eq!(
        listed.len(),
        server::api::ROUTES.len(),
        "ROUTES lists a route twice"
    );
    let undocumented: Vec<_> = listed.difference(&docs).collect();
    assert!(
        undocumented.is_empty(),
        "routes not in ApiDoc: {undocumented:?}"
    );
    let unlisted: Vec<_> = docs.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "documented paths not in server::api::ROUTES: {unlisted:?}"
    );
    let mut errors = Vec::new();
    for (method, path) in &docs {
        if let Err(e) = routed(state.clone(), method, path).await {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "documented but not routed: {errors:#?}");
    // And the test can tell: a path no route has is seen as such.
    assert!(routed(state.clone(), "GET", "/sites/{site}/nothing")
        .await
        .is_err());
    assert!(routed(state.clone(), "DELETE", "/openapi.json")
        .await
        .is_err());
}

#[tokio::test]
async fn the_document_is_openapi_3_1() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = served(state(tmp.path())).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for schema in [
        "ContentItem",
        "ContentPage",
        "SiteDoc",
        "SitesDoc",
        "Problem",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema} is described"
        );
    }
    let list = &doc["paths"]["/sites/{site}/content"]["get"]["parameters"];
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "site", "kind", "section", "lang", "taxonomy", "term", "from", "to", "page", "per_page",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
}
