//! Shared by the admin tests: a [`Browser`] that sends the requests a browser would send to
//! `/admin` (forms, cookies, `Sec-Fetch-Site`) through `app().oneshot(...)`, keeping cookies.

#![allow(dead_code)]

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::api_common::{World, PASSWORD};

/// An answer as a browser sees it.
#[derive(Debug)]
pub struct Page {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub text: String,
}

impl Page {
    /// `Location` of a redirect.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the first `<input name="{name}" … value="…">` (attribute order as the
    /// templates write it: name before value).
    pub fn input(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no input `{name}` in:\n{}", self.text))
            + marker.len();
        let end = self.text[start..].find('"').unwrap() + start;
        self.text[start..end].to_string()
    }
}

/// A browser: cookies kept between requests.
pub struct Browser<'a> {
    world: &'a World,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    /// A browser with no cookie.
    pub fn new(world: &'a World) -> Browser<'a> {
        Browser {
            world,
            cookies: BTreeMap::new(),
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.request(Method::GET, path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// `POST path` with the form `fields` (urlencoded), from this origin.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "http://localhost")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Logs in as `login` through the form; the dashboard follows.
    pub async fn login(&mut self, login: &str) -> Page {
        let page = self
            .post(
                "/admin/login",
                &[
                    ("login", login),
                    ("password", PASSWORD),
                    ("next", "/admin/"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
        self.get("/admin/").await
    }

    /// The request of `method path` with this browser's headers and cookies.
    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(header::COOKIE, jar.join("; "));
        }
        req
    }

    /// Sends `req`, keeping the cookies the answer sets.
    pub async fn send(&mut self, req: Request<Body>) -> Page {
        let res = self.world.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for c in headers.get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}
