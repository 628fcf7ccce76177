//! The edit form's translations side by side, references chosen by search and file fields
//! as pickers, without JavaScript (and the picker's JSON): a new translation pre-filled from
//! the original and saved as a draft, the other version shown escaped beside each field, a
//! reference found, chosen and saved as `@/…`, a broken one shown with `cms check`'s message,
//! the bundle's files offered, and another agency kept out.

mod admin_common;
mod api_common;

use admin_common::{Browser, Page};
use api_common::World;
use axum::http::StatusCode;
use cms_core::store::Stage;

const PROC: &str = "/admin/sites/drvn/edit/thu-tuc/cap-phep/index.md";
const PROC_EN: &str = "/admin/sites/drvn/edit/thu-tuc/cap-phep/index.en.md";
const REF: &str = "@/mt/van-ban/nd-42/index.md";

async fn world() -> World {
    let extra = [
        ("sites/mt/van-ban/_index.md", "+++\ntitle = \"Văn bản\"\nkind = \"legal\"\n+++\n"),
        (
            "sites/mt/van-ban/nd-42/index.md",
            "+++\ntitle = \"Nghị định cung cấp thông tin trên môi trường mạng\"\ndate = 2022-06-24\n[legal]\ndoc_type = \"Nghị định\"\nnumber = \"42/2022/NĐ-CP\"\nissuer = \"Chính phủ\"\nissued = 2022-06-24\nsummary = \"Quy định về cung cấp thông tin\"\n+++\n",
        ),
        ("sites/drvn/thu-tuc/_index.md", "+++\ntitle = \"Thủ tục\"\nkind = \"procedure\"\n+++\n"),
        (
            "sites/drvn/thu-tuc/cap-phep/index.md",
            "+++\ntitle = \"Cấp phép <b>\\\"lưu hành\\\"</b> & xe quá khổ\"\ndate = 2024-01-02\n[procedure]\ncode = \"1.000001\"\nlevel = \"một phần\"\nfield = \"Đường bộ\"\nagency = \"Cục Đường bộ\"\nforms = [\"mau-don.pdf\"]\n+++\nNộp hồ sơ <em>trực tuyến</em>.\n",
        ),
        ("sites/drvn/thu-tuc/cap-phep/mau-don.pdf", "%PDF-1.4\n"),
        ("sites/drvn/thu-tuc/cap-phep/to-khai.pdf", "%PDF-1.4\n"),
    ];
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    World::built(db::testing::sqlite().unwrap(), &extra).await
}

fn html_unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The form's hidden fields and the procedure's shared fields, with `changes` on top.
fn form(page: &Page, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = ["csrf", "blob", "front", "syntax", "kind"]
        .iter()
        .map(|n| (n.to_string(), html_unescape(&page.input(n))))
        .collect();
    for (k, v) in [
        ("f.title", "Cấp phép"),
        ("k.code", "1.000001"),
        ("k.level", "một phần"),
        ("k.field", "Đường bộ"),
        ("k.agency", "Cục Đường bộ"),
        ("k.forms", "mau-don.pdf"),
    ] {
        if !changes.iter().any(|(c, _)| *c == k) {
            out.push((k.into(), v.into()));
        }
    }
    out.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

async fn post(b: &mut Browser<'_>, path: &str, f: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(path, &pairs).await
}

/// The text of the element with id `id` (up to its first closing `</div>`).
fn boxed<'a>(page: &'a Page, id: &str) -> &'a str {
    let at = page
        .text
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {}", page.text));
    let end = page.text[at..].find("</div>").unwrap() + at;
    &page.text[at..end]
}

#[tokio::test]
async fn a_new_translation_starts_from_the_original_beside_it_and_saves_a_draft() {
    let w = world().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let vi = b.get(PROC).await;
    assert_eq!(vi.status, StatusCode::OK, "{}", vi.text);
    assert!(vi.text.contains("Tạo bản tiếng Anh"), "{}", vi.text);
    let en = b.get(PROC_EN).await;
    assert_eq!(en.status, StatusCode::OK, "{}", en.text);
    // Shared fields copied, translated ones empty, the original beside each, escaped.
    assert!(
        en.text.contains("name=\"k.code\" value=\"1.000001\""),
        "{}",
        en.text
    );
    assert!(en.text.contains("<option selected>một phần</option>"));
    assert!(
        en.text.contains("name=\"f.title\" value=\"\""),
        "{}",
        en.text
    );
    assert!(en
        .text
        .contains("name=\"k.forms\" value=\"mau-don.pdf\" checked"));
    let other = boxed(&en, "other-f-title");
    assert!(other.contains("Bản tiếng Việt"), "{other}");
    assert!(
        other.contains("Cấp phép &lt;b&gt;&quot;lưu hành&quot;&lt;&#x2F;b&gt; &amp; xe quá khổ"),
        "{other}"
    );
    assert!(!en.text.contains("<b>\"lưu hành"), "unescaped");
    assert!(
        en.text.contains("Nộp hồ sơ &lt;em&gt;trực tuyến"),
        "the original body"
    );
    assert!(en
        .text
        .contains("aria-describedby=\"err-f-title other-f-title\""));
    assert!(en.text.contains("class=\"edit-cols translating\""));

    let f = form(
        &en,
        &[
            ("f.title", "Oversize vehicle permit"),
            ("k.field", "Roads"),
            ("k.agency", "Vietnam Road Administration"),
            ("body", "Apply online."),
            ("action", "save"),
        ],
    );
    let saved = post(&mut b, PROC_EN, &f).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let text = w
        .read("thu-tuc/cap-phep/index.en.md", Stage::Draft)
        .expect("the translation's draft");
    assert!(
        text.contains("title = \"Oversize vehicle permit\""),
        "{text}"
    );
    assert!(text.contains("code = \"1.000001\""), "{text}");
    assert!(text.contains("forms = [\"mau-don.pdf\"]"), "{text}");
    assert!(w
        .read("thu-tuc/cap-phep/index.en.md", Stage::Published)
        .is_none());
    // Now it exists: the original's form links to it, and shows it beside its fields.
    let vi = b.get(PROC).await;
    assert!(
        vi.text.contains("Bản dịch (en)") || vi.text.contains("(en)</a>"),
        "{}",
        vi.text
    );
    assert!(boxed(&vi, "other-f-title").contains("Oversize vehicle permit"));
}

#[tokio::test]
async fn a_reference_is_found_chosen_and_saved_and_a_broken_one_is_shown() {
    let w = world().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let page = b.get(PROC).await;
    assert!(page
        .text
        .contains("id=\"q-k-legal_documents\" name=\"q.k.legal_documents\""));
    let found = post(
        &mut b,
        PROC,
        &form(
            &page,
            &[
                ("q.k.legal_documents", "nghi dinh cung cap thong tin"),
                ("find", "k.legal_documents"),
            ],
        ),
    )
    .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    let button = format!(
        "name=\"pick\" value=\"k.legal_documents {}\"",
        REF.replace('/', "&#x2F;")
    );
    assert!(found.text.contains(&button), "{}", found.text);
    assert!(found
        .text
        .contains("Nghị định cung cấp thông tin trên môi trường mạng"));
    assert!(
        w.read("thu-tuc/cap-phep/index.md", Stage::Draft)
            .unwrap()
            .contains("Cấp phép <b>"),
        "nothing saved"
    );

    let picked = post(
        &mut b,
        PROC,
        &form(&page, &[("pick", &format!("k.legal_documents {REF}"))]),
    )
    .await;
    assert_eq!(picked.status, StatusCode::OK, "{}", picked.text);
    let at = picked.text.find("id=\"k-legal_documents\"").unwrap();
    let area = &picked.text[at..at + 400];
    assert!(area.contains(&REF.replace('/', "&#x2F;")), "{area}");

    let saved = post(
        &mut b,
        PROC,
        &form(&page, &[("k.legal_documents", REF), ("action", "save")]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let text = w.read("thu-tuc/cap-phep/index.md", Stage::Draft).unwrap();
    assert!(
        text.contains(&format!("legal_documents = [\"{REF}\"]")),
        "{text}"
    );

    let page = b.get(PROC).await;
    let broken = post(
        &mut b,
        PROC,
        &form(
            &page,
            &[
                ("k.legal_documents", "@/mt/van-ban/khong-co.md"),
                ("action", "save"),
            ],
        ),
    )
    .await;
    assert_eq!(
        broken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        broken.text
    );
    let err = boxed(&broken, "err-k-legal_documents");
    assert!(
        err.contains("field `procedure.legal_documents`: no page `@&#x2F;mt&#x2F;van-ban&#x2F;khong-co.md` in the network"),
        "{err}"
    );
}

#[tokio::test]
async fn file_fields_offer_the_bundle_s_files() {
    let w = world().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let page = b.get(PROC).await;
    let at = page
        .text
        .find("<fieldset id=\"k-forms\"")
        .expect("a fieldset of files");
    let set = &page.text[at..at + 1200];
    assert!(
        set.contains("name=\"k.forms\" value=\"mau-don.pdf\" checked"),
        "{set}"
    );
    assert!(
        set.contains("name=\"k.forms\" value=\"to-khai.pdf\">"),
        "{set}"
    );
    assert!(page
        .text
        .contains("/admin/sites/drvn/media/thu-tuc&#x2F;cap-phep&#x2F;index.md\">Tải tệp lên"));
    let f = form(&page, &[("k.forms", "mau-don.pdf"), ("action", "save")]);
    let mut f = f;
    f.push(("k.forms".into(), "to-khai.pdf".into()));
    let saved = post(&mut b, PROC, &f).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let text = w.read("thu-tuc/cap-phep/index.md", Stage::Draft).unwrap();
    assert!(
        text.contains("forms = [\"mau-don.pdf\", \"to-khai.pdf\"]"),
        "{text}"
    );
}

#[tokio::test]
async fn the_picker_lists_published_pages_only_and_keeps_other_agencies_out() {
    let w = world().await;
    // A draft of the Ministry's: not published, so no agency can pick it.
    let who = w.session("mt-bien-tap").await;
    let text = api_common::page_text("Nghị định mới chưa công bố", "Bản nháp.");
    let put = w
        .call(
            &who,
            axum::http::Method::PUT,
            "/api/v1/sites/mt/pages/tin-tuc/nghi-dinh-moi.md",
            Some(serde_json::json!({ "text": text })),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{:?}", put.json);
    let mut mt = Browser::new(&w);
    mt.login("mt-bien-tap").await;
    let blocked = mt.get("/admin/sites/drvn/pick?q=cap+phep").await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN, "{}", blocked.text);
    assert!(!blocked.text.contains("cap-phep"), "{}", blocked.text);
    let other = mt.get(PROC_EN).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(!other.text.contains("Cấp phép"), "{}", other.text);

    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let json = b.get("/admin/sites/drvn/pick?q=nghi+dinh").await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.text);
    let v: serde_json::Value = serde_json::from_str(&json.text).unwrap();
    let refs: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [REF], "{}", json.text);
}
