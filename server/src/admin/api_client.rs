//! The admin's way to the content API: every read and write the admin does is a request to
//! `/api/v1` sent in-process (`oneshot`), with the browser's cookie, origin headers and the CSRF
//! token the browser's form sent, so the API's authentication, CSRF checks, roles per site,
//! validation and audit apply to the admin exactly as to any other client.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::Response;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tower::ServiceExt;

use crate::api::Problem;
use crate::State;

/// The request headers passed on to the API: who is asking and from where.
const FORWARDED: &[header::HeaderName] = &[
    header::COOKIE,
    header::HOST,
    header::ORIGIN,
    header::USER_AGENT,
    header::ACCEPT_LANGUAGE,
];

/// Headers passed on by name (no constant in `http`).
const FORWARDED_BY_NAME: &[&str] = &["sec-fetch-site", "x-forwarded-for", "x-real-ip"];

/// A client of the API acting for the browser's request.
#[derive(Clone)]
pub struct Api {
    state: Arc<State>,
    headers: HeaderMap,
    peer: Option<ConnectInfo<SocketAddr>>,
    /// The CSRF token the browser sent with a form, passed on as `X-CSRF-Token`.
    csrf: Option<String>,
}

/// An API answer: its status, headers and body.
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers (`ETag`, `Set-Cookie`, …).
    pub headers: HeaderMap,
    /// The body.
    pub body: axum::body::Bytes,
}

impl Reply {
    /// The body as `T`, or the problem the API answered.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        if !self.status.is_success() {
            return Err(self.problem());
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            tracing::error!("admin: unexpected API answer: {e}");
            Problem::internal()
        })
    }

    /// The problem of an answer that is not a success.
    pub fn problem(&self) -> Problem {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            Problem::new(
                self.status,
                "unexpected",
                "Lỗi (error)",
                String::from_utf8_lossy(&self.body).into_owned(),
            )
        })
    }

    /// The `ETag` without its quotes.
    pub fn etag(&self) -> Option<String> {
        self.headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_matches('"').to_string())
    }
}

impl Api {
    /// A client for the request with these headers, from `peer`.
    pub fn new(
        state: Arc<State>,
        request: &HeaderMap,
        peer: Option<ConnectInfo<SocketAddr>>,
    ) -> Api {
        let mut headers = HeaderMap::new();
        for name in FORWARDED {
            for v in request.get_all(name) {
                headers.append(name.clone(), v.clone());
            }
        }
        for name in FORWARDED_BY_NAME {
            if let Some(v) = request.get(*name) {
                headers.insert(*name, v.clone());
            }
        }
        Api {
            state,
            headers,
            peer,
            csrf: None,
        }
    }

    /// The same client, passing on `csrf` (the form's field) with state-changing requests.
    pub fn with_csrf(&self, csrf: &str) -> Api {
        Api {
            csrf: Some(csrf.to_string()),
            ..self.clone()
        }
    }

    /// `GET /api/v1{path}` as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Problem> {
        self.call(Method::GET, path, None::<&()>, None)
            .await?
            .json()
    }

    /// `method /api/v1{path}` with a JSON body (and `If-Match` when given).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        json: Option<&impl Serialize>,
        if_match: Option<&str>,
    ) -> Result<Reply, Problem> {
        let body = match json {
            Some(v) => Body::from(serde_json::to_vec(v).map_err(|_| Problem::internal())?),
            None => Body::empty(),
        };
        let mut extra = HeaderMap::new();
        if json.is_some() {
            extra.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        if let Some(blob) = if_match {
            let v = HeaderValue::from_str(&format!("\"{blob}\""))
                .map_err(|_| Problem::bad_request("If-Match không hợp lệ (bad If-Match)."))?;
            extra.insert(header::IF_MATCH, v);
        }
        self.raw(method, path, extra, body).await
    }

    /// `method /api/v1{path}` with `body` and `extra` headers, as sent.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        extra: HeaderMap,
        body: Body,
    ) -> Result<Reply, Problem> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .body(body)
            .map_err(|_| Problem::bad_request("Đường dẫn không hợp lệ (bad path)."))?;
        let headers = req.headers_mut();
        headers.extend(self.headers.clone());
        headers.extend(extra);
        if let Some(csrf) = &self.csrf {
            if let Ok(v) = HeaderValue::from_str(csrf) {
                headers.insert(crate::api::CSRF_HEADER, v);
            }
        }
        if let Some(peer) = self.peer {
            req.extensions_mut().insert(peer);
        }
        let app = crate::api::routes().with_state(self.state.clone());
        let res: Response = match app.oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let (parts, body) = res.into_parts();
        let body = body.collect().await.map_err(|e| {
            tracing::error!("admin: reading an API answer: {e}");
            Problem::internal()
        })?;
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body: body.to_bytes(),
        })
    }
}
