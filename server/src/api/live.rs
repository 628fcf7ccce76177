//! `GET /api/v1/live`: where the live site of `cms serve --content` stands — the commit it
//! shows, since when, the build under way, and the last failed build.

use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::routing::get;
use axum::{Json, Router};

use db::Action;

use super::auth::Auth;
use super::Problem;
use crate::live::LiveStatus;
use crate::State;

/// `GET /live`.
pub fn routes() -> Router<Arc<State>> {
    Router::new().route("/live", get(status))
}

/// The live site's status. The commit and its time are public; the failure (file names,
/// lines and messages of content that did not go live) is for approvers, of any site.
#[utoipa::path(
    get,
    path = "/live",
    tag = "live",
    responses(
        (status = 200, description = "Trạng thái trang đang chạy; lỗi dựng chỉ hiện cho người duyệt (live site status; the build failure only for approvers)", body = LiveStatus),
        (status = 404, description = "Không có kho nội dung (no content repository: `cms serve` without `--content`)", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("session" = []), ("bearer" = []))
)]
pub async fn status(
    AxumState(state): AxumState<Arc<State>>,
    auth: Result<Auth, Problem>,
) -> Result<Json<LiveStatus>, Problem> {
    let Some(cms) = &state.cms else {
        return Err(Problem::not_found(
            "Máy chủ này không dựng từ kho nội dung (this server has no content repository: start it with `cms serve --content REPO`)",
        ));
    };
    let mut status = cms.live.status();
    // Anonymous, or a session or token that is not valid: the public part only.
    let approver = auth.is_ok_and(|a| {
        a.actor
            .user
            .grants
            .iter()
            .any(|g| a.actor.can(&g.site, Action::Publish))
    });
    if !approver {
        status.failure = None;
    }
    Ok(Json(status))
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
