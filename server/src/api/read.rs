//! The read part of the API: public, published content only, no login. It answers from the
//! static JSON the build writes under each site's `/api/v1/` ([`ssg::api`]), so the server and
//! the CDN give the same documents; drafts and pages scheduled for later are not in a build,
//! so they are not here either.

// A `Problem` carries whole texts by design, and is made only on the way out of a handler.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use ssg::api::{item_file, ContentItem, ContentPage, SiteDoc, SitesDoc};

use super::read_index::{parse_time, parse_until, Filter, Order, SiteIndex, MAX_PER_PAGE};
use super::Problem;
use crate::State;

/// `GET /sites`, `GET /sites/{site}`, `GET /sites/{site}/content`,
/// `GET /sites/{site}/content/{*path}`.
pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/sites", get(list_sites))
        .route("/sites/{site}", get(get_site))
        .route("/sites/{site}/content", get(list_content))
        .route("/sites/{site}/content/{*path}", get(get_item))
}

/// A JSON answer any origin may read (apps on other domains read the public content).
fn public(body: impl IntoResponse) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

fn unavailable() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Chưa sẵn sàng (unavailable)",
        "The site's read API is not in the built output (a build older than it, or a build \
         being swapped in): build again, or retry in a moment.",
    )
}

/// The parsed API of the site `id`; 404 naming the sites when there is no such site.
fn site_index(state: &State, id: &str) -> Result<Arc<SiteIndex>, Problem> {
    let sites = state.sites();
    let Some(site) = sites.get(id) else {
        let ids: Vec<&str> = sites.list.iter().map(|s| s.id.as_str()).collect();
        return Err(Problem::not_found(format!(
            "Không có trang `{id}` (no site `{id}`); the sites are: {}",
            ids.join(", ")
        )));
    };
    state.read.site(&site.root).map_err(|e| {
        tracing::warn!("read API: {e}");
        unavailable()
    })
}

/// Every site of the network, the portal first.
#[utoipa::path(
    get,
    path = "/sites",
    tag = "content",
    responses(
        (status = 200, description = "The sites", body = SitesDoc),
        (status = 503, description = "No read API in the output", body = Problem,
         content_type = "application/problem+json"),
    )
)]
pub async fn list_sites(AxumState(state): AxumState<Arc<State>>) -> Result<Response, Problem> {
    let sites = state.sites();
    let Some(first) = sites.list.first() else {
        return Err(unavailable());
    };
    let index = site_index(&state, &first.id)?;
    Ok(public(Json(index.sites.clone())))
}

/// One site: its languages, its sections as trees per language, its taxonomies and terms.
#[utoipa::path(
    get,
    path = "/sites/{site}",
    tag = "content",
    params(("site" = String, Path, description = "The site's id (`drvn`)")),
    responses(
        (status = 200, description = "The site", body = SiteDoc),
        (status = 404, description = "No such site", body = Problem,
         content_type = "application/problem+json"),
    )
)]
pub async fn get_site(
    AxumState(state): AxumState<Arc<State>>,
    Path(site): Path<String>,
) -> Result<Response, Problem> {
    let index = site_index(&state, &site)?;
    Ok(public(Json(index.site.clone())))
}

/// The filters of a listing, as the query gives them (checked by [`filter`]).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Content kind (`news`, `legal`, `page`…), or `section` for the sections.
    kind: Option<String>,
    /// A section's folder (`tin-tuc`): its items and those of its subsections.
    section: Option<String>,
    /// A language of the site (`vi`, `en`).
    lang: Option<String>,
    /// A taxonomy (`topics`): items with a term of it.
    taxonomy: Option<String>,
    /// A term of `taxonomy`, by slug (`cao-toc`) or as written (`cao tốc`).
    term: Option<String>,
    /// Dated at or after: `2024-05-01` or `2024-05-01T08:30:00`.
    from: Option<String>,
    /// Dated at or before (a date alone takes in the whole day).
    to: Option<String>,
    /// The page, from 1 (default 1).
    page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    per_page: Option<String>,
    /// Words to look for through the search index (title, description, text, fields;
    /// diacritics optional: `cao toc` finds `cao tốc`); the best 1,000 matches are kept, in
    /// the listing's order. Sections are not searched.
    q: Option<String>,
    /// The order: `-date` (newest first, the default), `date` (oldest first; undated last
    /// either way), `title`, `-title` (diacritics folded).
    sort: Option<String>,
}

fn bad(detail: String) -> Problem {
    Problem::bad_request(format!("Tham số không hợp lệ (bad parameter): {detail}"))
}

/// A whole number from `min` to `max`.
fn number(name: &str, v: Option<&str>, default: usize, max: usize) -> Result<usize, Problem> {
    let Some(v) = v else { return Ok(default) };
    match v.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(bad(format!(
            "`{name}` must be a whole number from 1 to {max}, not `{v}`"
        ))),
    }
}

/// The filter of `q` on the site of `index`, or a 400 naming the parameter.
fn filter(index: &SiteIndex, q: ListQuery) -> Result<Filter, Problem> {
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let time = |name: &str, v: Option<String>, parse: fn(&str) -> Option<chrono::NaiveDateTime>| {
        match nonempty(v) {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| {
                bad(format!(
                    "`{name}` must be a date (`2024-05-01`) or a date-time \
                     (`2024-05-01T08:30:00`), not `{s}`"
                ))
            }),
        }
    };
    let from = time("from", q.from, parse_time)?;
    let to = time("to", q.to, parse_until)?;
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            return Err(bad(format!("`from` ({a}) is after `to` ({b})")));
        }
    }
    let lang = nonempty(q.lang);
    let langs = &index.site.languages;
    if let Some(l) = lang.as_ref().filter(|l| !langs.contains(l)) {
        return Err(bad(format!(
            "`lang`: the site has no language `{l}`; it has {}",
            langs.join(", ")
        )));
    }
    let taxonomy = nonempty(q.taxonomy);
    let mut names: Vec<&str> = index
        .site
        .taxonomies
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    names.dedup();
    if let Some(t) = taxonomy.as_ref().filter(|t| !names.contains(&t.as_str())) {
        return Err(bad(format!(
            "`taxonomy`: the site has no taxonomy `{t}`; it has {}",
            names.join(", ")
        )));
    }
    let sort = match nonempty(q.sort) {
        None => Order::Newest,
        Some(s) => Order::parse(&s).ok_or_else(|| {
            bad(format!(
                "`sort` must be `-date`, `date`, `title` or `-title`, not `{s}`"
            ))
        })?,
    };
    let term = nonempty(q.term);
    if term.is_some() && taxonomy.is_none() {
        return Err(bad(
            "`term` needs `taxonomy` (`taxonomy=topics&term=cao-toc`)".into(),
        ));
    }
    Ok(Filter {
        kind: nonempty(q.kind),
        section: nonempty(q.section)
            .map(|s| s.trim_matches('/').to_string())
            .filter(|s| !s.is_empty()),
        lang,
        taxonomy,
        term,
        from,
        to,
        page: number("page", q.page.as_deref(), 1, usize::MAX)?,
        per_page: number(
            "per_page",
            q.per_page.as_deref(),
            super::read_index::PER_PAGE,
            MAX_PER_PAGE,
        )?,
        only: None,
        sort,
    })
}

/// A site's published pages and sections, newest first (then by path; undated ones last),
/// filtered and paginated.
#[utoipa::path(
    get,
    path = "/sites/{site}/content",
    tag = "content",
    params(("site" = String, Path, description = "The site's id"), ListQuery),
    responses(
        (status = 200, description = "One page of the matching items", body = ContentPage),
        (status = 400, description = "A bad parameter", body = Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = Problem,
         content_type = "application/problem+json"),
        (status = 503, description = "`q` given and no search index", body = Problem,
         content_type = "application/problem+json"),
    )
)]
pub async fn list_content(
    AxumState(state): AxumState<Arc<State>>,
    Path(site): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let index = site_index(&state, &site)?;
    let Query(mut q) = q.map_err(|e| bad(e.body_text()))?;
    let words =
        q.q.take()
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty());
    let mut f = filter(&index, q)?;
    if let Some(words) = words {
        if words.chars().count() > search_index::MAX_QUERY_CHARS {
            return Err(bad(format!(
                "`q` is longer than {} characters",
                search_index::MAX_QUERY_CHARS
            )));
        }
        let (kind, lang) = (f.kind.as_deref(), f.lang.as_deref());
        f.only =
            Some(super::read_search::matches(&state, &index, &site, &words, kind, lang).await?);
    }
    Ok(public(Json(index.page(&f))))
}

/// One published page or section whole: typed fields, sanitized HTML, translations, links.
#[utoipa::path(
    get,
    path = "/sites/{site}/content/{path}",
    tag = "content",
    params(
        ("site" = String, Path, description = "The site's id"),
        ("path" = String, Path,
         description = "The item's file in the site (`tin-tuc/cao-toc.md`; `.md` may be left out)"),
    ),
    responses(
        (status = 200, description = "The item", body = ContentItem),
        (status = 404, description = "No such site, or no such published item", body = Problem,
         content_type = "application/problem+json"),
    )
)]
pub async fn get_item(
    AxumState(state): AxumState<Arc<State>>,
    Path((site, path)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let index = site_index(&state, &site)?;
    // Only a path the listing has: published items, and no way out of the API folder.
    let Some(item) = index.item(path.trim_start_matches('/')) else {
        return Err(Problem::not_found(format!(
            "Không có nội dung `{path}` trên trang `{site}` (no published item `{path}` on site \
             `{site}`); items are named by their file, like `tin-tuc/cao-toc.md`"
        )));
    };
    let file = index.dir.join(item_file(&item.path));
    let bytes = std::fs::read(&file).map_err(|e| {
        tracing::warn!("read API: reading {}: {e}", file.display());
        unavailable()
    })?;
    Ok(public((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )))
}
