//! The editorial workflow through the API (`oneshot`): draft → in review → back to draft with
//! the reviewer's comment → in review → published (a merge on the published branch), each step
//! a commit or a ref and an audit row; scheduling; history, diff and restore.

mod api_common;

use std::time::Duration;

use api_common::{git, page_text, Who, World};
use axum::http::{Method, StatusCode};
use cms_core::store::Stage;
use serde_json::json;

const PATH: &str = "tin-tuc/quy-trinh.md";

/// `/api/v1/sites/drvn/<what>/tin-tuc/quy-trinh.md`.
fn uri(what: &str) -> String {
    format!("/api/v1/sites/drvn/{what}/{PATH}")
}

/// The paths in the review queue as `who` sees it.
async fn queue(w: &World, who: &Who) -> Vec<String> {
    let res = w.call(who, Method::GET, "/api/v1/review", None).await;
    assert_eq!(res.status, StatusCode::OK);
    res.json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["site"].as_str().unwrap(),
                d["path"].as_str().unwrap()
            )
        })
        .collect()
}

/// Draft → review → reject → review → approve on `w`.
async fn full_workflow(w: &World) {
    let ed = w.session("bien-tap").await;
    let ap = w.session("duyet").await;
    let mt_ap = w.session("mt-duyet").await;
    let tag = w.backend;
    let text = page_text("Quy trình", "Bản đầu.");
    let saved = w
        .call(&ed, Method::PUT, &uri("pages"), Some(json!({"text": text})))
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "[{tag}] {}", saved.json);
    let sub = w.call(&ed, Method::POST, &uri("submit"), None).await;
    assert_eq!(sub.status, StatusCode::OK, "[{tag}] {}", sub.json);
    assert_eq!(sub.str("status"), "in_review");
    let review_ref = git(
        &w.repo,
        &["rev-parse", "refs/cms-review/drvn/tin-tuc/quy-trinh.md"],
    );
    assert_eq!(review_ref.trim(), saved.str("commit"));
    assert_eq!(queue(w, &ap).await, ["drvn/tin-tuc/quy-trinh.md"]);
    assert!(queue(w, &ed).await.is_empty(), "an editor approves nothing");
    assert!(
        queue(w, &mt_ap).await.is_empty(),
        "another site's approver sees none of it"
    );
    // The editor cannot publish their own draft.
    let self_approve = w.call(&ed, Method::POST, &uri("approve"), None).await;
    assert_eq!(self_approve.status, StatusCode::FORBIDDEN);

    // Rejected with a comment: back to draft, the review ref gone.
    let no_comment = w
        .call(
            &ap,
            Method::POST,
            &uri("reject"),
            Some(json!({"comment": " "})),
        )
        .await;
    assert_eq!(no_comment.status, StatusCode::BAD_REQUEST);
    let comment = "Thêm nguồn tin ở cuối bài.";
    let rej = w
        .call(
            &ap,
            Method::POST,
            &uri("reject"),
            Some(json!({"comment": comment})),
        )
        .await;
    assert_eq!(rej.status, StatusCode::OK, "[{tag}] {}", rej.json);
    assert_eq!(rej.str("status"), "draft");
    let refs = w.refs();
    assert!(!refs.contains("refs/cms-review/"), "[{tag}] {refs}");
    assert!(refs.contains("refs/heads/cms/drvn/tin-tuc/quy-trinh.md"));
    let comments = w.call(&ed, Method::GET, &uri("comments"), None).await;
    assert_eq!(comments.json[0]["text"], comment);
    assert_eq!(comments.json[0]["author"], "duyet");
    let approve_draft = w.call(&ap, Method::POST, &uri("approve"), None).await;
    assert_eq!(
        approve_draft.status,
        StatusCode::CONFLICT,
        "only what is in review is published"
    );

    // Fixed, submitted again, approved.
    let blob = saved.str("blob").to_string();
    let fixed = page_text("Quy trình", "Bản đầu.\n\nNguồn: Cục Đường bộ.");
    let req = api_common::with_who(
        axum::http::Request::builder()
            .method(Method::PUT)
            .uri(uri("pages")),
        &ed,
        true,
    )
    .header("if-match", format!("\"{blob}\""))
    .header("content-type", "application/json")
    .body(axum::body::Body::from(json!({"text": fixed}).to_string()))
    .unwrap();
    let fix = w.send(req).await;
    assert_eq!(fix.status, StatusCode::OK, "[{tag}] {}", fix.json);
    assert_eq!(
        w.read(PATH, Stage::Published),
        None,
        "a draft is not published"
    );
    let sub = w.call(&ed, Method::POST, &uri("submit"), None).await;
    assert_eq!(sub.status, StatusCode::OK);
    let before = git(&w.repo, &["rev-parse", "main"]);
    let ok = w.call(&ap, Method::POST, &uri("approve"), None).await;
    assert_eq!(ok.status, StatusCode::OK, "[{tag}] {}", ok.json);
    let head = git(&w.repo, &["rev-parse", "main"]);
    assert_eq!(head.trim(), ok.str("commit"));
    // A merge commit by the approver, with the old head and the draft as parents.
    let parents = git(&w.repo, &["rev-list", "--parents", "-n", "1", "main"]);
    let parents: Vec<&str> = parents.split_whitespace().collect();
    assert_eq!(parents.len(), 3, "[{tag}] a merge: {parents:?}");
    assert_eq!(parents[1], before.trim());
    assert_eq!(parents[2], fix.str("commit"));
    let who = git(&w.repo, &["log", "-1", "--format=%an", "main"]);
    assert_eq!(who.trim(), "Người duyet");
    assert_eq!(w.read(PATH, Stage::Published).as_deref(), Some(&*fixed));
    let refs = w.refs();
    assert!(
        !refs.contains("cms/drvn/tin-tuc/quy-trinh.md"),
        "[{tag}] {refs}"
    );
    // The builder was nudged.
    let nudged = tokio::time::timeout(Duration::from_secs(1), w.cms.live.nudged()).await;
    assert!(nudged.is_ok(), "approve nudges the live builder");

    assert_eq!(
        w.audit_actions().await,
        ["save", "submit", "reject", "save", "submit", "approve"],
        "[{tag}]"
    );
    let rows = w.cms.db.audit_log(Some("drvn"), 10).await.unwrap();
    assert_eq!(rows[0].commit.as_deref(), Some(ok.str("commit")));
    assert_eq!(rows[0].actor, "duyet");
    assert_eq!(rows[3].detail.as_deref(), Some(comment));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_review_reject_review_approve_on_sqlite_and_postgresql() {
    for backend in db::testing::backends().await {
        let w = World::new(backend).await;
        full_workflow(&w).await;
    }
}

#[tokio::test]
async fn scheduling_writes_the_times_into_the_page_and_publishes_it() {
    let w = World::sqlite().await;
    let ap = w.session("duyet").await;
    let path = "tin-tuc/cao-toc.md";
    let uri = format!("/api/v1/sites/drvn/schedule/{path}");
    let bad = w
        .call(
            &ap,
            Method::POST,
            &uri,
            Some(json!({"publish_at": "thứ hai"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.json);
    let none = w.call(&ap, Method::POST, &uri, Some(json!({}))).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    let body = json!({"publish_at": "2030-01-01T08:00", "unpublish_at": "2031-01-01T08:00"});
    let res = w.call(&ap, Method::POST, &uri, Some(body)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.json);
    let live = w.read(path, Stage::Published).unwrap();
    assert!(live.contains("publish_at: 2030-01-01T08:00:00\n"), "{live}");
    assert!(
        live.contains("unpublish_at: 2031-01-01T08:00:00\n"),
        "{live}"
    );
    assert!(
        live.contains("title: Thông xe cao tốc"),
        "the rest is kept: {live}"
    );
    // Removing the end of the window.
    let res = w
        .call(&ap, Method::POST, &uri, Some(json!({"unpublish_at": ""})))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.json);
    let live = w.read(path, Stage::Published).unwrap();
    assert!(!live.contains("unpublish_at"), "{live}");
    assert_eq!(w.audit_actions().await, ["schedule", "schedule"]);

    // A page with an unsubmitted draft is not scheduled: it would publish unfinished work.
    let ed = w.session("bien-tap").await;
    let doc = w
        .call(
            &ed,
            Method::GET,
            &format!("/api/v1/sites/drvn/pages/{path}"),
            None,
        )
        .await;
    let edited = doc.str("text").replace("Nội dung.", "Đang viết.");
    let req = api_common::with_who(
        axum::http::Request::builder()
            .method(Method::PUT)
            .uri(format!("/api/v1/sites/drvn/pages/{path}")),
        &ed,
        true,
    )
    .header("if-match", format!("\"{}\"", doc.str("blob")))
    .header("content-type", "application/json")
    .body(axum::body::Body::from(json!({"text": edited}).to_string()))
    .unwrap();
    assert_eq!(w.send(req).await.status, StatusCode::OK);
    let refused = w
        .call(
            &ap,
            Method::POST,
            &uri,
            Some(json!({"publish_at": "2030-02-01T08:00"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert!(!w
        .read(path, Stage::Published)
        .unwrap()
        .contains("Đang viết"));

    // Submitted, then approved with a time: published with that `publish_at`.
    let sub = w
        .call(
            &ed,
            Method::POST,
            &format!("/api/v1/sites/drvn/submit/{path}"),
            None,
        )
        .await;
    assert_eq!(sub.status, StatusCode::OK);
    let approve = format!("/api/v1/sites/drvn/approve/{path}");
    let res = w
        .call(
            &ap,
            Method::POST,
            &approve,
            Some(json!({"publish_at": "2030-03-01T07:30"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.json);
    let live = w.read(path, Stage::Published).unwrap();
    assert!(
        live.contains("Đang viết") && live.contains("publish_at: 2030-03-01T07:30:00\n"),
        "{live}"
    );
}

#[tokio::test]
async fn history_diff_and_restore() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let path = "tin-tuc/cao-toc.md";
    let page_uri = format!("/api/v1/sites/drvn/pages/{path}");
    let doc = w.call(&ed, Method::GET, &page_uri, None).await;
    let original = doc.str("text").to_string();
    let changed = original
        .replace("Thông xe cao tốc", "Thông xe cao tốc Bắc Nam")
        .replace("Nội dung.", "Nội dung mới.");
    let req = api_common::with_who(
        axum::http::Request::builder()
            .method(Method::PUT)
            .uri(&page_uri),
        &ed,
        true,
    )
    .header("if-match", format!("\"{}\"", doc.str("blob")))
    .header("content-type", "application/json")
    .body(axum::body::Body::from(json!({"text": changed}).to_string()))
    .unwrap();
    let saved = w.send(req).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);

    let hist = w
        .call(
            &ed,
            Method::GET,
            &format!("/api/v1/sites/drvn/history/{path}"),
            None,
        )
        .await;
    assert_eq!(hist.status, StatusCode::OK);
    let versions = hist.json.as_array().unwrap();
    assert_eq!(versions.len(), 2, "{}", hist.json);
    assert_eq!(versions[0]["commit"], saved.str("commit"));
    assert_eq!(versions[0]["published"], false);
    assert_eq!(versions[1]["published"], true);
    let first = versions[1]["commit"].as_str().unwrap().to_string();

    let diff_uri = format!(
        "/api/v1/sites/drvn/diff/{path}?from={first}&to={}",
        saved.str("commit")
    );
    let diff = w.call(&ed, Method::GET, &diff_uri, None).await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.json);
    assert_eq!(diff.json["fields"][0]["field"], "title");
    assert_eq!(
        diff.json["fields"][0]["new"]
            .as_str()
            .unwrap()
            .trim_matches('"'),
        "Thông xe cao tốc Bắc Nam"
    );
    assert!(diff.str("body").contains("+Nội dung mới."), "{}", diff.json);
    // A ref name or an expression is not a commit id.
    for bad in ["main", "HEAD~1", "--output=x"] {
        let u = format!("/api/v1/sites/drvn/diff/{path}?from={bad}&to={first}");
        assert_eq!(
            w.call(&ed, Method::GET, &u, None).await.status,
            StatusCode::BAD_REQUEST
        );
    }

    let restore_uri = format!("/api/v1/sites/drvn/restore/{path}");
    let restored = w
        .call(
            &ed,
            Method::POST,
            &restore_uri,
            Some(json!({"commit": first})),
        )
        .await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.json);
    assert_eq!(w.read(path, Stage::Draft).as_deref(), Some(&*original));
    let hist = w
        .call(
            &ed,
            Method::GET,
            &format!("/api/v1/sites/drvn/history/{path}"),
            None,
        )
        .await;
    assert_eq!(
        hist.json.as_array().unwrap().len(),
        3,
        "restore is a new commit"
    );
    assert_eq!(w.audit_actions().await, ["save", "restore"]);
    let unknown = w
        .call(
            &ed,
            Method::POST,
            &restore_uri,
            Some(json!({"commit": "0123456789abcdef0123456789abcdef01234567"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.json);
}

#[tokio::test]
async fn site_admins_manage_their_site_users_only() {
    let w = World::sqlite().await;
    let admin = w.session("quan-tri").await;
    let grant = |site: &str, role: &str| {
        (
            format!("/api/v1/sites/{site}/users/khach"),
            json!({ "role": role }),
        )
    };
    let (u, b) = grant("drvn", "approver");
    let res = w.call(&admin, Method::PUT, &u, Some(b)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.json);
    assert_eq!(
        res.json["grants"],
        json!([{"site": "drvn", "role": "approver"}])
    );
    let (u, b) = grant("drvn", "network_admin");
    assert_eq!(
        w.call(&admin, Method::PUT, &u, Some(b)).await.status,
        StatusCode::FORBIDDEN
    );
    let (u, b) = grant("mt", "editor");
    assert_eq!(
        w.call(&admin, Method::PUT, &u, Some(b)).await.status,
        StatusCode::FORBIDDEN
    );
    let (u, b) = grant("drvn", "chu-tich");
    assert_eq!(
        w.call(&admin, Method::PUT, &u, Some(b)).await.status,
        StatusCode::BAD_REQUEST
    );
    let users = w
        .call(&admin, Method::GET, "/api/v1/sites/drvn/users", None)
        .await;
    let logins: Vec<&str> = users
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap())
        .collect();
    assert!(
        logins.contains(&"khach") && !logins.contains(&"mt-bien-tap"),
        "{logins:?}"
    );
    let audit = w
        .call(&admin, Method::GET, "/api/v1/audit?site=drvn", None)
        .await;
    assert_eq!(audit.json[0]["action"], "role");
    let all = w.call(&admin, Method::GET, "/api/v1/audit", None).await;
    assert_eq!(
        all.status,
        StatusCode::FORBIDDEN,
        "the whole log is the network admin's"
    );
    let gone = w
        .call(
            &admin,
            Method::DELETE,
            "/api/v1/sites/drvn/users/khach",
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK);
    assert_eq!(gone.json["grants"], json!([]));
}
