//! Errors of the server.

use std::path::PathBuf;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The build's manifest is not what `cms build` writes.
    #[error("{}: {message} (run `cms build` again)", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The web editor's embedded templates or strings do not parse (a bug of the build).
    #[error("{0}")]
    Admin(#[from] crate::admin::AdminSetupError),
}
