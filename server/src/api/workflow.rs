//! The editorial workflow: `POST /sites/{site}/{submit|approve|reject}/{*path}`, the drafts
//! of a site, the review queue, reviewers' comments. Scheduling is in [`super::schedule`].

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::Json;
use cms_core::store::{Draft, Status};
use db::{Action, Comment};
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::body::Body;
use super::context::{audit, author, blocking, cms, Audit};
use super::draft_summary::{mark_published, summarized};
use super::errors::page_ref;
use super::schedule::{publish_with_fields, Published, ScheduleRequest};
use super::Problem;
use crate::State;

/// A draft: a page's change not yet published.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftView {
    /// The site.
    pub site: String,
    /// The page inside the site.
    pub path: String,
    /// The draft branch's head.
    pub head: String,
    /// The published commit it started from.
    pub base: String,
    /// Author of the last change.
    pub author_name: String,
    /// Their e-mail.
    pub author_email: String,
    /// Time of the last change, seconds since the epoch.
    pub time: i64,
    /// Message of the last change.
    pub message: String,
    /// `draft` or `in_review`.
    #[schema(value_type = String)]
    pub status: Status,
    /// The commit submitted for review.
    pub submitted: Option<String>,
    /// The page's title as the draft writes it (for a deletion, the published page's); empty
    /// when its front matter does not parse. Filled in the lists (`/sites/{site}/drafts`,
    /// `/review`), empty in the answers of submit and reject.
    #[serde(default)]
    pub title: String,
    /// Its content kind: its own `kind`, else its section's, else `page`; `section` for an
    /// `_index.md`. Empty when the front matter does not parse.
    #[serde(default)]
    pub kind: String,
    /// Its language (from a `.en.md` suffix, else the network's default).
    #[serde(default)]
    pub lang: String,
    /// Its `date` as written (`2024-05-01`, `2024-05-01T08:30:00`).
    #[serde(default)]
    pub date: Option<String>,
    /// The draft deletes the page.
    #[serde(default)]
    pub deleted: bool,
    /// The page is published: in the site's live build (what the read API lists).
    #[serde(default)]
    pub published: bool,
    /// Why the front matter could not be read (`cms check`'s message), if it could not.
    #[serde(default)]
    pub error: Option<String>,
}

impl From<Draft> for DraftView {
    fn from(d: Draft) -> Self {
        DraftView {
            site: d.page.site,
            path: d.page.path,
            head: d.head,
            base: d.base,
            author_name: d.author.name,
            author_email: d.author.email,
            time: d.time,
            message: d.message,
            status: d.status,
            submitted: d.submitted,
            title: String::new(),
            kind: String::new(),
            lang: String::new(),
            date: None,
            deleted: false,
            published: false,
            error: None,
        }
    }
}

/// `POST …/reject/{path}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RejectRequest {
    /// What the editor should change.
    #[serde(default)]
    pub comment: String,
}

/// `POST …/approve/{path}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ApproveRequest {
    /// Publish, but show the page from then on (Vietnam time, as `date`): written into the
    /// page's front matter.
    #[serde(default)]
    pub publish_at: Option<String>,
}

/// A reviewer's comment.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommentView {
    /// Seconds since the epoch.
    pub time: i64,
    /// The reviewer.
    pub author: String,
    /// The text.
    pub text: String,
}

/// Submits the page's draft for review.
#[utoipa::path(post, path = "/sites/{site}/submit/{path}", tag = "workflow",
    params(("site" = String, Path), ("path" = String, Path)),
    responses((status = 200, body = DraftView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn submit(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
) -> Result<Json<DraftView>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Write)?;
    let page = page_ref(&site, &path)?;
    let draft = blocking(cms, move |s| s.submit(&page)).await?;
    let row = Audit {
        action: "submit",
        site: Some(&site),
        path: Some(&path),
        commit: Some(&draft.head),
        detail: None,
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    Ok(Json(draft.into()))
}

/// Publishes the page's draft in review (merges it into the published branch); with
/// `publish_at`, writes it into the page first, so the page shows from then on.
#[utoipa::path(post, path = "/sites/{site}/approve/{path}", tag = "workflow",
    params(("site" = String, Path), ("path" = String, Path)),
    request_body(content = Option<ApproveRequest>),
    responses((status = 200, body = Published), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    Body(req): Body<ApproveRequest>,
) -> Result<Json<Published>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Publish)?;
    let page = page_ref(&site, &path)?;
    let published = match req.publish_at {
        Some(at) => {
            let fields = ScheduleRequest {
                publish_at: Some(at),
                unpublish_at: None,
            };
            publish_with_fields(cms, &auth.actor, page, &fields, true).await?
        }
        None => {
            let who = author(&auth.actor);
            let merged = blocking(cms, move |s| s.publish(&page, &who)).await?;
            cms.live.nudge();
            Published {
                commit: merged.commit,
                saved: None,
            }
        }
    };
    let row = Audit {
        action: "approve",
        site: Some(&site),
        path: Some(&path),
        commit: Some(&published.commit),
        detail: None,
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    Ok(Json(published))
}

/// Sends the draft in review back to its editor, with a comment.
#[utoipa::path(post, path = "/sites/{site}/reject/{path}", tag = "workflow",
    params(("site" = String, Path), ("path" = String, Path)),
    request_body = RejectRequest,
    responses((status = 200, body = DraftView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn reject(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    Body(req): Body<RejectRequest>,
) -> Result<Json<DraftView>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Publish)?;
    let page = page_ref(&site, &path)?;
    let comment = req.comment.trim().to_string();
    if comment.is_empty() {
        return Err(Problem::bad_request(
            "Hãy ghi lý do trả lại (`comment` is required: tell the editor what to change).",
        ));
    }
    let draft = blocking(cms, move |s| s.reject(&page)).await?;
    cms.db
        .add_comment(Comment {
            time: 0,
            author: auth.actor.user.login.clone(),
            site: site.clone(),
            path: path.clone(),
            text: comment.clone(),
        })
        .await?;
    let row = Audit {
        action: "reject",
        site: Some(&site),
        path: Some(&path),
        commit: Some(&draft.head),
        detail: Some(comment),
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    Ok(Json(draft.into()))
}

/// The drafts of a site.
#[utoipa::path(get, path = "/sites/{site}/drafts", tag = "workflow",
    params(("site" = String, Path)),
    responses((status = 200, body = Vec<DraftView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn drafts(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path(site): Path<String>,
) -> Result<Json<Vec<DraftView>>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let network = cms.live.network();
    let st = state.clone();
    let list = blocking(cms, move |s| {
        let drafts = s.drafts(Some(&site))?;
        let texts = st.draft_texts.of(s, &drafts)?;
        Ok(summarized(network.as_deref(), drafts, texts))
    })
    .await?;
    Ok(Json(mark_published(&state, list)))
}

/// The drafts in review on the sites the actor may publish.
#[utoipa::path(get, path = "/review", tag = "workflow",
    responses((status = 200, body = Vec<DraftView>), (status = 401, body = Problem)))]
pub async fn review(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
) -> Result<Json<Vec<DraftView>>, Problem> {
    let cms = cms(&state)?;
    let network = cms.live.network();
    let actor = auth.actor.clone();
    let st = state.clone();
    let queue = blocking(cms, move |s| {
        let mut drafts = s.drafts(None)?;
        drafts.retain(|d| d.status == Status::InReview && actor.can(&d.page.site, Action::Publish));
        let texts = st.draft_texts.of(s, &drafts)?;
        Ok(summarized(network.as_deref(), drafts, texts))
    })
    .await?;
    Ok(Json(mark_published(&state, queue)))
}

/// Reviewers' comments on a page, oldest first.
#[utoipa::path(get, path = "/sites/{site}/comments/{path}", tag = "workflow",
    params(("site" = String, Path), ("path" = String, Path)),
    responses((status = 200, body = Vec<CommentView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn comments(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
) -> Result<Json<Vec<CommentView>>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let page = page_ref(&site, &path)?;
    let list = cms.db.comments(&page.site, &page.path).await?;
    Ok(Json(
        list.into_iter()
            .map(|c| CommentView {
                time: c.time,
                author: c.author,
                text: c.text,
            })
            .collect(),
    ))
}
