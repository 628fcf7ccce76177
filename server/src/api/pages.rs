//! `GET|PUT|DELETE /sites/{site}/pages/{*path}`: a page's draft, saved on its draft branch
//! with compare-and-swap on its blob id (`ETag` / `If-Match`), validated as `cms check`
//! validates before anything is written.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cms_core::store::{PageRef, Saved, Stage, Status};
use db::Action;
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::body::Body;
use super::context::{audit, author, blocking, cms, Audit};
use super::errors::{join_error, page_ref};
use super::{FieldProblem, Problem};
use crate::{Cms, State};

/// A page's text at the draft stage.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PageView {
    /// The Markdown file's text.
    pub text: String,
    /// Its blob id: the `ETag`, to send back in `If-Match`.
    pub blob: String,
    /// The commit it was read from.
    pub commit: String,
    /// `published`, `draft` or `in_review`.
    #[schema(value_type = String)]
    pub status: Status,
    /// `draft` (read from the draft branch) or `published`.
    #[schema(value_type = String)]
    pub stage: Stage,
}

/// `PUT /sites/{site}/pages/{path}`.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SaveRequest {
    /// The page's whole new text (front matter and body).
    pub text: String,
}

/// What a write made on the draft branch.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SavedView {
    /// The new commit.
    pub commit: String,
    /// The page's new blob id (the new `ETag`); absent after a delete.
    pub blob: Option<String>,
    /// The draft branch.
    pub branch: String,
}

impl From<Saved> for SavedView {
    fn from(s: Saved) -> Self {
        SavedView {
            commit: s.commit,
            blob: s.blob,
            branch: s.branch,
        }
    }
}

/// The page's draft (or its published version when it has no draft).
#[utoipa::path(get, path = "/sites/{site}/pages/{path}", tag = "pages",
    params(("site" = String, Path), ("path" = String, Path, description = "`tin-tuc/a.md`")),
    responses((status = 200, body = PageView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_page(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let page = page_ref(&site, &path)?;
    let missing = format!("sites/{site}/{path}");
    let doc = blocking(cms, move |s| s.read(&page, Stage::Draft))
        .await?
        .ok_or_else(|| Problem::not_found(format!("Không có trang {missing} (no such page).")))?;
    let etag = etag(&doc.blob);
    let body = PageView {
        text: doc.text,
        blob: doc.blob,
        commit: doc.commit,
        status: doc.status,
        stage: doc.stage,
    };
    Ok(([(header::ETAG, etag)], Json(body)).into_response())
}

/// Saves the page on its draft branch: `If-Match` its blob id, or none to create it.
#[utoipa::path(put, path = "/sites/{site}/pages/{path}", tag = "pages",
    params(("site" = String, Path), ("path" = String, Path),
        ("If-Match" = Option<String>, Header, description = "The blob id it was read at; absent to create")),
    request_body = SaveRequest,
    responses((status = 200, body = SavedView), (status = 201, body = SavedView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "Changed meanwhile: `current`, `yours`, `diff`"),
        (status = 412, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem, description = "Invalid content: `errors`, as `cms check` says")))]
pub async fn put_page(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    headers: HeaderMap,
    Body(req): Body<SaveRequest>,
) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Write)?;
    let page = page_ref(&site, &path)?;
    let if_match = if_match(&headers)?;
    validate(cms, &page, &req.text).await?;
    let who = author(&auth.actor);
    let created = if_match.is_none();
    let saved = {
        let page = page.clone();
        blocking(cms, move |s| {
            s.save(&page, &req.text, if_match.as_deref(), &who)
        })
        .await?
    };
    audit(
        cms,
        &auth.actor.audit_name(),
        Audit {
            action: "save",
            site: Some(&site),
            path: Some(&path),
            commit: Some(&saved.commit),
            detail: created.then(|| "created".to_string()),
        },
    )
    .await;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    saved_response(status, saved)
}

/// Deletes the page (and its bundle) on its draft branch; approving publishes the deletion.
#[utoipa::path(delete, path = "/sites/{site}/pages/{path}", tag = "pages",
    params(("site" = String, Path), ("path" = String, Path),
        ("If-Match" = String, Header, description = "The blob id it was read at")),
    responses((status = 200, body = SavedView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 428, body = Problem)))]
pub async fn delete_page(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Write)?;
    let page = page_ref(&site, &path)?;
    let Some(blob) = if_match(&headers)? else {
        return Err(Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "Thiếu If-Match (precondition required)",
            "Gửi `If-Match` với blob id của trang (send the page's blob id, its ETag, in If-Match).",
        ));
    };
    let who = author(&auth.actor);
    let saved = blocking(cms, move |s| s.delete(&page, &blob, &who)).await?;
    audit(
        cms,
        &auth.actor.audit_name(),
        Audit {
            action: "delete",
            site: Some(&site),
            path: Some(&path),
            commit: Some(&saved.commit),
            detail: None,
        },
    )
    .await;
    saved_response(StatusCode::OK, saved)
}

/// A write's answer, with the new `ETag`.
pub fn saved_response(status: StatusCode, saved: Saved) -> Result<Response, Problem> {
    let mut res = (status, Json(SavedView::from(saved.clone()))).into_response();
    if let Some(blob) = &saved.blob {
        if let Ok(v) = HeaderValue::from_str(&etag(blob)) {
            res.headers_mut().insert(header::ETAG, v);
        }
    }
    Ok(res)
}

/// The `ETag` of a blob id.
fn etag(blob: &str) -> String {
    format!("\"{blob}\"")
}

/// The blob id of `If-Match` (quotes taken off); 400 for `*`, a list or a weak tag.
pub fn if_match(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let v = v.to_str().unwrap_or_default().trim();
    let blob = v.trim_matches('"');
    let hex = !blob.is_empty() && blob.len() <= 64 && blob.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex {
        return Err(Problem::bad_request(format!(
            "`If-Match` phải là blob id của trang (must be the page's blob id, its ETag), not `{}`.",
            v.chars().take(80).collect::<String>()
        )));
    }
    Ok(Some(blob.to_ascii_lowercase()))
}

/// 422 with every error `cms check` would give for the page's new text; nothing is written.
/// Warnings do not stop a save.
pub async fn validate(cms: &Cms, page: &PageRef, text: &str) -> Result<(), Problem> {
    let Some(network) = cms.live.network() else {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-built",
            "Trang chưa được dựng (not built yet)",
            "Chưa có bản dựng nào để kiểm tra nội dung: thử lại sau khi trang được dựng (the site has not been built yet: try again once it is live).",
        ));
    };
    let rel = page.content_path();
    let owned = text.to_string();
    let diags = tokio::task::spawn_blocking(move || cms_core::check_page(&network, &rel, &owned))
        .await
        .map_err(join_error)?;
    let errors: Vec<FieldProblem> = diags
        .iter()
        .filter(|d| d.severity == cms_core::Severity::Error)
        .map(FieldProblem::from)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let first = errors
        .first()
        .map(|e| format!("{}:{}: {}", e.line, e.col, e.message))
        .unwrap_or_default();
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-content",
        "Nội dung không hợp lệ (invalid content)",
        format!(
            "{} lỗi, chưa lưu gì (nothing was saved): {}{first}",
            errors.len(),
            page.content_path() + ":"
        ),
    );
    problem.errors = errors;
    Err(problem)
}
