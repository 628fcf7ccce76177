//! A site's users and their roles (`/sites/{site}/users`), and the audit log (`/audit`). A
//! site admin manages the roles on their site only, and never grants `network_admin`.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::Json;
use db::{Action, AuditEntry, Role};
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::body::Body;
use super::context::{audit, cms, Audit};
use super::session::UserView;
use super::Problem;
use crate::{Cms, State};

/// `PUT /sites/{site}/users/{login}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RoleRequest {
    /// `editor`, `approver`, `site_admin`, or `network_admin` (network admins only; it is
    /// granted on the whole network).
    #[schema(value_type = String)]
    pub role: Option<Role>,
}

/// `?site=&limit=` of the audit log.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// One site's rows (a site admin must give their site).
    pub site: Option<String>,
    /// At most this many rows (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// One row of the audit log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditView {
    /// Seconds since the epoch.
    pub time: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// The site.
    pub site: Option<String>,
    /// The page.
    pub path: Option<String>,
    /// The commit made.
    pub commit: Option<String>,
    /// Free text.
    pub detail: Option<String>,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> Self {
        AuditView {
            time: e.time,
            actor: e.actor,
            action: e.action,
            site: e.site,
            path: e.path,
            commit: e.commit,
            detail: e.detail,
        }
    }
}

/// The users holding a role on the site.
#[utoipa::path(get, path = "/sites/{site}/users", tag = "users",
    params(("site" = String, Path)),
    responses((status = 200, body = Vec<UserView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn list(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path(site): Path<String>,
) -> Result<Json<Vec<UserView>>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ManageUsers)?;
    let users = cms.db.users(Some(&site)).await?;
    Ok(Json(users.into_iter().map(UserView::from).collect()))
}

/// Gives a user a role on the site (replacing the one they had there).
#[utoipa::path(put, path = "/sites/{site}/users/{login}", tag = "users",
    params(("site" = String, Path), ("login" = String, Path)),
    request_body = RoleRequest,
    responses((status = 200, body = UserView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn grant(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, login)): Path<(String, String)>,
    Body(req): Body<RoleRequest>,
) -> Result<Json<UserView>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ManageUsers)?;
    check_site(cms, &site)?;
    let Some(role) = req.role else {
        return Err(Problem::bad_request(
            "Cần `role`: editor, approver, site_admin hoặc network_admin.",
        ));
    };
    let on = if role == Role::NetworkAdmin {
        if !auth.actor.is_network_admin() {
            return Err(Problem::forbidden(
                "Chỉ quản trị mạng mới cấp được quyền quản trị mạng (only a network admin grants network_admin).",
            ));
        }
        "*"
    } else {
        site.as_str()
    };
    let user = cms.db.grant(&login, on, role).await?;
    let row = Audit {
        action: "role",
        site: Some(&site),
        detail: Some(format!("{login}: {role:?} on {on}")),
        ..Audit::default()
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    Ok(Json(user.into()))
}

/// Takes away the user's role on the site.
#[utoipa::path(delete, path = "/sites/{site}/users/{login}", tag = "users",
    params(("site" = String, Path), ("login" = String, Path)),
    responses((status = 200, body = UserView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path((site, login)): Path<(String, String)>,
) -> Result<Json<UserView>, Problem> {
    let cms = cms(&state)?;
    auth.require(&site, Action::ManageUsers)?;
    let user = cms.db.revoke(&login, &site).await?;
    let row = Audit {
        action: "role",
        site: Some(&site),
        detail: Some(format!("{login}: none on {site}")),
        ..Audit::default()
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    Ok(Json(user.into()))
}

/// The audit log, newest first: of a site (its site admin), or of everything (network admins).
#[utoipa::path(get, path = "/audit", tag = "users",
    params(AuditQuery),
    responses((status = 200, body = Vec<AuditView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn audit_log(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditView>>, Problem> {
    let cms = cms(&state)?;
    match &q.site {
        Some(site) => auth.require(site, Action::ManageUsers)?,
        None if auth.actor.is_network_admin() => {}
        None => return Err(Problem::forbidden(
            "Chỉ quản trị mạng xem được toàn bộ nhật ký: give `?site=` of a site you administer.",
        )),
    }
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let rows = cms.db.audit_log(q.site.as_deref(), limit).await?;
    Ok(Json(rows.into_iter().map(AuditView::from).collect()))
}

/// 404 for a site the live network does not have (when there is a live network to ask).
fn check_site(cms: &Cms, site: &str) -> Result<(), Problem> {
    match cms.live.network() {
        Some(n) if n.site(site).is_none() => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Không tìm thấy (not found)",
            format!("Không có trang `{site}` trong mạng (no such site)."),
        )),
        _ => Ok(()),
    }
}
