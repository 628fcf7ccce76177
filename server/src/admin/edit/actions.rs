//! The edit form's other buttons: submit the draft for review, and delete the page (its
//! confirmation box ticked), both through the API.

use axum::extract::Path;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::Form;

use super::form::{posted, Posted};
use crate::admin::cx::{Answer, Cx};
use crate::api::Problem;

/// `POST /admin/sites/{site}/submit/{path}`: "Gửi duyệt".
pub async fn submit(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Form(form): Form<Posted>,
) -> Answer {
    let session = cx.session().await?;
    let api = cx.api.with_csrf(posted(&form, "csrf").unwrap_or_default());
    let reply = api
        .call(
            Method::POST,
            &format!("/sites/{site}/submit/{path}"),
            None::<&()>,
            None,
        )
        .await
        .map_err(|p| cx.fail(Some(&session), p))?;
    if !reply.status.is_success() {
        return Err(cx.fail(Some(&session), reply.problem()));
    }
    Ok(Redirect::to(&format!("/admin/sites/{site}/edit/{path}?submitted=1")).into_response())
}

/// `POST /admin/sites/{site}/delete/{path}`: deletes the page on its draft branch (approving
/// publishes the deletion), once `confirm` is ticked.
pub async fn delete(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Form(form): Form<Posted>,
) -> Answer {
    let session = cx.session().await?;
    if posted(&form, "confirm").is_none() {
        return Err(cx.fail(
            Some(&session),
            Problem::bad_request(cx.s("edit_delete_unconfirmed")),
        ));
    }
    let api = cx.api.with_csrf(posted(&form, "csrf").unwrap_or_default());
    let blob = posted(&form, "blob").unwrap_or_default();
    let reply = api
        .call(
            Method::DELETE,
            &format!("/sites/{site}/pages/{path}"),
            None::<&()>,
            (!blob.is_empty()).then_some(blob),
        )
        .await
        .map_err(|p| cx.fail(Some(&session), p))?;
    if !reply.status.is_success() {
        return Err(cx.fail(Some(&session), reply.problem()));
    }
    Ok(Redirect::to("/admin/").into_response())
}
