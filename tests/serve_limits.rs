//! End-to-end: the rate limit of `cms serve`'s searches, per client address, and the real
//! client behind a trusted proxy.

mod common;
mod serve_common;

use std::sync::Arc;

use axum::http::{header, StatusCode};
use serve_common::*;

#[tokio::test]
async fn searches_are_rate_limited_per_address() {
    let st = limited(SLOW, 2.0, &[]);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            get_with(st.clone(), "mt.gov.vn", "/api/search?q=a", &[])
                .await
                .status,
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let page = get_with(st.clone(), "mt.gov.vn", "/search/?q=a", &[]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("Bạn tìm kiếm quá nhanh"));
    let retry: u64 = header_of(&page, header::RETRY_AFTER).parse().unwrap();
    assert!((900..=1000).contains(&retry), "{retry}");
    assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-store");
    // Another address has its own limit.
    let other = get_from(
        st.clone(),
        [192, 0, 2, 8],
        "mt.gov.vn",
        "/api/search?q=a",
        &[],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    // Static pages are not limited.
    assert_eq!(
        get_with(st, "mt.gov.vn", "/", &[]).await.status,
        StatusCode::OK
    );
}

/// The statuses of searches from `peer` with `headers`, `n` times.
async fn searches(
    st: &Arc<server::State>,
    peer: [u8; 4],
    headers: &[(&str, &str)],
    n: usize,
) -> Vec<StatusCode> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            get_from(st.clone(), peer, "mt.gov.vn", "/api/search?q=a", headers)
                .await
                .status,
        );
    }
    out
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    use StatusCode as S;
    let st = limited(SLOW, 2.0, &["192.0.2.0/24"]);
    let ok_ok_429 = [S::OK, S::OK, S::TOO_MANY_REQUESTS];
    let a = [("x-forwarded-for", "203.0.113.1")];
    assert_eq!(searches(&st, PEER, &a, 3).await, ok_ok_429);
    // Another client through the same proxy, and one through two proxies (the first one
    // named on the right, the client's own made-up entry on the left ignored).
    let b = [("x-forwarded-for", "1.1.1.1, 203.0.113.2, 192.0.2.99")];
    assert_eq!(searches(&st, PEER, &b, 3).await, ok_ok_429);
    let c = [("forwarded", "for=\"203.0.113.3:4711\";proto=https")];
    assert_eq!(searches(&st, PEER, &c, 3).await, ok_ok_429);
    // The same client by another header is still the same client.
    let a_again = [("forwarded", "for=203.0.113.1")];
    assert_eq!(
        searches(&st, PEER, &a_again, 1).await,
        [S::TOO_MANY_REQUESTS]
    );
    // The proxy's own requests are its own.
    assert_eq!(searches(&st, PEER, &[], 3).await, ok_ok_429);
}

#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
    use StatusCode as S;
    // Trusts a proxy, but not the peer the requests come from.
    let st = limited(SLOW, 2.0, &["10.0.0.0/8"]);
    let mut statuses = Vec::new();
    for i in 0..4 {
        let xff = format!("203.0.113.{i}");
        let fwd = format!("for=198.51.100.{i}");
        let headers = [
            ("x-forwarded-for", xff.as_str()),
            ("forwarded", fwd.as_str()),
        ];
        statuses.extend(searches(&st, PEER, &headers, 1).await);
    }
    assert_eq!(
        statuses,
        [S::OK, S::OK, S::TOO_MANY_REQUESTS, S::TOO_MANY_REQUESTS],
        "a new made-up address each time does not dodge the limit"
    );
    // No trusted proxy at all: the same.
    let st = limited(SLOW, 2.0, &[]);
    let mut statuses = Vec::new();
    for i in 0..3 {
        let xff = format!("203.0.113.{i}");
        statuses.extend(searches(&st, PEER, &[("x-forwarded-for", xff.as_str())], 1).await);
    }
    assert_eq!(statuses, [S::OK, S::OK, S::TOO_MANY_REQUESTS]);
}
