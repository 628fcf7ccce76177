//! Server state of the portal network, kept beside the content (which lives in git only):
//! users and their roles per site, login sessions, API tokens, the audit log and reviewers'
//! comments.
//!
//! One set of migrations and queries serves SQLite (the embedded default: a file beside the
//! output, no setup) and PostgreSQL (`--database-url postgres://…`), through sqlx's `Any`
//! driver. Passwords are hashed with argon2; session cookies and API tokens are random and
//! stored as SHA-256 hashes only, so a copy of the database lets no one in.

mod access;
mod error;

pub use access::{Action, Actor, Grant, Role, TokenScope};
pub use error::DbError;

use std::net::IpAddr;
use std::path::Path;

use serde::Serialize;

/// A user, with every role they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name (lower-case ASCII, digits, `.`, `-`, `_`).
    pub login: String,
    /// Full name: the author of their commits.
    pub name: String,
    /// E-mail: the author e-mail of their commits.
    pub email: String,
    /// Roles per site (`*`: the whole network).
    pub grants: Vec<Grant>,
}

/// A session just opened by [`Db::login`].
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie's value (random, 256 bits); only its hash is stored.
    pub token: String,
    /// The session's CSRF token, which every state-changing request must send back.
    pub csrf: String,
    /// When it expires, seconds since the epoch.
    pub expires: i64,
}

/// A live session, found by its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who is logged in.
    pub user: User,
    /// Its CSRF token.
    pub csrf: String,
    /// When it expires, seconds since the epoch.
    pub expires: i64,
}

/// An API token's record (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// Row id.
    pub id: i64,
    /// Its label (`ung-dung-di-dong`).
    pub name: String,
    /// Whose rights it acts with (never more than theirs).
    pub user: User,
    /// What it may do.
    pub scope: TokenScope,
    /// Created, seconds since the epoch.
    pub created: i64,
    /// Expiry, if any.
    pub expires: Option<i64>,
}

/// Why a login failed. The message never says whether the login name exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginFailure {
    /// Wrong name or password.
    Invalid,
    /// Too many failures for this login name: locked until then (seconds since the epoch).
    Locked {
        /// End of the lockout.
        until: i64,
    },
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Seconds since the epoch (set by [`Db::audit`]).
    pub time: i64,
    /// Who: a login name, `token:<name>`, or `system` (the scheduler).
    pub actor: String,
    /// What: `save`, `delete`, `upload`, `submit`, `approve`, `reject`, `schedule`, `publish`,
    /// `restore`, `login`, `login_failed`, `logout`, `user_add`, `role`, `token_create`, …
    pub action: String,
    /// The site, if any.
    pub site: Option<String>,
    /// The page path inside the site, if any.
    pub path: Option<String>,
    /// The commit made, if any.
    pub commit: Option<String>,
    /// Free text (a reviewer's comment, a role granted).
    pub detail: Option<String>,
}

/// A reviewer's comment on a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Seconds since the epoch.
    pub time: i64,
    /// The reviewer's login.
    pub author: String,
    /// The site.
    pub site: String,
    /// The page path inside the site.
    pub path: String,
    /// The text.
    pub text: String,
}

/// The embedded default database of an output folder: `cms.sqlite3` beside it (in the parent
/// folder of `out`).
pub fn default_path(out: &Path) -> std::path::PathBuf {
    out.parent()
        .unwrap_or_else(|| Path::new(""))
        .join("cms.sqlite3")
}

/// The database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: sqlx::AnyPool,
}

/// How long a session lasts without use.
pub const SESSION_IDLE_SECS: i64 = 8 * 3600;
/// Failed logins in a row that lock a login name.
pub const LOCKOUT_AFTER: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_SECS: i64 = 15 * 60;

impl Db {
    /// Opens (creating if needed) and migrates: `sqlite:<path>` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        let _ = url;
        todo!("db helper")
    }

    /// The embedded default: SQLite in `path` (created with its folder when missing).
    pub async fn open_file(path: &Path) -> Result<Db, DbError> {
        let _ = path;
        todo!("db helper")
    }

    /// Adds a user; the password must be at least 10 characters.
    pub async fn add_user(
        &self,
        login: &str,
        name: &str,
        email: &str,
        password: &str,
    ) -> Result<User, DbError> {
        let _ = (login, name, email, password);
        todo!("db helper")
    }

    /// Sets a user's password; ends their sessions.
    pub async fn set_password(&self, login: &str, password: &str) -> Result<(), DbError> {
        let _ = (login, password);
        todo!("db helper")
    }

    /// Grants a role on a site (`*`: the network; only with [`Role::NetworkAdmin`]), replacing
    /// the role the user had there.
    pub async fn grant(&self, login: &str, site: &str, role: Role) -> Result<User, DbError> {
        let _ = (login, site, role);
        todo!("db helper")
    }

    /// Takes away the user's role on a site.
    pub async fn revoke(&self, login: &str, site: &str) -> Result<User, DbError> {
        let _ = (login, site);
        todo!("db helper")
    }

    /// Removes a user: their sessions and tokens end at once.
    pub async fn remove_user(&self, login: &str) -> Result<(), DbError> {
        let _ = login;
        todo!("db helper")
    }

    /// A user by login name.
    pub async fn user(&self, login: &str) -> Result<Option<User>, DbError> {
        let _ = login;
        todo!("db helper")
    }

    /// Every user, by login name; of one site only when `site` is given.
    pub async fn users(&self, site: Option<&str>) -> Result<Vec<User>, DbError> {
        let _ = site;
        todo!("db helper")
    }

    /// Checks a password and opens a session. Failures count towards the lockout of that
    /// login name ([`LOCKOUT_AFTER`] in a row: [`LOCKOUT_SECS`]); a success resets it.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Result<NewSession, LoginFailure>, DbError> {
        let _ = (login, password, client);
        todo!("db helper")
    }

    /// The session of a cookie value, if live (not expired, user not removed); extends its
    /// idle expiry.
    pub async fn session(&self, token: &str) -> Result<Option<Session>, DbError> {
        let _ = token;
        todo!("db helper")
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str) -> Result<(), DbError> {
        let _ = token;
        todo!("db helper")
    }

    /// Creates an API token for a user; returns its secret (shown once) and its record.
    pub async fn create_token(
        &self,
        login: &str,
        name: &str,
        scope: &TokenScope,
        expires: Option<i64>,
    ) -> Result<(String, TokenInfo), DbError> {
        let _ = (login, name, scope, expires);
        todo!("db helper")
    }

    /// The token of a secret, if valid (not revoked, not expired, user not removed).
    pub async fn token(&self, secret: &str) -> Result<Option<TokenInfo>, DbError> {
        let _ = secret;
        todo!("db helper")
    }

    /// A user's tokens.
    pub async fn tokens(&self, login: &str) -> Result<Vec<TokenInfo>, DbError> {
        let _ = login;
        todo!("db helper")
    }

    /// Revokes a token of a user.
    pub async fn revoke_token(&self, login: &str, id: i64) -> Result<(), DbError> {
        let _ = (login, id);
        todo!("db helper")
    }

    /// Appends to the audit log (its `time` is set here).
    pub async fn audit(&self, entry: AuditEntry) -> Result<(), DbError> {
        let _ = entry;
        todo!("db helper")
    }

    /// The audit log, newest first: of one site when given, at most `limit` rows.
    pub async fn audit_log(
        &self,
        site: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let _ = (site, limit);
        todo!("db helper")
    }

    /// Records a reviewer's comment.
    pub async fn add_comment(&self, comment: Comment) -> Result<(), DbError> {
        let _ = comment;
        todo!("db helper")
    }

    /// The comments on a page, oldest first.
    pub async fn comments(&self, site: &str, path: &str) -> Result<Vec<Comment>, DbError> {
        let _ = (site, path);
        todo!("db helper")
    }
}
