//! The drafts lists of the API (`GET /sites/{site}/drafts`, `GET /review`) carry what a list
//! shows of each draft: title, kind (inherited from the section), language, date as written,
//! whether it deletes the page and whether the page is published, read with the loader's
//! front matter parser; a draft whose front matter is broken is still listed.

mod api_common;

use api_common::{tester, World};
use axum::http::{Method, StatusCode};
use cms_core::store::Stage;
use serde_json::{json, Value};

/// The seed built, with a published TOML page of the root section.
async fn world() -> World {
    let extra = [(
        "sites/drvn/gioi-thieu.md".to_string(),
        "+++\ntitle = \"Giới thiệu\"\nkind = \"page\"\n+++\nVề Cục.\n".to_string(),
    )];
    World::built(db::testing::sqlite().unwrap(), &extra).await
}

/// The draft of `path` in `list`.
fn find<'a>(list: &'a Value, path: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("no draft {path} in {list}"))
}

#[tokio::test]
async fn drafts_carry_their_summary() {
    let w = world().await;
    let ed = w.session("bien-tap").await;
    let put = |path: &str, text: &str| {
        let uri = format!("/api/v1/sites/drvn/pages/{path}");
        let body = json!({ "text": text });
        let ed = ed.clone();
        let w = &w;
        async move { w.call(&ed, Method::PUT, &uri, Some(body)).await }
    };
    // A new page in YAML, a TOML draft of a published YAML page, an English page.
    let yaml = put(
        "tin-tuc/yaml-moi.md",
        "---\ntitle: \"Bản YAML: mới\"\ndate: 2024-06-01T08:30:00\n---\nNháp.\n",
    )
    .await;
    assert_eq!(yaml.status, StatusCode::CREATED, "{}", yaml.json);
    let blob = w
        .cms
        .store
        .read(&w.page("tin-tuc/cao-toc.md"), Stage::Published)
        .unwrap()
        .unwrap()
        .blob;
    w.cms
        .store
        .save(
            &w.page("tin-tuc/cao-toc.md"),
            "+++\ntitle = \"Thông xe cao tốc (sửa)\"\ndate = 2023-04-30\n+++\nSửa.\n",
            Some(&blob),
            &tester(),
        )
        .unwrap();
    let en = put("tin-tuc/moi.en.md", "+++\ntitle = \"New\"\n+++\nDraft.\n").await;
    assert_eq!(en.status, StatusCode::CREATED, "{}", en.json);
    // A deletion of a published page, and a front matter the API would refuse, committed by
    // other means (git).
    let gt = w.cms.store.read(&w.page("gioi-thieu.md"), Stage::Published);
    let gt_blob = gt.unwrap().unwrap().blob;
    w.cms
        .store
        .delete(&w.page("gioi-thieu.md"), &gt_blob, &tester())
        .unwrap();
    w.cms
        .store
        .save(
            &w.page("tin-tuc/hong.md"),
            "+++\ntitle = \"Hỏng\n+++\n",
            None,
            &tester(),
        )
        .unwrap();

    let res = w
        .call(&ed, Method::GET, "/api/v1/sites/drvn/drafts", None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.json);
    let list = &res.json;
    assert_eq!(list.as_array().unwrap().len(), 5, "{list}");

    let d = find(list, "tin-tuc/yaml-moi.md");
    assert_eq!(d["title"], "Bản YAML: mới");
    assert_eq!(d["kind"], "news", "the section's kind");
    assert_eq!(d["lang"], "vi");
    assert_eq!(d["date"], "2024-06-01T08:30:00");
    assert_eq!(
        (&d["deleted"], &d["published"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(d["error"], Value::Null);

    let d = find(list, "tin-tuc/cao-toc.md");
    assert_eq!(d["title"], "Thông xe cao tốc (sửa)", "the draft's title");
    assert_eq!(d["date"], "2023-04-30");
    assert_eq!(d["published"], true, "{d}");

    let d = find(list, "tin-tuc/moi.en.md");
    assert_eq!((&d["lang"], &d["date"]), (&json!("en"), &Value::Null));

    let d = find(list, "gioi-thieu.md");
    assert_eq!(d["deleted"], true, "{d}");
    assert_eq!(d["published"], true);
    assert_eq!(d["title"], "Giới thiệu", "what is deleted");
    assert_eq!(d["kind"], "page");

    let d = find(list, "tin-tuc/hong.md");
    assert_eq!(d["title"], "", "{d}");
    assert!(
        d["error"].as_str().unwrap().contains("malformed TOML"),
        "{d}"
    );
    assert_eq!(d["published"], false);

    // A new version of a draft: its new title (texts are kept by head commit).
    let page = w.page("tin-tuc/yaml-moi.md");
    let blob = w.cms.store.read(&page, Stage::Draft).unwrap().unwrap().blob;
    let text = "---\ntitle: Bản YAML thứ hai\n---\n";
    w.cms
        .store
        .save(&page, text, Some(&blob), &tester())
        .unwrap();
    let again = w
        .call(&ed, Method::GET, "/api/v1/sites/drvn/drafts", None)
        .await;
    let d = find(&again.json, "tin-tuc/yaml-moi.md");
    assert_eq!(
        (&d["title"], &d["date"]),
        (&json!("Bản YAML thứ hai"), &Value::Null)
    );
    assert_eq!(find(&again.json, "gioi-thieu.md")["title"], "Giới thiệu");
}

#[tokio::test]
async fn the_review_queue_and_older_clients() {
    let w = world().await;
    let ed = w.session("bien-tap").await;
    let ap = w.session("duyet").await;
    let text = "---\ntitle: Chờ duyệt\ndate: 2024-07-01\n---\nNội dung.\n";
    let uri = "/api/v1/sites/drvn/pages/tin-tuc/cho.md";
    let put = w
        .call(&ed, Method::PUT, uri, Some(json!({"text": text})))
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.json);
    let sub = w
        .call(
            &ed,
            Method::POST,
            "/api/v1/sites/drvn/submit/tin-tuc/cho.md",
            None,
        )
        .await;
    assert_eq!(sub.status, StatusCode::OK, "{}", sub.json);
    let queue = w.call(&ap, Method::GET, "/api/v1/review", None).await;
    let d = find(&queue.json, "tin-tuc/cho.md");
    assert_eq!(
        (&d["title"], &d["kind"]),
        (&json!("Chờ duyệt"), &json!("news"))
    );
    assert_eq!(d["date"], "2024-07-01");

    // A view without the new fields (an older server's) still parses.
    let old = json!({"site": "drvn", "path": "a.md", "head": "h", "base": "b",
        "author_name": "A", "author_email": "a@x", "time": 0, "message": "m",
        "status": "draft", "submitted": null});
    let view: server::api::DraftView = serde_json::from_value(old).unwrap();
    assert_eq!((view.title.as_str(), view.published), ("", false));
}

#[tokio::test]
async fn a_stored_version_is_previewed_by_a_get() {
    let w = world().await;
    let ed = w.session("bien-tap").await;
    let uri = "/api/v1/sites/drvn/pages/tin-tuc/xem.md";
    let text = "+++\ntitle = \"Xem\"\n+++\nBản nháp <b onclick=\"x()\">đậm</b>.\n";
    let put = w
        .call(&ed, Method::PUT, uri, Some(json!({"text": text})))
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.json);
    let get = |q: &'static str| {
        let (w, ed) = (&w, ed.clone());
        async move {
            let uri = format!("/api/v1/sites/drvn/preview/tin-tuc/xem.md{q}");
            w.call(&ed, Method::GET, &uri, None).await
        }
    };
    let draft = get("").await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.json);
    let body = draft.str("body_html");
    assert!(body.contains("Bản nháp <b>đậm</b>."), "sanitized: {body}");
    assert!(draft.str("html").contains("<title>Xem"), "the whole page");
    assert_eq!(get("?stage=published").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get("?stage=later").await.status, StatusCode::BAD_REQUEST);
    let cao_toc = w
        .call(
            &ed,
            Method::GET,
            "/api/v1/sites/drvn/preview/tin-tuc/cao-toc.md?stage=published",
            None,
        )
        .await;
    assert!(
        cao_toc.str("body_html").contains("Nội dung."),
        "{}",
        cao_toc.json
    );
}
