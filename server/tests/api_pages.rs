//! Drafts through the API (`oneshot`): create, read, update and delete with `ETag`/`If-Match`;
//! two saves from the same base (the second gets 409 with both versions and a diff); content
//! refused with 422 exactly as `cms check` refuses it; uploads refused when too big, when their
//! bytes are not their type, or when their name leaves the bundle, with nothing written.

mod api_common;

use api_common::{page_text, World};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use cms_core::store::Stage;
use serde_json::json;

const PAGE: &str = "/api/v1/sites/drvn/pages/tin-tuc/moi.md";

#[tokio::test]
async fn create_read_update_delete() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let text = page_text("Tin mới", "Nội dung đầu.");
    let created = w
        .call(&ed, Method::PUT, PAGE, Some(json!({ "text": text })))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let blob = created.str("blob").to_string();
    assert_eq!(created.headers[header::ETAG], format!("\"{blob}\""));
    assert_eq!(created.str("branch"), "cms/drvn/tin-tuc/moi.md");
    // On the draft branch only: the published branch does not have it.
    assert_eq!(
        w.read("tin-tuc/moi.md", Stage::Draft).as_deref(),
        Some(&*text)
    );
    assert_eq!(w.read("tin-tuc/moi.md", Stage::Published), None);
    // The commit is the editor's.
    let author = api_common::git(
        &w.repo,
        &["log", "-1", "--format=%an <%ae>|%s", created.str("commit")],
    );
    assert_eq!(
        author.trim(),
        "Người bien-tap <bien-tap@mt.gov.vn>|Tạo: Tin mới (drvn/tin-tuc/moi.md)"
    );

    let got = w.call(&ed, Method::GET, PAGE, None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.str("text"), text);
    assert_eq!(got.str("status"), "draft");
    assert_eq!(got.headers[header::ETAG], format!("\"{blob}\""));

    // Creating it again (no If-Match) is refused: it exists.
    let again = w
        .call(&ed, Method::PUT, PAGE, Some(json!({ "text": text })))
        .await;
    assert_eq!(
        again.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        again.json
    );

    let new_text = page_text("Tin mới", "Nội dung sửa.");
    let put = put_if_match(&w, &ed, PAGE, &new_text, &blob).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.json);
    let blob2 = put.str("blob").to_string();
    assert_ne!(blob2, blob);
    assert_eq!(
        w.read("tin-tuc/moi.md", Stage::Draft).as_deref(),
        Some(&*new_text)
    );

    // A delete needs If-Match.
    let no_tag = w.call(&ed, Method::DELETE, PAGE, None).await;
    assert_eq!(no_tag.status, StatusCode::PRECONDITION_REQUIRED);
    let req = api_common::with_who(
        Request::builder().method(Method::DELETE).uri(PAGE),
        &ed,
        true,
    )
    .header(header::IF_MATCH, format!("\"{blob2}\""))
    .body(Body::empty())
    .unwrap();
    let del = w.send(req).await;
    assert_eq!(del.status, StatusCode::OK, "{}", del.json);
    assert_eq!(w.read("tin-tuc/moi.md", Stage::Draft), None);
    assert_eq!(
        w.audit_actions().await,
        ["save", "save", "delete"],
        "one audit row per write"
    );
}

/// PUT with `If-Match: "<blob>"`.
async fn put_if_match(
    w: &World,
    who: &api_common::Who,
    uri: &str,
    text: &str,
    blob: &str,
) -> api_common::Answer {
    let req = api_common::with_who(Request::builder().method(Method::PUT).uri(uri), who, true)
        .header(header::IF_MATCH, format!("\"{blob}\""))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "text": text }).to_string()))
        .unwrap();
    w.send(req).await
}

#[tokio::test]
async fn two_saves_from_the_same_base_the_second_gets_409() {
    let w = World::sqlite().await;
    let an = w.session("bien-tap").await;
    let duyet = w.session("duyet").await;
    let uri = "/api/v1/sites/drvn/pages/tin-tuc/cao-toc.md";
    let base = w.call(&an, Method::GET, uri, None).await;
    let blob = base.str("blob").to_string();
    let original = base.str("text").to_string();
    let first = original.replace("Nội dung.", "Bản của An.");
    let second = original.replace("Nội dung.", "Bản của Duyệt.");
    let one = put_if_match(&w, &an, uri, &first, &blob).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.json);
    let refs = w.refs();
    let two = put_if_match(&w, &duyet, uri, &second, &blob).await;
    assert_eq!(two.status, StatusCode::CONFLICT, "{}", two.json);
    assert_eq!(two.json["current"]["text"], first.as_str());
    assert_eq!(two.json["current"]["blob"], one.str("blob"));
    assert_eq!(two.json["yours"], second.as_str());
    let diff = two.json["diff"].as_str().unwrap();
    assert!(
        diff.contains("-Bản của An.") && diff.contains("+Bản của Duyệt."),
        "{diff}"
    );
    // Nothing written: the first save stands.
    assert_eq!(w.refs(), refs);
    assert_eq!(
        w.read("tin-tuc/cao-toc.md", Stage::Draft).as_deref(),
        Some(&*first)
    );
    // With the current blob, the second writer's merge goes in.
    let three = put_if_match(&w, &duyet, uri, &second, one.str("blob")).await;
    assert_eq!(three.status, StatusCode::OK, "{}", three.json);
}

#[tokio::test]
async fn bad_front_matter_is_refused_as_cms_check_refuses_it() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let refs = w.refs();
    let bad = "+++\ntitle = \"Tin\"\ndate = \"hôm qua\"\n+++\nNội dung.\n";
    let res = w
        .call(&ed, Method::PUT, PAGE, Some(json!({ "text": bad })))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.json);
    assert_eq!(
        res.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    // The same diagnostics as `cms check` (check_page is what it runs on one file).
    let network = w.cms.live.network().unwrap();
    let want: Vec<_> = cms_core::check_page(&network, "sites/drvn/tin-tuc/moi.md", bad)
        .into_iter()
        .filter(|d| d.severity == cms_core::Severity::Error)
        .collect();
    assert!(!want.is_empty());
    let errors = res.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), want.len(), "{}", res.json);
    for (got, d) in errors.iter().zip(&want) {
        assert_eq!(got["line"], d.line);
        assert_eq!(got["col"], d.col);
        assert_eq!(got["message"], d.message.as_str());
        assert_eq!(got["hint"].as_str(), d.hint.as_deref());
    }
    assert_eq!(errors[0]["line"], 3, "the date is on line 3: {}", res.json);
    let detail = res.str("detail");
    assert!(detail.contains("sites/drvn/tin-tuc/moi.md:3:"), "{detail}");
    assert_eq!(w.refs(), refs, "nothing written");

    // Broken TOML: the line and column of the syntax error.
    let broken = "+++\ntitle = \"Tin\nx\n+++\nB\n";
    let res = w
        .call(&ed, Method::PUT, PAGE, Some(json!({ "text": broken })))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.json);
    assert!(
        res.json["errors"][0]["line"].as_u64().unwrap() >= 2,
        "{}",
        res.json
    );
    assert_eq!(w.refs(), refs, "nothing written");
}

/// Uploads `bytes` as `name` into the bundle `tin-tuc/cau/index.md` as the editor.
async fn upload(w: &World, name: &str, bytes: Vec<u8>) -> api_common::Answer {
    let ed = w.session("bien-tap").await;
    let uri = format!(
        "/api/v1/sites/drvn/files/tin-tuc/cau/index.md?name={}",
        percent_encode(name)
    );
    let req = api_common::with_who(Request::builder().method(Method::POST).uri(uri), &ed, true)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes))
        .unwrap();
    w.send(req).await
}

/// Every byte but unreserved ones as `%XX`.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn uploads_into_a_bundle_and_what_is_refused() {
    let w = World::sqlite().await;
    let ok = upload(&w, "bao-cao.pdf", b"%PDF-1.4 bao cao".to_vec()).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.json);
    let ed = w.session("bien-tap").await;
    let list = w
        .call(
            &ed,
            Method::GET,
            "/api/v1/sites/drvn/files/tin-tuc/cau/index.md",
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json["files"], json!(["bao-cao.pdf"]));

    let refs = w.refs();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let too_big = vec![b'a'; 20 * 1024 * 1024 + 1];
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("lon.txt", too_big, 413),
        ("anh.pdf", png.clone(), 422),
        ("gia.jpg", b"<script>alert(1)</script>".to_vec(), 422),
        ("anh.svg", b"<svg onload=alert(1)/>".to_vec(), 415),
        ("trang.html", b"<html></html>".to_vec(), 415),
        ("../thoat.png", png.clone(), 400),
        ("..%2Fthoat.png", png.clone(), 400),
        ("a/b.png", png.clone(), 400),
        ("..\\thoat.png", png.clone(), 400),
        (".htaccess", b"x".to_vec(), 400),
        ("", png.clone(), 400),
    ];
    for (name, bytes, want) in cases {
        let res = upload(&w, name, bytes).await;
        assert_eq!(res.status.as_u16(), want, "{name:?}: {}", res.json);
        assert_eq!(
            res.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(w.refs(), refs, "{name:?}: nothing written");
    }
    // A single-file page has no bundle; a traversal in the page path is refused.
    for uri in [
        "/api/v1/sites/drvn/files/tin-tuc/cao-toc.md?name=a.pdf",
        "/api/v1/sites/drvn/files/tin-tuc/../../mt/x/index.md?name=a.pdf",
        "/api/v1/sites/drvn/files/tin-tuc/%2e%2e/%2e%2e/mt/x/index.md?name=a.pdf",
    ] {
        let req = api_common::with_who(Request::builder().method(Method::POST).uri(uri), &ed, true)
            .body(Body::from("%PDF-1.4"))
            .unwrap();
        let res = w.send(req).await;
        assert!(res.status.is_client_error(), "{uri}: {}", res.status);
        assert_eq!(w.refs(), refs, "{uri}: nothing written");
    }
}

#[tokio::test]
async fn traversal_in_page_paths_is_refused() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let refs = w.refs();
    for path in [
        "tin-tuc/%2e%2e/%2e%2e/mt/tin-tuc/x.md",
        "..%2F..%2Fmt%2Fx.md",
        "tin-tuc/.git/config.md",
        "tin-tuc/x.txt",
        "tin-tuc/%00.md",
    ] {
        let uri = format!("/api/v1/sites/drvn/pages/{path}");
        let res = w
            .call(
                &ed,
                Method::PUT,
                &uri,
                Some(json!({ "text": page_text("X", "Y") })),
            )
            .await;
        assert!(
            res.status.is_client_error(),
            "{path}: {} {}",
            res.status,
            res.json
        );
        assert_eq!(w.refs(), refs, "{path}: nothing written");
    }
    // A site id that is not one.
    let res = w
        .call(
            &ed,
            Method::PUT,
            "/api/v1/sites/..%2Fmt/pages/x.md",
            Some(json!({"text": "x"})),
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
    assert_eq!(w.refs(), refs);
}

#[tokio::test]
async fn bodies_too_big_or_unreadable_are_refused() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    let refs = w.refs();
    let huge = page_text("Lớn", &"a".repeat(3 * 1024 * 1024));
    let res = w
        .call(&ed, Method::PUT, PAGE, Some(json!({ "text": huge })))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.json);
    for body in ["{", "{\"text\": 5}", "[]"] {
        let req = api_common::with_who(Request::builder().method(Method::PUT).uri(PAGE), &ed, true)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let res = w.send(req).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {}", res.json);
        assert!(
            res.str("detail")
                .starts_with("Nội dung yêu cầu không đọc được"),
            "{}",
            res.json
        );
    }
    let bad_tag = api_common::with_who(Request::builder().method(Method::PUT).uri(PAGE), &ed, true)
        .header(header::IF_MATCH, "*")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "text": page_text("A", "B") }).to_string(),
        ))
        .unwrap();
    assert_eq!(w.send(bad_tag).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(w.refs(), refs, "nothing written");
}

#[tokio::test]
async fn rejections_of_the_router_are_problems_too() {
    let w = World::sqlite().await;
    let ed = w.session("bien-tap").await;
    for (method, uri) in [
        (Method::GET, "/api/v1/sites/drvn/pages/tin-tuc/%FF.md"),
        (Method::PATCH, "/api/v1/sites/drvn/pages/tin-tuc/cao-toc.md"),
        (Method::GET, "/api/v1/tokens/khong-phai-so"),
    ] {
        let res = w.call(&ed, method.clone(), uri, None).await;
        assert!(
            res.status.is_client_error(),
            "{method} {uri}: {}",
            res.status
        );
        assert_eq!(
            res.headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{method} {uri}"
        );
        assert!(
            res.str("detail").starts_with("Yêu cầu không hợp lệ"),
            "{}",
            res.json
        );
    }
}
