//! The media page as a browser without JavaScript uses it: the bundle's files with their alt
//! text, a multipart upload (an image only with its alt text, inserted into the draft), and
//! what the API refuses shown on the form (type, bytes, names, CSRF, another agency).

mod admin_common;
mod api_common;

use admin_common::{Browser, Page};
use api_common::{git, World};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use cms_core::store::Stage;

const MEDIA: &str = "/admin/sites/drvn/media/tin-tuc/cau/index.md";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// Sends the upload form: `csrf`, `alt`, `insert` (when given) and the file.
async fn upload(
    b: &mut Browser<'_>,
    csrf: Option<&str>,
    alt: &str,
    insert: bool,
    name: &str,
    bytes: &[u8],
) -> Page {
    let boundary = "----bien-gioi-7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    let mut text = |k: &str, v: &str| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    };
    if let Some(c) = csrf {
        text("csrf", c);
    }
    text("alt", alt);
    if insert {
        text("insert", "1");
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = b
        .request(Method::POST, MEDIA)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::ORIGIN, "http://localhost")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    b.send(req).await
}

/// The files of the bundle on the page's draft branch.
fn bundle(w: &World) -> String {
    git(
        &w.repo,
        &[
            "ls-tree",
            "-r",
            "--name-only",
            "refs/heads/cms/drvn/tin-tuc/cau/index.md",
            "sites/drvn/tin-tuc/cau/",
        ],
    )
}

#[tokio::test]
async fn an_image_is_uploaded_with_its_alt_text_and_listed_for_reuse() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let page = b.get(MEDIA).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("enctype=\"multipart/form-data\""));
    assert!(page.text.contains("<label for=\"alt\">"));
    assert!(
        page.text.contains("/admin/assets/media."),
        "the drop script"
    );
    let csrf = page.input("csrf");

    let done = upload(
        &mut b,
        Some(&csrf),
        "Cầu mới [nhìn từ bờ]",
        true,
        "anh-cau.png",
        PNG,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert!(
        bundle(&w).contains("sites/drvn/tin-tuc/cau/anh-cau.png"),
        "{}",
        bundle(&w)
    );
    let draft = w.read("tin-tuc/cau/index.md", Stage::Draft).unwrap();
    assert!(
        draft.ends_with("\n![Cầu mới \\[nhìn từ bờ\\]](anh-cau.png)\n"),
        "{draft}"
    );

    // The Markdown to insert, then the file listed with the alt text the page gives it.
    let after = b.get(done.location()).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.text);
    assert!(after.text.contains("Đã tải lên"), "{}", after.text);
    assert!(
        after
            .text
            .contains("value=\"![Cầu mới \\[nhìn từ bờ\\]](anh-cau.png)\""),
        "{}",
        after.text
    );
    assert!(
        after.text.contains("<td>Cầu mới [nhìn từ bờ]</td>"),
        "{}",
        after.text
    );
    assert!(after.text.contains("alt=\"Cầu mới [nhìn từ bờ]\""));

    // The image itself, as the page's <img> reads it: a PNG, never sniffed.
    let img = b
        .get("/api/v1/sites/drvn/files/tin-tuc/cau/index.md?name=anh-cau.png")
        .await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(img.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    // A PDF needs no alt text and is offered as a link; not inserted when unticked.
    let pdf = upload(
        &mut b,
        Some(&csrf),
        "",
        false,
        "bao-cao.pdf",
        b"%PDF-1.4 thu",
    )
    .await;
    assert_eq!(pdf.status, StatusCode::SEE_OTHER, "{}", pdf.text);
    assert!(!pdf.location().contains("inserted"));
    let after = b.get(pdf.location()).await;
    assert!(
        after.text.contains("value=\"[bao-cao.pdf](bao-cao.pdf)\""),
        "{}",
        after.text
    );
    let file = b
        .get("/api/v1/sites/drvn/files/tin-tuc/cau/index.md?name=bao-cao.pdf")
        .await;
    assert!(file.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
}

#[tokio::test]
async fn refusals_are_shown_on_the_form_and_write_nothing() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let csrf = b.get(MEDIA).await.input("csrf");
    let refs = w.refs();

    // An image without alt text: the message beside the field.
    let no_alt = upload(&mut b, Some(&csrf), "  ", true, "anh.png", PNG).await;
    assert_eq!(no_alt.status, StatusCode::BAD_REQUEST, "{}", no_alt.text);
    assert!(no_alt.text.contains("id=\"alt-error\""), "{}", no_alt.text);
    assert!(no_alt
        .text
        .contains("aria-describedby=\"alt-help alt-error\" aria-invalid=\"true\""));
    assert!(no_alt.text.contains("Ảnh cần có mô tả"));

    // Without the CSRF token: the API's 403.
    let forged = upload(&mut b, None, "Ảnh", true, "anh.png", PNG).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);

    // The API's refusals beside the file field: type, bytes, names (escaped).
    let cases: [(&str, &[u8], StatusCode, &str); 4] = [
        (
            "ve.svg",
            b"<svg/>",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Không nhận tệp `.svg`",
        ),
        (
            "gia.pdf",
            PNG,
            StatusCode::UNPROCESSABLE_ENTITY,
            "không phải là tệp .pdf",
        ),
        (
            "..%2Fthoat.pdf",
            b"%PDF-1.4",
            StatusCode::BAD_REQUEST,
            "Tên tệp không hợp lệ",
        ),
        (
            "<script>alert(1)</script>.pdf",
            b"%PDF-1.4",
            StatusCode::BAD_REQUEST,
            "&lt;script&gt;alert(1)&lt;&#x2F;script&gt;.pdf",
        ),
    ];
    for (name, bytes, status, says) in cases {
        let name = name.replace("%2F", "/");
        let p = upload(&mut b, Some(&csrf), "Ảnh", true, &name, bytes).await;
        assert_eq!(p.status, status, "{name}: {}", p.text);
        assert!(p.text.contains("id=\"file-error\""), "{name}: {}", p.text);
        assert!(p.text.contains(says), "{name}: {}", p.text);
        assert!(!p.text.contains("<script>alert"), "{name}");
    }
    assert_eq!(w.refs(), refs, "nothing written");
}

#[tokio::test]
async fn single_file_pages_have_no_bundle_and_other_agencies_no_access() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let single = b.get("/admin/sites/drvn/media/tin-tuc/cao-toc.md").await;
    assert_eq!(single.status, StatusCode::OK, "{}", single.text);
    assert!(
        single.text.contains("không có thư mục đính kèm"),
        "{}",
        single.text
    );
    assert!(!single.text.contains("type=\"file\""));

    let missing = b
        .get("/api/v1/sites/drvn/files/tin-tuc/cau/index.md?name=khong-co.png")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let escape = b
        .get("/api/v1/sites/drvn/files/tin-tuc/cau/index.md?name=..%2F..%2Fcao-toc.md")
        .await;
    assert_eq!(escape.status, StatusCode::BAD_REQUEST, "{}", escape.text);

    let mut mt = Browser::new(&w);
    mt.login("mt-bien-tap").await;
    assert_eq!(mt.get(MEDIA).await.status, StatusCode::FORBIDDEN);
    let file = "/api/v1/sites/drvn/files/tin-tuc/cau/index.md?name=anh.png";
    assert_eq!(mt.get(file).await.status, StatusCode::FORBIDDEN);
    let csrf = mt.get("/admin/").await.input("csrf");
    let refs = w.refs();
    let refused = upload(&mut mt, Some(&csrf), "Ảnh", true, "anh.png", PNG).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert_eq!(w.refs(), refs);
}

#[tokio::test]
async fn over_size_files_are_refused_on_the_form() {
    let w = World::sqlite().await;
    let mut b = Browser::new(&w);
    b.login("bien-tap").await;
    let csrf = b.get(MEDIA).await.input("csrf");
    let refs = w.refs();
    // Just over the API's 20 MiB (the form's limit lets it through: the API's 413), and far
    // over (the form's own limit: the same message).
    for size in [20 * 1024 * 1024 + 1, 21 * 1024 * 1024] {
        let mut big = PNG.to_vec();
        big.resize(size, 0);
        let p = upload(&mut b, Some(&csrf), "Ảnh lớn", true, "lon.png", &big).await;
        assert_eq!(
            p.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{size}: {}",
            p.text
        );
        assert!(p.text.contains("id=\"file-error\""), "{size}: {}", p.text);
        assert!(p.text.contains("tối đa 20 MiB"), "{size}: {}", p.text);
    }
    assert_eq!(w.refs(), refs, "nothing written");
}
