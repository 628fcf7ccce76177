//! The audit log (who did what, where, with which commit) and reviewers' comments.

use sqlx::Row;

use crate::users::next_id;
use crate::{validate, AuditEntry, Comment, Db, DbError};

/// The most rows one [`Db::audit_log`] call returns.
const MAX_AUDIT_ROWS: i64 = 10_000;
/// The longest comment accepted, in characters.
const MAX_COMMENT_CHARS: usize = 10_000;

impl Db {
    /// Appends to the audit log (its `time` is set here).
    pub async fn audit(&self, entry: AuditEntry) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut *tx, "audit").await?;
        sqlx::query(
            "INSERT INTO audit (id, time, actor, action, site, path, commit_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(self.clock.now())
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.site)
        .bind(entry.path)
        .bind(entry.commit)
        .bind(entry.detail)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit log, newest first: of one site when given, at most `limit` rows.
    pub async fn audit_log(
        &self,
        site: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let limit = limit.clamp(0, MAX_AUDIT_ROWS);
        let columns = "time, actor, action, site, path, commit_id, detail";
        let rows = match site {
            Some(site) => {
                sqlx::query(&format!(
                    "SELECT {columns} FROM audit WHERE site = $1 ORDER BY id DESC LIMIT $2"
                ))
                .bind(site)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {columns} FROM audit ORDER BY id DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    time: row.try_get("time")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    site: row.try_get("site")?,
                    path: row.try_get("path")?,
                    commit: row.try_get("commit_id")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    /// Records a reviewer's comment (at its `time`, or now when that is 0).
    pub async fn add_comment(&self, comment: Comment) -> Result<(), DbError> {
        validate::site(&comment.site, false)?;
        if comment.path.is_empty() || comment.path.len() > 1024 {
            return Err(DbError::Invalid {
                field: "path",
                message: "đường dẫn trang trống hoặc quá dài (empty or too long page path)"
                    .to_owned(),
            });
        }
        if comment.text.trim().is_empty() || comment.text.chars().count() > MAX_COMMENT_CHARS {
            return Err(DbError::Invalid {
                field: "comment",
                message: format!(
                    "nhận xét trống hoặc dài quá {MAX_COMMENT_CHARS} ký tự (empty comment, or \
                     longer than {MAX_COMMENT_CHARS} characters)"
                ),
            });
        }
        let time = if comment.time > 0 {
            comment.time
        } else {
            self.clock.now()
        };
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut *tx, "comments").await?;
        sqlx::query(
            "INSERT INTO comments (id, time, author, site, path, body) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(time)
        .bind(comment.author)
        .bind(comment.site)
        .bind(comment.path)
        .bind(comment.text)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The comments on a page, oldest first.
    pub async fn comments(&self, site: &str, path: &str) -> Result<Vec<Comment>, DbError> {
        let rows = sqlx::query(
            "SELECT time, author, site, path, body FROM comments \
             WHERE site = $1 AND path = $2 ORDER BY id",
        )
        .bind(site)
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Comment {
                    time: row.try_get("time")?,
                    author: row.try_get("author")?,
                    site: row.try_get("site")?,
                    path: row.try_get("path")?,
                    text: row.try_get("body")?,
                })
            })
            .collect()
    }
}
