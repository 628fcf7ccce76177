//! The approver's pages: `GET /admin/review` (the queue of the sites the user may approve) and
//! `GET|POST /admin/sites/{site}/review/{*path}` (one change: its fields and text compared
//! with what is published, both rendered side by side in sandboxed frames (their HTML is never
//! part of the admin page), the reviewers' comments, and the forms
//! to approve now, approve at a time, or send back with a comment). Everything through the API:
//! it decides who may see and do what.

use axum::extract::{Path, Query};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::{Deserialize, Serialize};

use super::cx::{Answer, Cx};
use super::diff::Shown;
use super::page_info::{self as pages, api_path, page_url};
use crate::api::{CommentView, DiffView, DraftView, Problem, Published, SessionView, VersionView};

/// `GET /admin/review`.
#[derive(Debug, Serialize)]
struct Queue {
    drafts: Vec<Queued>,
}

/// A change waiting in the queue.
#[derive(Debug, Serialize)]
struct Queued {
    draft: DraftView,
    /// The page's path, percent-encoded for links.
    url: String,
}

/// `GET /admin/review`: the drafts in review on the sites the user may approve.
pub async fn queue(cx: Cx) -> Answer {
    let session = cx.session().await?;
    let list: Vec<DraftView> = cx
        .api
        .get("/review")
        .await
        .map_err(|p| cx.fail(Some(&session), p))?;
    let drafts = list
        .into_iter()
        .map(|d| Queued {
            url: page_url(&d.path),
            draft: d,
        })
        .collect();
    let title = cx.s("review_queue_title");
    cx.page(
        "review_queue.html",
        &title,
        Some(&session),
        &Queue { drafts },
    )
}

/// The review forms' fields (one form per action; `action` names it).
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    publish_at: String,
    #[serde(default)]
    comment: String,
}

/// What the forms show again after a refusal: the values typed and the message per field.
#[derive(Debug, Default, Serialize)]
struct FormState {
    publish_at: String,
    publish_at_error: Option<String>,
    comment: String,
    comment_error: Option<String>,
}

/// `?approved=<commit>` or `?rejected=1` after an action (the page it redirects to).
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    approved: Option<String>,
    #[serde(default)]
    rejected: Option<String>,
}

/// What was just done, said at the top of the page.
#[derive(Debug, Serialize)]
struct Notice {
    /// `approved` or `rejected`.
    kind: &'static str,
    /// The published branch's new head.
    commit: Option<String>,
    /// The page on its site, when the site's address is known.
    live_url: Option<String>,
}

/// `GET /admin/sites/{site}/review/{*path}`.
#[derive(Debug, Serialize)]
struct ReviewPage {
    site: String,
    path: String,
    /// `path`, percent-encoded for links.
    url: String,
    /// The draft, when the page has one.
    draft: Option<DraftView>,
    in_review: bool,
    /// Whether the user may approve here (the forms are shown; the API decides anyway).
    can_approve: bool,
    /// Published (or the draft's base) → the draft.
    diff: Option<Shown>,
    /// The published version rendered in the site's theme: a sandboxed frame's `srcdoc`.
    published_html: Option<String>,
    /// The draft rendered in the site's theme: a sandboxed frame's `srcdoc`.
    draft_html: Option<String>,
    comments: Vec<CommentView>,
    notice: Option<Notice>,
    form: FormState,
}

/// `GET /admin/sites/{site}/review/{*path}`.
pub async fn show(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Answer {
    let session = cx.session().await?;
    let notice = match (done.approved, done.rejected) {
        (Some(commit), _) => Some(Notice {
            kind: "approved",
            live_url: live_url(&cx, &site, &path).await,
            commit: Some(commit),
        }),
        (None, Some(_)) => Some(Notice {
            kind: "rejected",
            commit: None,
            live_url: None,
        }),
        (None, None) => None,
    };
    let shown = How {
        status: StatusCode::OK,
        problem: None,
        form: FormState::default(),
        notice,
    };
    render(&cx, &session, &site, &path, shown).await
}

/// How [`render`] shows the page: after a refusal, with its status, problem and the form.
struct How {
    status: StatusCode,
    problem: Option<Problem>,
    form: FormState,
    notice: Option<Notice>,
}

/// `POST /admin/sites/{site}/review/{*path}`: approve (now or at `publish_at`) or send back
/// with a comment; then back to the review page with a notice (303), or the page again with
/// the refusal beside its field.
pub async fn act(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Form(f): Form<ActionForm>,
) -> Answer {
    let session = cx.session().await?;
    let api = cx.api.with_csrf(&f.csrf);
    let mut form = FormState {
        publish_at: f.publish_at.clone(),
        comment: f.comment.clone(),
        ..FormState::default()
    };
    let reply = match f.action.as_str() {
        "approve" | "schedule" => {
            let publish_at = f.publish_at.trim();
            if f.action == "schedule" && publish_at.is_empty() {
                form.publish_at_error = Some(cx.s("review_publish_at_required"));
                return refuse(&cx, &session, &site, &path, form, None).await;
            }
            #[derive(Serialize)]
            struct Approve<'a> {
                #[serde(skip_serializing_if = "Option::is_none")]
                publish_at: Option<&'a str>,
            }
            let body = Approve {
                publish_at: (f.action == "schedule").then_some(publish_at),
            };
            let path_ = api_path("approve", &site, &path);
            api.call(Method::POST, &path_, Some(&body), None).await
        }
        "reject" => {
            if f.comment.trim().is_empty() {
                form.comment_error = Some(cx.s("review_comment_required"));
                return refuse(&cx, &session, &site, &path, form, None).await;
            }
            #[derive(Serialize)]
            struct Reject<'a> {
                comment: &'a str,
            }
            let body = Reject {
                comment: f.comment.trim(),
            };
            let path_ = api_path("reject", &site, &path);
            api.call(Method::POST, &path_, Some(&body), None).await
        }
        _ => Err(Problem::bad_request(
            "Thao tác không rõ (unknown action): approve, schedule or reject.",
        )),
    };
    let reply = reply.map_err(|p| cx.fail(Some(&session), p))?;
    let here = format!("/admin/sites/{site}/review/{}", page_url(&path));
    if reply.status.is_success() {
        let to = match f.action.as_str() {
            "reject" => format!("{here}?rejected=1"),
            _ => {
                let commit = reply
                    .json::<Published>()
                    .map(|p| p.commit)
                    .unwrap_or_default();
                format!("{here}?approved={}", pages::enc(&commit))
            }
        };
        return Ok(Redirect::to(&to).into_response());
    }
    let problem = reply.problem();
    if matches!(problem.status, 401 | 403 | 404) {
        return Err(cx.fail(Some(&session), problem));
    }
    // The API's own refusal of a field (a bad date, a missing comment) goes beside it.
    match f.action.as_str() {
        "reject" => form.comment_error = Some(problem.detail.clone()),
        "schedule" if problem.status == 400 => form.publish_at_error = Some(problem.detail.clone()),
        _ => {}
    }
    refuse(&cx, &session, &site, &path, form, Some(problem)).await
}

/// The review page again with the form as typed and why it was refused.
async fn refuse(
    cx: &Cx,
    session: &SessionView,
    site: &str,
    path: &str,
    form: FormState,
    problem: Option<Problem>,
) -> Answer {
    let status = problem
        .as_ref()
        .and_then(|p| StatusCode::from_u16(p.status).ok())
        .unwrap_or(StatusCode::BAD_REQUEST);
    let shown = How {
        status,
        problem,
        form,
        notice: None,
    };
    render(cx, session, site, path, shown).await
}

/// Gathers and renders the review page.
async fn render(cx: &Cx, session: &SessionView, site: &str, path: &str, how: How) -> Answer {
    let fail = |p: Problem| cx.fail(Some(session), p);
    // The site's drafts: 403 here for a user of another agency, before anything else is read.
    let drafts: Vec<DraftView> = cx
        .api
        .get(&format!("/sites/{site}/drafts"))
        .await
        .map_err(fail)?;
    let draft = drafts.into_iter().find(|d| d.path == path);
    let comments = pages::comments(cx, session, site, path).await?;
    let in_review = draft
        .as_ref()
        .is_some_and(|d| d.status == cms_core::store::Status::InReview);
    let (diff, draft_html, published_html) = match &draft {
        Some(d) => (
            change(cx, site, path, d).await,
            // A deletion has nothing to render.
            match d.deleted {
                true => None,
                false => pages::preview(cx, site, path, "draft").await,
            },
            pages::preview(cx, site, path, "published").await,
        ),
        None => (None, None, None),
    };
    let v = ReviewPage {
        site: site.to_string(),
        path: path.to_string(),
        url: page_url(path),
        in_review,
        can_approve: pages::can_approve(session, site),
        draft,
        diff,
        published_html,
        draft_html,
        comments,
        notice: how.notice,
        form: how.form,
    };
    let title = format!("{}: {path}", cx.s("review_title"));
    cx.page_with(
        how.status,
        "review.html",
        &title,
        Some(session),
        how.problem.as_ref(),
        &v,
    )
}

/// The draft's change: from the page's last published version (else the commit the draft
/// started from) to the commit submitted (else the draft's head).
async fn change(cx: &Cx, site: &str, path: &str, draft: &DraftView) -> Option<Shown> {
    let versions: Vec<VersionView> = cx
        .api
        .get(&api_path("history", site, path))
        .await
        .unwrap_or_default();
    let from = versions
        .iter()
        .find(|v| v.published)
        .map_or(draft.base.as_str(), |v| v.commit.as_str());
    let to = draft.submitted.as_deref().unwrap_or(&draft.head);
    let q = format!("?from={}&to={}", pages::enc(from), pages::enc(to));
    let d: DiffView = cx
        .api
        .get(&format!("{}{q}", api_path("diff", site, path)))
        .await
        .ok()?;
    Some(d.into())
}

/// The page on its site after publishing: its URL in the read API when it was built before,
/// else the address its path gives (`tin-tuc/a.md` → `/tin-tuc/a/`); `None` without the
/// site's address (no build yet).
async fn live_url(cx: &Cx, site: &str, path: &str) -> Option<String> {
    let home = cx
        .api
        .get::<ssg::api::SiteDoc>(&format!("/sites/{site}"))
        .await
        .ok()?
        .url;
    let item = cx
        .api
        .get::<ssg::api::ContentItem>(&api_path("content", site, path))
        .await
        .ok()
        .map(|i| i.summary.url);
    let url = item.unwrap_or_else(|| pages::url_of(path));
    if url.starts_with("http://") || url.starts_with("https://") {
        return Some(url);
    }
    Some(format!("{}{url}", home.trim_end_matches('/')))
}
