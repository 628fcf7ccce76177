//! Errors of the build.
//!
//! Each variant says what failed; the library error that made it fail is its `source`, not
//! part of its message, so a caller that prints the chain (anyhow's `{:#}`) shows each cause
//! once.

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
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A template context could not be made (a value Tera cannot hold).
    #[error("making a template context")]
    TemplateContext(#[source] tera::Error),
    /// `manifest.json` could not be written as JSON.
    #[error("writing manifest.json")]
    Manifest(#[source] serde_json::Error),
    /// The search pages' settings (`search/ui.json`) could not be written as JSON.
    #[error("writing search/ui.json")]
    SearchUi(#[source] serde_json::Error),
    /// Writing the search index failed.
    #[error("writing the search index")]
    Search(#[from] search_index::Error),
    /// The thread that writes the search index could not start.
    #[error("starting the search indexer")]
    IndexerStart(#[source] std::io::Error),
    /// `deploy/hosting.json` could not be written or read.
    #[error("{}", path.display())]
    Hosting {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// A file of the static read API (`sites/<domain>/api/v1/…`) could not be written as JSON.
    #[error("writing {path}")]
    Api {
        /// The file.
        path: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// The thread that writes the search index panicked.
    #[error("the search indexer stopped")]
    IndexerStopped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cause_is_kept_as_the_source_not_repeated_in_the_message() {
        let cause = serde_json::from_str::<u8>("x").unwrap_err();
        let text = cause.to_string();
        let e = Error::Manifest(cause);
        assert_eq!(e.to_string(), "writing manifest.json");
        let source = std::error::Error::source(&e).expect("a source");
        assert_eq!(source.to_string(), text);
    }
}
