//! Why a network could not be loaded.

use crate::diagnostic::Diagnostics;

/// Why a network could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source itself is unusable (no folder, not a git repository, unknown revision).
    #[error("{0}")]
    Source(String),
    /// The content has errors; all of them are listed.
    #[error("{}", .0)]
    Invalid(Diagnostics),
}
