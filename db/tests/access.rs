//! Who may do what: every role × action × this site or another × no token, a token in scope
//! (read-only or writing) and out of scope; users and tokens read back from SQLite and
//! PostgreSQL.

mod common;

use common::{each_backend, PASSWORD};
use db::{Action, Actor, Role, TokenScope};

const ACTIONS: [Action; 4] = [
    Action::ReadDrafts,
    Action::Write,
    Action::Publish,
    Action::ManageUsers,
];

/// What a role allows on the site it is held on (the table of the issue).
fn allowed(role: Role, action: Action) -> bool {
    match role {
        Role::Editor => matches!(action, Action::ReadDrafts | Action::Write),
        Role::Approver => action != Action::ManageUsers,
        Role::SiteAdmin | Role::NetworkAdmin => true,
    }
}

#[derive(Debug, Clone, Copy)]
enum Via {
    Session,
    ReadToken,
    WriteToken,
    StarToken,
    OtherSiteToken,
}

fn scope(via: Via) -> Option<TokenScope> {
    let s = |sites: &[&str], write| {
        Some(TokenScope {
            sites: sites.iter().map(|s| s.to_string()).collect(),
            write,
        })
    };
    match via {
        Via::Session => None,
        Via::ReadToken => s(&["bo"], false),
        Via::WriteToken => s(&["bo", "cuc"], true),
        Via::StarToken => s(&["*"], true),
        Via::OtherSiteToken => s(&["khac"], true),
    }
}

fn expected(role: Role, site: &str, action: Action, via: Via) -> bool {
    let role_ok = (site == "bo" || role == Role::NetworkAdmin) && allowed(role, action);
    let token_ok = match via {
        Via::Session | Via::StarToken => true,
        Via::ReadToken => site == "bo" && action == Action::ReadDrafts,
        Via::WriteToken => site == "bo" || site == "cuc",
        Via::OtherSiteToken => site == "khac",
    };
    role_ok && token_ok
}

#[tokio::test]
async fn every_role_action_site_and_token() {
    each_backend(|db| async move {
        let vias = [
            Via::Session,
            Via::ReadToken,
            Via::WriteToken,
            Via::StarToken,
            Via::OtherSiteToken,
        ];
        let mut checked = 0;
        for role in Role::ALL {
            let login = role.as_str().replace('_', "-");
            db.add_user(&login, "Người dùng", "u@x.vn", PASSWORD)
                .await
                .unwrap();
            let site = if role == Role::NetworkAdmin {
                "*"
            } else {
                "bo"
            };
            db.grant(&login, site, role).await.unwrap();
            for via in vias {
                // The actor as the server builds it: from a token's record, or a session's user.
                let actor = match scope(via) {
                    None => Actor {
                        user: db.user(&login).await.unwrap().unwrap(),
                        token: None,
                    },
                    Some(scope) => {
                        let name = format!("{via:?}");
                        let (secret, _) =
                            db.create_token(&login, &name, &scope, None).await.unwrap();
                        let info = db.token(&secret).await.unwrap().unwrap();
                        Actor {
                            user: info.user,
                            token: Some(info.scope),
                        }
                    }
                };
                for site in ["bo", "khac"] {
                    for action in ACTIONS {
                        assert_eq!(
                            actor.can(site, action),
                            expected(role, site, action, via),
                            "{role:?} via {via:?} on {site}: {action:?}"
                        );
                        checked += 1;
                    }
                }
                let admin =
                    role == Role::NetworkAdmin && matches!(via, Via::Session | Via::StarToken);
                assert_eq!(actor.is_network_admin(), admin, "{role:?} via {via:?}");
                let name = actor.audit_name();
                assert!(name.starts_with(&login), "{name}");
                assert_eq!(name.contains("token"), !matches!(via, Via::Session));
            }
        }
        assert_eq!(checked, 4 * 5 * 2 * 4);
        // A user without roles can do nothing anywhere.
        let nobody = db
            .add_user("nobody", "Không ai", "n@x.vn", PASSWORD)
            .await
            .unwrap();
        let actor = Actor {
            user: nobody,
            token: None,
        };
        assert!(ACTIONS
            .iter()
            .all(|&a| !actor.can("bo", a) && !actor.can("*", a)));
    })
    .await;
}
