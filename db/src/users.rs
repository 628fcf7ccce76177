//! Users and their roles per site.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{secret, validate, Db, DbError, Grant, Role};

/// A user's row: the user and their password hash.
pub(crate) struct UserRow {
    pub(crate) user: crate::User,
    pub(crate) password_hash: String,
}

fn user_from_row(row: &AnyRow) -> Result<crate::User, sqlx::Error> {
    Ok(crate::User {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        grants: Vec::new(),
    })
}

fn grant_from_row(row: &AnyRow) -> Result<Grant, DbError> {
    let role: String = row.try_get("role")?;
    Ok(Grant {
        site: row.try_get("site")?,
        role: role.parse()?,
    })
}

/// The next id of a table, from the `counters` table (portable where auto-increment is not).
pub(crate) async fn next_id<'e, E>(exec: E, table: &str) -> Result<i64, DbError>
where
    E: Executor<'e, Database = Any>,
{
    let row =
        sqlx::query("UPDATE counters SET next_id = next_id + 1 WHERE name = $1 RETURNING next_id")
            .bind(table)
            .fetch_one(exec)
            .await?;
    Ok(row.try_get("next_id")?)
}

impl Db {
    /// A user's row (with grants) by login name.
    pub(crate) async fn user_row(&self, login: &str) -> Result<Option<UserRow>, DbError> {
        let row =
            sqlx::query("SELECT id, login, name, email, password_hash FROM users WHERE login = $1")
                .bind(login)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let mut user = user_from_row(&row)?;
        user.grants = self.grants_of(user.id).await?;
        Ok(Some(UserRow {
            user,
            password_hash: row.try_get("password_hash")?,
        }))
    }

    async fn grants_of(&self, user_id: i64) -> Result<Vec<Grant>, DbError> {
        let rows = sqlx::query("SELECT site, role FROM grants WHERE user_id = $1 ORDER BY site")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(grant_from_row).collect()
    }

    /// A user who must exist.
    async fn existing(&self, login: &str) -> Result<crate::User, DbError> {
        self.user(login)
            .await?
            .ok_or_else(|| DbError::NotFound(format!("user {login}")))
    }

    /// Adds a user; the password must be at least 10 characters.
    pub async fn add_user(
        &self,
        login: &str,
        name: &str,
        email: &str,
        password: &str,
    ) -> Result<crate::User, DbError> {
        validate::login(login)?;
        validate::name(name)?;
        validate::email(email)?;
        validate::password(login, password)?;
        if self.user_row(login).await?.is_some() {
            return Err(DbError::Exists(login.to_owned()));
        }
        let hash = secret::hash_password(password).await?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut *tx, "users").await?;
        let inserted = sqlx::query(
            "INSERT INTO users (id, login, name, email, password_hash, created) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(login)
        .bind(name.trim())
        .bind(email)
        .bind(hash)
        .bind(self.clock.now())
        .execute(&mut *tx)
        .await;
        match inserted {
            // Another process added the same login since the check above.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(DbError::Exists(login.to_owned()))
            }
            other => other?,
        };
        tx.commit().await?;
        self.existing(login).await
    }

    /// Sets a user's password; ends their sessions.
    pub async fn set_password(&self, login: &str, password: &str) -> Result<(), DbError> {
        validate::password(login, password)?;
        let user = self.existing(login).await?;
        let hash = secret::hash_password(password).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grants a role on a site (`*`: the network; only with [`Role::NetworkAdmin`]), replacing
    /// the role the user had there.
    pub async fn grant(&self, login: &str, site: &str, role: Role) -> Result<crate::User, DbError> {
        validate::site(site, true)?;
        if (site == "*") != (role == Role::NetworkAdmin) {
            return Err(DbError::Invalid {
                field: "role",
                message: "quản trị mạng (network_admin) chỉ cấp trên '*', các vai trò khác chỉ \
                          cấp trên một trang (network_admin is granted on * only, the other \
                          roles on one site)"
                    .to_owned(),
            });
        }
        let user = self.existing(login).await?;
        sqlx::query(
            "INSERT INTO grants (user_id, site, role) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, site) DO UPDATE SET role = excluded.role",
        )
        .bind(user.id)
        .bind(site)
        .bind(role.as_str())
        .execute(&self.pool)
        .await?;
        self.existing(login).await
    }

    /// Takes away the user's role on a site.
    pub async fn revoke(&self, login: &str, site: &str) -> Result<crate::User, DbError> {
        validate::site(site, true)?;
        let user = self.existing(login).await?;
        let done = sqlx::query("DELETE FROM grants WHERE user_id = $1 AND site = $2")
            .bind(user.id)
            .bind(site)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::NotFound(format!("a role of {login} on {site}")));
        }
        self.existing(login).await
    }

    /// Removes a user: their sessions and tokens end at once.
    pub async fn remove_user(&self, login: &str) -> Result<(), DbError> {
        let user = self.existing(login).await?;
        let mut tx = self.pool.begin().await?;
        // The foreign keys cascade too; deleting explicitly does not depend on them.
        for table in ["sessions", "tokens", "grants"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A user by login name.
    pub async fn user(&self, login: &str) -> Result<Option<crate::User>, DbError> {
        Ok(self.user_row(login).await?.map(|r| r.user))
    }

    /// Every user, by login name; of one site only when `site` is given.
    pub async fn users(&self, site: Option<&str>) -> Result<Vec<crate::User>, DbError> {
        let rows = match site {
            Some(site) => {
                validate::site(site, true)?;
                sqlx::query(
                    "SELECT id, login, name, email FROM users \
                     WHERE id IN (SELECT user_id FROM grants WHERE site = $1) ORDER BY login",
                )
                .bind(site)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query("SELECT id, login, name, email FROM users ORDER BY login")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        let mut grants: HashMap<i64, Vec<Grant>> = HashMap::new();
        for row in sqlx::query("SELECT user_id, site, role FROM grants ORDER BY site")
            .fetch_all(&self.pool)
            .await?
        {
            let user_id: i64 = row.try_get("user_id")?;
            grants
                .entry(user_id)
                .or_default()
                .push(grant_from_row(&row)?);
        }
        rows.iter()
            .map(|row| {
                let mut user = user_from_row(row)?;
                user.grants = grants.remove(&user.id).unwrap_or_default();
                Ok(user)
            })
            .collect()
    }

    /// A user by row id (with grants).
    pub(crate) async fn user_by_id(&self, id: i64) -> Result<Option<crate::User>, DbError> {
        let row = sqlx::query("SELECT id, login, name, email FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut user = user_from_row(&row)?;
        user.grants = self.grants_of(id).await?;
        Ok(Some(user))
    }
}
