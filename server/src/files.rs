//! Static files of the request's site, with the headers every host of the output sends,
//! from the build's hosting rules ([`ssg::hosting`]): content types as the manifest gives them
//! ([`ssg::mime_of`]), cache headers by class of file, the precompressed `.br`/`.gz` variant a
//! client accepts (with `Vary: Accept-Encoding`), the security headers, the site's redirects
//! (its other domains to the canonical one, old page paths to the page) and its 404 page. So
//! what a test sees here is what nginx and the CDN send.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ssg::hosting::{self, compress};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Answers with the file at the request's path in its site's folder (`/x/` is `/x/index.html`),
/// a redirect, or the site's 404 page.
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
    if let Some(r) = redirect(site, &host, &req) {
        return r;
    }
    let path = req.uri().path().to_string();
    let head = req.method() == Method::HEAD;
    // `cms dev` rewrites pages (the live-reload script): it sends them uncompressed.
    let compressed = state.dev.is_none();
    let not_found = ServeFile::new(site.root.join("404.html"));
    let dir = ServeDir::new(&site.root).append_index_html_on_directories(true);
    let dir = match compressed {
        true => dir
            .precompressed_br()
            .precompressed_gzip()
            .not_found_service(not_found.precompressed_br().precompressed_gzip()),
        false => dir.not_found_service(not_found),
    };
    let mut resp = match dir.oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    set_headers(&mut resp, &path, compressed);
    if state.dev.is_some() {
        return dev_page(resp, head).await;
    }
    resp
}

/// The redirect of a request, if any: a site's other domain moves to its canonical one, an
/// old page path to its page.
fn redirect(site: &crate::Site, host: &str, req: &Request) -> Option<Response> {
    let name = crate::host_name(host);
    if site.aliases.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
        let pq = req.uri().path_and_query().map_or("/", |p| p.as_str());
        return Some(moved(
            StatusCode::MOVED_PERMANENTLY,
            &format!("https://{}{pq}", site.domain),
        ));
    }
    let path = percent_encoding::percent_decode_str(req.uri().path()).decode_utf8_lossy();
    let r = site.hosting.as_ref()?.redirect(&path)?;
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::MOVED_PERMANENTLY);
    Some(moved(status, &r.to))
}

/// A redirect to `to`.
fn moved(status: StatusCode, to: &str) -> Response {
    let mut r = status.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(hosting::CACHE_SHORT),
    );
    r
}

/// Adds the security headers of the request's site (by `Host`) to every response of the
/// server: files, redirects, search pages and errors.
pub async fn security_headers(
    State(state): State<Arc<crate::State>>,
    req: Request,
    next: Next,
) -> Response {
    let host = request_host(&req);
    let rules = state
        .sites()
        .resolve(&host)
        .and_then(|s| s.hosting.as_ref().map(|h| h.headers.clone()));
    let mut resp = next.run(req).await;
    let headers =
        rules.unwrap_or_else(|| hosting::security_headers(&hosting::content_security_policy(&[])));
    for h in headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(h.name.as_bytes()),
            HeaderValue::from_str(&h.value),
        ) {
            // A handler's own (the admin's CSP, which lets it frame its preview) stays.
            resp.headers_mut().entry(name).or_insert(value);
        }
    }
    resp
}

/// In `cms dev`, an HTML page gets the live-reload script, and nothing is cached. A `HEAD`
/// answer has no body to add it to: it says no length rather than a wrong one.
async fn dev_page(resp: Response, head: bool) -> Response {
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
    if head {
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
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

/// The type, encoding and cache headers of the file answered for `path`: the site's 404
/// page, the folder's `index.html`, or the file itself (a variant asked for by its own name is
/// sent as the hosts send it, with its original's type and its encoding). Answers without a
/// body of their own (redirects, 304s) get no type.
fn set_headers(resp: &mut Response, path: &str, compressed: bool) {
    let file = if resp.status() == StatusCode::NOT_FOUND {
        "/404.html"
    } else if path.ends_with('/') {
        "/index.html"
    } else {
        path
    };
    let (original, own_encoding) = compress::ENCODINGS
        .iter()
        .find_map(|(e, suffix)| file.strip_suffix(suffix).map(|o| (o, Some(*e))))
        .filter(|(o, _)| compress::compressible(&format!("sites/x{o}"), ssg::mime_of(o)))
        .unwrap_or((file, None));
    let mime = ssg::mime_of(original);
    let encoding = resp
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let meta = hosting::object_meta(original, mime, encoding.as_deref().or(own_encoding));
    let h = resp.headers_mut();
    if h.contains_key(header::CONTENT_TYPE) {
        if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
            h.insert(header::CONTENT_TYPE, v);
        }
        if let Some(v) = own_encoding.filter(|_| encoding.is_none()) {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(v));
        }
    }
    if compressed && compress::compressible(&format!("sites/x{original}"), mime) {
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    if let Ok(v) = HeaderValue::from_str(&meta.cache_control) {
        h.insert(header::CACHE_CONTROL, v);
    }
}
