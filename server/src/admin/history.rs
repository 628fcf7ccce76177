//! `GET|POST /admin/sites/{site}/history/{*path}`: every version of a page (published and on
//! its draft branch) with author and time, the difference between any two chosen with two
//! radio groups (a GET form, so it works without JavaScript), and "restore this version" (a
//! POST form, asked to confirm), which the API makes a new commit on the draft branch.

use axum::extract::{Path, Query};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::{Deserialize, Serialize};

use super::cx::{Answer, Cx};
use super::diff::Shown;
use super::page_info::{self, api_path, enc, page_url};
use crate::api::{CommentView, DiffView, Problem, SavedView, SessionView, VersionView};

/// `?from=&to=` (the two versions compared) and `?restored=` (after a restore).
#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    restored: Option<String>,
}

/// The restore form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    commit: String,
}

/// What the history page shows.
#[derive(Debug, Serialize)]
struct HistoryPage {
    site: String,
    path: String,
    /// `path`, percent-encoded for links.
    url: String,
    versions: Vec<VersionView>,
    /// The versions compared.
    from: String,
    to: String,
    diff: Option<Shown>,
    comments: Vec<CommentView>,
    /// The commit a restore just made.
    restored: Option<String>,
}

/// `GET /admin/sites/{site}/history/{*path}`.
pub async fn show(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Query(q): Query<HistoryQuery>,
) -> Answer {
    let session = cx.session().await?;
    render(&cx, &session, &site, &path, q, None).await
}

/// Gathers and renders the history page, with the problem of a refused restore if any.
async fn render(
    cx: &Cx,
    session: &SessionView,
    site: &str,
    path: &str,
    q: HistoryQuery,
    refused: Option<Problem>,
) -> Answer {
    let versions: Vec<VersionView> = cx
        .api
        .get(&api_path("history", site, path))
        .await
        .map_err(|p| cx.fail(Some(session), p))?;
    let comments = page_info::comments(cx, session, site, path).await?;
    // By default the last change: the newest version against the one before.
    let to =
        q.to.filter(|s| !s.is_empty())
            .or_else(|| versions.first().map(|v| v.commit.clone()))
            .unwrap_or_default();
    let from = q
        .from
        .filter(|s| !s.is_empty())
        .or_else(|| versions.get(1).map(|v| v.commit.clone()))
        .unwrap_or_default();
    let mut problem = refused;
    let diff = if from.is_empty() || to.is_empty() {
        None
    } else {
        let uri = format!(
            "{}?from={}&to={}",
            api_path("diff", site, path),
            enc(&from),
            enc(&to)
        );
        match cx.api.get::<DiffView>(&uri).await {
            Ok(d) => Some(Shown::from(d)),
            Err(p) if p.status == 401 || p.status == 403 => return Err(cx.fail(Some(session), p)),
            Err(p) => {
                problem.get_or_insert(p);
                None
            }
        }
    };
    let status = problem
        .as_ref()
        .and_then(|p| StatusCode::from_u16(p.status).ok())
        .unwrap_or(StatusCode::OK);
    let v = HistoryPage {
        site: site.to_string(),
        path: path.to_string(),
        url: page_url(path),
        versions,
        from,
        to,
        diff,
        comments,
        restored: q.restored,
    };
    let title = format!("{}: {path}", cx.s("history_title"));
    cx.page_with(
        status,
        "history.html",
        &title,
        Some(session),
        problem.as_ref(),
        &v,
    )
}

/// `POST /admin/sites/{site}/history/{*path}`: restores the version `commit` (a new commit on
/// the draft branch), then the history again with a notice (303).
pub async fn restore(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Form(f): Form<RestoreForm>,
) -> Answer {
    let session = cx.session().await?;
    #[derive(Serialize)]
    struct Restore<'a> {
        commit: &'a str,
    }
    let reply = cx
        .api
        .with_csrf(&f.csrf)
        .call(
            Method::POST,
            &api_path("restore", &site, &path),
            Some(&Restore { commit: &f.commit }),
            None,
        )
        .await
        .map_err(|p| cx.fail(Some(&session), p))?;
    if reply.status.is_success() {
        let saved: SavedView = reply.json().map_err(|p| cx.fail(Some(&session), p))?;
        let to = format!(
            "/admin/sites/{}/history/{}?restored={}",
            enc(&site),
            page_url(&path),
            enc(&saved.commit)
        );
        return Ok(Redirect::to(&to).into_response());
    }
    let problem = reply.problem();
    if matches!(problem.status, 401 | 403) {
        return Err(cx.fail(Some(&session), problem));
    }
    render(
        &cx,
        &session,
        &site,
        &path,
        HistoryQuery::default(),
        Some(problem),
    )
    .await
}
