//! Logins, the lockout and sessions, on SQLite and PostgreSQL.

mod common;

use std::net::IpAddr;

use common::{each_backend, PASSWORD};
use db::{LoginFailure, Role, LOCKOUT_AFTER, LOCKOUT_SECS, SESSION_IDLE_SECS};

const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

#[tokio::test]
async fn login_session_logout() {
    each_backend(|db| async move {
        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        db.grant("an", "bo-gtvt", Role::Editor).await.unwrap();
        assert_eq!(
            db.login("an", "sai mật khẩu rồi", CLIENT)
                .await
                .unwrap()
                .unwrap_err(),
            LoginFailure::Invalid
        );
        assert_eq!(
            db.login("ghost", PASSWORD, CLIENT)
                .await
                .unwrap()
                .unwrap_err(),
            LoginFailure::Invalid
        );
        let new = db.login("an", PASSWORD, CLIENT).await.unwrap().unwrap();
        assert_eq!(new.token.len(), 64);
        assert_ne!(new.token, new.csrf);
        let session = db.session(&new.token).await.unwrap().unwrap();
        assert_eq!(session.user.login, "an");
        assert_eq!(session.user.grants.len(), 1);
        assert_eq!(session.csrf, new.csrf);
        assert!(db.session("forged").await.unwrap().is_none());
        assert!(db.session(&new.csrf).await.unwrap().is_none());

        // Only the hash is stored.
        let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0], new.token);

        db.logout(&new.token).await.unwrap();
        assert!(db.session(&new.token).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_when_idle_and_each_use_extends_them() {
    each_backend(|db| async move {
        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        let s = db.login("an", PASSWORD, CLIENT).await.unwrap().unwrap();
        db.advance_clock(SESSION_IDLE_SECS - 10);
        let live = db.session(&s.token).await.unwrap().expect("still live");
        assert!(live.expires > s.expires, "extended");
        db.advance_clock(SESSION_IDLE_SECS - 10);
        assert!(
            db.session(&s.token).await.unwrap().is_some(),
            "used recently"
        );
        db.advance_clock(SESSION_IDLE_SECS + 1);
        assert!(
            db.session(&s.token).await.unwrap().is_none(),
            "idle too long"
        );
        // And it stays gone (the row was deleted).
        db.advance_clock(-10 * SESSION_IDLE_SECS);
        assert!(db.session(&s.token).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn removed_user_and_new_password_end_sessions() {
    each_backend(|db| async move {
        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        let s = db.login("an", PASSWORD, CLIENT).await.unwrap().unwrap();
        db.set_password("an", "mật khẩu mới tinh").await.unwrap();
        assert!(db.session(&s.token).await.unwrap().is_none());
        assert!(db.login("an", PASSWORD, CLIENT).await.unwrap().is_err());
        let s = db
            .login("an", "mật khẩu mới tinh", CLIENT)
            .await
            .unwrap()
            .unwrap();
        assert!(db.set_password("an", "ngắn").await.is_err());
        assert!(
            db.session(&s.token).await.unwrap().is_some(),
            "a refused change ends nothing"
        );

        db.remove_user("an").await.unwrap();
        assert!(db.session(&s.token).await.unwrap().is_none());
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
    })
    .await;
}

#[tokio::test]
async fn lockout_after_failures_in_a_row_then_unlock() {
    each_backend(|db| async move {
        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        // Failures not in a row do not lock.
        for _ in 0..LOCKOUT_AFTER - 1 {
            let r = db.login("an", "sai mật khẩu rồi", CLIENT).await.unwrap();
            assert_eq!(r.unwrap_err(), LoginFailure::Invalid);
        }
        db.login("an", PASSWORD, CLIENT).await.unwrap().unwrap();
        for _ in 0..LOCKOUT_AFTER - 1 {
            let r = db.login("an", "sai mật khẩu rồi", CLIENT).await.unwrap();
            assert_eq!(r.unwrap_err(), LoginFailure::Invalid);
        }
        let locked = db
            .login("an", "sai mật khẩu rồi", CLIENT)
            .await
            .unwrap()
            .unwrap_err();
        let LoginFailure::Locked { until } = locked else {
            panic!("{locked:?}")
        };
        // The right password does not open it, from any address.
        let other: IpAddr = "192.0.2.7".parse().unwrap();
        let r = db.login("An", PASSWORD, other).await.unwrap();
        assert_eq!(r.unwrap_err(), LoginFailure::Locked { until });
        // Another name is not locked.
        db.add_user("binh", "Bình", "b@x.vn", PASSWORD)
            .await
            .unwrap();
        db.login("binh", PASSWORD, CLIENT).await.unwrap().unwrap();

        db.advance_clock(LOCKOUT_SECS - 5);
        assert!(db.login("an", PASSWORD, CLIENT).await.unwrap().is_err());
        db.advance_clock(10);
        db.login("an", PASSWORD, CLIENT).await.unwrap().unwrap();

        // Unknown names lock the same way (no hint that a name exists).
        for _ in 0..LOCKOUT_AFTER - 1 {
            let r = db.login("ghost", PASSWORD, CLIENT).await.unwrap();
            assert_eq!(r.unwrap_err(), LoginFailure::Invalid);
        }
        let r = db.login("ghost", PASSWORD, CLIENT).await.unwrap();
        assert!(matches!(r, Err(LoginFailure::Locked { .. })), "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn one_address_trying_many_names_is_locked() {
    each_backend(|db| async move {
        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        let attacker: IpAddr = "198.51.100.9".parse().unwrap();
        for i in 0..db::CLIENT_LOCKOUT_AFTER {
            let _ = db
                .login(&format!("user{i}"), PASSWORD, attacker)
                .await
                .unwrap();
        }
        let r = db.login("an", PASSWORD, attacker).await.unwrap();
        assert!(matches!(r, Err(LoginFailure::Locked { .. })), "{r:?}");
        db.login("an", PASSWORD, CLIENT).await.unwrap().unwrap();
    })
    .await;
}
