//! Users and roles, on SQLite and PostgreSQL.

mod common;

use common::{each_backend, PASSWORD};
use db::{DbError, Grant, Role};

#[tokio::test]
async fn add_grant_revoke_remove() {
    each_backend(|db| async move {
        let an = db
            .add_user("an", "Nguyễn Văn An", "an@bo-gtvt.gov.vn", PASSWORD)
            .await
            .unwrap();
        assert_eq!(an.login, "an");
        assert_eq!(an.name, "Nguyễn Văn An");
        assert!(an.grants.is_empty());
        assert!(matches!(
            db.add_user("an", "Khác", "b@x.vn", PASSWORD).await,
            Err(DbError::Exists(l)) if l == "an"
        ));

        db.grant("an", "bo-gtvt", Role::Editor).await.unwrap();
        let an = db
            .grant("an", "cuc-duong-bo", Role::Approver)
            .await
            .unwrap();
        assert_eq!(
            an.grants,
            vec![
                Grant {
                    site: "bo-gtvt".into(),
                    role: Role::Editor
                },
                Grant {
                    site: "cuc-duong-bo".into(),
                    role: Role::Approver
                },
            ]
        );
        // Granting again replaces the role there.
        let an = db.grant("an", "bo-gtvt", Role::SiteAdmin).await.unwrap();
        assert_eq!(an.grants[0].role, Role::SiteAdmin);
        assert_eq!(an.grants.len(), 2);

        db.add_user("binh", "Trần Bình", "binh@x.vn", PASSWORD)
            .await
            .unwrap();
        db.grant("binh", "*", Role::NetworkAdmin).await.unwrap();
        let all: Vec<_> = db
            .users(None)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.login)
            .collect();
        assert_eq!(all, ["an", "binh"]);
        let site: Vec<_> = db
            .users(Some("cuc-duong-bo"))
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.login)
            .collect();
        assert_eq!(site, ["an"]);
        assert_eq!(db.users(Some("*")).await.unwrap()[0].login, "binh");

        let an = db.revoke("an", "cuc-duong-bo").await.unwrap();
        assert_eq!(an.grants.len(), 1);
        assert!(matches!(
            db.revoke("an", "cuc-duong-bo").await,
            Err(DbError::NotFound(_))
        ));
        assert!(db.users(Some("cuc-duong-bo")).await.unwrap().is_empty());

        db.remove_user("an").await.unwrap();
        assert_eq!(db.user("an").await.unwrap(), None);
        assert!(matches!(
            db.remove_user("an").await,
            Err(DbError::NotFound(_))
        ));
        // The login name can be used again, without the old roles.
        let again = db
            .add_user("an", "An Mới", "an2@x.vn", PASSWORD)
            .await
            .unwrap();
        assert!(again.grants.is_empty());
    })
    .await;
}

#[tokio::test]
async fn bad_values_are_refused_with_the_field() {
    each_backend(|db| async move {
        let field = |r: Result<db::User, DbError>| match r {
            Err(DbError::Invalid { field, message }) => {
                assert!(!message.is_empty());
                field
            }
            other => panic!("expected Invalid, got {other:?}"),
        };
        assert_eq!(
            field(db.add_user("An", "An", "an@x.vn", PASSWORD).await),
            "login"
        );
        assert_eq!(
            field(db.add_user("an/..", "An", "an@x.vn", PASSWORD).await),
            "login"
        );
        assert_eq!(
            field(db.add_user("an", "", "an@x.vn", PASSWORD).await),
            "name"
        );
        assert_eq!(
            field(db.add_user("an", "An", "an.x.vn", PASSWORD).await),
            "email"
        );
        assert_eq!(
            field(db.add_user("an", "An", "an@x.vn", "short").await),
            "password"
        );
        assert_eq!(
            field(db.add_user("an.nguyen", "An", "an@x.vn", "an.nguyen").await),
            "password"
        );
        assert!(db.users(None).await.unwrap().is_empty(), "nothing written");

        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        assert_eq!(field(db.grant("an", "../etc", Role::Editor).await), "site");
        assert_eq!(field(db.grant("an", "Bo", Role::Editor).await), "site");
        assert_eq!(field(db.grant("an", "*", Role::Editor).await), "role");
        assert_eq!(
            field(db.grant("an", "bo", Role::NetworkAdmin).await),
            "role"
        );
        assert!(matches!(
            db.grant("ghost", "bo", Role::Editor).await,
            Err(DbError::NotFound(_))
        ));
        assert!(db.user("an").await.unwrap().unwrap().grants.is_empty());
        let e = "site-admin".parse::<Role>().unwrap();
        assert_eq!(e, Role::SiteAdmin);
        let err = "boss".parse::<Role>().unwrap_err().to_string();
        assert!(err.starts_with("role: ") && err.contains("editor"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn passwords_are_argon2_hashes() {
    each_backend(|db| async move {
        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE login = $1")
            .bind("an")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(PASSWORD));
    })
    .await;
}
