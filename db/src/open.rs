//! Opening a database: the URL (`sqlite:PATH` or `postgres://…`), the pool, SQLite's settings
//! (WAL, foreign keys, busy timeout), and the one set of migrations both backends run.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Connection, Executor};

use crate::{clock::Clock, secret, Db, DbError};

/// Characters of a file path that a `sqlite:` URL must escape.
const PATH_ESCAPES: &AsciiSet = &CONTROLS.add(b' ').add(b'#').add(b'?').add(b'%');

/// The migrations, embedded in the binary (sqlx's `migrate!` would need its macros feature).
/// Append new files here; never edit one that has shipped (its checksum is checked).
fn migrator() -> Migrator {
    let files: [(i64, &'static str, &'static str); 1] = [(
        1,
        "server state",
        include_str!("../migrations/0001_server_state.sql"),
    )];
    Migrator {
        migrations: Cow::Owned(
            files
                .into_iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// The `sqlite:` URL of a file, created with its folder (`mode=rwc`).
fn sqlite_url(path: &Path) -> String {
    let text = path.to_string_lossy();
    format!(
        "sqlite:{}?mode=rwc",
        utf8_percent_encode(&text, PATH_ESCAPES)
    )
}

/// For a `sqlite:` URL: its file path (`None` in memory), so that its folder can be created.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || rest.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(
        percent_decode_str(path).decode_utf8_lossy().into_owned(),
    ))
}

fn open_error(url: &str, source: impl Into<sqlx::Error>) -> DbError {
    DbError::Open {
        url: redact(url),
        source: source.into(),
    }
}

impl Db {
    /// Opens (creating if needed) and migrates: `sqlite:<path>` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        let mut url = url.trim().to_owned();
        let sqlite = url.starts_with("sqlite:");
        if !sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return Err(DbError::Invalid {
                field: "database-url",
                message: format!(
                    "{} is neither sqlite:PATH nor postgres://… (use one of those)",
                    redact(&url)
                ),
            });
        }
        if let Some(path) = sqlite_path(&url) {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| open_error(&url, e))?;
            }
            if !url.contains("mode=") {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str("mode=rwc");
            }
        }
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 8 })
            // sqlx retries a refused connection until then: a wrong URL fails within seconds.
            .acquire_timeout(std::time::Duration::from_secs(10))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    if conn.backend_name() == "SQLite" {
                        // Also sqlx's defaults, set here so that they do not depend on them.
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| open_error(&url, e))?;
        if sqlite {
            // Persistent in the file: readers never wait for the writer.
            let mut conn = pool.acquire().await.map_err(|e| open_error(&url, e))?;
            conn.execute("PRAGMA journal_mode = WAL")
                .await
                .map_err(|e| open_error(&url, e))?;
            conn.ping().await.map_err(|e| open_error(&url, e))?;
        }
        migrator()
            .run(&pool)
            .await
            .map_err(|e| open_error(&url, e))?;
        let dummy = secret::new_secret("")?;
        let dummy_hash = secret::hash_password(&dummy).await?;
        Ok(Db {
            pool,
            clock: Clock::default(),
            dummy_hash: Arc::from(dummy_hash),
        })
    }

    /// The embedded default: SQLite in `path` (created with its folder when missing).
    pub async fn open_file(path: &Path) -> Result<Db, DbError> {
        Db::open(&sqlite_url(path)).await
    }

    /// Which backend this is: `SQLite` or `PostgreSQL`.
    pub fn backend(&self) -> &'static str {
        match self.pool.connect_options().database_url.scheme() {
            "sqlite" => "SQLite",
            _ => "PostgreSQL",
        }
    }

    /// Closes the pool (waiting for its connections to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Moves this database's clock forward by `secs` (sessions expire, lockouts end).
    #[cfg(feature = "testing")]
    pub fn advance_clock(&self, secs: i64) {
        self.clock.advance(secs);
    }

    /// The pool, for tests that look at the tables themselves.
    #[cfg(feature = "testing")]
    pub fn pool(&self) -> &sqlx::AnyPool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://cms:hunter2@db.local:5432/cms"),
            "postgres://cms:***@db.local:5432/cms"
        );
        assert_eq!(redact("postgres://cms@db/x"), "postgres://cms@db/x");
        assert_eq!(redact("sqlite:/a/b"), "sqlite:/a/b");
    }

    #[test]
    fn sqlite_paths() {
        let url = sqlite_url(Path::new("/tmp/a b/c#d.sqlite3"));
        assert_eq!(url, "sqlite:/tmp/a%20b/c%23d.sqlite3?mode=rwc");
        assert_eq!(
            sqlite_path(&url),
            Some(PathBuf::from("/tmp/a b/c#d.sqlite3"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
        assert_eq!(
            sqlite_path("sqlite:rel/x.db"),
            Some(PathBuf::from("rel/x.db"))
        );
    }
}
