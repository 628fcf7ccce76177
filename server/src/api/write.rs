//! The write part of the API: sessions, tokens, drafts, uploads, the workflow, history, users
//! and the audit log. Every route needs a session or a token ([`super::auth::Auth`]) and a
//! role on the site it names; all of it needs `cms serve --content REPO` (a [`crate::Cms`]).

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::routing::{delete, get, post};
use axum::{Extension, Router};

use super::{edit, history, pages, schedule, session, tokens, upload, users, workflow};
use crate::State;

/// Sessions, drafts, uploads, workflow, history, review queue, users and tokens.
pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route(
            "/session",
            post(session::login)
                .get(session::current)
                .delete(session::logout),
        )
        .route(
            "/sites/{site}/pages/{*path}",
            get(pages::get_page)
                .put(pages::put_page)
                .delete(pages::delete_page),
        )
        .route(
            "/sites/{site}/files/{*path}",
            post(upload::upload).get(upload::list),
        )
        .route("/sites/{site}/drafts", get(workflow::drafts))
        .route("/review", get(workflow::review))
        .route("/sites/{site}/submit/{*path}", post(workflow::submit))
        .route("/sites/{site}/approve/{*path}", post(workflow::approve))
        .route("/sites/{site}/reject/{*path}", post(workflow::reject))
        .route("/sites/{site}/schedule/{*path}", post(schedule::schedule))
        .route("/sites/{site}/scheduled", get(schedule::scheduled))
        .route("/sites/{site}/comments/{*path}", get(workflow::comments))
        .route("/sites/{site}/history/{*path}", get(history::history))
        .route("/sites/{site}/diff/{*path}", get(history::diff))
        .route("/sites/{site}/restore/{*path}", post(history::restore))
        .route("/sites/{site}/users", get(users::list))
        .route(
            "/sites/{site}/users/{login}",
            axum::routing::put(users::grant).delete(users::revoke),
        )
        .route("/audit", get(users::audit_log))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", delete(tokens::revoke))
        .route("/sites/{site}/kinds", get(edit::kinds))
        .route(
            "/sites/{site}/preview/{*path}",
            post(edit::preview).get(edit::preview_stored),
        )
        .layer(axum::middleware::from_fn(super::body::form_csrf))
        .layer(axum::middleware::from_fn(super::body::plain_rejections))
        .layer(axum::middleware::from_fn(super::auth::challenge))
        .layer(Extension(session::LoginLimiter::default()))
}

/// The write routes' part of the OpenAPI document (merged into [`super::openapi::ApiDoc`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        session::login, session::current, session::logout,
        pages::get_page, pages::put_page, pages::delete_page,
        upload::upload, upload::list,
        workflow::submit, workflow::approve, workflow::reject, schedule::schedule,
        schedule::scheduled,
        workflow::drafts, workflow::review, workflow::comments,
        history::history, history::diff, history::restore,
        users::list, users::grant, users::revoke, users::audit_log,
        tokens::create, tokens::list, tokens::revoke,
        edit::kinds, edit::preview, edit::preview_stored,
    ),
    components(schemas(
        session::LoginRequest, session::SessionView, session::UserView, session::GrantView,
        pages::PageView, pages::SaveRequest, pages::SavedView, upload::FileList,
        workflow::DraftView, workflow::RejectRequest, workflow::ApproveRequest,
        workflow::CommentView, schedule::ScheduleRequest, schedule::Published,
        schedule::ScheduledView,
        history::VersionView, history::DiffView, history::FieldChangeView,
        history::RestoreRequest, users::RoleRequest, users::AuditView,
        tokens::TokenRequest, tokens::TokenView, tokens::NewToken,
        super::errors::ConflictMembers, super::errors::CurrentVersion,
        super::errors::MergeConflictMembers,
        edit::KindsView, edit::KindView, edit::FieldView, edit::SectionKindView,
        edit::PreviewRequest, edit::PreviewView,
    )),
    tags(
        (name = "session", description = "Đăng nhập (login, sessions)"),
        (name = "pages", description = "Bản nháp (drafts)"),
        (name = "files", description = "Tệp đính kèm (bundle files)"),
        (name = "workflow", description = "Duyệt và xuất bản (review and publishing)"),
        (name = "history", description = "Lịch sử (history)"),
        (name = "users", description = "Người dùng và nhật ký (users and audit log)"),
        (name = "tokens", description = "Mã truy cập (API tokens)"),
    ),
    modifiers(&BearerAndCookie)
)]
pub struct WriteApi;

/// Adds the two ways to authenticate to the document's security schemes.
struct BearerAndCookie;

impl utoipa::Modify for BearerAndCookie {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(super::auth::COOKIE))),
        );
    }
}

/// Merges [`WriteApi`] into the whole document (listed in `ApiDoc`'s `modifiers`).
pub struct WriteDoc;

impl utoipa::Modify for WriteDoc {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        doc.merge(<WriteApi as utoipa::OpenApi>::openapi());
    }
}
