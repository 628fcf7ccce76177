//! A publish through the content API goes live at once: an editor saves and submits a page,
//! an approver approves it (merged into the published branch, the builder nudged), and the
//! page `cms serve --content` answers has the change within seconds, the search too.

mod common;
mod live_common;

use std::time::Instant;

use common::*;
use live_common::*;

#[test]
fn a_publish_through_the_api_is_served_within_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path(), fixture);
    let out = tmp.path().join("site/public");
    let server = Server::start(&repo.bare, &out, &[]);
    let editor = user(&out, "bientap", "drvn:editor", "drvn");
    let approver = user(&out, "duyet", "drvn:approver", "drvn");
    let page = "/sites/drvn/pages/tin-tuc/cao-toc.md";

    let (status, etag, body) = server.api("GET", page, &editor, None, None);
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let text = format!(
        "{}\nMột từ mới: xuatbanngay.\n",
        doc["text"].as_str().unwrap()
    );
    let json = serde_json::to_string(&serde_json::json!({ "text": text })).unwrap();
    let (status, _, body) = server.api("PUT", page, &editor, etag.as_deref(), Some(&json));
    assert!(status == 200 || status == 201, "{status} {body}");
    let submit = "/sites/drvn/submit/tin-tuc/cao-toc.md";
    let (status, _, body) = server.api("POST", submit, &editor, None, Some("{}"));
    assert_eq!(status, 200, "{body}");
    // An editor cannot publish; nothing goes live.
    let approve = "/sites/drvn/approve/tin-tuc/cao-toc.md";
    let (status, _, _) = server.api("POST", approve, &editor, None, Some("{}"));
    assert_eq!(status, 403);
    assert!(!server.page().contains("xuatbanngay"));

    let start = Instant::now();
    let (status, _, body) = server.api("POST", approve, &approver, None, Some("{}"));
    assert_eq!(status, 200, "{body}");
    // The files are exchanged whole first, the search index reopened right after: the page
    // may show a few milliseconds before the search finds it, so wait for both.
    server.wait("the published page served and found", 15, |s| {
        s.page().contains("xuatbanngay") && s.found("xuatbanngay") == 1
    });
    let took = start.elapsed();
    eprintln!("approve → served and found: {took:?}");
    // The merge commit by the approver is what is live.
    let head = git(&repo.bare, &["rev-parse", "refs/heads/main"]);
    server.wait_live(&head, 5);
    assert!(
        git(&repo.bare, &["log", "-1", "--format=%an"],) == "duyet",
        "the approver merged it"
    );
}
