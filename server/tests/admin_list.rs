//! The content list of the web editor (`/admin/sites/{site}/`) over a built network: filters,
//! search through the index without diacritics (and the read API's `q`), sorting, pages that
//! keep the filters, drafts beside published pages, escaping, and another agency's 403.

mod admin_common;
mod api_common;

use admin_common::{Browser, Page};
use api_common::{page_text, World};
use axum::http::{Method, StatusCode};

/// News pages added to drvn (with the seed's, the list has two pages of 50).
const NEWS: usize = 60;

/// drvn with many news pages (two topics), an English page, a plain page, a hostile title.
fn extra() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = (1..=NEWS)
        .map(|i| {
            let topic = if i % 2 == 0 { "cao tốc" } else { "đường sắt" };
            (
                format!("sites/drvn/tin-tuc/tin-{i:02}.md"),
                format!(
                    "+++\ntitle = \"Tin số {i:02}\"\ndate = 2025-01-{d:02}T08:00:00\n\n[taxonomies]\ntopics = [\"{topic}\"]\n+++\nNội dung {i}.\n",
                    d = (i - 1) % 28 + 1
                ),
            )
        })
        .collect();
    files.push((
        "sites/drvn/tin-tuc/cao-toc.en.md".into(),
        "+++\ntitle = \"Expressway opened\"\ndate = 2023-04-29\n+++\nIn English.\n".into(),
    ));
    files.push((
        "sites/drvn/tin-tuc/sap-dang.md".into(),
        "+++\ntitle = \"Sắp đăng\"\ndate = 2024-02-02\npublish_at = 2099-01-01T08:00:00\n+++\nChưa tới giờ.\n".into(),
    ));
    files.push((
        "sites/drvn/gioi-thieu.md".into(),
        "+++\ntitle = \"Giới thiệu Cục\"\nkind = \"page\"\n+++\nVề chúng tôi.\n".into(),
    ));
    files.push((
        "sites/drvn/tin-tuc/canh-bao.md".into(),
        "+++\ntitle = \"<script>alert(1)</script> Cảnh báo\"\ndate = 2022-01-01\n+++\nChú ý.\n"
            .into(),
    ));
    files
}

async fn world() -> World {
    World::built(db::testing::sqlite().unwrap(), &extra()).await
}

/// The rows' titles of a list page, in order (the first cell of each body row).
fn titles(page: &Page) -> Vec<String> {
    let body = page.text.split("<tbody>").nth(1).unwrap_or_default();
    body.split("<tr>")
        .skip(1)
        .filter_map(|row| {
            let start = row.find("<td>")? + 4;
            let end = row[start..].find("</td>")? + start;
            Some(row[start..end].to_string())
        })
        .collect()
}

/// A list page, its slashes unescaped (tera escapes `/` in attributes as `&#x2F;`).
async fn list(b: &mut Browser<'_>, query: &str) -> Page {
    let mut page = b.get(&format!("/admin/sites/drvn/{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.text);
    page.text = page.text.replace("&#x2F;", "/");
    page
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages_keeping_the_filters() {
    let world = world().await;
    let mut b = Browser::new(&world);
    b.login("bien-tap").await;

    let all = list(&mut b, "").await;
    assert!(all
        .text
        .contains("/admin/sites/drvn/edit/tin-tuc/tin-28.md"));
    assert!(all.text.contains("/admin/sites/drvn/new?section=tin%2Dtuc"));
    assert!(
        !all.text.contains("/admin/sites/drvn/users"),
        "an editor has no users link"
    );
    // Newest first, 50 a page; the page links say which page this is.
    let first = titles(&all);
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], "Tin số 28", "{first:?}");
    assert!(all.text.contains("aria-current=\"page\">1</a>"));
    let page2 = list(&mut b, "?page=2").await;
    assert!(page2.text.contains("aria-current=\"page\">2</a>"));
    assert!(titles(&page2).len() < 50 && !titles(&page2).is_empty());
    assert!(titles(&page2).iter().all(|t| !first.contains(t)));

    // Escaped everywhere: the title typed with a script tag.
    assert!(page2
        .text
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; Cảnh báo"));
    assert!(!page2.text.contains("<script>alert"));

    // Sorting by title, both ways.
    let az = titles(&list(&mut b, "?sort=title").await);
    let mut sorted = az.clone();
    sorted.sort();
    assert_eq!(az[0], "&lt;script&gt;alert(1)&lt;/script&gt; Cảnh báo");
    assert!(az.iter().position(|t| t == "Cầu mới") < az.iter().position(|t| t == "Giới thiệu Cục"));
    let za = titles(&list(&mut b, "?sort=-title").await);
    assert_eq!(za[..2], ["Tin tức", "Tin số 60"], "{za:?}");
    let oldest = titles(&list(&mut b, "?sort=date").await);
    assert_eq!(oldest[0], "&lt;script&gt;alert(1)&lt;/script&gt; Cảnh báo");

    // Filters: each keeps only what it names, and the page links keep them.
    let news = list(&mut b, "?kind=news&sort=title").await;
    assert!(news
        .text
        .contains("/admin/sites/drvn/?kind=news&amp;sort=title&amp;page=2"));
    let page = titles(&list(&mut b, "?kind=page").await);
    assert_eq!(page, ["Giới thiệu Cục"]);
    let en = titles(&list(&mut b, "?lang=en").await);
    assert!(en.contains(&"Expressway opened".to_string()), "{en:?}");
    assert!(!en.contains(&"Thông xe cao tốc".to_string()));
    let topic = titles(&list(&mut b, "?term=topics%2Fcao-toc").await);
    assert_eq!(topic.len(), NEWS / 2 + 1, "{topic:?}");
    assert!(!topic.contains(&"Tin số 01".to_string()));
    assert!(topic.contains(&"Tin số 02".to_string()));
    let may = titles(&list(&mut b, "?from=2024-05-01&to=2024-05-31").await);
    assert_eq!(may, ["Cầu mới"]);
    let section = titles(&list(&mut b, "?section=tin-tuc").await);
    assert!(!section.contains(&"Giới thiệu Cục".to_string()));
    // A bad filter: the form again with the API's message, 400.
    let bad = b.get("/admin/sites/drvn/?from=hôm-qua").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("`from`"), "{}", bad.text);
}

#[tokio::test]
async fn search_goes_through_the_index_with_or_without_diacritics() {
    let world = world().await;
    // The read API's `q`: the site's pages only, diacritics optional.
    let api = world
        .call(
            &api_common::Who::Anonymous,
            Method::GET,
            "/api/v1/sites/drvn/content?q=thong%20xe%20cao%20toc",
            None,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{:?}", api.json);
    let paths: Vec<&str> = api.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["tin-tuc/cao-toc.md"]);
    let mt = world
        .call(
            &api_common::Who::Anonymous,
            Method::GET,
            "/api/v1/sites/drvn/content?q=ke%20hoach",
            None,
        )
        .await;
    assert_eq!(
        mt.json["total"], 0,
        "mt's page is not drvn's: {:?}",
        mt.json
    );
    let bad = world
        .call(
            &api_common::Who::Anonymous,
            Method::GET,
            "/api/v1/sites/drvn/content?sort=size",
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let mut b = Browser::new(&world);
    b.login("bien-tap").await;
    let found = list(&mut b, "?q=cau+moi").await;
    assert_eq!(titles(&found), ["Cầu mới"]);
    assert!(found.text.contains("value=\"cau moi\""));
    let both = titles(&list(&mut b, "?q=tin+so&kind=news&sort=title").await);
    assert_eq!(
        both.first().map(String::as_str),
        Some("Tin số 01"),
        "{both:?}"
    );
}

#[tokio::test]
async fn drafts_are_listed_with_their_status_and_author() {
    let world = world().await;
    let who = world.session("bien-tap").await;
    let put = world
        .call(
            &who,
            Method::PUT,
            "/api/v1/sites/drvn/pages/tin-tuc/moi.md",
            Some(serde_json::json!({ "text": page_text("Trang mới chưa đăng", "Nháp.") })),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{:?}", put.json);
    let submit = world
        .call(
            &who,
            Method::POST,
            "/api/v1/sites/drvn/submit/tin-tuc/moi.md",
            Some(serde_json::json!({})),
        )
        .await;
    assert!(submit.status.is_success(), "{:?}", submit.json);

    let mut b = Browser::new(&world);
    b.login("bien-tap").await;
    let all = list(&mut b, "").await;
    // A new page's draft leads the first page, and the review queue links to it.
    assert_eq!(titles(&all)[0], "Trang mới chưa đăng");
    assert!(all.text.contains("/admin/sites/drvn/review/tin-tuc/moi.md"));
    let review = titles(&list(&mut b, "?status=in_review").await);
    assert_eq!(review, ["Trang mới chưa đăng"]);
    assert!(titles(&list(&mut b, "?status=draft").await).is_empty());
    let published = titles(&list(&mut b, "?status=published").await);
    assert!(!published.contains(&"Trang mới chưa đăng".to_string()));
    let by = list(&mut b, "?author=bien-tap").await;
    assert_eq!(titles(&by), ["Trang mới chưa đăng"]);
    assert!(by.text.contains("Chỉ hiện bản nháp"));
    assert!(titles(&list(&mut b, "?author=duyet").await).is_empty());
    assert_eq!(
        titles(&list(&mut b, "?q=trang+moi").await)[0],
        "Trang mới chưa đăng"
    );
    assert!(!titles(&list(&mut b, "?q=cau+moi").await).contains(&"Trang mới chưa đăng".to_string()));
}

#[tokio::test]
async fn an_editor_of_another_agency_gets_the_apis_403() {
    let world = world().await;
    let mut b = Browser::new(&world);
    b.login("mt-bien-tap").await;
    let page = b.get("/admin/sites/drvn/").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.text);
    assert!(!page.text.contains("Thông xe cao tốc"));
    // Their own site lists.
    assert_eq!(b.get("/admin/sites/mt/").await.status, StatusCode::OK);
    // Not logged in: the login form.
    let mut anon = Browser::new(&world);
    assert_eq!(
        anon.get("/admin/sites/drvn/").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_dashboard_shows_what_is_scheduled() {
    let world = world().await;
    let mut b = Browser::new(&world);
    let dash = b.login("bien-tap").await;
    let text = dash.text.replace("&#x2F;", "/");
    assert!(
        text.contains("/admin/sites/drvn/edit/tin-tuc/sap-dang.md\">tin-tuc/sap-dang.md</a> — Đăng lúc: <time datetime=\"2099-01-01T08:00:00\">2099-01-01 08:00:00</time>"),
        "{text}"
    );
    // Not in the list of published pages until then.
    let all = list(&mut b, "?q=sap+dang").await;
    assert!(titles(&all).is_empty(), "{:?}", titles(&all));
    // Another agency's editor does not see it.
    let mut other = Browser::new(&world);
    let dash = other.login("mt-bien-tap").await;
    assert!(!dash.text.contains("sap-dang"));
}

#[tokio::test]
async fn drafts_of_every_shape_pass_the_filters_from_the_apis_summary() {
    let world = world().await;
    let who = world.session("bien-tap").await;
    let put = |path: &str, text: &str| {
        let uri = format!("/api/v1/sites/drvn/pages/{path}");
        let body = serde_json::json!({ "text": text });
        let (w, who) = (&world, who.clone());
        async move {
            let res = w.call(&who, Method::PUT, &uri, Some(body)).await;
            assert!(res.status.is_success(), "{uri}: {:?}", res.json);
        }
    };
    // A new page in YAML (its kind from its section), a new English page in TOML.
    put(
        "tin-tuc/yaml-moi.md",
        "---\ntitle: Đường YAML mới\ndate: 2024-06-15\n---\nNháp.\n",
    )
    .await;
    put(
        "tin-tuc/toml-moi.en.md",
        "+++\ntitle = \"TOML draft\"\ndate = 2024-06-20T08:00:00\n+++\nDraft.\n",
    )
    .await;
    // A draft of a published page, and a deletion of another, by the store (setting a scene).
    let store = &world.cms.store;
    let blob = |path: &str| {
        let doc = store.read(&world.page(path), cms_core::store::Stage::Published);
        doc.unwrap().unwrap().blob
    };
    let tester = api_common::tester();
    let page = world.page("gioi-thieu.md");
    let text = "+++\ntitle = \"Giới thiệu Cục (sửa)\"\nkind = \"page\"\n+++\nMới.\n";
    store
        .save(&page, text, Some(&blob("gioi-thieu.md")), &tester)
        .unwrap();
    let gone = world.page("tin-tuc/tin-07.md");
    store
        .delete(&gone, &blob("tin-tuc/tin-07.md"), &tester)
        .unwrap();

    let mut b = Browser::new(&world);
    b.login("bien-tap").await;
    let all = list(&mut b, "").await;
    let first = titles(&all);
    // The new pages lead; the published ones keep their place, with their draft's status.
    assert_eq!(first[..2], ["TOML draft", "Đường YAML mới"], "{first:?}");
    assert!(
        all.text.contains("(bản nháp xoá trang này)") || {
            // tin-07 is on the second page of the list.
            list(&mut b, "?page=2")
                .await
                .text
                .contains("(bản nháp xoá trang này)")
        }
    );
    let drafts = list(&mut b, "?status=draft&sort=title").await;
    assert_eq!(
        titles(&drafts),
        // Sorted without diacritics: Đ as D.
        [
            "Đường YAML mới",
            "Giới thiệu Cục (sửa)",
            "Tin số 07",
            "TOML draft"
        ]
    );
    assert!(drafts.text.contains("(đã có bản xuất bản)"));
    assert!(drafts.text.contains("(bản nháp xoá trang này)"));
    let by_kind = |k: &'static str| format!("?status=draft&kind={k}&sort=title");
    assert_eq!(
        titles(&list(&mut b, &by_kind("news")).await),
        ["Đường YAML mới", "Tin số 07", "TOML draft"]
    );
    assert_eq!(
        titles(&list(&mut b, &by_kind("page")).await),
        ["Giới thiệu Cục (sửa)"]
    );
    assert_eq!(
        titles(&list(&mut b, "?status=draft&lang=en").await),
        ["TOML draft"]
    );
    assert_eq!(
        titles(&list(&mut b, "?status=draft&from=2024-06-01&to=2024-06-16").await),
        ["Đường YAML mới"]
    );
    assert_eq!(
        titles(&list(&mut b, "?status=draft&section=tin-tuc&q=duong+yaml").await),
        ["Đường YAML mới"]
    );
    assert!(titles(&list(&mut b, "?status=draft&term=topics%2Fcao-toc").await).is_empty());
    let mine = titles(&list(&mut b, "?author=bien-tap&sort=title").await);
    assert_eq!(mine, ["Đường YAML mới", "TOML draft"]);
    // The whole list, filtered by kind: the new news draft beside the published news.
    let news = titles(&list(&mut b, "?kind=news").await);
    assert!(news.contains(&"Đường YAML mới".to_string()), "{news:?}");
    assert!(!news.contains(&"Giới thiệu Cục (sửa)".to_string()));
}
