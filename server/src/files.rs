//! Static files of the request's site, with the headers a CDN and a browser need. Content
//! types come from the function that writes them into the build's manifest
//! ([`ssg::mime_of`]), so the server and the manifest agree.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Answers with the file at the request's path in its site's folder (`/x/` is `/x/index.html`),
/// or the site's 404 page.
pub async fn serve(State(state): State<Arc<crate::State>>, req: Request) -> Response {
    let host = request_host(&req);
    let sites = state.sites();
    let Some(site) = sites.resolve(&host) else {
        return unknown_host(&state, &host);
    };
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = (StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n").into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = req.uri().path().to_string();
    let dir = ServeDir::new(&site.root)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(site.root.join("404.html")));
    let mut resp = match dir.oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    set_content_type(&mut resp, &path);
    set_headers(&mut resp, &path);
    if state.dev.is_some() {
        return dev_page(resp).await;
    }
    resp
}

/// In `cms dev`, an HTML page gets the live-reload script, and nothing is cached.
async fn dev_page(resp: Response) -> Response {
    use http_body_util::BodyExt;
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let (mut parts, body) = resp.into_parts();
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    parts.headers.remove(header::LAST_MODIFIED);
    if !is_html {
        return Response::from_parts(parts, body);
    }
    let bytes = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(crate::dev::inject(&bytes)))
}

/// The `Host` header, or the authority of an absolute request URI.
pub fn request_host<B>(req: &axum::http::Request<B>) -> String {
    req.headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default()
}

/// A 404 naming the sites this server has, for a host it does not know.
pub(crate) fn unknown_host(state: &crate::State, host: &str) -> Response {
    let mut body = String::from("<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Không có trang này</title><h1>Không có trang nào ở địa chỉ này</h1><p>Các trang của mạng cổng:</p><ul>");
    for s in &state.sites().list {
        body.push_str(&format!(
            "<li>{} (<code>{}.localhost</code>)</li>",
            search_index::escape(&s.domain),
            search_index::escape(&s.id)
        ));
    }
    body.push_str("</ul>");
    tracing::debug!(host = %host, "unknown host");
    let mut r = (StatusCode::NOT_FOUND, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// The content type of the file answered for `path`: the site's 404 page, the folder's
/// `index.html`, or the file itself. Answers without a body of their own (redirects, 304s)
/// have no type and get none.
fn set_content_type(resp: &mut Response, path: &str) {
    if !resp.headers().contains_key(header::CONTENT_TYPE) {
        return;
    }
    let file = if resp.status() == StatusCode::NOT_FOUND {
        "404.html"
    } else if path.ends_with('/') {
        "index.html"
    } else {
        path
    };
    if let Ok(v) = HeaderValue::from_str(ssg::mime_of(file)) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
}

/// Whether a file name carries its content hash (`style.3f2a1b9c.css`).
fn fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (Some(ext), Some(hash), Some(_stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    matches!(ext, "css" | "js") && hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

fn set_headers(resp: &mut Response, path: &str) {
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    let is_html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html {
        h.insert(
            header::HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        );
    }
    let cache = if resp.status() == StatusCode::NOT_FOUND {
        "public, max-age=60"
    } else if fingerprinted(path) {
        "public, max-age=31536000, immutable"
    } else if is_html
        || path.ends_with('/')
        || path.ends_with(".xml")
        || path.ends_with(".json")
        || path.ends_with(".txt")
    {
        // Pages change with each build: caches keep them but ask again (Last-Modified).
        "public, max-age=0, must-revalidate"
    } else {
        "public, max-age=86400"
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints() {
        assert!(fingerprinted("/style.28e13d77.css"));
        assert!(fingerprinted("/display.86f28a42.js"));
        assert!(!fingerprinted("/style.css"));
        assert!(!fingerprinted("/logo.svg"));
        assert!(!fingerprinted("/a.28e13d77.svg"));
    }
}
