//! The users page of the web editor (`/admin/sites/{site}/users`): a site admin grants,
//! changes and removes roles on their site through the API, with the form's CSRF token;
//! editors get the API's 403; a network admin manages every site.

mod admin_common;
mod api_common;

use admin_common::{Browser, Page};
use api_common::World;
use axum::http::StatusCode;
use db::Role;

/// The role of `login` on `site`, as the database has it.
async fn role(world: &World, login: &str, site: &str) -> Option<Role> {
    let users = world.cms.db.users(Some(site)).await.unwrap();
    users
        .into_iter()
        .find(|u| u.login == login)
        .and_then(|u| u.grants.into_iter().find(|g| g.site == site))
        .map(|g| g.role)
}

async fn users(b: &mut Browser<'_>, site: &str) -> Page {
    let page = b.get(&format!("/admin/sites/{site}/users")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    page
}

#[tokio::test]
async fn a_site_admin_grants_changes_and_removes_a_role() {
    let world = World::sqlite().await;
    let mut b = Browser::new(&world);
    b.login("quan-tri").await;
    let page = users(&mut b, "drvn").await;
    for login in ["bien-tap", "duyet", "quan-tri"] {
        assert!(
            page.text
                .contains(&format!("<th scope=\"row\">{login}</th>")),
            "{login}"
        );
    }
    assert!(!page.text.contains("mt-bien-tap"));
    // A site admin is not offered the network's role.
    assert!(!page.text.contains("value=\"network_admin\""));
    let csrf = page.input("csrf");
    let url = "/admin/sites/drvn/users/grant";

    let granted = b
        .post(
            url,
            &[("csrf", &csrf), ("login", "khach"), ("role", "editor")],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.text);
    assert_eq!(granted.location(), "/admin/sites/drvn/users");
    assert_eq!(role(&world, "khach", "drvn").await, Some(Role::Editor));
    assert!(users(&mut b, "drvn")
        .await
        .text
        .contains("<th scope=\"row\">khach</th>"));

    let changed = b
        .post(
            url,
            &[("csrf", &csrf), ("login", "khach"), ("role", "approver")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
    assert_eq!(role(&world, "khach", "drvn").await, Some(Role::Approver));

    let removed = b
        .post(
            "/admin/sites/drvn/users/revoke",
            &[("csrf", &csrf), ("login", "khach")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.text);
    assert_eq!(role(&world, "khach", "drvn").await, None);
    assert!(!users(&mut b, "drvn")
        .await
        .text
        .contains("<th scope=\"row\">khach</th>"));

    // The network's role is refused to a site admin by the API, shown on the page.
    let refused = b
        .post(
            url,
            &[
                ("csrf", &csrf),
                ("login", "khach"),
                ("role", "network_admin"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert!(refused.text.contains("network_admin"), "{}", refused.text);
    // An unknown login: the API's 404 beside the field.
    let unknown = b
        .post(
            url,
            &[("csrf", &csrf), ("login", "<b>ai</b>"), ("role", "editor")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text);
    assert!(unknown.text.contains("aria-invalid=\"true\""));
    assert!(unknown
        .text
        .contains("value=\"&lt;b&gt;ai&lt;&#x2F;b&gt;\""));
    assert!(!unknown.text.contains("<b>ai</b>"));
    let empty = b
        .post(url, &[("csrf", &csrf), ("login", " "), ("role", "editor")])
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    // Another site is not theirs.
    let other = b.get("/admin/sites/mt/users").await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_the_forms_csrf_token_nothing_changes() {
    let world = World::sqlite().await;
    let mut b = Browser::new(&world);
    b.login("quan-tri").await;
    for csrf in ["", "gia-mao"] {
        let forged = b
            .post(
                "/admin/sites/drvn/users/grant",
                &[("csrf", csrf), ("login", "khach"), ("role", "site_admin")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
        assert!(forged.text.contains("CSRF"), "{}", forged.text);
    }
    assert_eq!(role(&world, "khach", "drvn").await, None);
    let forged = b
        .post(
            "/admin/sites/drvn/users/revoke",
            &[("csrf", "gia-mao"), ("login", "bien-tap")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(role(&world, "bien-tap", "drvn").await, Some(Role::Editor));
}

#[tokio::test]
async fn editors_get_the_apis_403_and_a_network_admin_manages_every_site() {
    let world = World::sqlite().await;
    let mut b = Browser::new(&world);
    b.login("bien-tap").await;
    let page = b.get("/admin/sites/drvn/users").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.text);
    assert!(!page.text.contains("<th scope=\"row\">duyet</th>"));

    let mut admin = Browser::new(&world);
    admin.login("admin").await;
    let mt = users(&mut admin, "mt").await;
    assert!(mt.text.contains("<th scope=\"row\">mt-duyet</th>"));
    assert!(mt.text.contains("value=\"network_admin\""));
    let csrf = mt.input("csrf");
    let granted = admin
        .post(
            "/admin/sites/mt/users/grant",
            &[("csrf", &csrf), ("login", "khach"), ("role", "site_admin")],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.text);
    assert_eq!(role(&world, "khach", "mt").await, Some(Role::SiteAdmin));
}
