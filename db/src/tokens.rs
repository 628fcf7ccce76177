//! API tokens for machines: scoped to sites and to reading or writing, shown once, stored as
//! SHA-256 hashes.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::users::next_id;
use crate::{secret, validate, Db, DbError, TokenInfo, TokenScope};

/// The columns [`Db::token_info`] reads.
const TOKEN_COLUMNS: &str = "id, user_id, name, sites, can_write, created, expires";

impl Db {
    /// A token's record from its row (`None` when its user is gone).
    async fn token_info(&self, row: &AnyRow) -> Result<Option<TokenInfo>, DbError> {
        let Some(user) = self.user_by_id(row.try_get("user_id")?).await? else {
            return Ok(None);
        };
        let sites: String = row.try_get("sites")?;
        let sites: Vec<String> = serde_json::from_str(&sites).map_err(|e| DbError::Invalid {
            field: "sites",
            message: format!("the stored sites of a token are not a JSON list: {e}"),
        })?;
        let can_write: i64 = row.try_get("can_write")?;
        Ok(Some(TokenInfo {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            user,
            scope: TokenScope {
                sites,
                write: can_write != 0,
            },
            created: row.try_get("created")?,
            expires: row.try_get("expires")?,
        }))
    }

    /// Creates an API token for a user; returns its secret (shown once) and its record.
    pub async fn create_token(
        &self,
        login: &str,
        name: &str,
        scope: &TokenScope,
        expires: Option<i64>,
    ) -> Result<(String, TokenInfo), DbError> {
        validate::token_name(name)?;
        if scope.sites.is_empty() {
            return Err(DbError::Invalid {
                field: "sites",
                message: "mã truy cập cần ít nhất một trang, hoặc '*' (a token needs at least \
                          one site, or *)"
                    .to_owned(),
            });
        }
        for site in &scope.sites {
            validate::site(site, true)?;
        }
        let now = self.clock.now();
        if expires.is_some_and(|e| e <= now) {
            return Err(DbError::Invalid {
                field: "expires",
                message: "thời hạn đã qua (the expiry is in the past)".to_owned(),
            });
        }
        let user = self
            .user(login)
            .await?
            .ok_or_else(|| DbError::NotFound(format!("user {login}")))?;
        let secret = secret::new_secret("cms_")?;
        let sites = serde_json::to_string(&scope.sites).map_err(|e| DbError::Invalid {
            field: "sites",
            message: e.to_string(),
        })?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut *tx, "tokens").await?;
        sqlx::query(
            "INSERT INTO tokens (id, user_id, name, secret_hash, sites, can_write, created, \
             expires, revoked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
        )
        .bind(id)
        .bind(user.id)
        .bind(name.trim())
        .bind(secret::digest(&secret))
        .bind(sites)
        .bind(i64::from(scope.write))
        .bind(now)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let info = TokenInfo {
            id,
            name: name.trim().to_owned(),
            user,
            scope: scope.clone(),
            created: now,
            expires,
        };
        Ok((secret, info))
    }

    /// The token of a secret, if valid (not revoked, not expired, user not removed).
    pub async fn token(&self, secret: &str) -> Result<Option<TokenInfo>, DbError> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_hash = $1 AND revoked IS NULL"
        ))
        .bind(secret::digest(secret))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: Option<i64> = row.try_get("expires")?;
        if expires.is_some_and(|e| e <= self.clock.now()) {
            return Ok(None);
        }
        self.token_info(&row).await
    }

    /// A user's tokens (not the revoked ones), oldest first.
    pub async fn tokens(&self, login: &str) -> Result<Vec<TokenInfo>, DbError> {
        let Some(user) = self.user(login).await? else {
            return Err(DbError::NotFound(format!("user {login}")));
        };
        let rows = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM tokens WHERE user_id = $1 AND revoked IS NULL ORDER BY id"
        ))
        .bind(user.id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.extend(self.token_info(row).await?);
        }
        Ok(out)
    }

    /// Revokes a token of a user.
    pub async fn revoke_token(&self, login: &str, id: i64) -> Result<(), DbError> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked = $1 WHERE id = $2 AND revoked IS NULL \
             AND user_id = (SELECT id FROM users WHERE login = $3)",
        )
        .bind(self.clock.now())
        .bind(id)
        .bind(login)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::NotFound(format!("token {id} of {login}")));
        }
        Ok(())
    }
}
