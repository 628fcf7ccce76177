//! RFC 9457 problem details: every API error, as `application/problem+json`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// A problem in one field of a request (a front matter field of a saved page, a form field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The file (`sites/drvn/tin-tuc/a.md`), when the problem is in content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line; 0 when about the whole file.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub col: usize,
    /// The field, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// `error` or `warning`.
    pub severity: String,
}

impl From<&cms_core::Diagnostic> for FieldProblem {
    fn from(d: &cms_core::Diagnostic) -> Self {
        FieldProblem {
            path: Some(d.path.clone()),
            line: d.line,
            col: d.col,
            field: field_of(&d.message),
            message: d.message.clone(),
            hint: d.hint.clone(),
            severity: match d.severity {
                cms_core::Severity::Error => "error".into(),
                cms_core::Severity::Warning => "warning".into(),
            },
        }
    }
}

/// The field a `cms check` message names (``field `issued`: …``, ``missing required field
/// `title` ``), for a form to show the message beside it.
fn field_of(message: &str) -> Option<String> {
    let at = message.find("field `")? + "field `".len();
    let name = &message[at..];
    let end = name.find('`')?;
    Some(name[..end].to_string()).filter(|n| !n.is_empty())
}

/// An RFC 9457 problem: `type`, `title`, `status`, `detail`, plus our members (`errors` for
/// validation, `current`/`diff` for conflicts).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` or `/api/v1/problems/<kind>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind, in Vietnamese.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened here and what to do.
    pub detail: String,
    /// Problems per field (422).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Extra members of the kind (a conflict's current version and diff).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Problem {
    /// A problem of kind `kind` (`not-found`, `forbidden`, `conflict`, `invalid-content`, …).
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("/api/v1/problems/{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            extra: None,
        }
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Không tìm thấy (not found)",
            detail,
        )
    }

    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Yêu cầu không hợp lệ (bad request)",
            detail,
        )
    }

    /// 401: not logged in, or an unknown, expired or revoked session or token.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Chưa đăng nhập (unauthorized)",
            detail,
        )
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Không có quyền (forbidden)",
            detail,
        )
    }

    /// 500, with no detail of the cause (logged instead).
    pub fn internal() -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Lỗi máy chủ (internal error)",
            "Something went wrong on the server; it is logged. Try again, or tell the administrator.",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
