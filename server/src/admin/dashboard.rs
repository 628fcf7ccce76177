//! `GET /admin/`: the user's sites and roles, their drafts, what waits for their review,
//! what is scheduled, and the live site's last publish (and whether its build succeeded).

use axum::http::StatusCode;
use serde::Serialize;

use super::cx::{Answer, Cx};
use crate::api::{DraftView, GrantView, ScheduledView};
use crate::LiveStatus;

/// One of the user's sites on the dashboard.
#[derive(Debug, Serialize)]
struct SiteCard {
    id: String,
    name: String,
    domain: String,
    /// The user's role there (`editor`, …): the key of its label.
    role: String,
    drafts: Vec<DraftView>,
    in_review: usize,
    /// Published pages with a `publish_at`/`unpublish_at` still ahead, soonest first.
    scheduled: Vec<ScheduledView>,
}

/// What the dashboard shows.
#[derive(Debug, Serialize)]
struct Dashboard {
    sites: Vec<SiteCard>,
    review: Vec<DraftView>,
    live: Option<LiveStatus>,
}

/// `GET /admin/`.
pub async fn show(cx: Cx) -> Answer {
    let session = cx.session().await?;
    let all: ssg::api::SitesDoc = match cx.api.get("/sites").await {
        Ok(doc) => doc,
        // No build yet: the sites of the user's roles, by id.
        Err(p) if p.status == StatusCode::SERVICE_UNAVAILABLE.as_u16() => ssg::api::SitesDoc {
            network: String::new(),
            sites: Vec::new(),
        },
        Err(p) => return Err(cx.fail(Some(&session), p)),
    };
    let mut sites = Vec::new();
    for (id, role) in sites_of(&session.user.grants, &all) {
        let known = all.sites.iter().find(|s| s.id == id);
        let drafts: Vec<DraftView> = cx
            .api
            .get(&format!("/sites/{id}/drafts"))
            .await
            .map_err(|p| cx.fail(Some(&session), p))?;
        let scheduled: Vec<ScheduledView> = cx
            .api
            .get(&format!("/sites/{id}/scheduled"))
            .await
            .map_err(|p| cx.fail(Some(&session), p))?;
        sites.push(SiteCard {
            scheduled,
            name: known.map_or_else(|| id.clone(), |s| s.name.clone()),
            domain: known.map(|s| s.domain.clone()).unwrap_or_default(),
            in_review: drafts
                .iter()
                .filter(|d| d.status == cms_core::store::Status::InReview)
                .count(),
            id,
            role,
            drafts,
        });
    }
    let review: Vec<DraftView> = cx
        .api
        .get("/review")
        .await
        .map_err(|p| cx.fail(Some(&session), p))?;
    let live = cx.api.get::<LiveStatus>("/live").await.ok();
    let title = cx.s("dashboard_title");
    cx.page(
        "dashboard.html",
        &title,
        Some(&session),
        &Dashboard {
            sites,
            review,
            live,
        },
    )
}

/// The user's sites with their role on each, in the network's order: every site for a
/// network admin.
fn sites_of(grants: &[GrantView], all: &ssg::api::SitesDoc) -> Vec<(String, String)> {
    let role_key = |g: &GrantView| {
        serde_json::to_value(g.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    if let Some(admin) = grants.iter().find(|g| g.site == "*") {
        let role = role_key(admin);
        return all
            .sites
            .iter()
            .map(|s| (s.id.clone(), role.clone()))
            .collect();
    }
    let mut out: Vec<(String, String)> = grants
        .iter()
        .map(|g| (g.site.clone(), role_key(g)))
        .collect();
    let pos = |id: &str| {
        all.sites
            .iter()
            .position(|s| s.id == id)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(|(id, _)| pos(id));
    out
}
