//! Who may do what: roles per site, and the scope of API tokens.

use serde::{Deserialize, Serialize};

/// A role on a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Writes drafts of the site and submits them.
    Editor,
    /// An editor who also publishes, rejects and schedules.
    Approver,
    /// An approver who also manages the site's users and settings.
    SiteAdmin,
    /// Everything on every site (granted on `*`).
    NetworkAdmin,
}

/// A role held on a site (`*` for the network).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The site id, or `*`.
    pub site: String,
    /// The role.
    pub role: Role,
}

/// What a request wants to do on a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read drafts, history, the review queue.
    ReadDrafts,
    /// Create, update, delete, upload, submit, restore.
    Write,
    /// Publish, reject, schedule.
    Publish,
    /// Manage the site's users and roles.
    ManageUsers,
}

/// What an API token may do: on which sites, and whether it may write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenScope {
    /// Site ids (`*`: all the user's sites).
    pub sites: Vec<String>,
    /// Whether it may write (else read only).
    pub write: bool,
}

/// Who is asking: a user, through a session or through one of their tokens.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user.
    pub user: crate::User,
    /// The token's scope, when the request came with a token.
    pub token: Option<TokenScope>,
}

impl Actor {
    /// Whether the actor may do `action` on `site`: the user's role there (or network admin)
    /// allows it, and the token's scope, if any, covers the site and (for anything but
    /// [`Action::ReadDrafts`]) allows writing.
    pub fn can(&self, site: &str, action: Action) -> bool {
        let _ = (site, action);
        todo!("db helper")
    }

    /// Whether the actor is a network admin (and not limited by a token's scope).
    pub fn is_network_admin(&self) -> bool {
        todo!("db helper")
    }

    /// The name in the audit log: the login, or `<login> (token <name>)`.
    pub fn audit_name(&self) -> String {
        todo!("db helper")
    }
}
