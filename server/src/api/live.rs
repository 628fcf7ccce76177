//! `GET /api/v1/live`: where the live site of `cms serve --content` stands — the commit it
//! shows, since when, the build under way, and the last failed build.

use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::routing::get;
use axum::{Json, Router};

use super::Problem;
use crate::live::LiveStatus;
use crate::State;

/// `GET /live`.
pub fn routes() -> Router<Arc<State>> {
    Router::new().route("/live", get(status))
}

/// The live site's status.
#[utoipa::path(
    get,
    path = "/live",
    tag = "live",
    responses(
        (status = 200, description = "Trạng thái trang đang chạy (live site status)", body = LiveStatus),
        (status = 404, description = "Không có kho nội dung (no content repository: `cms serve` without `--content`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn status(AxumState(state): AxumState<Arc<State>>) -> Result<Json<LiveStatus>, Problem> {
    let Some(cms) = &state.cms else {
        return Err(Problem::not_found(
            "Máy chủ này không dựng từ kho nội dung (this server has no content repository: start it with `cms serve --content REPO`)",
        ));
    };
    // auth: the commit and its time are public; `failure` (file names, lines, messages of
    // unpublished content) is for an authenticated user with a role on some site. Until the
    // lead wires the `Actor` extractor of the write API here, everyone sees it.
    Ok(Json(cms.live.status()))
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    #[test]
    fn the_route_is_in_the_document() {
        let doc = crate::api::openapi::ApiDoc::openapi();
        assert!(
            doc.paths.paths.contains_key("/live"),
            "{:?}",
            doc.paths.paths.keys()
        );
    }
}
