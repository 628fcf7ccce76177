//! Who is asking: the [`Auth`] extractor finds the actor of a request from its session cookie
//! (`cms_session`) or its `Authorization: Bearer` token, and refuses a cookie-authenticated
//! state-changing request without the session's CSRF token or from another site.
//!
//! Bearer requests carry no ambient authority (a browser never adds the header by itself), so
//! they need no CSRF token; cookies do, since a browser sends them with any request.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use db::{Action, Actor};
use subtle::ConstantTimeEq;

use super::Problem;
use crate::State;

/// The session cookie's name.
pub const COOKIE: &str = "cms_session";
/// The header carrying the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The `csrf` field of a form body, put there by [`super::body::form_csrf`] before the handler
/// runs (an extractor of the head cannot read the body).
#[derive(Debug, Clone)]
pub struct FormCsrf(pub String);

/// An authenticated request: the actor, and the session cookie when it came with one.
#[derive(Debug, Clone)]
pub struct Auth {
    /// Who.
    pub actor: Actor,
    /// The session cookie's value (not with a token).
    pub session: Option<String>,
    /// The session's CSRF token (not with a token).
    pub csrf: Option<String>,
}

impl Auth {
    /// 403 unless the actor may do `action` on `site`.
    pub fn require(&self, site: &str, action: Action) -> Result<(), Problem> {
        if self.actor.can(site, action) {
            return Ok(());
        }
        let what = match action {
            Action::ReadDrafts => "xem bản nháp (read drafts)",
            Action::Write => "sửa nội dung (write)",
            Action::Publish => "duyệt và xuất bản (publish)",
            Action::ManageUsers => "quản lý người dùng (manage users)",
        };
        let scope = if self.actor.token.is_some() {
            " with this token (check its sites and whether it may write)"
        } else {
            ""
        };
        Err(Problem::forbidden(format!(
            "Bạn không có quyền {what} trên trang `{site}`{scope}."
        )))
    }
}

impl FromRequestParts<Arc<State>> for Auth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<State>) -> Result<Self, Problem> {
        let cms = state.cms.as_ref().ok_or_else(Problem::no_cms)?;
        if let Some(secret) = bearer(&parts.headers)? {
            let Some(token) = cms.db.token(secret).await? else {
                return Err(Problem::unauthorized(
                    "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi (unknown, expired or revoked token).",
                ));
            };
            return Ok(Auth {
                actor: Actor {
                    user: token.user,
                    token: Some(token.scope),
                },
                session: None,
                csrf: None,
            });
        }
        let Some(cookie) = session_cookie(&parts.headers) else {
            return Err(Problem::unauthorized(
                "Hãy đăng nhập (log in: POST /api/v1/session) hoặc gửi `Authorization: Bearer <token>`.",
            ));
        };
        let Some(session) = cms.db.session(&cookie).await? else {
            return Err(Problem::unauthorized(
                "Phiên đăng nhập đã hết hạn hoặc đã kết thúc: hãy đăng nhập lại (session expired or ended: log in again).",
            ));
        };
        if changes_state(&parts.method) {
            refuse_cross_site(&parts.headers)?;
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .or_else(|| parts.extensions.get::<FormCsrf>().map(|f| f.0.clone()));
            check_csrf(sent.as_deref(), &session.csrf)?;
        }
        Ok(Auth {
            actor: Actor {
                user: session.user,
                token: None,
            },
            session: Some(cookie),
            csrf: Some(session.csrf),
        })
    }
}

/// Adds `WWW-Authenticate: Bearer` to every 401 of the write routes, as HTTP requires of a
/// 401 (the session cookie is no HTTP scheme; the problem's detail names both ways in).
pub async fn challenge(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    if res.status() == axum::http::StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"cms\""),
        );
    }
    res
}

/// Whether a request of `method` changes state (and so needs the CSRF token with a cookie).
pub fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The token of `Authorization: Bearer <token>`; 401 for another scheme.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Problem> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(Problem::unauthorized(
            "Tiêu đề `Authorization` phải là `Bearer <mã truy cập>` (must be `Bearer <token>`).",
        )),
    }
}

/// The value of the `cms_session` cookie.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

/// The value of the cookie `name` (none when empty).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// 403 unless `sent` equals the session's CSRF token (compared in constant time, so the time
/// taken says nothing about how much of a guess was right).
fn check_csrf(sent: Option<&str>, expected: &str) -> Result<(), Problem> {
    let Some(sent) = sent else {
        return Err(Problem::forbidden(
            "Thiếu mã CSRF (missing CSRF token): send the session's `csrf` in `X-CSRF-Token` or the form field `csrf`.",
        ));
    };
    if bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "Mã CSRF không đúng (wrong CSRF token): send the `csrf` of this session, from POST or GET /api/v1/session.",
        ))
    }
}

/// 403 for a request a browser says comes from another site: `Sec-Fetch-Site: cross-site`, or
/// an `Origin` whose host is not the request's `Host`.
pub fn refuse_cross_site(headers: &HeaderMap) -> Result<(), Problem> {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let cross = fetch_site.eq_ignore_ascii_case("cross-site")
        || headers
            .get(header::ORIGIN)
            .map(|origin| !same_origin(origin.to_str().unwrap_or("null"), headers))
            .unwrap_or(false);
    if cross {
        return Err(Problem::forbidden(
            "Yêu cầu từ trang khác bị từ chối (cross-site request refused): send it from the editor on this server.",
        ));
    }
    Ok(())
}

/// Whether `origin` (`https://host:port`) names the request's own `Host`.
fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_session_cookie_among_others() {
        let h = headers(&[("cookie", "a=1; cms_session=abc ; b=2")]);
        assert_eq!(session_cookie(&h).as_deref(), Some("abc"));
        assert_eq!(
            session_cookie(&headers(&[("cookie", "cms_session=")])),
            None
        );
        assert_eq!(
            session_cookie(&headers(&[("cookie", "xcms_session=1")])),
            None
        );
    }

    #[test]
    fn bearer_tokens() {
        let h = headers(&[("authorization", "Bearer  s3cret ")]);
        assert_eq!(bearer(&h).unwrap(), Some("s3cret"));
        assert!(bearer(&headers(&[("authorization", "Basic eDp5")])).is_err());
        assert_eq!(bearer(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn csrf_must_match() {
        assert!(check_csrf(Some("abc"), "abc").is_ok());
        assert!(check_csrf(Some("abd"), "abc").is_err());
        assert!(check_csrf(Some("ab"), "abc").is_err());
        assert!(check_csrf(None, "abc").is_err());
    }

    #[test]
    fn cross_site_requests() {
        let same = headers(&[
            ("host", "localhost:8080"),
            ("origin", "http://localhost:8080"),
        ]);
        assert!(refuse_cross_site(&same).is_ok());
        let other = headers(&[
            ("host", "localhost:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert!(refuse_cross_site(&other).is_err());
        let null = headers(&[("host", "localhost:8080"), ("origin", "null")]);
        assert!(refuse_cross_site(&null).is_err());
        let fetch = headers(&[("host", "a"), ("sec-fetch-site", "cross-site")]);
        assert!(refuse_cross_site(&fetch).is_err());
        let none = headers(&[("host", "a"), ("sec-fetch-site", "same-origin")]);
        assert!(refuse_cross_site(&none).is_ok());
    }
}
