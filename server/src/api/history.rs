//! A page's history: the commits that touched it, the difference between two of them, and
//! restoring an earlier version as a new commit on its draft branch.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use cms_core::store::{PageDiff, Version};
use db::Action;
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::body::Body;
use super::context::{audit, author, blocking, cms, Audit};
use super::errors::page_ref;
use super::pages::saved_response;
use super::Problem;
use crate::State;

/// One commit that touched the page.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionView {
    /// The commit.
    pub commit: String,
    /// Author's name.
    pub author_name: String,
    /// Author's e-mail.
    pub author_email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// The commit message.
    pub message: String,
    /// The page's blob there; absent where it was deleted.
    pub blob: Option<String>,
    /// On the published branch (else on the draft branch).
    pub published: bool,
}

impl From<Version> for VersionView {
    fn from(v: Version) -> Self {
        VersionView {
            commit: v.commit,
            author_name: v.author.name,
            author_email: v.author.email,
            time: v.time,
            message: v.message,
            blob: v.blob,
            published: v.published,
        }
    }
}

/// A change of one front matter field.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChangeView {
    /// The field (`title`, `taxonomies.topics`).
    pub field: String,
    /// Before, absent when added.
    pub old: Option<String>,
    /// After, absent when removed.
    pub new: Option<String>,
}

/// The difference between two versions of a page.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DiffView {
    /// The older commit.
    pub from: String,
    /// The newer commit.
    pub to: String,
    /// Front matter fields changed.
    pub fields: Vec<FieldChangeView>,
    /// The body, as a unified diff.
    pub body: String,
}

impl From<PageDiff> for DiffView {
    fn from(d: PageDiff) -> Self {
        DiffView {
            from: d.from,
            to: d.to,
            fields: d
                .fields
                .into_iter()
                .map(|f| FieldChangeView {
                    field: f.field,
                    old: f.old,
                    new: f.new,
                })
                .collect(),
            body: d.body,
        }
    }
}

/// `?from=&to=` of a diff.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DiffQuery {
    /// The older commit.
    pub from: String,
    /// The newer commit.
    pub to: String,
}

/// `POST …/restore/{path}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RestoreRequest {
    /// The commit whose version of the page to bring back.
    #[serde(default)]
    pub commit: String,
}

/// The commits that touched the page, newest first.
#[utoipa::path(get, path = "/sites/{site}/history/{path}", tag = "history",
    params(("site" = String, Path), ("path" = String, Path)),
    responses((status = 200, body = Vec<VersionView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn history(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
) -> Result<Json<Vec<VersionView>>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let page = page_ref(&site, &path)?;
    let list = blocking(cms, move |s| s.history(&page)).await?;
    Ok(Json(list.into_iter().map(VersionView::from).collect()))
}

/// The page's difference between two commits.
#[utoipa::path(get, path = "/sites/{site}/diff/{path}", tag = "history",
    params(("site" = String, Path), ("path" = String, Path), DiffQuery),
    responses((status = 200, body = DiffView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn diff(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    query: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DiffView>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let page = page_ref(&site, &path)?;
    let Ok(Query(q)) = query else {
        return Err(Problem::bad_request(
            "Cần `from` và `to` (give the two commits: ?from=<older>&to=<newer>).",
        ));
    };
    check_commit("from", &q.from)?;
    check_commit("to", &q.to)?;
    let d = blocking(cms, move |s| s.diff(&page, &q.from, &q.to)).await?;
    Ok(Json(d.into()))
}

/// Brings back the page as it was at a commit, as a new commit on its draft branch.
#[utoipa::path(post, path = "/sites/{site}/restore/{path}", tag = "history",
    params(("site" = String, Path), ("path" = String, Path)),
    request_body = RestoreRequest,
    responses((status = 201, body = super::pages::SavedView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn restore(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    Body(req): Body<RestoreRequest>,
) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Write)?;
    let page = page_ref(&site, &path)?;
    check_commit("commit", &req.commit)?;
    let who = author(&auth.actor);
    let commit = req.commit.clone();
    let saved = blocking(cms, move |s| s.restore(&page, &commit, &who)).await?;
    let row = Audit {
        action: "restore",
        site: Some(&site),
        path: Some(&path),
        commit: Some(&saved.commit),
        detail: Some(format!("from {}", req.commit)),
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    saved_response(StatusCode::CREATED, saved)
}

/// 400 unless `value` is a commit id (4 to 64 hex digits): never a ref name or an expression
/// git would evaluate.
fn check_commit(field: &str, value: &str) -> Result<(), Problem> {
    let ok = (4..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        return Ok(());
    }
    Err(Problem::bad_request(format!(
        "`{field}` phải là mã commit (must be a commit id, hex): `{}`",
        value.chars().take(80).collect::<String>()
    )))
}
