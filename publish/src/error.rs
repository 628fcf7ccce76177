//! What can go wrong in a publish, each with what to do about it.

use std::path::PathBuf;

/// A publish, rollback or listing that could not be done. Each error comes before anything
/// live was changed, but [`Error::Store`] during the upload (see its text) and
/// [`Error::Interrupted`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The target cannot be used as written.
    #[error("target {target}: {reason}")]
    BadTarget {
        /// The target as given.
        target: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The target refused our credentials.
    #[error("target {target}: access refused; check the credentials in the environment ({hint})")]
    Unauthorised {
        /// The target.
        target: String,
        /// Which variables hold the credentials.
        hint: &'static str,
        /// The store's answer.
        source: object_store::Error,
    },
    /// The target holds files that another tool or another network published.
    #[error("target {target} is not ours: {reason}; publish to an empty folder or bucket prefix, or to the one this network publishes to")]
    NotOurs {
        /// The target.
        target: String,
        /// What was found there.
        reason: String,
    },
    /// A request to the target failed (after retries).
    #[error("target {target}: {action} failed")]
    Store {
        /// The target.
        target: String,
        /// What was being done, naming the object.
        action: String,
        /// The store's error.
        source: object_store::Error,
    },
    /// The output folder's manifest cannot be read.
    #[error("{}: {reason}; run `cms build` again", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file of the output folder is missing or differs from the manifest.
    #[error("{}: {reason}; the output changed since it was built: run `cms build` again (nothing was published)", path.display())]
    Altered {
        /// The file.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
    /// Reading a file of the output failed.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A deployment record at the target cannot be read.
    #[error("target {target}: {object}: {reason}")]
    Record {
        /// The target.
        target: String,
        /// The object.
        object: String,
        /// What is wrong.
        reason: String,
    },
    /// Nothing to roll back to.
    #[error("target {target}: {reason}")]
    NoRollback {
        /// The target.
        target: String,
        /// Why.
        reason: String,
    },
    /// Stopped by a test at a named step (`CMS_KILL_AT`), where SIGKILL is not available.
    #[error("stopped at {0} (CMS_KILL_AT)")]
    Interrupted(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_to_do() {
        let e = Error::Altered {
            path: "public/sites/a/index.html".into(),
            reason: "missing".into(),
        };
        let s = e.to_string();
        assert!(
            s.contains("public/sites/a/index.html") && s.contains("cms build"),
            "{s}"
        );
        let e = Error::NotOurs {
            target: "s3://b/p".into(),
            reason: "it has files but no manifest".into(),
        };
        assert!(e.to_string().contains("empty folder"), "{e}");
    }
}
