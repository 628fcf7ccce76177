//! Logins and sessions: password checks, the lockout after repeated failures, session cookies
//! (stored as SHA-256 hashes) that expire when idle.

use std::net::IpAddr;

use sqlx::Row;

use crate::{
    secret, Db, DbError, LoginFailure, NewSession, Session, CLIENT_LOCKOUT_AFTER, LOCKOUT_AFTER,
    LOCKOUT_SECS, SESSION_IDLE_SECS,
};

/// The lockout key of a login name as typed (bounded: the name comes from the request).
fn login_key(login: &str) -> String {
    login.trim().to_lowercase().chars().take(100).collect()
}

/// The lockout key of a client address (`@` cannot start a login name).
fn client_key(client: IpAddr) -> String {
    format!("@{client}")
}

impl Db {
    /// The end of the lockout of any of `keys`, if one is in force.
    async fn locked_until(&self, keys: &[String; 2], now: i64) -> Result<Option<i64>, DbError> {
        let row = sqlx::query(
            "SELECT MAX(locked_until) AS until FROM login_failures WHERE login = $1 OR login = $2",
        )
        .bind(&keys[0])
        .bind(&keys[1])
        .fetch_one(&self.pool)
        .await?;
        let until: Option<i64> = row.try_get("until")?;
        Ok(until.filter(|&u| u > now))
    }

    /// Counts a failure for `key`; at `limit` in a row, locks it and returns the lockout's end.
    async fn count_failure(&self, key: &str, limit: i64, now: i64) -> Result<Option<i64>, DbError> {
        let row = sqlx::query(
            "INSERT INTO login_failures (login, failures, locked_until) VALUES ($1, 1, 0) \
             ON CONFLICT (login) DO UPDATE SET failures = login_failures.failures + 1 \
             RETURNING failures",
        )
        .bind(key)
        .fetch_one(&self.pool)
        .await?;
        let failures: i64 = row.try_get("failures")?;
        if failures < limit {
            return Ok(None);
        }
        let until = now + LOCKOUT_SECS;
        sqlx::query("UPDATE login_failures SET failures = 0, locked_until = $2 WHERE login = $1")
            .bind(key)
            .bind(until)
            .execute(&self.pool)
            .await?;
        Ok(Some(until))
    }

    /// Checks a password and opens a session. Failures count towards the lockout of that
    /// login name ([`LOCKOUT_AFTER`] in a row: [`LOCKOUT_SECS`]); a success resets it.
    /// Failures from one client address count too ([`CLIENT_LOCKOUT_AFTER`]).
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Result<NewSession, LoginFailure>, DbError> {
        let now = self.clock.now();
        let keys = [login_key(login), client_key(client)];
        if let Some(until) = self.locked_until(&keys, now).await? {
            return Ok(Err(LoginFailure::Locked { until }));
        }
        let row = self.user_row(&keys[0]).await?;
        // An unknown name is checked against a dummy hash: the answer takes as long.
        let hash = row
            .as_ref()
            .map_or(&*self.dummy_hash, |r| r.password_hash.as_str());
        let matches = secret::verify_password(password, hash).await?;
        let user = match row {
            Some(r) if matches => r.user,
            _ => {
                let by_name = self.count_failure(&keys[0], LOCKOUT_AFTER, now).await?;
                let by_client = self
                    .count_failure(&keys[1], CLIENT_LOCKOUT_AFTER, now)
                    .await?;
                if by_client.is_some() {
                    tracing::warn!(%client, "client address locked after repeated failed logins");
                }
                return Ok(Err(match by_name.or(by_client) {
                    Some(until) => LoginFailure::Locked { until },
                    None => LoginFailure::Invalid,
                }));
            }
        };
        sqlx::query("DELETE FROM login_failures WHERE login = $1 OR login = $2")
            .bind(&keys[0])
            .bind(&keys[1])
            .execute(&self.pool)
            .await?;
        // Sweep: expired sessions are useless rows.
        sqlx::query("DELETE FROM sessions WHERE expires <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        let session = NewSession {
            token: secret::new_secret("")?,
            csrf: secret::new_secret("")?,
            expires: now + SESSION_IDLE_SECS,
        };
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, expires, created) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret::digest(&session.token))
        .bind(user.id)
        .bind(&session.csrf)
        .bind(session.expires)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(Ok(session))
    }

    /// The session of a cookie value, if live (not expired, user not removed); extends its
    /// idle expiry.
    pub async fn session(&self, token: &str) -> Result<Option<Session>, DbError> {
        let now = self.clock.now();
        let hash = secret::digest(token);
        let row = sqlx::query("SELECT user_id, csrf, expires FROM sessions WHERE token_hash = $1")
            .bind(&hash)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: i64 = row.try_get("expires")?;
        if expires <= now {
            self.logout(token).await?;
            return Ok(None);
        }
        let Some(user) = self.user_by_id(row.try_get("user_id")?).await? else {
            return Ok(None);
        };
        let expires = now + SESSION_IDLE_SECS;
        sqlx::query("UPDATE sessions SET expires = $1 WHERE token_hash = $2")
            .bind(expires)
            .bind(&hash)
            .execute(&self.pool)
            .await?;
        Ok(Some(Session {
            user,
            csrf: row.try_get("csrf")?,
            expires,
        }))
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(secret::digest(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
