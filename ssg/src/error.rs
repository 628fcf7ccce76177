//! Errors of the build.

use std::path::PathBuf;

use cms_core::Diagnostics;

/// Why a build failed. The output folder is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the content or templates, each at a file and line.
    #[error("{0}")]
    Content(Diagnostics),
    /// The theme is missing or broken.
    #[error("{0}")]
    Theme(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing the search index failed.
    #[error("search index: {0}")]
    Search(String),
}
