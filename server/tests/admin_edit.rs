//! The edit form without JavaScript (and the JSON its script asks for): generated from the
//! kind schema, saved as the editor's commit, `cms check`'s errors beside their fields, a
//! stale save shown as a conflict, a new page, the preview in the site's theme, escaping.

mod admin_common;
mod api_common;

use admin_common::{Browser, Page};
use api_common::World;
use axum::http::StatusCode;

const EDIT: &str = "/admin/sites/drvn/edit/tin-tuc/cao-toc.md";

/// The form's hidden fields as they are, with `changes` on top.
fn fields<'a>(page: &'a Page, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, String)> {
    let mut out: Vec<(&str, String)> = ["csrf", "blob", "front", "syntax", "kind"]
        .iter()
        .map(|n| (*n, html_unescape(&page.input(n))))
        .collect();
    out.extend(changes.iter().map(|(k, v)| (*k, v.to_string())));
    out
}

fn html_unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn post(b: &mut Browser<'_>, path: &str, f: &[(&str, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &pairs).await
}

#[tokio::test]
async fn the_form_has_a_field_per_schema_field_and_saves_as_the_editor() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let page = b.get(EDIT).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    // The news kind's fields, each labelled, and the common ones.
    for id in [
        "f-title",
        "f-description",
        "f-date",
        "k-image",
        "k-image_alt",
        "k-source",
        "k-author",
    ] {
        assert!(
            page.text.contains(&format!("<label for=\"{id}\">")),
            "label of {id}"
        );
        assert!(page.text.contains(&format!("id=\"{id}\"")), "input {id}");
    }
    assert!(
        page.text.contains("value=\"Thông xe cao tốc\""),
        "{}",
        page.text
    );
    assert!(page.text.contains(
        "data-editor=\"markdown\" data-site=\"drvn\" data-path=\"tin-tuc&#x2F;cao-toc.md\""
    ));
    assert!(page.text.contains("(bắt buộc)"), "required marked");
    assert!(page
        .text
        .contains("/admin/sites/drvn/history/tin-tuc&#x2F;cao-toc.md"));
    assert!(
        page.text
            .contains("/admin/sites/drvn/edit/tin-tuc&#x2F;cao-toc.en.md"),
        "the translation"
    );
    assert!(page.text.contains("edit.") && page.text.contains(".js\" defer"));

    let f = fields(
        &page,
        &[
            ("f.title", "Thông xe cao tốc Bắc Nam"),
            ("f.date", "2023-04-29"),
            ("k.source", "Báo Giao thông"),
            ("body", "Nội dung mới.\r\n"),
            ("action", "save"),
        ],
    );
    let saved = post(&mut b, EDIT, &f).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    assert_eq!(saved.location(), format!("{EDIT}?saved=1"));
    let log = api_common::git(
        &w.repo,
        &[
            "log",
            "-1",
            "--format=%an <%ae>",
            "cms/drvn/tin-tuc/cao-toc.md",
        ],
    );
    assert_eq!(log.trim(), "Người bien-tap <bien-tap@mt.gov.vn>");
    let text = w
        .read("tin-tuc/cao-toc.md", cms_core::store::Stage::Draft)
        .unwrap();
    // YAML stays YAML; the fields the form does not show are kept.
    assert!(text.starts_with("---\n"), "{text}");
    assert!(
        text.contains("topics:") && text.contains("cao tốc"),
        "{text}"
    );
    assert!(text.contains("title: Thông xe cao tốc Bắc Nam"), "{text}");
    assert!(text.contains("source: Báo Giao thông"), "{text}");
    assert!(text.ends_with("---\nNội dung mới.\n"), "{text:?}");
    let again = b.get(saved.location()).await;
    assert!(again.text.contains("Đã lưu bản nháp."), "{}", again.text);
}

#[tokio::test]
async fn a_missing_required_field_is_shown_beside_it_and_a_stale_save_is_a_conflict() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let page = b.get(EDIT).await;
    let f = fields(
        &page,
        &[("f.title", ""), ("body", "Thân."), ("action", "save")],
    );
    let refused = post(&mut b, EDIT, &f).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    let at = refused
        .text
        .find("id=\"err-f-title\"")
        .expect("the title's error box");
    assert!(
        refused.text[at..at + 300].contains("missing required field `title`"),
        "{}",
        &refused.text[at..at + 300]
    );
    assert!(refused.text.contains("id=\"f-title\" name=\"f.title\" value=\"\" required aria-describedby=\"err-f-title\" aria-invalid=\"true\""), "{}", refused.text);
    assert!(refused.text.contains("Thân."), "the text typed is kept");

    // Saved by someone else meanwhile: the conflict, the user's text kept.
    let first = fields(
        &page,
        &[("f.title", "Bản một"), ("body", "Một."), ("action", "save")],
    );
    assert_eq!(
        post(&mut b, EDIT, &first).await.status,
        StatusCode::SEE_OTHER
    );
    let stale = fields(
        &page,
        &[("f.title", "Bản hai"), ("body", "Hai."), ("action", "save")],
    );
    let conflict = post(&mut b, EDIT, &stale).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.text);
    assert!(conflict.text.contains("Trang đã được người khác sửa"));
    assert!(conflict.text.contains("value=\"Bản hai\""), "yours kept");
    assert!(
        conflict.text.contains("+title: Bản hai"),
        "the diff: {}",
        conflict.text
    );
    // Saving again saves over it.
    let over = fields(
        &conflict,
        &[("f.title", "Bản hai"), ("body", "Hai."), ("action", "save")],
    );
    assert_eq!(
        post(&mut b, EDIT, &over).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn another_agency_s_editor_gets_403() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("mt-bien-tap").await;
    assert_eq!(b.get(EDIT).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        b.get("/admin/sites/drvn/new?section=tin-tuc").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn what_is_typed_is_escaped_in_the_form_and_the_preview() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let page = b.get(EDIT).await;
    let evil = "<script>alert(1)</script>";
    let f = fields(
        &page,
        &[
            ("f.title", evil),
            ("body", "Đoạn <script>alert(2)</script> **đậm**"),
            ("action", "preview"),
        ],
    );
    let shown = post(&mut b, EDIT, &f).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    assert!(!shown.text.contains("<script>alert"), "{}", shown.text);
    assert!(shown
        .text
        .contains("value=\"&lt;script&gt;alert(1)&lt;&#x2F;script&gt;\""));
    // The preview frame: the theme's page, escaped twice in the attribute, no script.
    let at = shown.text.find("srcdoc=\"").expect("the preview");
    let doc = &shown.text[at..];
    assert!(doc.contains("Cục Đường bộ Việt Nam"), "the site's theme");
    assert!(
        doc.contains("&lt;strong&gt;đậm&lt;&#x2F;strong&gt;"),
        "{doc}"
    );
    assert!(doc.contains("&amp;lt;script&amp;gt;alert(1)"), "{doc}");

    // The JSON of the editor's script.
    let live = post(&mut b, "/admin/sites/drvn/preview/tin-tuc/cao-toc.md", &f).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.text);
    let v: serde_json::Value = serde_json::from_str(&live.text).unwrap();
    let html = v["html"].as_str().unwrap();
    assert!(
        html.contains("<strong>đậm</strong>") && !html.contains("<script>alert"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)"), "{html}");
    // Its stylesheet from the admin's origin.
    assert!(
        !html.contains(" href=\"/assets") && !html.contains(" href=/assets"),
        "{html}"
    );
    // An error goes to its field.
    let f = fields(
        &page,
        &[("f.title", ""), ("body", "x"), ("action", "preview")],
    );
    let live = post(&mut b, "/admin/sites/drvn/preview/tin-tuc/cao-toc.md", &f).await;
    let v: serde_json::Value = serde_json::from_str(&live.text).unwrap();
    assert_eq!(v["errors"][0]["id"], "f-title", "{v}");
}

#[tokio::test]
async fn a_new_page_is_created_once() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let page = b.get("/admin/sites/drvn/new?section=tin-tuc").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("<label for=\"slug\">"));
    assert!(
        page.text.contains("id=\"k-image_alt\""),
        "the section's kind: news"
    );
    let f = |title: &str| {
        vec![
            ("csrf", page.input("csrf")),
            ("is_new", "1".to_string()),
            ("section", "tin-tuc".to_string()),
            ("lang", "vi".to_string()),
            ("kind", "news".to_string()),
            ("syntax", "toml".to_string()),
            ("front", String::new()),
            ("slug", "cau-moi-2".to_string()),
            ("f.title", title.to_string()),
            ("f.date", "2026-12-07".to_string()),
            ("body", "Thân bài.".to_string()),
            ("action", "save".to_string()),
        ]
    };
    let made = post(&mut b, "/admin/sites/drvn/new", &f("Cầu mới")).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    assert_eq!(
        made.location(),
        "/admin/sites/drvn/edit/tin-tuc/cau-moi-2/index.md?saved=1"
    );
    let text = w
        .read("tin-tuc/cau-moi-2/index.md", cms_core::store::Stage::Draft)
        .unwrap();
    assert_eq!(
        text,
        "+++\ndate = 2026-12-07\ntitle = \"Cầu mới\"\n+++\nThân bài."
    );
    let twice = post(&mut b, "/admin/sites/drvn/new", &f("Lần hai")).await;
    assert_eq!(
        twice.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        twice.text
    );
    assert!(twice.text.contains("value=\"Lần hai\""), "kept");
    // Submit for review from its form.
    let edit = b
        .get("/admin/sites/drvn/edit/tin-tuc/cau-moi-2/index.md")
        .await;
    let sent = b
        .post(
            "/admin/sites/drvn/submit/tin-tuc/cau-moi-2/index.md",
            &[("csrf", &edit.input("csrf"))],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
}
