//! Recent search answers, kept whole: the same search on the same index is answered without
//! searching again. Keys carry the index version (they are the answers' ETags), so a new build
//! never serves an old answer; the oldest answers go first when the cache is full.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use axum::response::Response;

/// Answers kept at most, unless told otherwise.
pub const CAPACITY: usize = 4096;
/// Larger answers are not kept.
const MAX_BYTES: usize = 256 * 1024;

/// An answer: its headers and body.
type Answer = (HeaderMap, Bytes);

/// A bounded map of answers, first in, first out.
#[derive(Debug)]
pub struct ResultsCache {
    inner: Mutex<(HashMap<String, Answer>, VecDeque<String>)>,
    capacity: usize,
}

impl Default for ResultsCache {
    fn default() -> Self {
        ResultsCache::with_capacity(CAPACITY)
    }
}

impl ResultsCache {
    /// A cache of at most `capacity` answers; 0 keeps none.
    pub fn with_capacity(capacity: usize) -> ResultsCache {
        ResultsCache {
            inner: Mutex::default(),
            capacity,
        }
    }

    /// The kept answer for `key`, as a new response.
    pub fn get(&self, key: &str) -> Option<Response> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (headers, body) = inner.0.get(key)?;
        let mut r = Response::new(Body::from(body.clone()));
        *r.headers_mut() = headers.clone();
        Some(r)
    }

    /// Keeps a 200 answer; returns it, ready to send.
    pub async fn put(&self, key: String, resp: Response) -> Response {
        use http_body_util::BodyExt;
        if resp.status() != axum::http::StatusCode::OK {
            return resp;
        }
        let (parts, body) = resp.into_parts();
        let Ok(collected) = body.collect().await else {
            return Response::from_parts(parts, Body::empty());
        };
        let bytes = collected.to_bytes();
        if bytes.len() <= MAX_BYTES && self.capacity > 0 {
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let (map, order) = &mut *inner;
            if !map.contains_key(&key) {
                if map.len() >= self.capacity {
                    if let Some(old) = order.pop_front() {
                        map.remove(&old);
                    }
                }
                order.push_back(key.clone());
                map.insert(key, (parts.headers.clone(), bytes.clone()));
            }
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[tokio::test]
    async fn keeps_answers_and_forgets_the_oldest() {
        let c = ResultsCache::default();
        assert!(c.get("a").is_none());
        let r = c.put("a".into(), "x".into_response()).await;
        assert_eq!(r.status(), axum::http::StatusCode::OK);
        assert!(c.get("a").is_some());
        for i in 0..CAPACITY {
            c.put(format!("k{i}"), "y".into_response()).await;
        }
        assert!(c.get("a").is_none(), "the oldest went first");
        assert!(c.get(&format!("k{}", CAPACITY - 1)).is_some());
        let none = ResultsCache::with_capacity(0);
        none.put("a".into(), "x".into_response()).await;
        assert!(none.get("a").is_none(), "a cache of 0 keeps nothing");
    }
}
