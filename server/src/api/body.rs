//! Request bodies of the write API: JSON, or a form (`application/x-www-form-urlencoded`) for
//! plain HTML forms, with every rejection as a problem; and the form field `csrf`, read before
//! the handler so that [`super::auth::Auth`] can check it.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use axum::body::Body as HttpBody;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::auth::{changes_state, FormCsrf};
use super::Problem;

/// The most a JSON or form body may hold (a page's text is the largest).
pub const TEXT_LIMIT: usize = 2 * 1024 * 1024;

/// A body read as JSON or as a form, by its `Content-Type`; an empty body is `T::default()`
/// (for the optional bodies of approve and schedule).
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Default,
{
    type Rejection = Problem;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Problem> {
        let form = is_form(req.headers());
        let bytes = axum::body::to_bytes(req.into_body(), TEXT_LIMIT)
            .await
            .map_err(|_| too_large(TEXT_LIMIT))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(T::default()));
        }
        let parsed = if form {
            serde_urlencoded::from_bytes(&bytes).map_err(|e| e.to_string())
        } else {
            serde_json::from_slice(&bytes).map_err(|e| e.to_string())
        };
        parsed.map(Body).map_err(|e| {
            Problem::bad_request(format!(
                "Nội dung yêu cầu không đọc được (unreadable body): {e}"
            ))
        })
    }
}

/// Whether the body is a form.
fn is_form(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// 413.
pub fn too_large(limit: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "Quá lớn (too large)",
        format!(
            "Nội dung quá lớn: tối đa {} MiB (the body is over the limit of {} MiB).",
            limit / (1024 * 1024),
            limit / (1024 * 1024)
        ),
    )
}

/// Reads the `csrf` field of a state-changing form request into [`FormCsrf`], and puts the
/// body back for the handler.
pub async fn form_csrf(req: Request, next: Next) -> Response {
    if !changes_state(req.method()) || !is_form(req.headers()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, TEXT_LIMIT).await {
        Ok(b) => b,
        Err(_) => return too_large(TEXT_LIMIT).into_response(),
    };
    if let Some((_, v)) = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf") {
        parts.extensions.insert(FormCsrf(v.into_owned()));
    }
    next.run(Request::from_parts(parts, HttpBody::from(bytes)))
        .await
}

/// Answers axum's own rejections (a path that does not decode, a method not allowed), which
/// are plain text, as problems too, so that every error of the API has one shape.
pub async fn plain_rejections(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !res.status().is_client_error() || !plain {
        return res;
    }
    let status = res.status();
    // Rejection texts are short; anything longer is cut.
    let bytes = axum::body::to_bytes(res.into_body(), 4096)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let detail = if text.trim().is_empty() {
        status
            .canonical_reason()
            .unwrap_or("bad request")
            .to_string()
    } else {
        text.trim().to_string()
    };
    Problem::new(
        status,
        "bad-request",
        "Yêu cầu không hợp lệ (bad request)",
        format!("Yêu cầu không hợp lệ (invalid request): {detail}"),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize, PartialEq)]
    struct Login {
        login: String,
        password: String,
    }

    async fn parse(ct: &str, body: &'static str) -> Result<Login, Problem> {
        let req = Request::builder()
            .header(header::CONTENT_TYPE, ct)
            .body(HttpBody::from(body))
            .unwrap();
        Body::<Login>::from_request(req, &()).await.map(|b| b.0)
    }

    #[tokio::test]
    async fn json_form_and_empty() {
        let want = Login {
            login: "an".into(),
            password: "mật khẩu".into(),
        };
        let json = parse(
            "application/json",
            r#"{"login":"an","password":"mật khẩu"}"#,
        );
        assert_eq!(json.await.unwrap(), want);
        let form = parse(
            "application/x-www-form-urlencoded",
            "login=an&password=m%E1%BA%ADt+kh%E1%BA%A9u&csrf=x",
        );
        assert_eq!(form.await.unwrap(), want);
        assert_eq!(
            parse("application/json", "").await.unwrap(),
            Login::default()
        );
        let bad = parse("application/json", "{").await.unwrap_err();
        assert_eq!(bad.status, 400);
    }
}
