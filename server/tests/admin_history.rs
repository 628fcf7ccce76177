//! The history page as a browser without JavaScript uses it: every version with its author and
//! time, the difference between any two chosen with the radio groups (a GET form), and restoring
//! an old version (a POST form with its CSRF token), which makes a new commit with the old text.

mod admin_common;
mod api_common;

use admin_common::Browser;
use api_common::{git, Who, World};
use axum::http::{Method, StatusCode};
use cms_core::store::Stage;
use serde_json::json;

const PATH: &str = "tin-tuc/cao-toc.md";
const HISTORY: &str = "/admin/sites/drvn/history/tin-tuc/cao-toc.md";
const SEED_TEXT: &str = "---\ntitle: Thông xe cao tốc\ndate: 2023-04-29\ntaxonomies:\n  topics: [cao tốc]\n---\nNội dung.\n";

/// Saves `text` as the editor's new draft of the page.
async fn save(w: &World, ed: &Who, text: &str) -> String {
    let uri = format!("/api/v1/sites/drvn/pages/{PATH}");
    let blob = w
        .call(ed, Method::GET, &uri, None)
        .await
        .str("blob")
        .to_string();
    let mut req = axum::http::Request::builder()
        .method(Method::PUT)
        .uri(&uri)
        .header("content-type", "application/json")
        .header("if-match", format!("\"{blob}\""));
    req = api_common::with_who(req, ed, true);
    let body = serde_json::to_vec(&json!({ "text": text })).unwrap();
    let saved = w
        .send(req.body(axum::body::Body::from(body)).unwrap())
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    saved.str("commit").to_string()
}

/// Two drafts after the seed: the seed's commit, then the two saves.
async fn three_versions(w: &World) -> (String, String, String) {
    let ed = w.session("bien-tap").await;
    let seed = git(&w.repo, &["rev-parse", "main"]).trim().to_string();
    let one = save(w, &ed, &SEED_TEXT.replace("Nội dung.", "Nội dung một.")).await;
    let two = save(
        w,
        &ed,
        &SEED_TEXT
            .replace("Nội dung.", "Nội dung hai <b>đậm</b>.")
            .replace("Thông xe cao tốc", "Thông xe"),
    )
    .await;
    (seed, one, two)
}

#[tokio::test]
async fn every_version_any_two_compared_and_an_old_one_restored() {
    let w = World::sqlite().await;
    let (seed, one, two) = three_versions(&w).await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;

    // Every version, newest first, with its author and the radios to compare.
    let page = b.get(HISTORY).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let t = &page.text;
    for c in [&seed, &one, &two] {
        assert!(
            t.contains(&format!("name=\"from\" value=\"{c}\"")),
            "{c}: {t}"
        );
        assert!(t.contains(&format!("name=\"to\" value=\"{c}\"")), "{c}");
    }
    assert!(
        t.find(&two).unwrap() < t.find(&one).unwrap(),
        "newest first"
    );
    assert!(
        t.contains("Người bien-tap") && t.contains("Người Ngoài"),
        "{t}"
    );
    // By default the last change: one → two.
    assert!(
        t.contains(&format!(
            "name=\"from\" value=\"{one}\" id=\"from-2\" checked"
        )),
        "{t}"
    );
    assert!(
        t.contains("Nội dung hai &lt;b&gt;đậm&lt;&#x2F;b&gt;.</ins>"),
        "{t}"
    );
    assert!(t.contains("data-confirm="));

    // Any two: the seed against the newest, chosen with the GET form.
    let cmp = b.get(&format!("{HISTORY}?from={seed}&to={two}")).await;
    assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.text);
    assert!(cmp.text.contains("<code>title</code>"), "{}", cmp.text);
    assert!(cmp.text.contains("Thông xe cao tốc</del>"), "{}", cmp.text);
    assert!(cmp.text.contains("Nội dung.</del>"));
    // Not commits: the API's 400, shown on the page.
    let bad = b.get(&format!("{HISTORY}?from=HEAD~1&to={two}")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert!(bad.text.contains("mã commit"), "{}", bad.text);

    // Restore without the CSRF token: refused, nothing written.
    let refs = w.refs();
    let forged = b.post(HISTORY, &[("commit", &seed)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    assert_eq!(w.refs(), refs);

    // Restore the seed's version: a new commit on the draft branch with the old text.
    let csrf = page.input("csrf");
    let done = b.post(HISTORY, &[("csrf", &csrf), ("commit", &seed)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert!(
        done.location().contains("?restored="),
        "{}",
        done.location()
    );
    assert_eq!(w.read(PATH, Stage::Draft).as_deref(), Some(SEED_TEXT));
    let head = git(
        &w.repo,
        &["rev-parse", "refs/heads/cms/drvn/tin-tuc/cao-toc.md"],
    );
    assert!(
        ![&seed, &one, &two].contains(&&head.trim().to_string()),
        "a new commit"
    );
    let author = git(&w.repo, &["log", "-1", "--format=%an", head.trim()]);
    assert_eq!(author.trim(), "Người bien-tap");
    let after = b.get(done.location()).await;
    assert!(after.text.contains("Đã khôi phục"), "{}", after.text);
    assert!(
        after.text.contains(&format!("value=\"{}\"", head.trim())),
        "listed"
    );
}

#[tokio::test]
async fn another_agency_sees_no_history_and_restores_nothing() {
    let w = World::sqlite().await;
    let (seed, _, _) = three_versions(&w).await;
    let mut b = Browser::new(&w);
    b.login("mt-bien-tap").await;
    assert_eq!(b.get(HISTORY).await.status, StatusCode::FORBIDDEN);
    let csrf = b.get("/admin/").await.input("csrf");
    let refs = w.refs();
    let refused = b.post(HISTORY, &[("csrf", &csrf), ("commit", &seed)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert_eq!(w.refs(), refs);
}
