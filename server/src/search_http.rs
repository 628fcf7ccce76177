//! `/search` (the results page in the site's theme) and `/api/search` (JSON).

use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use search_index::{escape, Notice, Request as Query, Response as Results, Sort};
use serde_json::json;

use crate::files::request_host;
use crate::index::Ui;
use crate::params;
use crate::sites::{host_name, Site};

mod fragment;

use fragment::Fragment;
#[cfg(test)]
use fragment::{format_count, vi_date};

/// Results per page on the HTML page.
const PER_PAGE: usize = 10;

/// `GET /search`, `GET /search/`.
pub async fn page(State(state): State<Arc<crate::State>>, req: Request) -> Response {
    handle(&state, req, None, false).await
}

/// `GET /{lang}/search/`.
pub async fn page_in(
    State(state): State<Arc<crate::State>>,
    Path(lang): Path<String>,
    req: Request,
) -> Response {
    handle(&state, req, Some(lang), false).await
}

/// `GET /api/search`.
pub async fn api(State(state): State<Arc<crate::State>>, req: Request) -> Response {
    handle(&state, req, None, true).await
}

/// An answer that is not a results list: rate limited, search unavailable, unknown host.
enum Refusal {
    RateLimited(u64),
    Unavailable,
}

async fn handle(
    state: &crate::State,
    req: Request,
    path_lang: Option<String>,
    json: bool,
) -> Response {
    let host = request_host(&req);
    let site = state.sites().resolve(&host).cloned();
    if site.is_none() && !json {
        return crate::files::unknown_host(state, &host);
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    // Never logged: the client's address is theirs, as their query is.
    let ip = state.proxies.client(peer, req.headers());
    let raw_query = req.uri().query().map(str::to_string);
    let headers = req.headers().clone();
    drop(req);

    let params = params::parse(raw_query.as_deref());
    let (index, ui) = match state.index.current() {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!("search unavailable: {e}");
            return refuse(
                state,
                site.as_ref(),
                path_lang.as_deref(),
                &host,
                json,
                Refusal::Unavailable,
                &params,
            );
        }
    };
    let lang = page_language(site.as_ref(), path_lang.as_deref(), &ui.default_language);
    if let Err(wait) = state.limiter.check(ip) {
        return refuse(
            state,
            site.as_ref(),
            Some(&lang),
            &host,
            json,
            Refusal::RateLimited(wait.as_secs().max(1)),
            &params,
        );
    }

    let query = to_query(&params, site.as_ref(), json);
    let etag = {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (host_name(&host), &lang, &params, json).hash(&mut h);
        format!("W/\"{}-{:016x}\"", index.version(), h.finish())
    };
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        cache_headers(&mut r, &etag);
        return r;
    }

    // The same search on the same index: the answer kept from last time.
    let cache_key = format!("{etag} {}", state.dev.is_some());
    if let Some(mut r) = state.results.get(&cache_key) {
        cache_headers(&mut r, &etag);
        return r;
    }
    let searched = {
        let index = index.clone();
        let query = query.clone();
        tokio::task::spawn_blocking(move || index.search(&query)).await
    };
    let results = match searched {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            tracing::error!("search failed: {e}");
            return refuse(
                state,
                site.as_ref(),
                Some(&lang),
                &host,
                json,
                Refusal::Unavailable,
                &params,
            );
        }
        Err(e) => {
            tracing::error!("search task failed: {e}");
            return refuse(
                state,
                site.as_ref(),
                Some(&lang),
                &host,
                json,
                Refusal::Unavailable,
                &params,
            );
        }
    };

    let mut resp = if json {
        json_response(
            &results,
            &query,
            index.version(),
            &host,
            site.as_ref(),
            &ui,
            &lang,
        )
    } else {
        // Pages are for a site's host (checked at the start); a host without one gets the list.
        let Some(site) = site.as_ref() else {
            return crate::files::unknown_host(state, &host);
        };
        let fragment = Fragment {
            ui: &ui,
            lang: &lang,
            site,
            host: &host,
            params: &params,
            query: &query,
            results: &results,
            base: search_path(site, &lang),
        }
        .render();
        html_response(
            StatusCode::OK,
            dev_inject(state, shell(site, &lang, &results.q, &fragment)),
        )
    };
    cache_headers(&mut resp, &etag);
    state.results.put(cache_key, resp).await
}

fn page_language(site: Option<&Site>, path_lang: Option<&str>, default: &str) -> String {
    let langs: &[String] = site.map(|s| s.languages.as_slice()).unwrap_or(&[]);
    match path_lang {
        Some(l) if langs.iter().any(|x| x == l) => l.to_string(),
        _ => langs
            .first()
            .map(String::as_str)
            .unwrap_or(default)
            .to_string(),
    }
}

fn search_path(site: &Site, lang: &str) -> String {
    if site.languages.first().is_none_or(|d| d == lang) {
        "/search/".into()
    } else {
        format!("/{lang}/search/")
    }
}

/// The search the parameters ask for. An agency site searches itself unless `scope=all`; the
/// portal searches the whole network.
fn to_query(p: &[(String, String)], site: Option<&Site>, api: bool) -> Query {
    let get = |k: &str| params::get(p, k).map(str::trim).filter(|v| !v.is_empty());
    let own_site = site
        .filter(|s| !s.portal && get("scope") != Some("all"))
        .map(|s| s.id.clone());
    let term = match (get("tax"), get("term")) {
        (Some(t), Some(v)) => Some((t.to_string(), v.to_string())),
        (None, Some(v)) => Some(("topics".to_string(), v.to_string())),
        _ => None,
    };
    Query {
        q: params::get(p, "q").unwrap_or_default().to_string(),
        site: get("site").map(str::to_string).or(own_site),
        kind: get("kind").map(str::to_string),
        lang: get("lang").map(str::to_string),
        year: get("year").map(str::to_string),
        term,
        sort: if get("sort") == Some("date") {
            Sort::Date
        } else {
            Sort::Relevance
        },
        page: get("page").and_then(|v| v.parse().ok()).unwrap_or(1),
        per_page: if api {
            get("per_page")
                .and_then(|v| v.parse().ok())
                .unwrap_or(PER_PAGE)
        } else {
            PER_PAGE
        },
    }
}

fn cache_headers(r: &mut Response, etag: &str) {
    let h = r.headers_mut();
    // A CDN may keep an answer a minute; the ETag changes with the index.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Host"));
}

fn html_response(status: StatusCode, html: String) -> Response {
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Where a result links to: a path on the same site; another site's address, or for local use
/// (`<id>.localhost:port`) the other site's local address.
fn hit_link(hit: &search_index::Hit, host: &str, site: Option<&Site>) -> String {
    if site.is_some_and(|s| s.id == hit.site) {
        return hit.path.clone();
    }
    let name = host_name(host);
    if name == "localhost" || name == "127.0.0.1" || name.ends_with(".localhost") {
        let port = host
            .rsplit_once(':')
            .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
            .map(|(_, p)| format!(":{p}"))
            .unwrap_or_default();
        return format!("http://{}.localhost{port}{}", hit.site, hit.path);
    }
    hit.url.clone()
}

/// A hit of `/api/search`. Fields in alphabetical order, as the answer's other objects.
#[derive(serde::Serialize)]
struct ApiHit<'a> {
    date: Option<String>,
    kind: &'a str,
    kind_label: &'a str,
    lang: &'a str,
    link: String,
    score: f32,
    site: &'a str,
    site_name: &'a str,
    snippet_html: &'a str,
    title: &'a str,
    title_html: &'a str,
    url: &'a str,
}

/// The filters `/api/search` applied.
#[derive(serde::Serialize)]
struct ApiFilters<'a> {
    kind: Option<&'a str>,
    lang: Option<&'a str>,
    site: Option<&'a str>,
    term: Option<ApiTerm<'a>>,
    year: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct ApiTerm<'a> {
    taxonomy: &'a str,
    term: &'a str,
}

/// The answer of `/api/search`, serialized straight from the results (no JSON tree built).
#[derive(serde::Serialize)]
struct ApiAnswer<'a> {
    facets: &'a search_index::Facets,
    filters: ApiFilters<'a>,
    hits: Vec<ApiHit<'a>>,
    index_version: &'a str,
    message: Option<&'a str>,
    notice: Option<Notice>,
    page: usize,
    pages: usize,
    per_page: usize,
    q: &'a str,
    relaxed: bool,
    sort: Sort,
    total: usize,
}

fn json_response(
    r: &Results,
    q: &Query,
    version: &str,
    host: &str,
    site: Option<&Site>,
    ui: &Ui,
    lang: &str,
) -> Response {
    let hits = r
        .hits
        .iter()
        .map(|h| ApiHit {
            date: h.date.and_then(chrono_date),
            kind: &h.kind,
            kind_label: ui.kind_label(lang, &h.kind),
            lang: &h.lang,
            link: hit_link(h, host, site),
            score: h.score,
            site: &h.site,
            site_name: ui.site_name(lang, &h.site),
            snippet_html: &h.snippet_html,
            title: &h.title,
            title_html: &h.title_html,
            url: &h.url,
        })
        .collect();
    let body = ApiAnswer {
        facets: &r.facets,
        filters: ApiFilters {
            kind: q.kind.as_deref(),
            lang: q.lang.as_deref(),
            site: q.site.as_deref(),
            term: q.term.as_ref().map(|(t, v)| ApiTerm {
                taxonomy: t,
                term: v,
            }),
            year: q.year.as_deref(),
        },
        hits,
        index_version: version,
        message: r.notice.map(|n| ui.t(lang, notice_key(n))),
        notice: r.notice,
        page: r.page,
        pages: r.pages,
        per_page: r.per_page,
        q: &r.q,
        relaxed: r.relaxed,
        sort: r.sort,
        total: r.total,
    };
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}

/// The day of a page's date as Vietnamese readers see it (UTC+7), `YYYY-MM-DD`.
fn chrono_date(secs: i64) -> Option<String> {
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600)?;
    let t = chrono::DateTime::from_timestamp(secs, 0)?.with_timezone(&vietnam);
    Some(t.format("%Y-%m-%d").to_string())
}

fn notice_key(n: Notice) -> &'static str {
    match n {
        Notice::Empty => "search_empty",
        Notice::TooLong => "search_too_long",
        Notice::NoWords => "search_no_words",
    }
}

fn refuse(
    state: &crate::State,
    site: Option<&Site>,
    lang: Option<&str>,
    host: &str,
    json: bool,
    why: Refusal,
    params: &[(String, String)],
) -> Response {
    let ui = state.index.current().map(|(_, ui)| ui).unwrap_or_default();
    let lang = lang
        .map(str::to_string)
        .unwrap_or_else(|| page_language(site, None, &ui.default_language));
    let (status, key, retry) = match why {
        Refusal::RateLimited(s) => (
            StatusCode::TOO_MANY_REQUESTS,
            "search_rate_limited",
            Some(s),
        ),
        Refusal::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "search_error", None),
    };
    let message = ui.t(&lang, key);
    let mut resp = if json {
        (
            status,
            axum::Json(json!({"error": key, "message": message})),
        )
            .into_response()
    } else {
        let Some(site) = site else {
            return crate::files::unknown_host(state, host);
        };
        let q = params::get(params, "q").unwrap_or_default();
        let fragment = format!(
            "<p class=\"search-notice\" role=\"alert\">{}</p>",
            escape(message)
        );
        html_response(status, dev_inject(state, shell(site, &lang, q, &fragment)))
    };
    if let Some(s) = retry {
        if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let _ = host;
    resp
}

/// In `cms dev`, the page with the live-reload script.
fn dev_inject(state: &crate::State, html: String) -> String {
    if state.dev.is_some() {
        String::from_utf8_lossy(&crate::dev::inject(html.as_bytes())).into_owned()
    } else {
        html
    }
}

/// The site's search page with `fragment` in place of `<cms-search>`, and the query in the
/// header's search box.
fn shell(site: &Site, lang: &str, q: &str, fragment: &str) -> String {
    let rel = if site.languages.first().is_none_or(|d| d == lang) {
        "search/index.html".to_string()
    } else {
        format!("{lang}/search/index.html")
    };
    let page = std::fs::read_to_string(site.root.join(rel)).unwrap_or_else(|_| {
        format!("<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>Tìm kiếm</title><main><cms-search></cms-search></main></html>", escape(lang))
    });
    let mut out = match (page.find("<cms-search>"), page.find("</cms-search>")) {
        (Some(a), Some(b)) if b > a => {
            format!(
                "{}{fragment}{}",
                &page[..a],
                &page[b + "</cms-search>".len()..]
            )
        }
        _ => page.replacen("</main>", &format!("{fragment}</main>"), 1),
    };
    // The header's search box shows what was searched.
    if let Some(at) = find_query_input(&out) {
        out.insert_str(at, &format!(" value=\"{}\"", escape(q)));
    }
    out
}

/// Where to insert a `value` attribute in the header's `<input … name=q …>`.
fn find_query_input(html: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = html[from..].find("<input") {
        let start = from + i;
        let end = start + html[start..].find('>')?;
        let tag = &html[start..end];
        if tag.contains("name=q ") || tag.contains("name=\"q\"") || tag.ends_with("name=q") {
            return Some(start + "<input".len());
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_counts_and_query_inputs() {
        assert_eq!(chrono_date(1_669_334_400).as_deref(), Some("2022-11-25"));
        // 17:00 UTC is the next day in Vietnam.
        assert_eq!(chrono_date(1_669_395_600).as_deref(), Some("2022-11-26"));
        assert_eq!(chrono_date(1_669_395_599).as_deref(), Some("2022-11-25"));
        assert_eq!(chrono_date(-86_400).as_deref(), Some("1969-12-31"));
        assert_eq!(vi_date("2022-11-25", "vi"), "25/11/2022");
        assert_eq!(format_count(12345, "vi"), "12.345");
        assert_eq!(format_count(999, "en"), "999");
        let html = "<form><input id=q name=q type=search></form>";
        let at = find_query_input(html).unwrap();
        assert!(html[..at].ends_with("<input") && html[at..].starts_with(" id=q"));
    }
}
