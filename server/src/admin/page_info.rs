//! What the review, history and media pages share about one page: its API paths and admin
//! links (percent-encoded), the reviewers' comments, its draft rendered by the preview API,
//! and whether the user may approve on its site.

use super::cx::{AdminError, Cx};
use crate::api::{CommentView, PreviewView, SessionView};

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

/// The page at `stage` (`draft` or `published`) rendered in its site's theme by the preview
/// API (the site's pipeline, sanitized as it publishes), its site-relative URLs pointed at
/// the admin's route to the site's files: the `srcdoc` of a sandboxed frame, as on the edit
/// page, so nothing an editor typed is ever part of the admin page itself. `None` when it
/// cannot be rendered (no such version, a page that does not render: the text diff is shown
/// anyway). A GET of the API: it writes nothing, so it needs no CSRF token.
pub async fn preview(cx: &Cx, site: &str, path: &str, stage: &str) -> Option<String> {
    let route = format!("{}?stage={stage}", api_path("preview", site, path));
    let view: PreviewView = cx.api.get(&route).await.ok()?;
    Some(super::edit::rewrite(&view.html, site)).filter(|h| !h.trim().is_empty())
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
