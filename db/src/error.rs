//! Errors of the database.

/// A database error. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database could not be opened or migrated.
    #[error("opening the database {url}: {source}")]
    Open {
        /// The URL, without its password.
        url: String,
        /// The cause.
        source: sqlx::Error,
    },
    /// A query failed.
    #[error("database: {0}")]
    Query(#[from] sqlx::Error),
    /// A value is not acceptable (a login name, a short password, an unknown role).
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong and what to do.
        message: String,
    },
    /// No such user (or token).
    #[error("{0} does not exist")]
    NotFound(String),
    /// The login name is taken.
    #[error("user {0} already exists")]
    Exists(String),
}
