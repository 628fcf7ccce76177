//! `POST|GET|DELETE /session`: logging in (rate-limited per client address, audited, the
//! password never logged), the session's user and CSRF token, logging out.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, State as AxState};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use db::{LoginFailure, Role, User};
use serde::{Deserialize, Serialize};

use super::auth::{refuse_cross_site, Auth, COOKIE};
use super::body::Body;
use super::context::{audit, cms, Audit};
use super::Problem;
use crate::{RateLimiter, State};

/// Logins allowed per client address: a burst of 10, then 5 a minute.
#[derive(Debug, Clone)]
pub struct LoginLimiter(pub Arc<RateLimiter>);

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter(Arc::new(RateLimiter::new(5.0 / 60.0, 10.0)))
    }
}

/// `POST /session`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// Login name.
    #[serde(default)]
    pub login: String,
    /// Password.
    #[serde(default)]
    pub password: String,
}

/// A role held on a site.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct GrantView {
    /// Site id, or `*` for the network.
    pub site: String,
    /// `editor`, `approver`, `site_admin` or `network_admin`.
    #[schema(value_type = String)]
    pub role: Role,
}

/// A user as the API shows them.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UserView {
    /// Login name.
    pub login: String,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Roles per site.
    pub grants: Vec<GrantView>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            login: u.login,
            name: u.name,
            email: u.email,
            grants: u
                .grants
                .into_iter()
                .map(|g| GrantView {
                    site: g.site,
                    role: g.role,
                })
                .collect(),
        }
    }
}

/// The logged-in user and the session's CSRF token.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SessionView {
    /// Who.
    pub user: UserView,
    /// Send it back in `X-CSRF-Token` (or the form field `csrf`) with every state-changing
    /// request; absent with a bearer token, which needs none.
    pub csrf: Option<String>,
}

/// Logs in: sets the `cms_session` cookie.
#[utoipa::path(post, path = "/session", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, body = SessionView, description = "Logged in; the cookie is set"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 423, body = Problem, description = "Locked after too many failures"),
        (status = 429, body = Problem)))]
pub async fn login(
    AxState(state): AxState<Arc<State>>,
    Extension(limiter): Extension<LoginLimiter>,
    headers: HeaderMap,
    extensions: Extensions,
    Body(req): Body<LoginRequest>,
) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    refuse_cross_site(&headers)?;
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip());
    let ip = state.proxies.client(peer, &headers);
    if let Err(wait) = limiter.0.check(ip) {
        return Ok(retry_after(
            Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-logins",
                "Quá nhiều lần đăng nhập (too many logins)",
                "Quá nhiều lần đăng nhập từ địa chỉ này: hãy thử lại sau ít phút (too many logins from this address: try again in a few minutes).",
            ),
            wait.as_secs().max(1),
        ));
    }
    let login = req.login.trim().to_string();
    if login.is_empty() || req.password.is_empty() {
        return Err(Problem::bad_request(
            "Hãy nhập tên đăng nhập và mật khẩu (`login` and `password` are required).",
        ));
    }
    // The name as typed, cut short: it may be a password typed into the wrong field.
    let who: String = login.chars().take(64).collect();
    match cms.db.login(&login, &req.password, ip).await? {
        Ok(session) => {
            let user = cms.db.user(&login).await?.ok_or_else(Problem::internal)?;
            audit(
                cms,
                &user.login,
                Audit {
                    action: "login",
                    ..Audit::default()
                },
            )
            .await;
            let max_age = (session.expires - now()).max(0);
            let cookie = format!(
                "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{}",
                session.token,
                if cms.secure_cookies { "; Secure" } else { "" }
            );
            let body = SessionView {
                user: user.into(),
                csrf: Some(session.csrf),
            };
            Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
        }
        Err(failure) => {
            let detail = Some(format!("{failure:?}"));
            audit(
                cms,
                &who,
                Audit {
                    action: "login_failed",
                    detail,
                    ..Audit::default()
                },
            )
            .await;
            Ok(login_refused(failure))
        }
    }
}

/// The answer to a failed login; it never says whether the login name exists.
fn login_refused(failure: LoginFailure) -> Response {
    match failure {
        LoginFailure::Invalid => {
            Problem::unauthorized("Sai tên đăng nhập hoặc mật khẩu (wrong login name or password).")
                .into_response()
        }
        LoginFailure::Locked { until } => {
            let wait = (until - now()).max(1);
            retry_after(
                Problem::new(
                    StatusCode::LOCKED,
                    "locked",
                    "Tài khoản tạm khóa (locked)",
                    format!(
                        "Đăng nhập sai quá nhiều lần: tài khoản bị khóa tạm thời, hãy thử lại sau {} phút (too many failed logins: try again in {} min).",
                        (wait + 59) / 60,
                        (wait + 59) / 60
                    ),
                ),
                wait.unsigned_abs(),
            )
        }
    }
}

/// The problem as a response with `Retry-After: secs` (and the same in `retry_after`).
fn retry_after(problem: Problem, secs: u64) -> Response {
    let mut res = problem
        .with_members(&RetryAfter { retry_after: secs })
        .into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

/// The `retry_after` member of 423 and 429 problems (seconds).
#[derive(Debug, Serialize)]
struct RetryAfter {
    retry_after: u64,
}

/// The session of the request.
#[utoipa::path(get, path = "/session", tag = "session",
    responses((status = 200, body = SessionView), (status = 401, body = Problem)))]
pub async fn current(auth: Auth) -> Json<SessionView> {
    Json(SessionView {
        user: auth.actor.user.into(),
        csrf: auth.csrf,
    })
}

/// Logs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/session", tag = "session",
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn logout(AxState(state): AxState<Arc<State>>, auth: Auth) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    let Some(session) = &auth.session else {
        return Err(Problem::bad_request(
            "Mã truy cập không đăng xuất được: revoke a token with DELETE /api/v1/tokens/{id}.",
        ));
    };
    cms.db.logout(session).await?;
    audit(
        cms,
        &auth.actor.audit_name(),
        Audit {
            action: "logout",
            ..Audit::default()
        },
    )
    .await;
    let cookie = format!(
        "{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        if cms.secure_cookies { "; Secure" } else { "" }
    );
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// Seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
