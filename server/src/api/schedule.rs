//! Scheduled publishing: `POST /sites/{site}/schedule/{*path}` writes `publish_at` and
//! `unpublish_at` into the page's front matter (a commit by the approver on its draft branch)
//! and publishes it; `cms serve --content` rebuilds at the minute those times pass. Approving
//! with `publish_at` does the same.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::Json;
use cms_core::store::{PageRef, Stage, Status, StoreError};
use db::{Action, Actor};
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::body::Body;
use super::context::{audit, author, blocking, cms, Audit};
use super::errors::page_ref;
use super::front_matter_edit::set_field;
use super::pages::validate;
use super::Problem;
use crate::{Cms, State};

/// `POST …/schedule/{path}`: each field given is set (`""` removes it); those absent stay.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ScheduleRequest {
    /// Show the page from then on (Vietnam time: `2026-12-08T09:00`).
    #[serde(default)]
    pub publish_at: Option<String>,
    /// Take the page down then.
    #[serde(default)]
    pub unpublish_at: Option<String>,
}

/// What a publish made.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Published {
    /// The commit now at the head of the published branch.
    pub commit: String,
    /// The commit on the draft branch that wrote the schedule into the page, if one was made.
    pub saved: Option<String>,
}

/// Writes the schedule into the page and publishes it.
#[utoipa::path(post, path = "/sites/{site}/schedule/{path}", tag = "workflow",
    params(("site" = String, Path), ("path" = String, Path)),
    request_body = ScheduleRequest,
    responses((status = 200, body = Published), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn schedule(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, path)): Path<(String, String)>,
    Body(req): Body<ScheduleRequest>,
) -> Result<Json<Published>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::Publish)?;
    let page = page_ref(&site, &path)?;
    if req.publish_at.is_none() && req.unpublish_at.is_none() {
        return Err(Problem::bad_request(
            "Hãy cho `publish_at` hoặc `unpublish_at` (give publish_at or unpublish_at; \"\" removes one).",
        ));
    }
    let detail = format!(
        "publish_at={} unpublish_at={}",
        req.publish_at.as_deref().unwrap_or("-"),
        req.unpublish_at.as_deref().unwrap_or("-")
    );
    let published = publish_with_fields(cms, &auth.actor, page, &req, false).await?;
    let row = Audit {
        action: "schedule",
        site: Some(&site),
        path: Some(&path),
        commit: Some(&published.commit),
        detail: Some(detail),
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    Ok(Json(published))
}

/// A date-time as the front matter takes it (`2026-12-08T09:00:00`), `None` to remove the
/// field; 400 for what is not a date.
fn field_value(field: &str, value: &str) -> Result<Option<String>, Problem> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    cms_core::parse_date(value)
        .map(|d| Some(cms_core::format_date_iso(&d)))
        .ok_or_else(|| {
            Problem::bad_request(format!(
                "`{field}`: `{}` không phải ngày giờ (not a date): write it as 2026-12-08T09:00, Vietnam time.",
                value.chars().take(60).collect::<String>()
            ))
        })
}

/// Sets the fields of `req` in the page (its draft in review when `in_review`, else its
/// draft or its published version), saves that as the approver, and publishes it.
///
/// A page with a draft that is not in review is refused: publishing it would put an editor's
/// unfinished work live.
pub async fn publish_with_fields(
    cms: &Cms,
    actor: &Actor,
    page: PageRef,
    req: &ScheduleRequest,
    in_review: bool,
) -> Result<Published, Problem> {
    let mut fields = Vec::new();
    for (key, value) in [
        ("publish_at", &req.publish_at),
        ("unpublish_at", &req.unpublish_at),
    ] {
        if let Some(v) = value {
            fields.push((key, field_value(key, v)?));
        }
    }
    let p = page.clone();
    let (doc, draft) = blocking(cms, move |s| {
        let draft = s.draft(&p)?;
        let doc = s.read(&p, Stage::Draft)?;
        Ok((doc, draft))
    })
    .await?;
    let status = draft.as_ref().map(|d| d.status);
    let refusal = match (in_review, status) {
        (true, Some(Status::InReview)) | (false, None | Some(Status::InReview)) => None,
        (true, _) => Some("nothing of it is in review: submit it first"),
        (false, _) => Some(
            "it has a draft not submitted for review: submit it, then approve it with `publish_at`",
        ),
    };
    if let Some(why) = refusal {
        return Err(StoreError::Workflow(format!("{}: {why}", page.content_path())).into());
    }
    let doc = doc.ok_or_else(|| StoreError::NotFound(page.content_path()))?;
    let mut text = doc.text.clone();
    for (key, value) in &fields {
        text = set_field(&text, key, value.as_deref());
    }
    validate(cms, &page, &text).await?;
    let who = author(actor);
    let had_draft = draft.is_some();
    let (saved, merged) = blocking(cms, move |s| {
        let saved = if text != doc.text {
            let saved = s.save(&page, &text, Some(&doc.blob), &who)?;
            s.submit(&page)?;
            Some(saved.commit)
        } else {
            None
        };
        if saved.is_none() && !had_draft {
            // The same schedule again, and nothing else to publish.
            return Ok((None, s.published_commit()?));
        }
        Ok((saved, s.publish(&page, &who)?.commit))
    })
    .await?;
    cms.live.nudge();
    Ok(Published {
        commit: merged,
        saved,
    })
}

/// A published page with a publishing window still ahead.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScheduledView {
    /// The site.
    pub site: String,
    /// The page inside the site (`tin-tuc/a.md`).
    pub path: String,
    /// Shown from then on (Vietnam time, `2026-12-08T09:00:00`), when that is still ahead.
    pub publish_at: Option<String>,
    /// Taken down then, when that is still ahead.
    pub unpublish_at: Option<String>,
}

/// The site's published pages whose `publish_at` or `unpublish_at` is still ahead (in the
/// live network), soonest first.
#[utoipa::path(get, path = "/sites/{site}/scheduled", tag = "workflow",
    params(("site" = String, Path)),
    responses((status = 200, body = Vec<ScheduledView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn scheduled(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path(site): Path<String>,
) -> Result<Json<Vec<ScheduledView>>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ReadDrafts)?;
    let Some(network) = cms.live.network() else {
        return Ok(Json(Vec::new()));
    };
    let now = cms_core::build_now().unwrap_or(network.now);
    let prefix = format!("sites/{site}/");
    let ahead = |t: Option<chrono::NaiveDateTime>| t.filter(|t| *t > now);
    let mut list: Vec<(chrono::NaiveDateTime, ScheduledView)> = network
        .scheduled
        .iter()
        .filter_map(|s| {
            let path = s.file.strip_prefix(&prefix)?;
            let (from, to) = (ahead(s.publish_at), ahead(s.unpublish_at));
            let soonest = from.into_iter().chain(to).min()?;
            let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
            Some((
                soonest,
                ScheduledView {
                    site: site.clone(),
                    path: path.to_string(),
                    publish_at: from.map(fmt),
                    unpublish_at: to.map(fmt),
                },
            ))
        })
        .collect();
    list.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
    Ok(Json(list.into_iter().map(|(_, v)| v).collect()))
}
