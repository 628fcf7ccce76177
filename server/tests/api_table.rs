//! Every write route of `/api/v1` against every kind of principal, with the exact status each
//! must get, on SQLite and on a real PostgreSQL: anonymous, the editor and the approver of this
//! site (`drvn`) and of another (`mt`), the site admin, the network admin, a token in scope,
//! a token scoped to another site, and a read-only token.

mod api_common;

use api_common::{page_text, tester, Who, World};
use axum::http::{header, Method};
use cms_core::store::Store;
use serde_json::json;

/// The principals, in the order of the columns of [`WANT`].
const PRINCIPALS: [&str; 10] = [
    "anonymous",
    "editor",
    "approver",
    "editor of mt",
    "approver of mt",
    "site admin",
    "network admin",
    "token in scope",
    "token of mt",
    "read-only token",
];

/// The status each principal gets, per route (in the order of [`requests`]).
#[rustfmt::skip]
const WANT: &[(&str, [u16; 10])] = &[
    ("GET page", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("PUT page (create)", [401, 201, 201, 403, 403, 201, 201, 201, 403, 403]),
    ("PUT page (update)", [401, 200, 200, 403, 403, 200, 200, 200, 403, 403]),
    ("DELETE page", [401, 200, 200, 403, 403, 200, 200, 200, 403, 403]),
    ("POST file", [401, 201, 201, 403, 403, 201, 201, 201, 403, 403]),
    ("GET files", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("GET drafts", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("GET scheduled", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("GET review", [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST submit", [401, 200, 200, 403, 403, 200, 200, 200, 403, 403]),
    ("POST approve", [401, 403, 200, 403, 403, 200, 200, 200, 403, 403]),
    ("POST reject", [401, 403, 200, 403, 403, 200, 200, 200, 403, 403]),
    ("POST schedule", [401, 403, 200, 403, 403, 200, 200, 200, 403, 403]),
    ("GET history", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("GET diff", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("POST restore", [401, 201, 201, 403, 403, 201, 201, 201, 403, 403]),
    ("GET comments", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("GET users", [401, 403, 403, 403, 403, 200, 200, 403, 403, 403]),
    ("PUT user role", [401, 403, 403, 403, 403, 200, 200, 403, 403, 403]),
    ("DELETE user role", [401, 403, 403, 403, 403, 200, 200, 403, 403, 403]),
    ("GET audit", [401, 403, 403, 403, 403, 200, 200, 403, 403, 403]),
    ("GET tokens", [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST tokens", [401, 201, 201, 403, 403, 201, 201, 403, 403, 403]),
    ("DELETE token", [401, 204, 204, 204, 204, 204, 204, 403, 403, 403]),
    ("GET kinds", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("POST preview", [401, 200, 200, 403, 403, 200, 200, 200, 403, 403]),
    ("GET preview", [401, 200, 200, 403, 403, 200, 200, 200, 403, 200]),
    ("DELETE session", [401, 204, 204, 204, 204, 204, 204, 400, 400, 400]),
];

/// What the requests of principal `i` act on, made beforehand straight in the store (each
/// principal has pages of its own, so that one's request does not change another's answer).
struct Scene {
    /// Blob of `u-i.md` (a draft to update) and of `d-i.md` (a draft to delete).
    update_blob: String,
    delete_blob: String,
    /// Two commits of `h-i.md`, for the diff and the restore.
    first: String,
    second: String,
    /// A token of the principal's user to revoke (any when the principal has no session).
    token_id: i64,
}

/// Sets the scene of principal `i` (`login`: the user behind it, if any).
async fn scene(w: &World, i: usize, login: Option<&str>) -> Scene {
    let s: &Store = &w.cms.store;
    let who = tester();
    let new = |name: &str| {
        s.save(
            &w.page(&format!("tin-tuc/{name}-{i}.md")),
            &page_text(name, "Một."),
            None,
            &who,
        )
        .unwrap()
    };
    let update_blob = new("u").blob.unwrap();
    let delete_blob = new("d").blob.unwrap();
    new("s");
    for name in ["a", "r", "sc"] {
        new(name);
        s.submit(&w.page(&format!("tin-tuc/{name}-{i}.md")))
            .unwrap();
    }
    let h1 = new("h");
    let h = w.page(&format!("tin-tuc/h-{i}.md"));
    let h2 = s
        .save(&h, &page_text("h", "Hai."), h1.blob.as_deref(), &who)
        .unwrap();
    let scope = db::TokenScope {
        sites: vec!["drvn".into()],
        write: false,
    };
    let owner = login.unwrap_or("duyet");
    let (_, info) = w
        .cms
        .db
        .create_token(owner, &format!("xoa-{i}"), &scope, None)
        .await
        .unwrap();
    Scene {
        update_blob,
        delete_blob,
        first: h1.commit,
        second: h2.commit,
        token_id: info.id,
    }
}

/// One request of the table.
struct Req {
    label: &'static str,
    method: Method,
    uri: String,
    body: Option<serde_json::Value>,
    if_match: Option<String>,
}

/// A request without a body.
fn req(label: &'static str, method: Method, uri: impl Into<String>) -> Req {
    Req {
        label,
        method,
        uri: uri.into(),
        body: None,
        if_match: None,
    }
}

impl Req {
    fn json(mut self, v: serde_json::Value) -> Req {
        self.body = Some(v);
        self
    }

    fn if_match(mut self, blob: &str) -> Req {
        self.if_match = Some(blob.to_string());
        self
    }
}

/// The requests of principal `i`, in the order of [`WANT`].
fn requests(i: usize, sc: &Scene) -> Vec<Req> {
    use Method as M;
    let p = |what: &str, name: &str| format!("/api/v1/sites/drvn/{what}/tin-tuc/{name}-{i}.md");
    let v1 = "/api/v1";
    let bundle = "/api/v1/sites/drvn/files/tin-tuc/cau/index.md";
    let diff = format!("{}?from={}&to={}", p("diff", "h"), sc.first, sc.second);
    vec![
        req(
            "GET page",
            M::GET,
            format!("{v1}/sites/drvn/pages/tin-tuc/cao-toc.md"),
        ),
        req("PUT page (create)", M::PUT, p("pages", "t"))
            .json(json!({ "text": page_text("Bảng", "Nội dung.") })),
        req("PUT page (update)", M::PUT, p("pages", "u"))
            .json(json!({ "text": page_text("Sửa", "Khác.") }))
            .if_match(&sc.update_blob),
        req("DELETE page", M::DELETE, p("pages", "d")).if_match(&sc.delete_blob),
        req("POST file", M::POST, format!("{bundle}?name=f-{i}.pdf")),
        req("GET files", M::GET, bundle),
        req("GET drafts", M::GET, format!("{v1}/sites/drvn/drafts")),
        req(
            "GET scheduled",
            M::GET,
            format!("{v1}/sites/drvn/scheduled"),
        ),
        req("GET review", M::GET, format!("{v1}/review")),
        req("POST submit", M::POST, p("submit", "s")),
        req("POST approve", M::POST, p("approve", "a")),
        req("POST reject", M::POST, p("reject", "r")).json(json!({"comment": "Sửa tiêu đề."})),
        req("POST schedule", M::POST, p("schedule", "sc"))
            .json(json!({"publish_at": "2030-01-01T08:00"})),
        req("GET history", M::GET, p("history", "h")),
        req("GET diff", M::GET, diff),
        req("POST restore", M::POST, p("restore", "h")).json(json!({"commit": sc.first})),
        req("GET comments", M::GET, p("comments", "r")),
        req("GET users", M::GET, format!("{v1}/sites/drvn/users")),
        req(
            "PUT user role",
            M::PUT,
            format!("{v1}/sites/drvn/users/khach"),
        )
        .json(json!({"role": "editor"})),
        req(
            "DELETE user role",
            M::DELETE,
            format!("{v1}/sites/drvn/users/khach"),
        ),
        req("GET audit", M::GET, format!("{v1}/audit?site=drvn")),
        req("GET tokens", M::GET, format!("{v1}/tokens")),
        req("POST tokens", M::POST, format!("{v1}/tokens"))
            .json(json!({"name": format!("moi-{i}"), "sites": ["drvn"]})),
        req(
            "DELETE token",
            M::DELETE,
            format!("{v1}/tokens/{}", sc.token_id),
        ),
        req("GET kinds", M::GET, format!("{v1}/sites/drvn/kinds")),
        req("POST preview", M::POST, p("preview", "pv"))
            .json(json!({ "text": page_text("Xem", "Thử.") })),
        req("GET preview", M::GET, p("preview", "u")),
        req("DELETE session", M::DELETE, format!("{v1}/session")),
    ]
}

/// The principals of `w`, in the order of [`PRINCIPALS`], with the user behind each.
async fn principals(w: &World) -> Vec<(Who, Option<&'static str>)> {
    let mut out = vec![(Who::Anonymous, None)];
    for login in [
        "bien-tap",
        "duyet",
        "mt-bien-tap",
        "mt-duyet",
        "quan-tri",
        "admin",
    ] {
        out.push((w.session(login).await, Some(login)));
    }
    // The tokens act for the approver of drvn: in scope, scoped to mt, and read only.
    out.push((w.token("duyet", &["drvn"], true).await, None));
    out.push((w.token("duyet", &["mt"], true).await, None));
    out.push((w.token("duyet", &["drvn"], false).await, None));
    out
}

/// Runs the whole table on `w`; returns every mismatch (all are reported, not the first).
async fn run_table(w: &World) -> Vec<String> {
    let mut wrong = Vec::new();
    let principals = principals(w).await;
    for (i, (who, login)) in principals.iter().enumerate() {
        let sc = scene(w, i, *login).await;
        let reqs = requests(i, &sc);
        assert_eq!(reqs.len(), WANT.len());
        for (r, (want_label, want)) in reqs.into_iter().zip(WANT) {
            let label = r.label;
            assert_eq!(
                label, *want_label,
                "the table and the requests in one order"
            );
            let mut req = axum::http::Request::builder().method(r.method).uri(&r.uri);
            req = api_common::with_who(req, who, true);
            if let Some(tag) = r.if_match {
                req = req.header(header::IF_MATCH, format!("\"{tag}\""));
            }
            let body = match (label, r.body) {
                ("POST file", _) => axum::body::Body::from("%PDF-1.4 tệp thử"),
                (_, Some(v)) => {
                    req = req.header(header::CONTENT_TYPE, "application/json");
                    axum::body::Body::from(v.to_string())
                }
                (_, None) => axum::body::Body::empty(),
            };
            let got = w.send(req.body(body).unwrap()).await;
            if got.status.as_u16() != want[i] {
                wrong.push(format!(
                    "[{}] {label} as {}: {} (want {}): {}",
                    w.backend, PRINCIPALS[i], got.status, want[i], got.json
                ));
            }
            if got.status.is_client_error() {
                let ct = got.headers.get(header::CONTENT_TYPE).unwrap();
                assert_eq!(ct, "application/problem+json", "{label}");
            }
        }
    }
    wrong
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_route_against_every_principal_on_sqlite_and_postgresql() {
    let mut wrong = Vec::new();
    for backend in db::testing::backends().await {
        let w = World::new(backend).await;
        wrong.extend(run_table(&w).await);
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Every write route, as the OpenAPI document names it.
const ROUTES: &[(&str, &str)] = &[
    ("post", "/session"),
    ("get", "/session"),
    ("delete", "/session"),
    ("get", "/sites/{site}/pages/{path}"),
    ("put", "/sites/{site}/pages/{path}"),
    ("delete", "/sites/{site}/pages/{path}"),
    ("post", "/sites/{site}/files/{path}"),
    ("get", "/sites/{site}/files/{path}"),
    ("get", "/sites/{site}/drafts"),
    ("get", "/review"),
    ("post", "/sites/{site}/submit/{path}"),
    ("post", "/sites/{site}/approve/{path}"),
    ("post", "/sites/{site}/reject/{path}"),
    ("post", "/sites/{site}/schedule/{path}"),
    ("get", "/sites/{site}/scheduled"),
    ("get", "/sites/{site}/history/{path}"),
    ("get", "/sites/{site}/diff/{path}"),
    ("post", "/sites/{site}/restore/{path}"),
    ("get", "/sites/{site}/comments/{path}"),
    ("get", "/tokens"),
    ("post", "/tokens"),
    ("delete", "/tokens/{id}"),
    ("get", "/sites/{site}/users"),
    ("put", "/sites/{site}/users/{login}"),
    ("delete", "/sites/{site}/users/{login}"),
    ("get", "/audit"),
    ("get", "/sites/{site}/kinds"),
    ("post", "/sites/{site}/preview/{path}"),
    ("get", "/sites/{site}/preview/{path}"),
];

#[tokio::test]
async fn the_write_routes_are_in_the_openapi_document() {
    let w = World::sqlite().await;
    let doc = w
        .call(&Who::Anonymous, Method::GET, "/api/v1/openapi.json", None)
        .await;
    assert_eq!(doc.status, 200);
    let missing: Vec<String> = ROUTES
        .iter()
        .filter(|(m, p)| !doc.json["paths"][p][m].is_object())
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(missing.is_empty(), "not in openapi.json: {missing:?}");
    let schemes = &doc.json["components"]["securitySchemes"];
    assert!(schemes["bearer"].is_object() && schemes["session"].is_object());
}

#[tokio::test]
async fn without_a_content_repository_the_write_api_answers_503() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.json"), "{\"sites\":[]}").unwrap();
    let state = server::State::load(dir.path(), &server::Options::default()).unwrap();
    let app = server::app(std::sync::Arc::new(state));
    let req = axum::http::Request::builder()
        .method(Method::PUT)
        .uri("/api/v1/sites/drvn/pages/a.md")
        .header(header::AUTHORIZATION, "Bearer x")
        .body(axum::body::Body::from("{\"text\":\"x\"}"))
        .unwrap();
    let res = tower::ServiceExt::oneshot(app, req).await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
}
