//! What every admin handler starts from ([`Cx`]): the state, the UI language, the API client
//! for this request, and how to render a page in the admin's layout or an error as a page.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

use super::api_client::Api;
use super::strings::{self, Table, LANG_COOKIE};
use crate::api::Problem;
use crate::api::{SessionView, UserView};
use crate::State;

/// An admin request's context.
pub struct Cx {
    /// The server's state.
    pub state: Arc<State>,
    /// The UI language (`vi` or `en`).
    pub lang: &'static str,
    /// The API, as this request's browser.
    pub api: Api,
    /// The path and query asked for (where to come back after logging in).
    pub here: String,
}

/// What the layout (`base.html`) needs, beside the page's own data (`v`).
#[derive(Serialize)]
struct Frame<'a> {
    lang: &'a str,
    t: &'a Table,
    assets: &'a BTreeMap<&'static str, String>,
    user: Option<&'a UserView>,
    csrf: Option<&'a str>,
    title: &'a str,
    here: &'a str,
    other_lang: &'a str,
    /// The API's problem when the page shows one.
    problem: Option<&'a Problem>,
}

/// An answer that is not the page asked for: a redirect to the login form, or an error page.
#[derive(Debug)]
pub struct AdminError(pub Response);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        self.0
    }
}

/// What handlers return.
pub type Answer = Result<Response, AdminError>;

impl FromRequestParts<Arc<State>> for Cx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().copied();
        let here = parts
            .uri
            .path_and_query()
            .map_or("/admin/", |p| p.as_str())
            .to_string();
        Ok(Cx {
            state: state.clone(),
            lang: lang_of(&parts.headers),
            api: Api::new(state.clone(), &parts.headers, peer),
            here,
        })
    }
}

/// The language chosen with the language link (a cookie), else Vietnamese.
fn lang_of(headers: &HeaderMap) -> &'static str {
    crate::api::cookie(headers, LANG_COOKIE).map_or(strings::LANGS[0], |v| strings::known(&v))
}

impl Cx {
    /// The logged-in user, or a redirect to the login form that comes back here.
    pub async fn session(&self) -> Result<SessionView, AdminError> {
        match self.api.get::<SessionView>("/session").await {
            Ok(s) => Ok(s),
            Err(p) if p.status == 401 => Err(AdminError(self.to_login())),
            Err(p) => Err(self.fail(None, p)),
        }
    }

    /// A redirect to the login form, coming back to this page after.
    pub fn to_login(&self) -> Response {
        let next: String = form_urlencoded::byte_serialize(self.here.as_bytes()).collect();
        Redirect::to(&format!("/admin/login?next={next}")).into_response()
    }

    /// The strings of the UI language.
    pub fn t(&self) -> &Table {
        self.state.admin.strings.table(self.lang)
    }

    /// One string of the UI language (the key itself when missing, which a test prevents).
    pub fn s(&self, key: &str) -> String {
        self.t()
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// Renders `template` in the layout with `v` as the page's data, status 200.
    pub fn page(
        &self,
        template: &str,
        title: &str,
        session: Option<&SessionView>,
        v: &impl Serialize,
    ) -> Answer {
        self.page_with(StatusCode::OK, template, title, session, None, v)
    }

    /// [`Cx::page`] with a status and the problem the page shows.
    pub fn page_with(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        session: Option<&SessionView>,
        problem: Option<&Problem>,
        v: &impl Serialize,
    ) -> Answer {
        let frame = Frame {
            lang: self.lang,
            t: self.t(),
            assets: &self.state.admin.assets.urls,
            user: session.map(|s| &s.user),
            csrf: session.and_then(|s| s.csrf.as_deref()),
            title,
            here: &self.here,
            other_lang: if self.lang == "en" { "vi" } else { "en" },
            problem,
        };
        let html = self.state.admin.render(template, &frame, v).map_err(|e| {
            tracing::error!(template, "admin template: {e:?}");
            AdminError((StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response())
        })?;
        Ok((status, Html(html)).into_response())
    }

    /// The error page for `problem` (a 401 sends to the login form instead).
    pub fn fail(&self, session: Option<&SessionView>, problem: Problem) -> AdminError {
        if problem.status == 401 {
            return AdminError(self.to_login());
        }
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let title = self.s("error_title");
        match self.page_with(status, "error.html", &title, session, Some(&problem), &()) {
            Ok(r) | Err(AdminError(r)) => AdminError(r),
        }
    }
}
