//! Helpers of the `cms serve` tests: the demo network built once, a server over it with given
//! limits, and requests through `oneshot` as the listener would pass them.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::{assert_ok, repo_root};

/// The demo network, built once for every test of a file, on a fixed date (what is open,
/// in force or upcoming does not change with the day the tests run).
pub fn built() -> &'static Path {
    static OUT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = OUT.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
            .args([
                "build",
                "--content",
                "content",
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ])
            .current_dir(repo_root())
            .env("SOURCE_DATE_EPOCH", "1733500000")
            .output()
            .unwrap();
        assert_ok(&o);
        (tmp, out)
    });
    out
}

pub fn state(rate: f64) -> Arc<server::State> {
    limited(rate, rate.max(1.0) * 2.0, &[])
}

/// A server allowing `burst` searches, then `rate` a second, that trusts `proxies`.
pub fn limited(rate: f64, burst: f64, proxies: &[&str]) -> Arc<server::State> {
    Arc::new(
        server::State::load(
            built(),
            &server::Options {
                rate_per_second: rate,
                rate_burst: burst,
                dev: false,
                trusted_proxies: proxies
                    .iter()
                    .map(|p| server::parse_proxy(p).unwrap())
                    .collect(),
                ..server::Options::default()
            },
        )
        .unwrap(),
    )
}

/// One search in a thousand seconds after a burst of two: no test runs long enough for a
/// search to come back, so what is limited does not depend on how fast the machine is.
pub const SLOW: f64 = 0.001;

pub struct Got {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub raw: Vec<u8>,
}

/// The address requests come from, unless a test says otherwise.
pub const PEER: [u8; 4] = [192, 0, 2, 7];

pub async fn get_with(
    state: Arc<server::State>,
    host: &str,
    uri: &str,
    extra: &[(&str, &str)],
) -> Got {
    get_from(state, PEER, host, uri, extra).await
}

/// A GET from `peer`, as the listener would tell the app (`ConnectInfo`).
pub async fn get_from(
    state: Arc<server::State>,
    peer: [u8; 4],
    host: &str,
    uri: &str,
    extra: &[(&str, &str)],
) -> Got {
    let mut req = Request::builder().uri(uri).header(header::HOST, host);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((peer, 40000))));
    let resp = server::app(state).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Got {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        raw: bytes.to_vec(),
    }
}

pub async fn get(host: &str, uri: &str) -> Got {
    get_with(state(0.0), host, uri, &[]).await
}

pub fn header_of(g: &Got, name: header::HeaderName) -> &str {
    g.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}
