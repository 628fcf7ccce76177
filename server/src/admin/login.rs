//! Logging in and out through the API's session routes, and the choice of UI language.
//! The forms work without JavaScript; the session cookie the API sets is passed on.

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::{Deserialize, Serialize};

use super::cx::{Answer, Cx};
use super::strings::{self, LANG_COOKIE};
use crate::api::SessionView;

/// `?next=` of the login form and the language link.
#[derive(Debug, Default, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// What the login page shows.
#[derive(Debug, Serialize)]
struct LoginPage<'a> {
    next: &'a str,
    login: &'a str,
}

/// Where to go after logging in: an admin page of this server, nothing else (no open
/// redirect to another host).
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with("/admin/")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if ok {
        next
    } else {
        "/admin/"
    }
}

/// `GET /admin/login`.
pub async fn form(cx: Cx, Query(q): Query<Next>) -> Answer {
    if let Ok(session) = cx.api.get::<SessionView>("/session").await {
        drop(session);
        return Ok(Redirect::to(safe_next(&q.next)).into_response());
    }
    let title = cx.s("login_title");
    let v = LoginPage {
        next: safe_next(&q.next),
        login: "",
    };
    cx.page("login.html", &title, None, &v)
}

/// `POST /admin/login`: `POST /api/v1/session`; on success its cookie and a redirect, else
/// the form again with the API's message (and its status: 401, 423, 429).
pub async fn submit(cx: Cx, Form(f): Form<LoginForm>) -> Answer {
    #[derive(Serialize)]
    struct Login<'a> {
        login: &'a str,
        password: &'a str,
    }
    let body = Login {
        login: &f.login,
        password: &f.password,
    };
    let reply = cx
        .api
        .call(Method::POST, "/session", Some(&body), None)
        .await
        .map_err(|p| cx.fail(None, p))?;
    if reply.status.is_success() {
        let mut res = Redirect::to(safe_next(&f.next)).into_response();
        for c in reply.headers.get_all(header::SET_COOKIE) {
            res.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        return Ok(res);
    }
    let problem = reply.problem();
    let title = cx.s("login_title");
    let v = LoginPage {
        next: safe_next(&f.next),
        login: &f.login,
    };
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut res = cx.page_with(status, "login.html", &title, None, Some(&problem), &v)?;
    if let Some(wait) = reply.headers.get(header::RETRY_AFTER) {
        res.headers_mut().insert(header::RETRY_AFTER, wait.clone());
    }
    Ok(res)
}

/// The logout form's CSRF field.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/logout`: `DELETE /api/v1/session` with the form's CSRF token.
pub async fn logout(cx: Cx, Form(f): Form<CsrfForm>) -> Answer {
    let reply = cx
        .api
        .with_csrf(&f.csrf)
        .call(Method::DELETE, "/session", None::<&()>, None)
        .await
        .map_err(|p| cx.fail(None, p))?;
    if !reply.status.is_success() {
        return Err(cx.fail(None, reply.problem()));
    }
    let mut res = Redirect::to("/admin/login").into_response();
    for c in reply.headers.get_all(header::SET_COOKIE) {
        res.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    Ok(res)
}

/// `GET /admin/lang/{lang}?next=`: keeps the choice in a cookie and goes back.
pub async fn language(Path(lang): Path<String>, Query(q): Query<Next>) -> Response {
    let lang = strings::known(&lang);
    let mut res = Redirect::to(safe_next(&q.next)).into_response();
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/admin; SameSite=Lax; Max-Age=31536000");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_in_the_admin() {
        assert_eq!(safe_next("/admin/sites/drvn/"), "/admin/sites/drvn/");
        for bad in [
            "https://evil.example/",
            "//evil.example/admin/",
            "/admin\\..",
            "/x",
            "",
        ] {
            assert_eq!(safe_next(bad), "/admin/", "{bad}");
        }
    }
}
