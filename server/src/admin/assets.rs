//! The admin's own static files (CSS, JavaScript), embedded in the binary and served under
//! fingerprinted names (`admin.3f2a9c1b0d.css`), so browsers may keep them for a year.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// One embedded file: its name, its bytes and their type.
const FILES: &[(&str, &[u8], &str)] = &[
    (
        "edit.js",
        include_bytes!("../../admin/assets/edit.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "admin.css",
        include_bytes!("../../admin/assets/admin.css"),
        "text/css; charset=utf-8",
    ),
    (
        "admin.js",
        include_bytes!("../../admin/assets/admin.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "media.js",
        include_bytes!("../../admin/assets/media.js"),
        "text/javascript; charset=utf-8",
    ),
    // The Markdown editor (CodeMirror 6), bundled from admin/editor/ by scripts/admin-assets.
    (
        "editor.js",
        include_bytes!("../../admin/assets/editor.js"),
        "text/javascript; charset=utf-8",
    ),
];

/// An embedded file under its fingerprinted name.
#[derive(Debug)]
struct Asset {
    bytes: &'static [u8],
    mime: &'static str,
}

/// The embedded files by fingerprinted name, and the URL of each by its plain name (what the
/// templates see as `assets["admin.css"]`).
#[derive(Debug)]
pub struct Assets {
    by_name: BTreeMap<String, Asset>,
    /// `admin.css` → `/admin/assets/admin.<hash>.css`.
    pub urls: BTreeMap<&'static str, String>,
}

impl Assets {
    /// Fingerprints every embedded file.
    pub fn new() -> Assets {
        let mut by_name = BTreeMap::new();
        let mut urls = BTreeMap::new();
        for (name, bytes, mime) in FILES {
            let hash = hex::encode(&Sha256::digest(bytes)[..5]);
            let hashed = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                None => format!("{name}.{hash}"),
            };
            urls.insert(*name, format!("/admin/assets/{hashed}"));
            by_name.insert(hashed, Asset { bytes, mime });
        }
        Assets { by_name, urls }
    }
}

impl Default for Assets {
    fn default() -> Self {
        Assets::new()
    }
}

/// `GET /admin/assets/{file}`: an embedded file by its fingerprinted name, cached for a year.
pub async fn serve(State(state): State<Arc<crate::State>>, Path(file): Path<String>) -> Response {
    let Some(asset) = state.admin.assets.by_name.get(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.mime)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_has_a_fingerprinted_url_that_names_it() {
        let a = Assets::new();
        let css = &a.urls["admin.css"];
        assert!(css.starts_with("/admin/assets/admin.") && css.ends_with(".css"));
        let name = css.trim_start_matches("/admin/assets/");
        assert_eq!(a.by_name[name].mime, "text/css; charset=utf-8");
        assert_eq!(a.urls.len(), FILES.len());
    }
}
