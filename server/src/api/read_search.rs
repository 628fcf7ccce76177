//! `q=` of the read API's listing: the words are looked up in the server's search index (the
//! public search's, so Vietnamese with or without diacritics finds the same pages), restricted
//! to the site, and the listing keeps the items it found.

// A `Problem` carries whole texts by design, and is made only on the way out of a handler.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::http::StatusCode;
use search_index::{Request, Sort, MAX_PAGE, MAX_PER_PAGE};

use super::read_index::SiteIndex;
use super::Problem;
use crate::State;

/// The most matches a listing's `q` keeps (the best ones): past this, words more precise
/// or other filters are needed.
pub const MAX_MATCHES: usize = 1000;

fn unavailable(detail: String) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Tìm kiếm chưa sẵn sàng (search unavailable)",
        detail,
    )
}

/// The indexes in `index`'s listing of the best matches of `q` on `site` (of `kind` and
/// `lang` when given), ascending.
pub async fn matches(
    state: &Arc<State>,
    index: &SiteIndex,
    site: &str,
    q: &str,
    kind: Option<&str>,
    lang: Option<&str>,
) -> Result<Vec<usize>, Problem> {
    let (search, _) = state.index.current().map_err(unavailable)?;
    let req = Request {
        q: q.to_string(),
        site: Some(site.to_string()),
        // `section` is not a kind of the search index (sections are not searched).
        kind: kind.filter(|k| *k != "section").map(str::to_string),
        lang: lang.map(str::to_string),
        sort: Sort::Relevance,
        page: 1,
        per_page: MAX_PER_PAGE,
        ..Request::default()
    };
    let urls = tokio::task::spawn_blocking(move || {
        let mut urls = Vec::new();
        let pages = MAX_MATCHES.div_ceil(MAX_PER_PAGE).min(MAX_PAGE);
        for page in 1..=pages {
            let r = search.search(&Request {
                page,
                ..req.clone()
            })?;
            let last = r.hits.len() < MAX_PER_PAGE || page >= r.pages;
            urls.extend(r.hits.into_iter().map(|h| h.url));
            if last {
                break;
            }
        }
        Ok::<_, search_index::Error>(urls)
    })
    .await
    .map_err(|e| unavailable(format!("search task: {e}")))?
    .map_err(|e| {
        tracing::error!("read API search: {e}");
        unavailable("the search index could not be read; retry in a moment".into())
    })?;
    Ok(index.indexes_of_urls(urls.iter().map(String::as_str)))
}
