//! `q=` of the read API's listing: the words are looked up in the server's search index (the
//! public search's, so Vietnamese with or without diacritics finds the same pages), restricted
//! to the site, and the listing keeps the items that have every word (the public search's
//! fallback to any of the words is not used: a filter narrows).

// A `Problem` carries whole texts by design, and is made only on the way out of a handler.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::http::StatusCode;
use search_index::Request;

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
        ..Request::default()
    };
    let urls = tokio::task::spawn_blocking(move || search.matching_urls(&req, MAX_MATCHES))
        .await
        .map_err(|e| unavailable(format!("search task: {e}")))?
        .map_err(|e| {
            tracing::error!("read API search: {e}");
            unavailable("the search index could not be read; retry in a moment".into())
        })?;
    Ok(index.indexes_of_urls(urls.iter().map(String::as_str)))
}
