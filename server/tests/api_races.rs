//! Writers racing through the API: many saves of one page from the same base at once (exactly
//! one wins, the others get 409 and nothing of theirs is written), and a publish that meets a
//! change pushed to the published branch meanwhile (409 with the conflicting paths, nothing
//! merged: never resolved silently).

mod api_common;

use api_common::{git, with_who, World};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use cms_core::store::Stage;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_saves_from_one_base_one_wins_the_rest_get_409() {
    let w = World::sqlite().await;
    let uri = "/api/v1/sites/drvn/pages/tin-tuc/cao-toc.md";
    let mut writers = Vec::new();
    for login in ["bien-tap", "duyet", "quan-tri", "admin"] {
        writers.push((login, w.session(login).await));
    }
    let base = w.call(&writers[0].1, Method::GET, uri, None).await;
    let blob = base.str("blob").to_string();
    let original = base.str("text").to_string();
    let mut tasks = Vec::new();
    for round in 0..2 {
        for (login, who) in &writers {
            let text = original.replace("Nội dung.", &format!("Bản của {login} {round}."));
            let req = with_who(Request::builder().method(Method::PUT).uri(uri), who, true)
                .header(header::IF_MATCH, format!("\"{blob}\""))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({ "text": text }).to_string()))
                .unwrap();
            let app = w.app.clone();
            tasks.push(tokio::spawn(async move {
                let res = tower::ServiceExt::oneshot(app, req).await.unwrap();
                (res.status(), text)
            }));
        }
    }
    let mut won = Vec::new();
    let mut lost = 0;
    for t in tasks {
        let (status, text) = t.await.unwrap();
        match status {
            StatusCode::OK => won.push(text),
            StatusCode::CONFLICT => lost += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one save from the base wins");
    assert_eq!(lost, 7);
    assert_eq!(w.read("tin-tuc/cao-toc.md", Stage::Draft), won.pop());
    // One commit on the draft branch over the published one: no lost update hidden in it.
    let count = git(
        &w.repo,
        &["rev-list", "--count", "main..cms/drvn/tin-tuc/cao-toc.md"],
    );
    assert_eq!(count.trim(), "1");
    assert_eq!(w.audit_actions().await, ["save"]);
}

#[tokio::test]
async fn a_publish_that_conflicts_with_a_push_is_refused_and_nothing_is_merged() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let ap = w.session("duyet").await;
    let uri = "/api/v1/sites/drvn/pages/tin-tuc/cao-toc.md";
    let base = w.call(&ed, Method::GET, uri, None).await;
    let edited = base.str("text").replace("Nội dung.", "Bản trong CMS.");
    let req = with_who(Request::builder().method(Method::PUT).uri(uri), &ed, true)
        .header(header::IF_MATCH, format!("\"{}\"", base.str("blob")))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "text": edited }).to_string()))
        .unwrap();
    assert_eq!(w.send(req).await.status, StatusCode::OK);
    let sub = w
        .call(
            &ed,
            Method::POST,
            "/api/v1/sites/drvn/submit/tin-tuc/cao-toc.md",
            None,
        )
        .await;
    assert_eq!(sub.status, StatusCode::OK);

    // Meanwhile someone pushes another change of the same line to main.
    let scratch = tempfile::tempdir().unwrap();
    let repo = w.repo.to_str().unwrap();
    git(scratch.path(), &["clone", "-q", repo, "clone"]);
    let clone = scratch.path().join("clone");
    let file = clone.join("sites/drvn/tin-tuc/cao-toc.md");
    let pushed = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Nội dung.", "Bản đẩy lên.");
    std::fs::write(&file, pushed).unwrap();
    git(&clone, &["commit", "-qam", "Sửa ngoài CMS"]);
    git(&clone, &["push", "-q", "origin", "main"]);
    let head = git(&w.repo, &["rev-parse", "main"]);

    let res = w
        .call(
            &ap,
            Method::POST,
            "/api/v1/sites/drvn/approve/tin-tuc/cao-toc.md",
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.json);
    assert!(res.str("type").ends_with("/merge-conflict"), "{}", res.json);
    assert_eq!(res.json["paths"], json!(["sites/drvn/tin-tuc/cao-toc.md"]));
    assert_eq!(git(&w.repo, &["rev-parse", "main"]), head, "nothing merged");
    let live = w.read("tin-tuc/cao-toc.md", Stage::Published).unwrap();
    assert!(live.contains("Bản đẩy lên.") && !live.contains("Bản trong CMS."));
    assert!(!w.audit_actions().await.contains(&"approve".to_string()));
}
