//! Sessions and tokens through the API (`oneshot`): logging in (cookie flags), the login rate
//! limit per client address and the lockout, CSRF tokens missing or forged (403, nothing
//! written), cross-site requests, expired sessions, a removed user, logging out, tokens out of
//! their scope.

mod api_common;

use std::net::SocketAddr;

use api_common::{page_text, Who, World, PASSWORD};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

/// `POST /session` from the client address `peer`, with extra headers.
async fn login(
    w: &World,
    peer: &str,
    login: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> api_common::Answer {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req
        .body(Body::from(
            json!({"login": login, "password": password}).to_string(),
        ))
        .unwrap();
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    w.send(req).await
}

/// The session of a `Set-Cookie` answer.
fn session_of(res: &api_common::Answer) -> Who {
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    let value = cookie
        .strip_prefix("cms_session=")
        .and_then(|v| v.split(';').next())
        .unwrap();
    Who::Session {
        cookie: value.to_string(),
        csrf: res.str("csrf").to_string(),
    }
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_logout_ends_it() {
    let w = World::with_cookies(db::testing::sqlite().unwrap(), true).await;
    let res = login(&w, "10.0.0.1", "bien-tap", PASSWORD, &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.json);
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Secure",
        "Max-Age=",
    ] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert_eq!(res.json["user"]["login"], "bien-tap");
    assert_eq!(
        res.json["user"]["grants"],
        json!([{"site": "drvn", "role": "editor"}])
    );
    let who = session_of(&res);
    let me = w.call(&who, Method::GET, "/api/v1/session", None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.str("csrf"), res.str("csrf"));

    let out = w.call(&who, Method::DELETE, "/api/v1/session", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let cleared = out.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cleared.starts_with("cms_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let me = w.call(&who, Method::GET, "/api/v1/session", None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(w.all_actions().await, ["login", "logout"]);

    // Without TLS, no `Secure`.
    let plain = World::sqlite().await;
    let res = login(&plain, "10.0.0.1", "bien-tap", PASSWORD, &[]).await;
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn wrong_passwords_lock_the_login_out() {
    let w = World::sqlite().await;
    let wrong = login(&w, "10.0.0.1", "bien-tap", "sai-mat-khau-roi", &[]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let unknown = login(&w, "10.0.0.1", "khong-ai", "sai-mat-khau-roi", &[]).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.str("detail"),
        unknown.str("detail"),
        "never says whether the login exists"
    );
    let mut last = wrong;
    for _ in 0..4 {
        last = login(&w, "10.0.0.1", "bien-tap", "sai-mat-khau-roi", &[]).await;
    }
    assert_eq!(last.status, StatusCode::LOCKED, "{}", last.json);
    assert!(last.headers.contains_key(header::RETRY_AFTER));
    assert!(
        last.str("detail")
            .starts_with("Đăng nhập sai quá nhiều lần"),
        "{}",
        last.json
    );
    // Locked even with the right password, from another address too.
    let right = login(&w, "10.0.0.2", "bien-tap", PASSWORD, &[]).await;
    assert_eq!(right.status, StatusCode::LOCKED);
    // Until the lockout ends.
    w.cms.db.advance_clock(db::LOCKOUT_SECS + 1);
    let right = login(&w, "10.0.0.2", "bien-tap", PASSWORD, &[]).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.json);
    let rows = w.cms.db.audit_log(None, 100).await.unwrap();
    let failed = rows.iter().filter(|r| r.action == "login_failed").count();
    // Five wrong passwords, one unknown login, one refused while locked.
    assert_eq!(failed, 7, "each failure is in the audit log");
    assert!(
        rows.iter()
            .all(|r| !format!("{r:?}").contains("sai-mat-khau")),
        "no password logged"
    );
}

#[tokio::test]
async fn logins_are_rate_limited_per_client_address() {
    let w = World::sqlite().await;
    let mut statuses = Vec::new();
    for n in 0..11 {
        // A spoofed X-Forwarded-For from an untrusted peer changes nothing.
        let xff = format!("192.0.2.{n}");
        let res = login(
            &w,
            "10.0.0.7",
            &format!("ai-{n}"),
            "sai-mat-khau-roi",
            &[("x-forwarded-for", &xff)],
        )
        .await;
        statuses.push(res.status.as_u16());
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10], 429);
    let limited = login(&w, "10.0.0.7", "bien-tap", PASSWORD, &[]).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    // Another client is not limited.
    let other = login(&w, "10.0.0.8", "bien-tap", PASSWORD, &[]).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.json);
}

/// PUT of a new page with the given CSRF header (or none) and extra headers.
async fn put_with_csrf(
    w: &World,
    cookie: &str,
    csrf: Option<&str>,
    extra: &[(&str, &str)],
) -> api_common::Answer {
    let mut req = Request::builder()
        .method(Method::PUT)
        .uri("/api/v1/sites/drvn/pages/tin-tuc/csrf.md")
        .header(header::COOKIE, format!("cms_session={cookie}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = csrf {
        req = req.header("x-csrf-token", c);
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let body = json!({"text": page_text("CSRF", "Nội dung.")}).to_string();
    w.send(req.body(Body::from(body)).unwrap()).await
}

#[tokio::test]
async fn csrf_missing_or_forged_is_refused_and_nothing_is_written() {
    let w = World::sqlite().await;
    let Who::Session { cookie, csrf } = w.session("bien-tap").await else {
        unreachable!()
    };
    let refs = w.refs();
    let missing = put_with_csrf(&w, &cookie, None, &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(
        missing.str("detail").starts_with("Thiếu mã CSRF"),
        "{}",
        missing.json
    );
    let forged = put_with_csrf(&w, &cookie, Some("gia-mao"), &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        forged.str("detail").starts_with("Mã CSRF không đúng"),
        "{}",
        forged.json
    );
    // Another session's token is forged too.
    let Who::Session { csrf: other, .. } = w.session("duyet").await else {
        unreachable!()
    };
    let theirs = put_with_csrf(&w, &cookie, Some(&other), &[]).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    // The right token from another site's page.
    let cross = put_with_csrf(
        &w,
        &cookie,
        Some(&csrf),
        &[
            ("origin", "https://evil.example"),
            ("host", "cms.mt.gov.vn"),
        ],
    )
    .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert_eq!(w.refs(), refs, "nothing written");
    assert!(
        w.audit_actions().await.is_empty(),
        "nothing audited as done"
    );

    let ok = put_with_csrf(&w, &cookie, Some(&csrf), &[]).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.json);
}

#[tokio::test]
async fn a_form_carries_its_csrf_token_in_a_field() {
    let w = World::sqlite().await;
    let Who::Session { cookie, csrf } = w.session("duyet").await else {
        unreachable!()
    };
    let send = |token: String| {
        let body = format!(
            "text={}&csrf={token}",
            form_urlencoded::byte_serialize(page_text("Mẫu", "Từ biểu mẫu.").as_bytes())
                .collect::<String>()
        );
        Request::builder()
            .method(Method::PUT)
            .uri("/api/v1/sites/drvn/pages/tin-tuc/bieu-mau.md")
            .header(header::COOKIE, format!("cms_session={cookie}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let refs = w.refs();
    let forged = w.send(send("gia-mao".into())).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(w.refs(), refs);
    let ok = w.send(send(csrf)).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.json);
}

#[tokio::test]
async fn an_expired_session_gets_401() {
    let w = World::sqlite().await;
    let who = w.session("bien-tap").await;
    let me = w.call(&who, Method::GET, "/api/v1/session", None).await;
    assert_eq!(me.status, StatusCode::OK);
    w.cms.db.advance_clock(db::SESSION_IDLE_SECS + 1);
    let refs = w.refs();
    let me = w.call(&who, Method::GET, "/api/v1/session", None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert!(
        me.str("detail").starts_with("Phiên đăng nhập đã hết hạn"),
        "{}",
        me.json
    );
    let put = w
        .call(
            &who,
            Method::PUT,
            "/api/v1/sites/drvn/pages/tin-tuc/het-han.md",
            Some(json!({"text": page_text("A", "B")})),
        )
        .await;
    assert_eq!(put.status, StatusCode::UNAUTHORIZED);
    assert_eq!(w.refs(), refs);
}

#[tokio::test]
async fn a_removed_user_is_out_at_once() {
    let w = World::sqlite().await;
    let session = w.session("bien-tap").await;
    let token = w.token("bien-tap", &["drvn"], true).await;
    for who in [&session, &token] {
        let me = w
            .call(who, Method::GET, "/api/v1/sites/drvn/drafts", None)
            .await;
        assert_eq!(me.status, StatusCode::OK);
    }
    w.cms.db.remove_user("bien-tap").await.unwrap();
    let refs = w.refs();
    for who in [&session, &token] {
        let me = w
            .call(who, Method::GET, "/api/v1/sites/drvn/drafts", None)
            .await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.json);
        let put = w
            .call(
                who,
                Method::PUT,
                "/api/v1/sites/drvn/pages/tin-tuc/x.md",
                Some(json!({"text": page_text("A", "B")})),
            )
            .await;
        assert_eq!(put.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(w.refs(), refs);
}

#[tokio::test]
async fn tokens_outside_their_scope_get_403_and_need_no_csrf() {
    let w = World::sqlite().await;
    let text = json!({"text": page_text("Máy", "Từ ứng dụng.")});
    let mt_only = w.token("duyet", &["mt"], true).await;
    let read_only = w.token("duyet", &["drvn"], false).await;
    let refs = w.refs();
    for who in [&mt_only, &read_only] {
        let put = w
            .call(
                who,
                Method::PUT,
                "/api/v1/sites/drvn/pages/tin-tuc/may.md",
                Some(text.clone()),
            )
            .await;
        assert_eq!(put.status, StatusCode::FORBIDDEN, "{}", put.json);
        assert!(
            put.str("detail").contains("with this token"),
            "{}",
            put.json
        );
    }
    // A token never gives more than its user has: duyet has no role on mt.
    let mt = w
        .call(
            &mt_only,
            Method::PUT,
            "/api/v1/sites/mt/pages/tin-tuc/may.md",
            Some(text.clone()),
        )
        .await;
    assert_eq!(mt.status, StatusCode::FORBIDDEN);
    assert_eq!(w.refs(), refs, "nothing written");
    // A token in scope writes, with no CSRF token.
    let writer = w.token("duyet", &["drvn"], true).await;
    let put = w
        .call(
            &writer,
            Method::PUT,
            "/api/v1/sites/drvn/pages/tin-tuc/may.md",
            Some(text),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.json);
    assert_eq!(w.audit_actions().await, ["save"]);
    let row = &w.cms.db.audit_log(Some("drvn"), 1).await.unwrap()[0];
    assert_eq!(row.actor, "duyet (token)");
    // An unknown token, and another scheme.
    let bogus = w
        .call(
            &Who::Token("khong-co".into()),
            Method::GET,
            "/api/v1/review",
            None,
        )
        .await;
    assert_eq!(bogus.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bogus.headers[header::WWW_AUTHENTICATE],
        "Bearer realm=\"cms\""
    );
    let basic = Request::builder()
        .uri("/api/v1/review")
        .header(header::AUTHORIZATION, "Basic eDp5")
        .body(Body::empty())
        .unwrap();
    assert_eq!(w.send(basic).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_new_token_is_shown_once_and_works() {
    let w = World::sqlite().await;
    let who = w.session("bien-tap").await;
    let made = w
        .call(
            &who,
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "ung-dung", "sites": ["drvn"], "write": true})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    let secret = made.str("secret").to_string();
    assert!(secret.len() >= 32);
    let list = w.call(&who, Method::GET, "/api/v1/tokens", None).await;
    assert_eq!(list.json[0]["name"], "ung-dung");
    assert!(
        !list.json.to_string().contains(&secret),
        "the secret is never shown again"
    );
    let token = Who::Token(secret);
    let drafts = w
        .call(&token, Method::GET, "/api/v1/sites/drvn/drafts", None)
        .await;
    assert_eq!(drafts.status, StatusCode::OK);
    let id = made.json["token"]["id"].as_i64().unwrap();
    let del = w
        .call(&who, Method::DELETE, &format!("/api/v1/tokens/{id}"), None)
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let drafts = w
        .call(&token, Method::GET, "/api/v1/sites/drvn/drafts", None)
        .await;
    assert_eq!(
        drafts.status,
        StatusCode::UNAUTHORIZED,
        "a revoked token ends at once"
    );
    // An editor cannot scope a token to a site they have no role on.
    let wide = w
        .call(
            &who,
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "rong", "sites": ["mt"]})),
        )
        .await;
    assert_eq!(wide.status, StatusCode::FORBIDDEN);
}
