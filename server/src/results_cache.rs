//! Recent search answers, kept whole: the same search on the same index is answered without
//! searching again. Keys carry the index version (they are the answers' ETags), so a new build
//! never serves an old answer.
//!
//! The cache (quick_cache, which keeps the answers asked again and lets the others go) is
//! bounded twice: by a number of answers and by their bytes. Each answer weighs its bytes, but
//! at least `bytes / answers`, so neither bound can be passed.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use axum::response::Response;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

/// Answers kept at most, unless told otherwise.
pub const CAPACITY: usize = 4096;
/// Bytes of answers kept at most, unless told otherwise.
pub const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;
/// Larger answers are not kept.
const MAX_BYTES: usize = 256 * 1024;
/// What a header costs besides its name and value, roughly (the map's own bookkeeping).
const HEADER_OVERHEAD: usize = 32;

/// An answer: its headers and body.
type Answer = Arc<(HeaderMap, Bytes)>;

/// The weight of an answer: its bytes, at least `floor`.
#[derive(Debug, Clone)]
struct ByBytes {
    floor: u64,
}

impl Weighter<String, Answer> for ByBytes {
    fn weight(&self, key: &String, answer: &Answer) -> u64 {
        (weight_of(key, answer) as u64).max(self.floor)
    }
}

/// The bytes an answer holds: its key, headers and body.
fn weight_of(key: &str, (headers, body): &(HeaderMap, Bytes)) -> usize {
    let headers: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + HEADER_OVERHEAD)
        .sum();
    key.len() + headers + body.len()
}

/// A bounded map of answers.
pub struct ResultsCache {
    /// `None`: keeps nothing.
    cache: Option<Cache<String, Answer, ByBytes>>,
}

impl std::fmt::Debug for ResultsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("ResultsCache");
        if let Some(c) = &self.cache {
            d.field("answers", &c.len()).field("weight", &c.weight());
        }
        d.finish()
    }
}

impl Default for ResultsCache {
    fn default() -> Self {
        ResultsCache::new(CAPACITY, CAPACITY_BYTES)
    }
}

impl ResultsCache {
    /// A cache of at most `answers` answers and `bytes` bytes; 0 keeps none.
    pub fn new(answers: usize, bytes: u64) -> ResultsCache {
        if answers == 0 || bytes == 0 {
            return ResultsCache { cache: None };
        }
        let floor = (bytes / answers as u64).max(1);
        let cache = Cache::with_weighter(answers, bytes, ByBytes { floor });
        ResultsCache { cache: Some(cache) }
    }

    /// The kept answer for `key`, as a new response.
    pub fn get(&self, key: &str) -> Option<Response> {
        let answer = self.cache.as_ref()?.get(key)?;
        let (headers, body) = &*answer;
        let mut r = Response::new(Body::from(body.clone()));
        *r.headers_mut() = headers.clone();
        Some(r)
    }

    /// Keeps a 200 answer; returns it, ready to send.
    pub async fn put(&self, key: String, resp: Response) -> Response {
        use http_body_util::BodyExt;
        let Some(cache) = &self.cache else {
            return resp;
        };
        if resp.status() != axum::http::StatusCode::OK {
            return resp;
        }
        let (parts, body) = resp.into_parts();
        let Ok(collected) = body.collect().await else {
            return Response::from_parts(parts, Body::empty());
        };
        let bytes = collected.to_bytes();
        if bytes.len() <= MAX_BYTES {
            cache.insert(key, Arc::new((parts.headers.clone(), bytes.clone())));
        }
        Response::from_parts(parts, Body::from(bytes))
    }

    /// The answers kept now, and the bytes they hold (as weighed, at least the floor each).
    #[cfg(test)]
    fn size(&self) -> (usize, u64) {
        self.cache
            .as_ref()
            .map_or((0, 0), |c| (c.len(), c.weight()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;
    use http_body_util::BodyExt;

    async fn body(r: Response) -> Bytes {
        r.into_body().collect().await.unwrap().to_bytes()
    }

    #[tokio::test]
    async fn answers_come_back_whole() {
        let c = ResultsCache::default();
        assert!(c.get("a").is_none());
        let r = c
            .put(
                "a".into(),
                ([("x-test", "1")], "the answer").into_response(),
            )
            .await;
        assert_eq!(r.status(), axum::http::StatusCode::OK);
        assert_eq!(body(r).await, "the answer", "the answer is still sent");
        let again = c.get("a").expect("kept");
        assert_eq!(again.headers()["x-test"], "1");
        assert_eq!(body(again).await, "the answer");
        // Only 200s are kept.
        c.put(
            "b".into(),
            (axum::http::StatusCode::NOT_FOUND, "no").into_response(),
        )
        .await;
        assert!(c.get("b").is_none());
        // Too large to keep.
        let big = "x".repeat(MAX_BYTES + 1);
        let r = c.put("big".into(), big.clone().into_response()).await;
        assert_eq!(body(r).await.len(), big.len());
        assert!(c.get("big").is_none());
    }

    #[tokio::test]
    async fn zero_keeps_nothing() {
        for c in [ResultsCache::new(0, 1 << 20), ResultsCache::new(10, 0)] {
            let r = c.put("a".into(), "x".into_response()).await;
            assert_eq!(body(r).await, "x");
            assert!(c.get("a").is_none(), "a cache of 0 keeps nothing");
        }
    }

    #[tokio::test]
    async fn the_bytes_stay_under_the_bound() {
        let limit = 4 * 1024 * 1024;
        let c = ResultsCache::new(CAPACITY, limit);
        let answer = "y".repeat(200 * 1024);
        for i in 0..200 {
            c.put(format!("k{i}"), answer.clone().into_response()).await;
            let (_, weight) = c.size();
            assert!(weight <= limit, "{weight} > {limit} after {i}");
        }
        let (n, weight) = c.size();
        assert!(n >= 5, "it keeps answers up to the bound: {n}");
        assert!(n <= 20, "4 MiB of 200 KiB answers: {n}");
        assert!(weight >= n as u64 * answer.len() as u64);
        let kept = (0..200)
            .filter(|i| c.get(&format!("k{i}")).is_some())
            .count();
        assert_eq!(kept, n);
    }

    #[tokio::test]
    async fn the_count_stays_under_the_bound() {
        let c = ResultsCache::new(100, CAPACITY_BYTES);
        for i in 0..1000 {
            c.put(format!("k{i}"), "small".into_response()).await;
        }
        let (n, _) = c.size();
        assert!((50..=100).contains(&n), "{n}");
        assert!(c.get("k999").is_some(), "the newest is kept");
    }
}
