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

impl Role {
    /// Every role, from the least to the most.
    pub const ALL: [Role; 4] = [
        Role::Editor,
        Role::Approver,
        Role::SiteAdmin,
        Role::NetworkAdmin,
    ];

    /// Its name in the database, the API and the CLI: `editor`, `approver`, `site_admin`,
    /// `network_admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Approver => "approver",
            Role::SiteAdmin => "site_admin",
            Role::NetworkAdmin => "network_admin",
        }
    }

    /// Whether the role allows `action` on a site it is held on.
    fn allows(self, action: Action) -> bool {
        match action {
            Action::ReadDrafts | Action::Write => true,
            Action::Publish => self >= Role::Approver,
            Action::ManageUsers => self >= Role::SiteAdmin,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = crate::DbError;

    /// A role name; `-` may stand for `_` (`site-admin`).
    fn from_str(s: &str) -> Result<Role, crate::DbError> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| crate::DbError::Invalid {
                field: "role",
                message: format!(
                    "vai trò {s:?} không tồn tại: dùng editor, approver, site_admin hoặc                      network_admin (unknown role)"
                ),
            })
    }
}

impl TokenScope {
    /// Whether the scope lets a request do `action` on `site`.
    pub fn covers(&self, site: &str, action: Action) -> bool {
        let site_ok = self.sites.iter().any(|s| s == "*" || s == site);
        site_ok && (self.write || action == Action::ReadDrafts)
    }
}

impl Actor {
    /// Whether the actor may do `action` on `site`: the user's role there (or network admin)
    /// allows it, and the token's scope, if any, covers the site and (for anything but
    /// [`Action::ReadDrafts`]) allows writing.
    pub fn can(&self, site: &str, action: Action) -> bool {
        let by_role = self.user.grants.iter().any(|g| {
            let here = if g.site == "*" {
                g.role == Role::NetworkAdmin
            } else {
                g.site == site
            };
            here && g.role.allows(action)
        });
        by_role && self.token.as_ref().is_none_or(|t| t.covers(site, action))
    }

    /// Whether the actor is a network admin (and not limited by a token's scope).
    pub fn is_network_admin(&self) -> bool {
        let admin = self
            .user
            .grants
            .iter()
            .any(|g| g.site == "*" && g.role == Role::NetworkAdmin);
        admin
            && self
                .token
                .as_ref()
                .is_none_or(|t| t.write && t.sites.iter().any(|s| s == "*"))
    }

    /// The name in the audit log: the login, or `<login> (token)` (the scope does not carry
    /// the token's label).
    pub fn audit_name(&self) -> String {
        match self.token {
            None => self.user.login.clone(),
            Some(_) => format!("{} (token)", self.user.login),
        }
    }
}
