//! Server state of the portal network, kept beside the content (which lives in git only):
//! users and their roles per site, login sessions, API tokens, the audit log and reviewers'
//! comments.
//!
//! One set of migrations and queries serves SQLite (the embedded default: a file beside the
//! output, no setup) and PostgreSQL (`--database-url postgres://…`), through sqlx's `Any`
//! driver. Passwords are hashed with argon2; session cookies and API tokens are random and
//! stored as SHA-256 hashes only, so a copy of the database lets no one in.

mod access;
mod auth;
mod clock;
mod error;
mod journal;
mod open;
mod secret;
#[cfg(feature = "testing")]
pub mod testing;
mod tokens;
mod users;
pub mod validate;

pub use access::{Action, Actor, Grant, Role, TokenScope};
pub use error::DbError;
pub use secret::random_password;

use std::path::Path;
use std::sync::Arc;

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
    clock: clock::Clock,
    /// An argon2 hash of a random password, checked for unknown login names so that a failed
    /// login takes as long whether the name exists or not.
    dummy_hash: Arc<str>,
}

/// How long a session lasts without use.
pub const SESSION_IDLE_SECS: i64 = 8 * 3600;
/// Failed logins in a row that lock a login name.
pub const LOCKOUT_AFTER: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_SECS: i64 = 15 * 60;
/// Failed logins in a row from one client address (whatever the names tried) that lock that
/// address: a guard against trying one password on many names.
pub const CLIENT_LOCKOUT_AFTER: i64 = 50;
