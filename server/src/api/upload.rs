//! `POST|GET /sites/{site}/files/{*path}`: files of a page's bundle. An upload is refused,
//! with nothing written, when it is over the size limit, when its name is not a plain file
//! name, when its type may carry scripts (SVG, HTML), or when its bytes are not what its name
//! says (the magic numbers, read by `infer`).

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Body as HttpBody;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cms_core::store::Stage;
use db::Action;
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::body::too_large;
use super::context::{audit, author, blocking, cms, Audit};
use super::errors::page_ref;
use super::pages::saved_response;
use super::Problem;
use crate::State;

/// The most an uploaded file may hold.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

/// `?name=` of an upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// The file name in the bundle (`qd-1552.pdf`).
    pub name: String,
}

/// The files of a page's bundle.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FileList {
    /// File names, relative to the bundle's folder.
    pub files: Vec<String>,
}

/// Uploads a file into the page's bundle, on its draft branch.
#[utoipa::path(post, path = "/sites/{site}/files/{path}", tag = "files",
    params(("site" = String, Path), ("path" = String, Path, description = "The bundle's page: `van-ban/qd/index.md`"),
        UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = super::pages::SavedView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    body: HttpBody,
) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Write)?;
    let page = page_ref(&site, &path)?;
    let Ok(Query(UploadQuery { name })) = query else {
        return Err(Problem::bad_request(
            "Thiếu tên tệp (missing file name): POST …/files/<page>?name=<file name>.",
        ));
    };
    if page.bundle_dir().is_none() {
        return Err(Problem::bad_request(format!(
            "`{path}` là trang một tệp, không có thư mục đính kèm (a single-file page has no bundle): move it to `<folder>/index.md` first."
        )));
    }
    check_name(&name)?;
    let bytes = axum::body::to_bytes(body, UPLOAD_LIMIT)
        .await
        .map_err(|_| too_large(UPLOAD_LIMIT))?;
    check_bytes(&name, &bytes)?;
    let who = author(&auth.actor);
    let file = name.clone();
    let saved = blocking(cms, move |s| s.put_file(&page, &file, &bytes, &who)).await?;
    audit(
        cms,
        &auth.actor.audit_name(),
        Audit {
            action: "upload",
            site: Some(&site),
            path: Some(&path),
            commit: Some(&saved.commit),
            detail: Some(name),
        },
    )
    .await;
    saved_response(StatusCode::CREATED, saved)
}

/// `?name=` of `GET …/files/{path}`: one file's bytes instead of the list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct FileQuery {
    /// A file of the bundle (`cau.png`): its bytes are answered.
    #[serde(default)]
    pub name: Option<String>,
}

/// The files of the page's bundle, at the draft stage; with `?name=`, that file's bytes
/// (an image inline, anything else as an attachment, never sniffed: the web editor shows
/// images of drafts with it).
#[utoipa::path(get, path = "/sites/{site}/files/{path}", tag = "files",
    params(("site" = String, Path), ("path" = String, Path), FileQuery),
    responses((status = 200, body = FileList, description = "The list; with `name`, the file's bytes"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    Query(q): Query<FileQuery>,
) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let page = page_ref(&site, &path)?;
    let Some(name) = q.name else {
        let files = blocking(cms, move |s| s.list_files(&page, Stage::Draft)).await?;
        return Ok(Json(FileList { files }).into_response());
    };
    let file = name.clone();
    let bytes = blocking(cms, move |s| s.read_file(&page, &file, Stage::Draft))
        .await?
        .ok_or_else(|| {
            Problem::not_found(format!(
                "Không có tệp `{name}` (no such file in the bundle)."
            ))
        })?;
    Ok(file_response(&name, bytes))
}

/// A bundle file's answer: its type from its extension (checked against its bytes at
/// upload), images inline, the rest as attachments, a sandbox in case it is opened.
fn file_response(name: &str, bytes: Vec<u8>) -> Response {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let mime = expected(&ext)
        .and_then(|m| m.first().copied())
        .unwrap_or("application/octet-stream");
    let inline = mime.starts_with("image/");
    let mime = if ext == "txt" || ext == "csv" {
        "text/plain; charset=utf-8"
    } else {
        mime
    };
    let disposition = match inline {
        true => "inline".to_string(),
        false => {
            let encoded =
                percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
            format!("attachment; filename*=UTF-8''{encoded}")
        }
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    let pairs = [
        (header::CONTENT_TYPE, mime.to_string()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CONTENT_SECURITY_POLICY, "sandbox".to_string()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
    ];
    for (k, v) in pairs {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    res
}

/// 400 unless `name` is a plain file name: no folder, no `..`, not hidden, no control
/// characters, at most 200 bytes, with an extension.
fn check_name(name: &str) -> Result<(), Problem> {
    let bad = name.is_empty()
        || name.len() > 200
        || name.starts_with('.')
        || name.contains(['/', '\\', ':'])
        || name.chars().any(char::is_control)
        || !name.contains('.');
    if bad {
        return Err(Problem::bad_request(format!(
            "Tên tệp không hợp lệ (invalid file name) `{}`: use a plain name such as `bao-cao.pdf`, with no folder, no leading dot and an extension.",
            name.chars().take(100).collect::<String>()
        )));
    }
    Ok(())
}

/// The MIME types the bytes of a file named `*.ext` may be; `Some(&[])` for text, whose
/// bytes have no magic number; `None` for a type not accepted.
fn expected(ext: &str) -> Option<&'static [&'static str]> {
    Some(match ext {
        "jpg" | "jpeg" => &["image/jpeg"],
        "png" => &["image/png"],
        "webp" => &["image/webp"],
        "gif" => &["image/gif"],
        "avif" => &["image/avif"],
        "pdf" => &["application/pdf"],
        "docx" => &["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
        "xlsx" => &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
        "pptx" => &["application/vnd.openxmlformats-officedocument.presentationml.presentation"],
        "odt" => &["application/vnd.oasis.opendocument.text"],
        "ods" => &["application/vnd.oasis.opendocument.spreadsheet"],
        "zip" => &["application/zip"],
        "mp4" => &["video/mp4"],
        "mp3" => &["audio/mpeg"],
        "txt" | "csv" => &[],
        _ => return None,
    })
}

/// 415 for a type not accepted (SVG and HTML may carry scripts), 422 when the bytes are not
/// of the type the name says.
fn check_bytes(name: &str, bytes: &[u8]) -> Result<(), Problem> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some(allowed) = expected(&ext) else {
        let why = if matches!(
            ext.as_str(),
            "svg" | "svgz" | "html" | "htm" | "xhtml" | "js"
        ) {
            " (it may carry scripts)"
        } else {
            ""
        };
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-type",
            "Loại tệp không được nhận (unsupported file type)",
            format!("Không nhận tệp `.{ext}`{why}: upload jpg, png, webp, gif, avif, pdf, docx, xlsx, pptx, odt, ods, zip, mp4, mp3, txt or csv."),
        ));
    };
    let found = infer::get(bytes).map(|t| t.mime_type());
    let ok = if allowed.is_empty() {
        found.is_none() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
    } else {
        found.is_some_and(|m| allowed.contains(&m))
    };
    if ok {
        return Ok(());
    }
    Err(Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "type-mismatch",
        "Nội dung tệp không khớp tên (bytes do not match the name)",
        format!(
            "Tệp `{name}` không phải là tệp .{ext} (its bytes are {}): upload the real file, or give it the right extension.",
            found.unwrap_or("not of a known type")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a.pdf", "Báo cáo 2024.docx", "x.tar.zip"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "../a.pdf",
            "a/b.pdf",
            "..",
            ".htaccess",
            "a\\b.pdf",
            "a\n.pdf",
            "noext",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bytes_must_match_the_name() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(check_bytes("a.png", png).is_ok());
        assert_eq!(check_bytes("a.pdf", png).unwrap_err().status, 422);
        assert!(check_bytes("a.pdf", b"%PDF-1.4 demo").is_ok());
        assert_eq!(check_bytes("a.svg", b"<svg/>").unwrap_err().status, 415);
        assert_eq!(check_bytes("a.exe", b"MZ").unwrap_err().status, 415);
        assert!(check_bytes("a.csv", "tên,số\nA,1\n".as_bytes()).is_ok());
        assert_eq!(check_bytes("a.csv", png).unwrap_err().status, 422);
        assert_eq!(check_bytes("a.jpg", b"<script>").unwrap_err().status, 422);
    }
}
