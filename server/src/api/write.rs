//! The write part of the API: sessions, tokens, drafts, the workflow (write helper).

use std::sync::Arc;

use axum::Router;

use crate::State;

/// Sessions, drafts, uploads, workflow, history, review queue, users and tokens.
pub fn routes() -> Router<Arc<State>> {
    Router::new()
}
