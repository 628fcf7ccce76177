//! Errors of the search index.

use std::path::PathBuf;

/// What can go wrong writing or reading the index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file of the index could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// tantivy failed.
    #[error("search index {path}: {source}")]
    Tantivy {
        /// The index folder.
        path: PathBuf,
        /// The cause.
        source: tantivy::TantivyError,
    },
    /// The folder holds no index, or one this version cannot read.
    #[error("{0}")]
    Incompatible(String),
}
