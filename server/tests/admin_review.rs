//! The review pages as a browser without JavaScript uses them: the approver's queue, the
//! change (fields and text), approving (now), sending back with a required comment that the
//! editor then sees, and what the API refuses (an editor approving, another agency's approver,
//! a form without its CSRF token).

mod admin_common;
mod api_common;

use admin_common::Browser;
use api_common::{git, Who, World};
use axum::http::{Method, StatusCode};
use cms_core::store::Status;
use serde_json::json;

const PATH: &str = "tin-tuc/cao-toc.md";
const REVIEW: &str = "/admin/sites/drvn/review/tin-tuc/cao-toc.md";

/// The editor changes the seed page's title and text and submits it.
async fn submit_change(w: &World) -> Who {
    let ed = w.session("bien-tap").await;
    let uri = format!("/api/v1/sites/drvn/pages/{PATH}");
    let text = "---\ntitle: Thông xe cao tốc <Bắc–Nam>\ndate: 2023-04-29\ntaxonomies:\n  topics: [cao tốc]\n---\nNội dung mới & đầy đủ.\n\n<script>alert(2)</script>\n\n<b onmouseover=\"alert(3)\">đậm</b> và <iframe src=\"https://x.example/\"></iframe>\n";
    let page = w.call(&ed, Method::GET, &uri, None).await;
    let blob = page.str("blob").to_string();
    let mut req = axum::http::Request::builder()
        .method(Method::PUT)
        .uri(&uri)
        .header("content-type", "application/json")
        .header("if-match", format!("\"{blob}\""));
    req = api_common::with_who(req, &ed, true);
    let body = serde_json::to_vec(&json!({ "text": text })).unwrap();
    let saved = w
        .send(req.body(axum::body::Body::from(body)).unwrap())
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    let submit = format!("/api/v1/sites/drvn/submit/{PATH}");
    let sub = w.call(&ed, Method::POST, &submit, None).await;
    assert_eq!(sub.status, StatusCode::OK, "{}", sub.json);
    ed
}

/// The page's workflow status now.
fn status(w: &World) -> Option<Status> {
    w.cms.store.draft(&w.page(PATH)).unwrap().map(|d| d.status)
}

#[tokio::test]
async fn an_approver_reviews_the_change_and_approves_it() {
    let w = World::sqlite().await;
    submit_change(&w).await;
    let mut b = Browser::new(&w);
    b.login("duyet").await;

    // The queue lists the change with its author.
    let queue = b.get("/admin/review").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    // (tera writes `/` in values as `&#x2F;`, which the browser reads back as `/`.)
    let link = "href=\"/admin/sites/drvn/review/tin-tuc&#x2F;cao-toc.md\"";
    assert!(queue.text.contains(link), "{}", queue.text);
    assert!(queue.text.contains("Người bien-tap"));
    // Under the draft's title (from the drafts API), escaped.
    assert!(
        queue.text.contains("Thông xe cao tốc &lt;Bắc–Nam&gt;</a>"),
        "{}",
        queue.text
    );

    // The change: the title field old → new (escaped), the text as removed/added lines.
    let page = b.get(REVIEW).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let t = &page.text;
    assert!(t.contains("<code>title</code>"), "{t}");
    assert!(t.contains("Thông xe cao tốc</del>"), "{t}");
    assert!(t.contains("Thông xe cao tốc &lt;Bắc–Nam&gt;</ins>"), "{t}");
    assert!(!t.contains("<Bắc–Nam>"), "typed text is escaped");
    assert!(
        t.contains("<span class=\"visually-hidden\">đã xoá: </span>Nội dung.</del>"),
        "{t}"
    );
    assert!(
        t.contains(
            "<span class=\"visually-hidden\">đã thêm: </span>Nội dung mới &amp; đầy đủ.</ins>"
        ),
        "{t}"
    );
    // The draft rendered by the preview API beside the published version, each in a
    // sandboxed frame's `srcdoc` (escaped there): none of the editor's HTML, raw or not, is
    // part of the admin page.
    let frames: Vec<&str> = t.split("<iframe class=\"review-frame\"").skip(1).collect();
    assert_eq!(frames.len(), 2, "the published version and the draft: {t}");
    for f in &frames {
        assert!(f.starts_with(" title=\""), "{f}");
        assert!(f.contains("sandbox=\"allow-same-origin\" srcdoc=\""), "{f}");
    }
    assert!(
        frames[1].contains("&lt;p&gt;Nội dung mới &amp;amp; đầy đủ."),
        "{t}"
    );
    assert!(!t.contains("<p>Nội dung mới"), "{t}");
    assert!(!t.contains("<script>alert(2)"), "{t}");
    assert!(!t.contains("<b onmouseover"), "{t}");
    assert!(!t.contains("<iframe src=\"https://x.example"), "{t}");
    assert!(
        t.contains("&lt;script&gt;alert(2)"),
        "the diff shows it, escaped"
    );
    assert!(t.contains("name=\"action\" value=\"approve\""));
    assert!(t.contains("type=\"datetime-local\""));

    // Approve now: a redirect to the page with a notice; a merge commit by the approver.
    let csrf = page.input("csrf");
    let done = b
        .post(REVIEW, &[("csrf", &csrf), ("action", "approve")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert!(done.location().starts_with(&format!("{REVIEW}?approved=")));
    let after = b.get(done.location()).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.text);
    assert!(
        after.text.contains("Đã duyệt và xuất bản"),
        "{}",
        after.text
    );
    assert_eq!(status(&w), None, "no draft left");
    let log = git(&w.repo, &["log", "-1", "--format=%an|%P", "main"]);
    let (author, parents) = log.trim().split_once('|').unwrap();
    assert_eq!(author, "Người duyet");
    assert_eq!(parents.split(' ').count(), 2, "a merge commit: {log}");
    let text = w.read(PATH, cms_core::store::Stage::Published).unwrap();
    assert!(text.contains("Nội dung mới & đầy đủ."));
}

#[tokio::test]
async fn an_editor_cannot_approve_and_another_agency_cannot_look() {
    let w = World::sqlite().await;
    submit_change(&w).await;

    // The editor sees the change, but no decision forms; approving anyway is the API's 403.
    let mut ed = Browser::new(&w);
    ed.login("bien-tap").await;
    let page = ed.get(REVIEW).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(!page.text.contains("value=\"approve\""));
    assert!(page.text.contains("Bạn không có quyền duyệt"));
    let csrf = page.input("csrf");
    let refused = ed
        .post(REVIEW, &[("csrf", &csrf), ("action", "approve")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert_eq!(status(&w), Some(Status::InReview));

    // Another agency's approver: 403 on the page, nothing in their queue.
    let mut mt = Browser::new(&w);
    mt.login("mt-duyet").await;
    assert_eq!(mt.get(REVIEW).await.status, StatusCode::FORBIDDEN);
    let queue = mt.get("/admin/review").await;
    assert!(!queue.text.contains("cao-toc"), "{}", queue.text);
    let csrf = mt.get("/admin/").await.input("csrf");
    let refused = mt
        .post(REVIEW, &[("csrf", &csrf), ("action", "approve")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(status(&w), Some(Status::InReview));
}

#[tokio::test]
async fn sending_back_needs_a_comment_that_the_editor_then_sees() {
    let w = World::sqlite().await;
    submit_change(&w).await;
    let mut b = Browser::new(&w);
    b.login("duyet").await;
    let csrf = b.get(REVIEW).await.input("csrf");

    // Without a comment: the form again, the message beside the field, nothing done.
    let empty = b
        .post(
            REVIEW,
            &[("csrf", &csrf), ("action", "reject"), ("comment", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.text);
    assert!(
        empty.text.contains("id=\"comment-error\""),
        "{}",
        empty.text
    );
    assert!(empty.text.contains("aria-invalid=\"true\""));
    assert!(empty.text.contains("Hãy ghi lý do trả lại"));
    assert_eq!(status(&w), Some(Status::InReview));

    // Without the CSRF token: refused by the API, nothing done.
    let refs = w.refs();
    let forged = b
        .post(REVIEW, &[("action", "reject"), ("comment", "Sửa đi")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    let forged = b
        .post(REVIEW, &[("csrf", "gia-mao"), ("action", "approve")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    assert_eq!(w.refs(), refs);

    // With a comment: back to draft, the comment shown (escaped) to the approver...
    let comment = "Tiêu đề quá dài, bỏ <script>alert(1)</script>";
    let done = b
        .post(
            REVIEW,
            &[("csrf", &csrf), ("action", "reject"), ("comment", comment)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(status(&w), Some(Status::Draft));
    let after = b.get(done.location()).await;
    assert!(after.text.contains("Đã trả lại bản nháp"), "{}", after.text);
    assert!(
        after
            .text
            .contains("bỏ &lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
        "{}",
        after.text
    );
    assert!(!after.text.contains("<script>alert"));

    // ...and to the editor, on the review and history pages.
    let mut ed = Browser::new(&w);
    ed.login("bien-tap").await;
    for page in [REVIEW, "/admin/sites/drvn/history/tin-tuc/cao-toc.md"] {
        let p = ed.get(page).await;
        assert_eq!(p.status, StatusCode::OK, "{page}: {}", p.text);
        assert!(p.text.contains("Tiêu đề quá dài"), "{page}: {}", p.text);
        assert!(
            p.text.contains("Người duyet") || p.text.contains("duyet"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn approving_at_a_time_writes_it_into_the_page() {
    let w = World::sqlite().await;
    submit_change(&w).await;
    let mut b = Browser::new(&w);
    b.login("duyet").await;
    let csrf = b.get(REVIEW).await.input("csrf");
    // No time chosen: the message beside the field.
    let empty = b
        .post(
            REVIEW,
            &[("csrf", &csrf), ("action", "schedule"), ("publish_at", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(
        empty.text.contains("id=\"publish_at-error\""),
        "{}",
        empty.text
    );
    // Not a date: the API's message beside the field.
    let bad = b
        .post(
            REVIEW,
            &[
                ("csrf", &csrf),
                ("action", "schedule"),
                ("publish_at", "mai"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert!(bad.text.contains("không phải ngày giờ"), "{}", bad.text);
    assert_eq!(status(&w), Some(Status::InReview));
    // A datetime-local value.
    let done = b
        .post(
            REVIEW,
            &[
                ("csrf", &csrf),
                ("action", "schedule"),
                ("publish_at", "2030-01-02T09:30"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let text = w.read(PATH, cms_core::store::Stage::Published).unwrap();
    assert!(text.contains("publish_at"), "{text}");
    assert!(text.contains("2030-01-02T09:30"), "{text}");
}
