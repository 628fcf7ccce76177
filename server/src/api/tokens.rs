//! `GET|POST /tokens`, `DELETE /tokens/{id}`: a user's API tokens for machines, scoped to
//! sites they have a role on and to reading or writing; the secret is shown once.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use db::{Action, TokenInfo, TokenScope};
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::body::Body;
use super::context::{audit, cms, Audit};
use super::Problem;
use crate::State;

/// `POST /tokens`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// A label (`ung-dung-di-dong`).
    #[serde(default)]
    pub name: String,
    /// Sites it may act on (`*`: all of yours).
    #[serde(default)]
    pub sites: Vec<String>,
    /// Whether it may write (else it reads drafts only).
    #[serde(default)]
    pub write: bool,
    /// Expiry, seconds since the epoch.
    #[serde(default)]
    pub expires: Option<i64>,
}

/// A token's record (never its secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Its id (for `DELETE /tokens/{id}`).
    pub id: i64,
    /// Its label.
    pub name: String,
    /// Its sites.
    pub sites: Vec<String>,
    /// Whether it may write.
    pub write: bool,
    /// Created, seconds since the epoch.
    pub created: i64,
    /// Expiry.
    pub expires: Option<i64>,
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            sites: t.scope.sites,
            write: t.scope.write,
            created: t.created,
            expires: t.expires,
        }
    }
}

/// A new token, with its secret: shown this once only.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    /// Send it as `Authorization: Bearer <secret>`. It is not stored: keep it now.
    pub secret: String,
    /// Its record.
    pub token: TokenView,
}

/// Creates a token for the logged-in user.
#[utoipa::path(post, path = "/tokens", tag = "tokens",
    request_body = TokenRequest,
    responses((status = 201, body = NewToken), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Body(req): Body<TokenRequest>,
) -> Result<Response, Problem> {
    let cms = cms(&state)?;
    if auth.actor.token.is_some() {
        // A token making tokens could outlive its own revocation, or widen a read-only scope.
        return Err(Problem::forbidden(
            "Mã truy cập không tạo được mã khác (a token cannot create tokens): log in to create one.",
        ));
    }
    let name = req.name.trim();
    if name.is_empty() || req.sites.is_empty() {
        return Err(Problem::bad_request(
            "Cần `name` và `sites` (give the token a name and the sites it acts on, or [\"*\"]).",
        ));
    }
    let action = if req.write {
        Action::Write
    } else {
        Action::ReadDrafts
    };
    if let Some(site) = req
        .sites
        .iter()
        .find(|s| s.as_str() != "*" && !auth.actor.can(s, action))
    {
        return Err(Problem::forbidden(format!(
            "Bạn không có quyền trên trang `{site}` (you can only scope a token to sites where you have that right)."
        )));
    }
    let scope = TokenScope {
        sites: req.sites.clone(),
        write: req.write,
    };
    let login = auth.actor.user.login.clone();
    let (secret, info) = cms
        .db
        .create_token(&login, name, &scope, req.expires)
        .await?;
    let row = Audit {
        action: "token_create",
        detail: Some(format!(
            "{name} (#{}) sites={} write={}",
            info.id,
            req.sites.join(","),
            req.write
        )),
        ..Audit::default()
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    let body = NewToken {
        secret,
        token: info.into(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The user's tokens.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = Problem)))]
pub async fn list(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
) -> Result<Json<Vec<TokenView>>, Problem> {
    let cms = cms(&state)?;
    let tokens = cms.db.tokens(&auth.actor.user.login).await?;
    Ok(Json(tokens.into_iter().map(TokenView::from).collect()))
}

/// Revokes one of the user's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn revoke(
    AxState(state): AxState<Arc<State>>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, Problem> {
    let cms = cms(&state)?;
    if auth.actor.token.is_some() {
        // As for creating: tokens are managed by the person, logged in.
        return Err(Problem::forbidden(
            "Mã truy cập không thu hồi được mã (a token cannot revoke tokens): log in to revoke one.",
        ));
    }
    cms.db.revoke_token(&auth.actor.user.login, id).await?;
    let row = Audit {
        action: "token_revoke",
        detail: Some(format!("#{id}")),
        ..Audit::default()
    };
    audit(cms, &auth.actor.audit_name(), row).await;
    Ok(StatusCode::NO_CONTENT)
}
