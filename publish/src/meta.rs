//! PRIVATE COPY of `ssg::hosting::object_meta` (contract 2 of issue 23), until helper
//! HOSTING's module lands on main: the lead replaces this module with
//! `pub use ssg::hosting::{object_meta, ObjectMeta};` at merge. Same signature, same rules:
//! fingerprinted files (`name.<8 hex>.ext`, processed images) are cached for a year as
//! immutable; everything else (HTML, feeds, XML, JSON, `_headers`…) revalidates.

/// What a host sends with one object of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// `Content-Type`.
    pub content_type: String,
    /// `Cache-Control`.
    pub cache_control: String,
    /// `Content-Encoding` (`br`, `gzip`), for precompressed variants.
    pub content_encoding: Option<String>,
}

/// Cache-Control of a file whose name changes with its bytes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache-Control of everything else: kept, but checked with the origin before each use.
const REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// From a manifest entry (path relative to the output, type, encoding).
pub fn object_meta(path: &str, mime: &str, encoding: Option<&str>) -> ObjectMeta {
    // The variant `x.css.br` is cached as `x.css` is.
    let base = match encoding {
        Some(_) => path
            .strip_suffix(".br")
            .or_else(|| path.strip_suffix(".gz"))
            .unwrap_or(path),
        None => path,
    };
    let cache = if fingerprinted(base) && !mime.starts_with("text/html") {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    ObjectMeta {
        content_type: mime.to_string(),
        cache_control: cache.to_string(),
        content_encoding: encoding.map(str::to_string),
    }
}

/// Whether the file name has a part of at least 8 hex digits between dots (`app.1a2b3c4d.css`).
fn fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| p.len() >= 8 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprinted_files_are_immutable_and_pages_revalidate() {
        let css = object_meta("sites/a/assets/site.1a2b3c4d.css", "text/css", None);
        assert_eq!(css.cache_control, IMMUTABLE);
        let br = object_meta(
            "sites/a/assets/site.1a2b3c4d.css.br",
            "text/css",
            Some("br"),
        );
        assert_eq!(br.cache_control, IMMUTABLE);
        assert_eq!(br.content_encoding.as_deref(), Some("br"));
        let page = object_meta("sites/a/index.html", "text/html; charset=utf-8", None);
        assert_eq!(page.cache_control, REVALIDATE);
        let feed = object_meta("sites/a/rss.xml", "application/rss+xml", None);
        assert_eq!(feed.cache_control, REVALIDATE);
        assert_eq!(feed.content_type, "application/rss+xml");
    }
}
