//! How the output is hosted: ONE description of the rules every host follows (domain and
//! aliases, the 404 page, page-alias redirects, cache policy per class of file, the dynamic
//! paths proxied to `cms serve`, and the security headers), written by `cms build` to
//! `deploy/hosting.json`, and from it the files each kind of host reads: `_headers` and
//! `_redirects` per site (Cloudflare Pages, Netlify, see [`netlify`]) and an nginx `server`
//! block per site (see [`nginx`]). `cms serve` and `cms publish` take their headers from
//! [`object_meta`] and [`Hosting`] too, so every host sends the same thing.
//!
//! Text files also get precompressed `.br` and `.gz` variants beside them (see [`compress`]).

pub mod compress;
mod describe;
pub(crate) mod files;
pub mod netlify;
pub mod nginx;

use serde::{Deserialize, Serialize};

pub use describe::describe;

/// Where the description is written in the output.
pub const HOSTING_FILE: &str = "deploy/hosting.json";

/// The name of the nginx upstream (and of the proxied service) that answers dynamic paths:
/// `cms serve`. The host's configuration defines it.
pub const UPSTREAM: &str = "cms_serve";

/// Cache-Control of fingerprinted files: their name changes with their bytes.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache-Control of pages, feeds and data: they change with each build, so caches keep them
/// but ask again (a 304 when unchanged).
pub const CACHE_REVALIDATE: &str = "public, max-age=0, must-revalidate";
/// Cache-Control of other static files (bundle images, PDFs, the logo): they rarely change,
/// but under the same name, so not for long.
pub const CACHE_SHORT: &str = "public, max-age=3600";

/// What a host sends with one object of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// `Content-Type`: the original's type, also for a compressed variant.
    pub content_type: String,
    /// `Cache-Control`, by the file's [`FileClass`].
    pub cache_control: String,
    /// `Content-Encoding` of a precompressed variant (`br`, `gzip`).
    pub content_encoding: Option<String>,
}

/// From a manifest entry (path relative to the output, type, encoding).
pub fn object_meta(path: &str, mime: &str, encoding: Option<&str>) -> ObjectMeta {
    // A variant is cached as the file it was compressed from.
    let original = match encoding {
        Some(e) => path
            .strip_suffix(compress::suffix(e).unwrap_or_default())
            .unwrap_or(path),
        None => path,
    };
    ObjectMeta {
        content_type: mime.to_string(),
        cache_control: class_of(original, mime).cache_control().to_string(),
        content_encoding: encoding.map(str::to_string),
    }
}

/// The classes of files a host caches differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileClass {
    /// Named by their content hash (see [`is_fingerprinted`]): cached for a year, immutable.
    Fingerprinted,
    /// HTML, feeds, sitemaps, JSON, text: revalidated at each request.
    Revalidated,
    /// Every other file: cached for an hour.
    Static,
}

impl FileClass {
    /// The `Cache-Control` of the class.
    pub fn cache_control(self) -> &'static str {
        match self {
            FileClass::Fingerprinted => CACHE_IMMUTABLE,
            FileClass::Revalidated => CACHE_REVALIDATE,
            FileClass::Static => CACHE_SHORT,
        }
    }
}

/// The class of the file at `path` (relative, or a URL path) whose type is `mime`.
pub fn class_of(path: &str, mime: &str) -> FileClass {
    if is_fingerprinted(path) {
        FileClass::Fingerprinted
    } else if is_revalidated_type(mime) || path.ends_with('/') {
        FileClass::Revalidated
    } else {
        FileClass::Static
    }
}

/// Whether files of this type change under the same name with each build: pages, feeds,
/// sitemaps, JSON and text files (robots.txt, the host files).
pub fn is_revalidated_type(mime: &str) -> bool {
    let t = mime.split(';').next().unwrap_or(mime).trim();
    matches!(
        t,
        "text/html"
            | "application/xml"
            | "text/xml"
            | "application/rss+xml"
            | "application/atom+xml"
            | "application/json"
            | "text/plain"
    )
}

/// The extensions a fingerprinted file may have: CSS, JavaScript, images and fonts.
const FINGERPRINTED_EXTS: &[&str] = &[
    "css", "js", "mjs", "webp", "avif", "png", "jpg", "jpeg", "gif", "svg", "woff2", "woff",
];

/// Whether a file name carries its content hash: `<stem>.<hash>.<ext>`, the hash 8 to 64
/// lowercase hex digits, the extension that of CSS, JavaScript, an image or a font
/// (`style.3f2a1b9c.css`), or a processed image's variant `<stem>.<hash>.<width>w.<ext>`
/// (`anh.3f2a1b9c.960w.webp`, see [`crate::is_image_variant`]). Such a file never changes:
/// another content gets another name.
pub fn is_fingerprinted(path: &str) -> bool {
    if crate::is_image_variant(path) {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (Some(ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty()
        && FINGERPRINTED_EXTS.contains(&ext)
        && (8..=64).contains(&hash.len())
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The regular expression (PCRE, for nginx) matching the URL paths [`is_fingerprinted`]
/// accepts.
pub fn fingerprinted_regex() -> String {
    format!(
        "/[^/]+\\.[0-9a-f]{{8,64}}(\\.[0-9]+w)?\\.({})$",
        FINGERPRINTED_EXTS.join("|")
    )
}

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Its name, as sent (`Content-Security-Policy`).
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A redirect of one path of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    /// The URL path asked for (`/tin-cu/`), decoded.
    pub from: String,
    /// Where it goes: a path of the same site.
    pub to: String,
    /// The status: 301 (moved for good).
    pub status: u16,
}

/// The hosting rules of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteHosting {
    /// Its id (`drvn`).
    pub id: String,
    /// Its canonical domain.
    pub domain: String,
    /// Other domains, which redirect (301) to the canonical one, path and query kept.
    pub aliases: Vec<String>,
    /// Its folder in the output (`sites/<domain>`), relative.
    pub root: String,
    /// The page answered with 404 for a path it does not have.
    pub not_found: String,
    /// The paths answered by `cms serve` (the [`UPSTREAM`]), exactly.
    pub dynamic: Vec<String>,
    /// Redirects of old page paths (a page's `aliases`), sorted. The alias pages are written
    /// too (a `<meta http-equiv="refresh">`), for hosts that read no redirect rules.
    pub redirects: Vec<Redirect>,
    /// Security headers of every response of the site (the CSP names the site's stylesheet
    /// inlined in standalone article copies by its hash).
    pub headers: Vec<Header>,
}

/// The hosting rules of the whole output: what `deploy/hosting.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hosting {
    /// Format version of this file.
    pub version: u32,
    /// The name of the service answering dynamic paths (`cms serve`).
    pub upstream: String,
    /// Cache-Control per class of file.
    pub cache: Vec<CacheRule>,
    /// The extensions of the files of the output and their types (nginx's `types`), sorted.
    pub types: Vec<(String, String)>,
    /// The sites, in the manifest's order.
    pub sites: Vec<SiteHosting>,
}

/// The Cache-Control of a class of files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheRule {
    /// The class.
    pub class: FileClass,
    /// Its Cache-Control.
    pub cache_control: String,
}

/// The Content-Security-Policy of a site's pages: everything from the site itself, nothing
/// inline but the stylesheets whose SHA-256 (base64) are `style_hashes` (the stylesheet
/// standalone article copies inline), no framing.
pub fn content_security_policy(style_hashes: &[String]) -> String {
    let mut style = String::from("'self'");
    for h in style_hashes {
        style.push_str(&format!(" 'sha256-{h}'"));
    }
    format!(
        "default-src 'self'; img-src 'self' data:; style-src {style}; script-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The security headers of every response of a site, with its CSP.
pub fn security_headers(csp: &str) -> Vec<Header> {
    let h = |name: &str, value: &str| Header {
        name: name.to_string(),
        value: value.to_string(),
    };
    vec![
        h("Content-Security-Policy", csp),
        h("Strict-Transport-Security", "max-age=31536000"),
        h("X-Content-Type-Options", "nosniff"),
        h("X-Frame-Options", "DENY"),
        h("Referrer-Policy", "strict-origin-when-cross-origin"),
        h(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
    ]
}

impl Hosting {
    /// The site whose canonical domain or alias is `host` (port and case ignored).
    pub fn site_of_host(&self, host: &str) -> Option<&SiteHosting> {
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        self.sites.iter().find(|s| {
            s.domain.eq_ignore_ascii_case(host)
                || s.aliases.iter().any(|a| a.eq_ignore_ascii_case(host))
        })
    }

    /// Reads `deploy/hosting.json` of the output `out`.
    pub fn load(out: &std::path::Path) -> Result<Hosting, crate::Error> {
        let path = out.join(HOSTING_FILE);
        let bytes = std::fs::read(&path).map_err(|source| crate::Error::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|e| crate::Error::Hosting { path, source: e })
    }
}

impl SiteHosting {
    /// The redirect of the URL path `path`, if it is an old path of a page.
    pub fn redirect(&self, path: &str) -> Option<&Redirect> {
        self.redirects
            .binary_search_by(|r| r.from.as_str().cmp(path))
            .ok()
            .map(|i| &self.redirects[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_meta_follows_the_contract() {
        let html = "text/html; charset=utf-8";
        let m = object_meta("sites/d/index.html", html, None);
        assert_eq!(
            m,
            ObjectMeta {
                content_type: html.into(),
                cache_control: CACHE_REVALIDATE.into(),
                content_encoding: None
            }
        );
        let css = "text/css; charset=utf-8";
        let m = object_meta("sites/d/style.3f2a1b9c.css.br", css, Some("br"));
        assert_eq!(m.cache_control, CACHE_IMMUTABLE);
        assert_eq!(m.content_type, css);
        assert_eq!(m.content_encoding.as_deref(), Some("br"));
        let m = object_meta("sites/d/index.html.gz", html, Some("gzip"));
        assert_eq!(m.cache_control, CACHE_REVALIDATE);
        for (p, t) in [
            ("sites/d/rss.xml", "application/xml"),
            ("sites/d/robots.txt", "text/plain; charset=utf-8"),
            ("deploy/hosting.json", "application/json"),
            ("sites/d/_headers", "text/plain; charset=utf-8"),
        ] {
            assert_eq!(
                object_meta(p, t, None).cache_control,
                CACHE_REVALIDATE,
                "{p}"
            );
        }
        for p in ["sites/d/logo.svg", "sites/d/a/b.pdf", "sites/d/a/anh.jpg"] {
            let m = object_meta(p, crate::mime_of(p), None);
            assert_eq!(m.cache_control, CACHE_SHORT, "{p}");
        }
    }

    #[test]
    fn fingerprints_are_hex_before_the_extension() {
        assert!(is_fingerprinted("/style.28e13d77.css"));
        assert!(is_fingerprinted("sites/d/display.86f28a42.js"));
        assert!(is_fingerprinted("/tin/anh-800.0123456789abcdef.webp"));
        assert!(
            is_fingerprinted("sites/d/tin/anh.3f2a1b9c.960w.webp"),
            "image variant"
        );
        assert!(
            is_fingerprinted("/tin/anh.3f2a1b9c.480w.jpg"),
            "image variant"
        );
        assert!(!is_fingerprinted("/style.css"));
        assert!(!is_fingerprinted("/logo.svg"));
        assert!(!is_fingerprinted("/.28e13d77.css"), "no stem");
        assert!(!is_fingerprinted("/a.28E13D77.css"), "uppercase");
        assert!(!is_fingerprinted("/a.28e13d7.css"), "too short");
        assert!(
            !is_fingerprinted("/bao-cao.20240101.pdf"),
            "not an asset type"
        );
        let re = fingerprinted_regex();
        assert!(
            re.starts_with("/[^/]+\\.[0-9a-f]{8,64}(\\.[0-9]+w)?\\.(css|js|"),
            "{re}"
        );
    }

    #[test]
    fn the_policy_has_no_unsafe_inline() {
        let csp = content_security_policy(&["abc=".into()]);
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("default-src 'self'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("style-src 'self' 'sha256-abc='"));
        let names: Vec<String> = security_headers(&csp).into_iter().map(|h| h.name).collect();
        for n in [
            "Content-Security-Policy",
            "Strict-Transport-Security",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Permissions-Policy",
        ] {
            assert!(names.iter().any(|x| x == n), "{n}");
        }
    }
}
