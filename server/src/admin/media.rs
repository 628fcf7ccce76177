//! `GET|POST /admin/sites/{site}/media/{*path}`: the files of a page's bundle (pages named
//! `…/index.md` only: a single-file page has no folder for them) and an upload form that
//! works without JavaScript (multipart; `media.js` only adds drag and drop onto it).
//!
//! Alt text lives in the page's Markdown, where the site renders it: an image is only
//! accepted with its alt text, and by default `![alt](name)` is added at the end of the draft
//! in the same step. The file list reads the page's Markdown images back, so each file shows
//! the alt text it is used with and the Markdown to reuse it; a file not yet used says so.

use axum::body::{Body, Bytes};
use axum::extract::{Multipart, Path, Query};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use super::cx::{Answer, Cx};
use super::media_text::{alt_of, markdown_for, IMAGE_EXTENSIONS};
use super::page_info::{api_path, enc, page_url};
use crate::api::{FileList, PageView, Problem, SaveRequest, SessionView};

/// The most a multipart upload may hold: the API's limit and room for the form's other fields;
/// anything between is refused by the API with its own 413.
pub const FORM_LIMIT: usize = crate::api::UPLOAD_LIMIT + 64 * 1024;

/// `?uploaded=&alt=&inserted=` after an upload.
#[derive(Debug, Default, Deserialize)]
pub struct Uploaded {
    #[serde(default)]
    uploaded: Option<String>,
    #[serde(default)]
    alt: String,
    #[serde(default)]
    inserted: Option<String>,
}

/// One file of the bundle.
#[derive(Debug, Serialize)]
struct FileRow {
    name: String,
    image: bool,
    /// The alt text the page's Markdown gives it, if the page uses it.
    alt: Option<String>,
    /// The Markdown that inserts it.
    markdown: String,
    /// Where the browser reads it (`GET /api/v1/sites/…/files/…?name=`).
    src: String,
}

/// The upload form as typed, and the messages beside its fields.
#[derive(Debug, Default, Serialize)]
struct FormState {
    alt: String,
    alt_error: Option<String>,
    file_error: Option<String>,
    insert: bool,
}

/// What was just uploaded.
#[derive(Debug, Serialize)]
struct Done {
    name: String,
    markdown: String,
    inserted: bool,
}

/// What the media page shows.
#[derive(Debug, Serialize)]
struct MediaPage {
    site: String,
    path: String,
    url: String,
    /// Whether the page has a bundle (`…/index.md`).
    bundle: bool,
    files: Vec<FileRow>,
    done: Option<Done>,
    form: FormState,
}

/// Whether `path` names a page with a bundle (as the store decides: `index.md` in a folder).
fn has_bundle(path: &str) -> bool {
    path.strip_suffix("index.md")
        .is_some_and(|d| d.is_empty() || d.ends_with('/'))
}

/// `GET /admin/sites/{site}/media/{*path}`.
pub async fn show(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Query(q): Query<Uploaded>,
) -> Answer {
    let session = cx.session().await?;
    let done = q.uploaded.map(|name| Done {
        markdown: markdown_for(&name, &q.alt),
        name,
        inserted: q.inserted.is_some(),
    });
    let form = FormState {
        insert: true,
        ..FormState::default()
    };
    render(&cx, &session, &site, &path, done, form, None).await
}

/// Gathers and renders the media page.
async fn render(
    cx: &Cx,
    session: &SessionView,
    site: &str,
    path: &str,
    done: Option<Done>,
    form: FormState,
    problem: Option<Problem>,
) -> Answer {
    let list: FileList = cx
        .api
        .get(&api_path("files", site, path))
        .await
        .map_err(|p| cx.fail(Some(session), p))?;
    let text = page_text(cx, site, path).await.unwrap_or_default();
    let files = list
        .files
        .into_iter()
        .map(|name| {
            let alt = alt_of(&text, &name);
            FileRow {
                image: is_image(&name),
                markdown: markdown_for(&name, alt.as_deref().unwrap_or_default()),
                src: format!(
                    "/api/v1{}?name={}",
                    api_path("files", site, path),
                    enc(&name)
                ),
                alt,
                name,
            }
        })
        .collect();
    let status = problem
        .as_ref()
        .and_then(|p| StatusCode::from_u16(p.status).ok())
        .unwrap_or(StatusCode::OK);
    let v = MediaPage {
        site: site.to_string(),
        path: path.to_string(),
        url: page_url(path),
        bundle: has_bundle(path),
        files,
        done,
        form,
    };
    let title = format!("{}: {path}", cx.s("media_title"));
    cx.page_with(
        status,
        "media.html",
        &title,
        Some(session),
        problem.as_ref(),
        &v,
    )
}

/// Whether a file name is an image's (alt text required).
fn is_image(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| IMAGE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// The page's text at the draft stage, if it can be read.
async fn page_text(cx: &Cx, site: &str, path: &str) -> Option<String> {
    let page: PageView = cx.api.get(&api_path("pages", site, path)).await.ok()?;
    Some(page.text)
}

/// The upload form's fields, read from the multipart body.
#[derive(Debug, Default)]
struct UploadForm {
    csrf: String,
    alt: String,
    insert: bool,
    name: String,
    bytes: Bytes,
}

/// Reads the multipart form; a problem (413 for too much) when it cannot be read.
async fn read_form(mut mp: Multipart) -> Result<UploadForm, Problem> {
    let mut f = UploadForm::default();
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return crate::api::too_large(crate::api::UPLOAD_LIMIT);
        }
        Problem::new(
            status,
            "bad-form",
            "Biểu mẫu không đọc được (unreadable form)",
            e.body_text(),
        )
    };
    while let Some(field) = mp.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "csrf" => f.csrf = field.text().await.map_err(unreadable)?,
            "alt" => f.alt = field.text().await.map_err(unreadable)?,
            "insert" => f.insert = true,
            "file" => {
                f.name = field.file_name().unwrap_or_default().to_string();
                f.bytes = field.bytes().await.map_err(unreadable)?;
            }
            _ => {}
        }
    }
    Ok(f)
}

/// `POST /admin/sites/{site}/media/{*path}` (multipart: `csrf`, `file`, `alt`, `insert`):
/// uploads through `POST /api/v1/sites/{site}/files/{path}?name=`, then (with `insert`)
/// appends `![alt](name)` to the draft; back to the media page (303) with the Markdown shown.
pub async fn upload(cx: Cx, Path((site, path)): Path<(String, String)>, mp: Multipart) -> Answer {
    let session = cx.session().await?;
    let f = match read_form(mp).await {
        Ok(f) => f,
        Err(p) => {
            let form = FormState {
                file_error: Some(p.detail.clone()),
                insert: true,
                ..FormState::default()
            };
            return render(&cx, &session, &site, &path, None, form, Some(p)).await;
        }
    };
    let alt = f.alt.trim().to_string();
    let mut form = FormState {
        alt: f.alt.clone(),
        insert: f.insert,
        ..FormState::default()
    };
    if f.name.is_empty() || f.bytes.is_empty() {
        form.file_error = Some(cx.s("media_file_required"));
    } else if is_image(&f.name) && alt.is_empty() {
        form.alt_error = Some(cx.s("media_alt_required"));
    }
    if form.file_error.is_some() || form.alt_error.is_some() {
        let p = Problem::bad_request(cx.s("media_refused"));
        return render(&cx, &session, &site, &path, None, form, Some(p)).await;
    }
    let api = cx.api.with_csrf(&f.csrf);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let uri = format!("{}?name={}", api_path("files", &site, &path), enc(&f.name));
    let reply = api
        .raw(Method::POST, &uri, headers, Body::from(f.bytes))
        .await
        .map_err(|p| cx.fail(Some(&session), p))?;
    if !reply.status.is_success() {
        let p = reply.problem();
        if matches!(p.status, 401 | 403 | 404) {
            return Err(cx.fail(Some(&session), p));
        }
        form.file_error = Some(p.detail.clone());
        return render(&cx, &session, &site, &path, None, form, Some(p)).await;
    }
    let mut inserted = false;
    if f.insert {
        if let Err(p) = insert(&cx, &site, &path, &f.csrf, &f.name, &alt).await {
            let done = Done {
                markdown: markdown_for(&f.name, &alt),
                name: f.name,
                inserted: false,
            };
            return render(&cx, &session, &site, &path, Some(done), form, Some(p)).await;
        }
        inserted = true;
    }
    let to = format!(
        "/admin/sites/{}/media/{}?uploaded={}&alt={}{}",
        enc(&site),
        page_url(&path),
        enc(&f.name),
        enc(&alt),
        if inserted { "&inserted=1" } else { "" }
    );
    Ok(Redirect::to(&to).into_response())
}

/// Appends the file's Markdown to the page's draft (a save with `If-Match`, so a change made
/// meanwhile is not overwritten: 409, shown).
async fn insert(
    cx: &Cx,
    site: &str,
    path: &str,
    csrf: &str,
    name: &str,
    alt: &str,
) -> Result<(), Problem> {
    let page: PageView = cx.api.get(&api_path("pages", site, path)).await?;
    let mut text = page.text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&markdown_for(name, alt));
    text.push('\n');
    let reply = cx
        .api
        .with_csrf(csrf)
        .call(
            Method::PUT,
            &api_path("pages", site, path),
            Some(&SaveRequest { text }),
            Some(&page.blob),
        )
        .await?;
    match reply.status.is_success() {
        true => Ok(()),
        false => Err(reply.problem()),
    }
}
