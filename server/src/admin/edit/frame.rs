//! The preview in the site's look: the page's HTML from the preview API with its site-relative
//! URLs (stylesheets, images) pointed at `/admin/sites/{site}/site/…`, which serves the site's
//! built files from the admin's own origin, so that the preview frame (a `srcdoc` under the
//! admin's CSP: no script runs in it) loads them. And the JSON the editor's script asks for
//! while the user types.

use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Serialize;

use super::form::{self, posted, Posted};
use crate::admin::cx::{AdminError, Answer, Cx};
use crate::api::{FieldProblem, KindsView, PreviewRequest, PreviewView, Problem};

/// `html` with its root-relative URLs (`href="/…"`, `src=/…`; not `//host`) under the
/// admin's route to the site's files.
pub fn rewrite(html: &str, site: &str) -> String {
    let base = format!("/admin/sites/{site}/site/");
    let mut out = html.to_string();
    for attr in ["href", "src", "srcset", "action"] {
        for quote in ["\"", ""] {
            let from = format!(" {attr}={quote}/");
            let mut done = String::with_capacity(out.len() + 256);
            let mut rest = out.as_str();
            while let Some(i) = rest.find(&from) {
                let after = &rest[i + from.len()..];
                done.push_str(&rest[..i]);
                if after.starts_with('/') {
                    done.push_str(&from);
                } else {
                    done.push_str(&format!(" {attr}={quote}{base}"));
                }
                rest = after;
            }
            done.push_str(rest);
            out = done;
        }
    }
    out
}

/// One problem and where the form shows it.
#[derive(Debug, Serialize)]
struct Placed {
    /// The id of the input it belongs to (`f-title`, `k-issued`), or `body`.
    id: String,
    message: String,
    hint: Option<String>,
    line: usize,
}

/// What the editor's script gets.
#[derive(Debug, Serialize)]
struct Live {
    html: String,
    errors: Vec<Placed>,
    ms: u64,
}

/// `POST /admin/sites/{site}/preview/{path}`: the posted form previewed, as JSON for the
/// editor's script (the form's fields, so the script needs not know the front matter).
pub async fn preview_json(
    cx: Cx,
    Path((site, path)): Path<(String, String)>,
    Form(form): Form<Posted>,
) -> Result<Response, AdminError> {
    let fail = |p: Problem| AdminError(p.into_response());
    let kinds: KindsView = cx
        .api
        .get(&format!("/sites/{site}/kinds"))
        .await
        .map_err(fail)?;
    let text = form::text_of(&form, &kinds);
    let api = cx.api.with_csrf(posted(&form, "csrf").unwrap_or_default());
    let p: PreviewView = api
        .call(
            Method::POST,
            &format!("/sites/{site}/preview/{path}"),
            Some(&PreviewRequest { text: text.clone() }),
            None,
        )
        .await
        .and_then(|r| r.json())
        .map_err(fail)?;
    let split = super::text::split(&text);
    let fields = super::text::Fields::parse(&split);
    let kind = form::page_kind(&kinds, &path, fields.as_ref());
    let empty = super::text::Fields::empty(split.syntax);
    let mut inputs = form::kind_of(&kinds, &kind)
        .map(|k| form::inputs(&kinds, k, fields.as_ref().unwrap_or(&empty), cx.lang))
        .unwrap_or_default();
    let rest = form::place_errors(&mut inputs, p.errors);
    let placed = |id: &str, e: FieldProblem| Placed {
        id: id.to_string(),
        message: e.message,
        hint: e.hint,
        line: e.line,
    };
    let mut errors: Vec<Placed> = Vec::new();
    for i in inputs {
        for e in i.errors {
            errors.push(placed(&i.id, e));
        }
    }
    errors.extend(rest.into_iter().map(|e| placed("body", e)));
    Ok(Json(Live {
        html: rewrite(&p.html, &site),
        errors,
        ms: p.ms,
    })
    .into_response())
}

/// `GET /admin/sites/{site}/site/{file}`: a file of the site's live build (its stylesheet, a
/// bundle's image), for the preview frame.
pub async fn site_file(cx: Cx, Path((site, file)): Path<(String, String)>) -> Answer {
    let sites: ssg::api::SitesDoc = cx.api.get("/sites").await.map_err(|p| cx.fail(None, p))?;
    let Some(domain) = sites
        .sites
        .iter()
        .find(|s| s.id == site)
        .map(|s| s.domain.clone())
    else {
        return Err(cx.fail(None, Problem::not_found(site)));
    };
    let mut req = Request::new(axum::body::Body::empty());
    *req.uri_mut() = format!("/{file}")
        .parse()
        .map_err(|_| cx.fail(None, Problem::bad_request(file.clone())))?;
    if let Ok(host) = HeaderValue::from_str(&domain) {
        req.headers_mut().insert(header::HOST, host);
    }
    let mut res = crate::files::serve(axum::extract::State(cx.state.clone()), req).await;
    res.headers_mut().remove(header::CACHE_CONTROL);
    Ok(res)
}

#[cfg(test)]
mod tests {
    #[test]
    fn site_relative_urls_go_through_the_admin() {
        let html = r#"<link rel="stylesheet" href="/assets/s.css"><img src=/a/b.webp srcset="/a/b.480w.webp 480w"><a href="//cdn.x/y">c</a><a href="https://x/">d</a><p data-src="/z">"#;
        assert_eq!(
            super::rewrite(html, "drvn"),
            r#"<link rel="stylesheet" href="/admin/sites/drvn/site/assets/s.css"><img src=/admin/sites/drvn/site/a/b.webp srcset="/admin/sites/drvn/site/a/b.480w.webp 480w"><a href="//cdn.x/y">c</a><a href="https://x/">d</a><p data-src="/z">"#
        );
    }
}
