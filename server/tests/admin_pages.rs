//! The web editor's pages through `app().oneshot(...)`, as a browser without JavaScript uses
//! them: login, the dashboard, logout, the language, the admin's security headers.

mod admin_common;
mod api_common;

use admin_common::Browser;
use api_common::World;
use axum::http::{header, StatusCode};

#[tokio::test]
async fn login_dashboard_and_logout_work_without_javascript() {
    let world = World::sqlite().await;
    let mut b = Browser::new(&world);

    // Not logged in: the login form, which comes back to the page asked for.
    let page = b.get("/admin/").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/admin/login?next=%2Fadmin%2F");
    let form = b.get(page.location()).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("<html lang=\"vi\">"), "{}", form.text);
    assert!(form.text.contains("Đăng nhập"));

    // A wrong password: the form again, 401, the API's message.
    let wrong = b
        .post(
            "/admin/login",
            &[("login", "bien-tap"), ("password", "sai")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.text.contains("Sai tên đăng nhập hoặc mật khẩu"),
        "{}",
        wrong.text
    );
    assert!(
        wrong.text.contains("value=\"bien-tap\""),
        "the login name is kept"
    );

    // The editor of drvn: the dashboard shows drvn, not mt.
    let dash = b.login("bien-tap").await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.text);
    assert!(dash.text.contains("/admin/sites/drvn/"), "{}", dash.text);
    assert!(!dash.text.contains("/admin/sites/mt/"));
    assert!(dash.text.contains("Biên tập viên"));

    // Logging out needs the session's CSRF token.
    let csrf = dash.input("csrf");
    let forged = b.post("/admin/logout", &[("csrf", "gia-mao")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    assert!(forged.text.contains("CSRF"));
    assert_eq!(
        b.get("/admin/").await.status,
        StatusCode::OK,
        "still logged in"
    );
    let out = b.post("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/admin/").await.status,
        StatusCode::SEE_OTHER,
        "logged out"
    );
}

#[tokio::test]
async fn a_network_admin_sees_every_site_and_english_is_one_link_away() {
    let world = World::sqlite().await;
    let mut b = Browser::new(&world);
    let dash = b.login("admin").await;
    // The test output has no build: the sites of the roles (every site needs the read API).
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.text);
    let en = b.get("/admin/lang/en?next=%2Fadmin%2F").await;
    assert_eq!(en.status, StatusCode::SEE_OTHER);
    assert_eq!(en.location(), "/admin/");
    let dash = b.get("/admin/").await;
    assert!(dash.text.contains("<html lang=\"en\">"));
    assert!(dash.text.contains("Dashboard"));
    // No open redirect through `next`.
    let away = b
        .get("/admin/lang/vi?next=https%3A%2F%2Fevil.example%2F")
        .await;
    assert_eq!(away.location(), "/admin/");
}

#[tokio::test]
async fn admin_pages_have_a_strict_policy_and_are_not_cached() {
    let world = World::sqlite().await;
    let mut b = Browser::new(&world);
    let page = b.get("/admin/login").await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // Its stylesheet, fingerprinted, cached for a year.
    let start = page.text.find("/admin/assets/admin.").unwrap();
    let end = page.text[start..].find('"').unwrap() + start;
    let css = b.get(&page.text[start..end]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(
        b.get("/admin/assets/admin.0000000000.css").await.status,
        StatusCode::NOT_FOUND
    );
}
