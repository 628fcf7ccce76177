//! What the review, history and media pages share about one page: its API paths and admin
//! links (percent-encoded), the reviewers' comments, its draft rendered by the preview API,
//! and whether the user may approve on its site.

use axum::http::Method;

use super::cx::{AdminError, Cx};
use crate::api::{CommentView, PageView, PreviewRequest, PreviewView, Problem, SessionView};

/// The bytes of a path segment left as they are in links; the rest is percent-encoded.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `text` percent-encoded as one URL segment or query value.
pub fn enc(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}

/// A page's path for a URL: each segment percent-encoded, the `/` between them kept.
pub fn page_url(path: &str) -> String {
    path.split('/').map(enc).collect::<Vec<_>>().join("/")
}

/// `/sites/{site}/{route}/{path}` of the API, encoded.
pub fn api_path(route: &str, site: &str, path: &str) -> String {
    format!("/sites/{}/{route}/{}", enc(site), page_url(path))
}

/// The address a page's path gives on its site when it has no `url` yet:
/// `tin-tuc/a.md` → `/tin-tuc/a/`, `tin-tuc/cau/index.md` → `/tin-tuc/cau/`.
pub fn url_of(path: &str) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    let stem = stem
        .strip_suffix("_index")
        .or_else(|| stem.strip_suffix("index"))
        .unwrap_or(stem)
        .trim_end_matches('/');
    match stem.is_empty() {
        true => "/".to_string(),
        false => format!("/{}/", page_url(stem)),
    }
}

/// Whether the user approves on `site` (approver, site admin, or network admin): only to
/// choose which forms to show; the API refuses the others anyway.
pub fn can_approve(session: &SessionView, site: &str) -> bool {
    use db::Role;
    session.user.grants.iter().any(|g| match g.role {
        Role::NetworkAdmin => g.site == "*",
        Role::Approver | Role::SiteAdmin => g.site == site,
        Role::Editor => false,
    })
}

/// The reviewers' comments on the page, oldest first. The edit page shows them with the
/// template block `comments.html` (its view needs a `comments` list of [`CommentView`]).
pub async fn comments(
    cx: &Cx,
    session: &SessionView,
    site: &str,
    path: &str,
) -> Result<Vec<CommentView>, AdminError> {
    cx.api
        .get(&api_path("comments", site, path))
        .await
        .map_err(|p| cx.fail(Some(session), p))
}

/// The page's draft rendered by the preview API (the site's pipeline, sanitized as it
/// publishes); `None` when it cannot be (no draft, a page that does not render: the text
/// diff is shown anyway).
pub async fn preview(cx: &Cx, session: &SessionView, site: &str, path: &str) -> Option<String> {
    let page: PageView = cx.api.get(&api_path("pages", site, path)).await.ok()?;
    // Rendering writes nothing, but the API asks every POST with a cookie for the session's
    // token; this page is a GET, so the session's own token is passed on.
    let api = cx
        .api
        .with_csrf(session.csrf.as_deref().unwrap_or_default());
    let body = PreviewRequest { text: page.text };
    let reply = api
        .call(
            Method::POST,
            &api_path("preview", site, path),
            Some(&body),
            None,
        )
        .await
        .ok()?;
    let view: Result<PreviewView, Problem> = reply.json();
    view.ok().map(|v| v.body_html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_by_segment() {
        assert_eq!(page_url("tin-tuc/cầu a.md"), "tin-tuc/c%E1%BA%A7u%20a.md");
        assert_eq!(
            api_path("diff", "drvn", "a/b.md"),
            "/sites/drvn/diff/a/b.md"
        );
        assert_eq!(enc("a&b=c"), "a%26b%3Dc");
        assert_eq!(url_of("tin-tuc/cao-toc.md"), "/tin-tuc/cao-toc/");
        assert_eq!(url_of("tin-tuc/cau/index.md"), "/tin-tuc/cau/");
        assert_eq!(url_of("tin-tuc/_index.md"), "/tin-tuc/");
        assert_eq!(url_of("_index.md"), "/");
    }
}
