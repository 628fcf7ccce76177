//! `GET /admin/sites/{site}/users`: the site's users and their roles, through
//! `GET/PUT/DELETE /api/v1/sites/{site}/users[/{login}]`. A site admin grants, changes and
//! takes away roles on their site; a network admin on every site, and may grant
//! `network_admin` (on the whole network, as the API does). Others get the API's 403.
//! The API has no list of every login: the login to grant a role to is typed.

use axum::extract::Path;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

use super::cx::{Answer, Cx};
use crate::api::{Problem, SessionView, UserView};

/// What a login may keep unescaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// The roles a form offers, in order of power.
const ROLES: &[&str] = &["editor", "approver", "site_admin", "network_admin"];

/// The grant and revoke forms' fields.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    role: String,
}

/// One user's row.
#[derive(Debug, Serialize)]
struct UserRow {
    login: String,
    name: String,
    email: String,
    /// Their role on this site (its key), or `network_admin`.
    role: String,
}

/// What the page shows.
#[derive(Debug, Serialize)]
struct UsersView {
    site: String,
    users: Vec<UserRow>,
    /// The roles the viewer may grant.
    roles: Vec<&'static str>,
    /// The add form's login, kept after an error.
    login: String,
    /// The field of the error, when the API's problem is about the add form.
    error_login: bool,
}

fn role_key(r: db::Role) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn is_network_admin(session: &SessionView) -> bool {
    session.user.grants.iter().any(|g| g.site == "*")
}

/// The page, with `problem` on top and `login` kept in the add form.
async fn render(
    cx: &Cx,
    session: &SessionView,
    site: &str,
    problem: Option<&Problem>,
    login: &str,
) -> Answer {
    let list: Vec<UserView> = cx
        .api
        .get(&format!("/sites/{site}/users"))
        .await
        .map_err(|p| cx.fail(Some(session), p))?;
    let users = list
        .into_iter()
        .map(|u| {
            let role = u
                .grants
                .iter()
                .find(|g| g.site == site)
                .or_else(|| u.grants.iter().find(|g| g.site == "*"))
                .map(|g| role_key(g.role))
                .unwrap_or_default();
            UserRow {
                login: u.login,
                name: u.name,
                email: u.email,
                role,
            }
        })
        .collect();
    let roles = if is_network_admin(session) {
        ROLES.to_vec()
    } else {
        ROLES[..3].to_vec()
    };
    let view = UsersView {
        site: site.to_string(),
        users,
        roles,
        login: login.to_string(),
        error_login: problem.is_some_and(|p| p.status == 400 || p.status == 404),
    };
    let title = format!("{} — {site}", cx.s("users_title"));
    let status = problem
        .and_then(|p| StatusCode::from_u16(p.status).ok())
        .unwrap_or(StatusCode::OK);
    cx.page_with(status, "users.html", &title, Some(session), problem, &view)
}

/// `GET /admin/sites/{site}/users`.
pub async fn show(cx: Cx, Path(site): Path<String>) -> Answer {
    let session = cx.session().await?;
    render(&cx, &session, &site, None, "").await
}

/// The API call of a form, then back to the list (303), or the list with the API's problem.
async fn act(cx: Cx, site: String, form: RoleForm, method: Method) -> Answer {
    let session = cx.session().await?;
    let login = form.login.trim();
    if login.is_empty() {
        let p = Problem::bad_request(cx.s("users_login_required"));
        return render(&cx, &session, &site, Some(&p), "").await;
    }
    let path = format!(
        "/sites/{site}/users/{}",
        utf8_percent_encode(login, SEGMENT)
    );
    let body = (method == Method::PUT).then(|| serde_json::json!({ "role": form.role }));
    let reply = cx
        .api
        .with_csrf(&form.csrf)
        .call(method, &path, body.as_ref(), None)
        .await
        .map_err(|p| cx.fail(Some(&session), p))?;
    if reply.status.is_success() {
        let site: String = form_urlencoded::byte_serialize(site.as_bytes()).collect();
        return Ok(Redirect::to(&format!("/admin/sites/{site}/users")).into_response());
    }
    let problem = reply.problem();
    if problem.status == 401 {
        return Err(cx.fail(Some(&session), problem));
    }
    render(&cx, &session, &site, Some(&problem), login).await
}

/// `POST /admin/sites/{site}/users/grant`: `PUT /sites/{site}/users/{login}`.
pub async fn grant(cx: Cx, Path(site): Path<String>, Form(form): Form<RoleForm>) -> Answer {
    act(cx, site, form, Method::PUT).await
}

/// `POST /admin/sites/{site}/users/revoke`: `DELETE /sites/{site}/users/{login}`.
pub async fn revoke(cx: Cx, Path(site): Path<String>, Form(form): Form<RoleForm>) -> Answer {
    act(cx, site, form, Method::DELETE).await
}
