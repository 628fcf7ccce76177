//! The web editor at `/admin`: server-rendered pages (tera templates embedded in the binary,
//! UI strings in Vietnamese and English) with a little JavaScript that only enhances them.
//! It is a face on the content API: every read and write goes through `/api/v1` in-process
//! ([`api_client::Api`]), with the browser's session, so the API's roles, CSRF checks,
//! validation and audit log apply unchanged.

// An error here is a whole answer (a page, a redirect) or the API's problem; they are rare
// next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

mod api_client;
mod assets;
mod content_list;
mod cx;
mod dashboard;
mod diff;
mod draft_rows;
mod edit;
mod filters;
mod history;
mod login;
mod media;
mod media_text;
mod page_info;
mod review;
mod strings;
mod users;

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

pub use api_client::{Api, Reply};
pub use assets::Assets;
pub use cx::{AdminError, Answer, Cx};
pub use strings::Strings;

use crate::State;

/// The admin's templates, embedded: (name, text).
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../admin/templates/base.html")),
    (
        "error.html",
        include_str!("../../admin/templates/error.html"),
    ),
    (
        "login.html",
        include_str!("../../admin/templates/login.html"),
    ),
    (
        "dashboard.html",
        include_str!("../../admin/templates/dashboard.html"),
    ),
    // review, history, media
    (
        "review_queue.html",
        include_str!("../../admin/templates/review_queue.html"),
    ),
    (
        "review.html",
        include_str!("../../admin/templates/review.html"),
    ),
    (
        "history.html",
        include_str!("../../admin/templates/history.html"),
    ),
    (
        "media.html",
        include_str!("../../admin/templates/media.html"),
    ),
    ("diff.html", include_str!("../../admin/templates/diff.html")),
    (
        "comments.html",
        include_str!("../../admin/templates/comments.html"),
    ),
    // edit helper: the edit and new page forms.
    ("edit.html", include_str!("../../admin/templates/edit.html")),
    (
        "edit_field.html",
        include_str!("../../admin/templates/edit_field.html"),
    ),
    (
        "content_list.html",
        include_str!("../../admin/templates/content_list.html"),
    ),
    (
        "users.html",
        include_str!("../../admin/templates/users.html"),
    ),
];

/// The admin's templates, strings and static files, made once when the server starts.
pub struct Admin {
    tera: tera::Tera,
    /// UI strings.
    pub strings: Strings,
    /// CSS and JavaScript under fingerprinted names.
    pub assets: Assets,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin").finish_non_exhaustive()
    }
}

/// A template or string table of the binary does not parse: a bug, caught by the tests.
#[derive(Debug, thiserror::Error)]
pub enum AdminSetupError {
    /// A template.
    #[error("admin templates: {0:?}")]
    Template(#[from] tera::Error),
    /// A string table.
    #[error("admin strings: {0}")]
    Strings(#[from] toml::de::Error),
}

impl Admin {
    /// Parses the embedded templates and strings and fingerprints the assets.
    pub fn new() -> Result<Admin, AdminSetupError> {
        let mut tera = tera::Tera::default();
        filters::register(&mut tera);
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        Ok(Admin {
            tera,
            strings: Strings::new()?,
            assets: Assets::new(),
        })
    }

    /// Renders `template` with the layout's `frame` and the page's data as `v`.
    pub fn render(
        &self,
        template: &str,
        frame: &impl Serialize,
        v: &impl Serialize,
    ) -> Result<String, tera::Error> {
        let mut cx = tera::Context::from_serialize(frame)?;
        cx.insert("v", v);
        self.tera.render(template, &cx)
    }
}

/// Every `/admin` route (merged into [`crate::app`]).
pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/", get(dashboard::show))
        .route("/admin/login", get(login::form).post(login::submit))
        .route("/admin/logout", post(login::logout))
        .route("/admin/lang/{lang}", get(login::language))
        .route("/admin/assets/{file}", get(assets::serve))
        // review, history, media
        .route("/admin/review", get(review::queue))
        .route(
            "/admin/sites/{site}/review/{*path}",
            get(review::show).post(review::act),
        )
        .route(
            "/admin/sites/{site}/history/{*path}",
            get(history::show).post(history::restore),
        )
        .route(
            "/admin/sites/{site}/media/{*path}",
            get(media::show)
                .post(media::upload)
                .layer(axum::extract::DefaultBodyLimit::max(media::FORM_LIMIT)),
        )
        // edit helper: the edit form, new page, save, preview, submit and delete.
        .route(
            "/admin/sites/{site}/edit/{*path}",
            get(edit::show).post(edit::save),
        )
        .route(
            "/admin/sites/{site}/new",
            get(edit::new_form).post(edit::create),
        )
        .route(
            "/admin/sites/{site}/preview/{*path}",
            post(edit::preview_json),
        )
        .route("/admin/sites/{site}/pick", get(edit::pick_json))
        .route("/admin/sites/{site}/submit/{*path}", post(edit::submit))
        .route("/admin/sites/{site}/delete/{*path}", post(edit::delete))
        .route("/admin/sites/{site}/site/{*file}", get(edit::site_file))
        .route("/admin/sites/{site}/", get(content_list::show))
        .route("/admin/sites/{site}/users", get(users::show))
        .route("/admin/sites/{site}/users/grant", post(users::grant))
        .route("/admin/sites/{site}/users/revoke", post(users::revoke))
        .layer(axum::middleware::from_fn(headers))
}

/// The admin's own security headers (the site's rules, set after, leave them): its pages may
/// frame the preview of the same origin, and nothing of it is cached but its assets.
async fn headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-src 'self'; \
             frame-ancestors 'self'",
        ),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_templates_and_strings_parse() {
        if let Err(e) = super::Admin::new() {
            panic!("{e}");
        }
    }
}
