//! What every write handler uses: the [`Cms`] of the state, the git store on the blocking pool
//! (git2 is synchronous), the commit author of an actor, and audit rows.

// `Problem` (and the store's conflict error) carry whole texts by design: the 409 answers with
// both versions. Errors are rare next to the work, so they are not boxed.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use cms_core::store::{Author, Store, StoreError};
use db::{Actor, AuditEntry};

use super::errors::join_error;
use super::Problem;
use crate::{Cms, State};

/// The CMS, or 503 when the server runs without `--content`.
pub fn cms(state: &Arc<State>) -> Result<&Cms, Problem> {
    state.cms.as_ref().ok_or_else(Problem::no_cms)
}

/// Runs `f` on the store on the blocking pool (git2 blocks on disk).
pub async fn blocking<T, F>(cms: &Cms, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = cms.store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(join_error)?
        .map_err(Problem::from)
}

/// The commit author of an actor: the user's name and e-mail.
pub fn author(actor: &Actor) -> Author {
    Author {
        name: actor.user.name.clone(),
        email: actor.user.email.clone(),
    }
}

/// One row of the audit log.
#[derive(Debug, Default)]
pub struct Audit<'a> {
    /// What (`save`, `approve`, …).
    pub action: &'a str,
    /// The site.
    pub site: Option<&'a str>,
    /// The page path.
    pub path: Option<&'a str>,
    /// The commit made.
    pub commit: Option<&'a str>,
    /// Free text.
    pub detail: Option<String>,
}

/// Appends to the audit log as `actor` (a login name, or `<login> (token <name>)`). A failure
/// is logged, not answered: what it records is already done (a commit, a ref), and the client
/// retrying would do it twice.
pub async fn audit(cms: &Cms, actor: &str, row: Audit<'_>) {
    let entry = AuditEntry {
        time: 0,
        actor: actor.to_string(),
        action: row.action.to_string(),
        site: row.site.map(str::to_string),
        path: row.path.map(str::to_string),
        commit: row.commit.map(str::to_string),
        detail: row.detail,
    };
    if let Err(e) = cms.db.audit(entry).await {
        tracing::error!(action = row.action, "audit log: {e}");
    }
}
