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
mod read_search;

// The write API (write helper).
mod auth;
mod body;
mod context;
mod draft_summary;
mod edit;
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

pub use auth::{cookie, CSRF_HEADER};
pub use body::too_large;
pub use draft_summary::DraftTexts;
pub use edit::{FieldView, KindView, KindsView, PreviewRequest, PreviewView, SectionKindView};
pub use history::{DiffView, FieldChangeView, VersionView};
pub use pages::{PageView, SaveRequest, SavedView};
pub use problem::{FieldProblem, Problem};
pub use read_index::{Filter, Order, ReadCache, SiteIndex};
pub use schedule::{Published, ScheduledView};
pub use session::{GrantView, SessionView, UserView};
pub use upload::{FileList, UPLOAD_LIMIT};
pub use workflow::{CommentView, DraftView};

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
    ("GET", "/sites/{site}/scheduled"),
    ("GET", "/sites/{site}/comments/{*path}"),
    ("GET", "/sites/{site}/history/{*path}"),
    ("GET", "/sites/{site}/diff/{*path}"),
    ("POST", "/sites/{site}/restore/{*path}"),
    ("GET", "/sites/{site}/users"),
    ("PUT", "/sites/{site}/users/{login}"),
    ("DELETE", "/sites/{site}/users/{login}"),
    ("GET", "/audit"),
    ("GET", "/tokens"),
    // The editor's forms and live preview (edit helper).
    ("GET", "/sites/{site}/kinds"),
    ("POST", "/sites/{site}/preview/{*path}"),
    ("GET", "/sites/{site}/preview/{*path}"),
    ("POST", "/tokens"),
    ("DELETE", "/tokens/{id}"),
];

/// The problem kind of a path under `/api/v1` that no route has.
pub const NO_ROUTE: &str = "/api/v1/problems/no-route";

/// A path under `/api/v1` that no route has: the site's static file there if the build wrote
/// one (the read API's `site.json`, `content.json`, `content/<path>.json`, `sites.json` and
/// their `.br`/`.gz`, as the CDN serves them), else a problem, not the site's HTML 404 page.
async fn no_route(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    mut req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    // The nest took `/api/v1` off the path.
    let path = format!("/api/v1{}", req.uri().path());
    let is_read = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    if let (true, Ok(uri)) = (is_read, path.parse()) {
        *req.uri_mut() = uri;
        let file = crate::files::serve(axum::extract::State(state), req).await;
        if file.status().is_success() || file.status().is_redirection() {
            return file;
        }
    }
    Problem {
        kind: NO_ROUTE.into(),
        ..Problem::not_found(format!(
            "Không có đường dẫn này trong API (no such API route): {}; see /api/v1/openapi.json",
            path
        ))
    }
    .into_response()
}
