//! How the git store's and the database's errors become problem details: what the writer can
//! act on (a conflict with both versions and a diff, a bad path, a workflow step that does not
//! apply) is said; anything internal is logged and answered with a bare 500.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use axum::http::StatusCode;
use cms_core::store::{PageRef, StoreError};
use db::DbError;
use serde::Serialize;

use super::Problem;

/// The version a conflicting save ran into.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CurrentVersion {
    /// Its text.
    pub text: String,
    /// Its blob id: send it in `If-Match` to save over it.
    pub blob: String,
}

/// The members of a 409 conflict on a save.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConflictMembers {
    /// The version on the draft branch now (absent when it was deleted).
    pub current: Option<CurrentVersion>,
    /// The text that was refused.
    pub yours: Option<String>,
    /// Unified diff from the current text to yours.
    pub diff: String,
}

/// The members of a 409 merge conflict on a publish.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MergeConflictMembers {
    /// The page.
    pub page: String,
    /// The paths that conflict.
    pub paths: Vec<String>,
}

impl Problem {
    /// The same problem with the members of `extra` (a typed struct) added.
    pub fn with_members(mut self, extra: &impl Serialize) -> Problem {
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(extra) {
            self.extra = Some(map);
        }
        self
    }

    /// 409.
    pub fn conflict(kind: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, kind, "Xung đột (conflict)", detail)
    }

    /// 503: the write API without a content repository.
    pub fn no_cms() -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-content-repository",
            "Chưa bật soạn thảo (write API unavailable)",
            "Máy chủ này chỉ phục vụ trang đã dựng: the write API needs `cms serve --content REPO`.",
        )
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        let detail = e.to_string();
        match e {
            StoreError::InvalidPath { .. } => {
                Problem::bad_request(format!("Đường dẫn không hợp lệ (invalid path): {detail}"))
            }
            StoreError::NotFound(_) => {
                Problem::not_found(format!("Không tìm thấy (not found): {detail}"))
            }
            StoreError::Exists(_) => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "exists",
                "Đã tồn tại (already exists)",
                format!("Trang đã có (already exists): {detail}"),
            ),
            StoreError::Conflict {
                current,
                yours,
                diff,
                ..
            } => Problem::conflict(
                "edit-conflict",
                format!("Trang đã được sửa trong lúc bạn soạn, chưa lưu gì (changed meanwhile, nothing saved): {detail}"),
            )
            .with_members(&ConflictMembers {
                current: current.map(|d| CurrentVersion {
                    text: d.text,
                    blob: d.blob,
                }),
                yours,
                diff,
            }),
            StoreError::MergeConflict { page, paths } => {
                Problem::conflict(
                    "merge-conflict",
                    format!("Xung đột với bản đã xuất bản, chưa xuất bản gì (conflicts with the published version, nothing published): {detail}"),
                )
                .with_members(&MergeConflictMembers {
                    page: page.content_path(),
                    paths,
                })
            }
            StoreError::Workflow(_) => Problem::conflict(
                "workflow",
                format!("Bước duyệt không áp dụng được lúc này (workflow step not possible now): {detail}"),
            ),
            StoreError::Git(e) => {
                tracing::error!("git store: {e}");
                Problem::internal()
            }
        }
    }
}

impl From<DbError> for Problem {
    fn from(e: DbError) -> Problem {
        match e {
            DbError::Invalid { .. } => Problem::bad_request(e.to_string()),
            DbError::NotFound(_) => Problem::not_found(e.to_string()),
            DbError::Exists(_) => Problem::conflict("exists", e.to_string()),
            DbError::Open { .. } | DbError::Query(_) => {
                // Logged, not answered: a query error may name tables, values or the URL.
                tracing::error!("database: {e}");
                Problem::internal()
            }
        }
    }
}

/// A task that died (panicked) on the blocking pool: logged, 500.
pub fn join_error(e: tokio::task::JoinError) -> Problem {
    tracing::error!("a store task failed: {e}");
    Problem::internal()
}

/// A page of a site from the URL, checked by the store.
pub fn page_ref(site: &str, path: &str) -> Result<PageRef, Problem> {
    Ok(PageRef::new(site, path)?)
}
