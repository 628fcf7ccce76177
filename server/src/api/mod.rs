//! The content API, `/api/v1`: JSON, errors as RFC 9457 problem details ([`Problem`]).
//!
//! - `read`: public, published content only, from the static JSON the build writes under each
//!   site's `/api/v1/` (so apps may read the same from the CDN).
//! - `auth`, `write`, `workflow`: sessions and tokens, drafts in the git store, the editorial
//!   workflow; only with a [`crate::Cms`] (`cms serve --content REPO`).
//! - `openapi`: the OpenAPI 3.1 document of every route, generated from the handlers' types.

mod live;
pub mod openapi;
mod problem;
mod read;
mod read_index;

// The write API (write helper).
mod auth;
mod body;
mod context;
mod errors;
mod front_matter_edit;
mod history;
mod pages;
mod schedule;
mod session;
mod tokens;
mod upload;
mod users;
mod workflow;
mod write;

use std::sync::Arc;

use axum::Router;

pub use problem::{FieldProblem, Problem};
pub use read_index::{Filter, ReadCache, SiteIndex};

use crate::State;

/// Every `/api/v1` route (nested under `/api/v1` by [`crate::app`]).
pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .merge(read::routes())
        .merge(write::routes())
        .merge(live::routes())
        .route("/openapi.json", axum::routing::get(openapi::document))
        .fallback(no_route)
}

/// Every route of [`routes`], as `(method, path)` with axum's path syntax. A test checks it
/// both ways against the OpenAPI document: each entry is documented and routed, each
/// documented path is here and routed. Add a line here with each new route.
pub const ROUTES: &[(&str, &str)] = &[
    // Read (public).
    ("GET", "/sites"),
    ("GET", "/sites/{site}"),
    ("GET", "/sites/{site}/content"),
    ("GET", "/sites/{site}/content/{*path}"),
    ("GET", "/openapi.json"),
    // Live builds.
    ("GET", "/live"),
    // Write (session or token): sessions, drafts, files, workflow, history, users, tokens.
    ("POST", "/session"),
    ("GET", "/session"),
    ("DELETE", "/session"),
    ("GET", "/sites/{site}/pages/{*path}"),
    ("PUT", "/sites/{site}/pages/{*path}"),
    ("DELETE", "/sites/{site}/pages/{*path}"),
    ("POST", "/sites/{site}/files/{*path}"),
    ("GET", "/sites/{site}/files/{*path}"),
    ("GET", "/sites/{site}/drafts"),
    ("GET", "/review"),
    ("POST", "/sites/{site}/submit/{*path}"),
    ("POST", "/sites/{site}/approve/{*path}"),
    ("POST", "/sites/{site}/reject/{*path}"),
    ("POST", "/sites/{site}/schedule/{*path}"),
    ("GET", "/sites/{site}/comments/{*path}"),
    ("GET", "/sites/{site}/history/{*path}"),
    ("GET", "/sites/{site}/diff/{*path}"),
    ("POST", "/sites/{site}/restore/{*path}"),
    ("GET", "/sites/{site}/users"),
    ("PUT", "/sites/{site}/users/{login}"),
    ("DELETE", "/sites/{site}/users/{login}"),
    ("GET", "/audit"),
    ("GET", "/tokens"),
    ("POST", "/tokens"),
    ("DELETE", "/tokens/{id}"),
];

/// Where [`crate::app`] nests [`routes`].
const PREFIX: &str = "/api/v1";

/// The problem kind of a path under `/api/v1` that no route has.
pub const NO_ROUTE: &str = "/api/v1/problems/no-route";

/// A path under `/api/v1` that no route has: the site's static file there if there is one (the
/// build's `api/v1/*.json`, as the CDN serves them), else a problem, not the site's HTML 404
/// page.
async fn no_route(
    state: axum::extract::State<Arc<State>>,
    mut req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    // The nested router sees the path without `/api/v1`: files are found by the whole path.
    let whole = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    if let Ok(uri) = format!("{PREFIX}{whole}").parse() {
        *req.uri_mut() = uri;
    }
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        let file = crate::files::serve(state, req).await;
        if file.status() != axum::http::StatusCode::NOT_FOUND {
            return file;
        }
    }
    Problem {
        kind: NO_ROUTE.into(),
        ..Problem::not_found(format!(
            "Không có đường dẫn này trong API (no such API route): {method} {path}; see \
             /api/v1/openapi.json"
        ))
    }
    .into_response()
}
