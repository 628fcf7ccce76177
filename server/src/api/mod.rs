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

use crate::State;

/// Every `/api/v1` route (nested under `/api/v1` by [`crate::app`]).
pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .merge(read::routes())
        .merge(write::routes())
        .merge(live::routes())
        .route("/openapi.json", axum::routing::get(openapi::document))
}
