//! The read part of the API: public, published content only (read helper).

use std::sync::Arc;

use axum::Router;

use crate::State;

/// `GET /sites`, `GET /sites/{site}/content`, `GET /sites/{site}/content/{*path}`.
pub fn routes() -> Router<Arc<State>> {
    Router::new()
}
