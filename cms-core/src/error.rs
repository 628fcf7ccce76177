//! Why a network could not be loaded: the source unusable, or the content invalid.

use std::path::PathBuf;

use crate::diagnostic::Diagnostics;

/// Why a network could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source itself is unusable (no folder, not a git repository, unknown revision).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The content has errors; all of them are listed.
    #[error("{}", .0)]
    Invalid(Diagnostics),
}

/// Why the files of a [`Source`](crate::Source) could not be listed. Each keeps the error
/// that caused it as its [`source`](std::error::Error::source), so a message that prints
/// the chain (`{:#}` of `anyhow`) reads `content/: cannot read: Permission denied`.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The content folder does not exist.
    #[error(
        "{}: no such content folder (pass --content DIR, the folder holding network.toml)",
        .0.display()
    )]
    NoFolder(PathBuf),
    /// A folder of the content could not be read.
    #[error("{}: cannot read", .dir.display())]
    Walk {
        /// The content folder.
        dir: PathBuf,
        /// What the walk met.
        #[source]
        source: walkdir::Error,
    },
    /// A path could not be resolved.
    #[error("{}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Git could not give the content at the revision.
    #[error("{}: {what}", .dir.display())]
    Git {
        /// The content folder.
        dir: PathBuf,
        /// What was being done: `cannot resolve revision `main``.
        what: String,
        /// What git said.
        #[source]
        source: GitError,
    },
}

/// An error of git, shown as its message alone: libgit2's class and code, which
/// `git2::Error`'s own `Display` appends, say nothing to an editor. The whole error stays
/// reachable for callers that need its code.
#[derive(Debug)]
pub struct GitError(pub git2::Error);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.message())
    }
}

impl std::error::Error for GitError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message and its causes, as `anyhow`'s `{:#}` prints them.
    fn chain(e: &dyn std::error::Error) -> String {
        let mut out = e.to_string();
        let mut cause = e.source();
        while let Some(c) = cause {
            out.push_str(&format!(": {c}"));
            cause = c.source();
        }
        out
    }

    #[test]
    fn source_errors_keep_their_cause() {
        let git = git2::Error::from_str("reference 'refs/heads/x' not found");
        let e = Error::from(SourceError::Git {
            dir: "content".into(),
            what: "cannot resolve revision `x`".into(),
            source: GitError(git),
        });
        assert_eq!(e.to_string(), "content: cannot resolve revision `x`");
        assert_eq!(
            chain(&e),
            "content: cannot resolve revision `x`: reference 'refs/heads/x' not found"
        );
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = Error::from(SourceError::Io {
            path: "a/b".into(),
            source: io,
        });
        let cause = std::error::Error::source(&e).expect("a cause");
        assert!(cause.downcast_ref::<std::io::Error>().is_some());
        assert_eq!(chain(&e), "a/b: gone");
    }
}
