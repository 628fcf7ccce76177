//! API tokens, on SQLite and PostgreSQL.

mod common;

use common::{each_backend, PASSWORD};
use db::{DbError, Role, TokenScope};

fn scope(sites: &[&str], write: bool) -> TokenScope {
    TokenScope {
        sites: sites.iter().map(|s| s.to_string()).collect(),
        write,
    }
}

#[tokio::test]
async fn shown_once_hashed_at_rest_scoped_revocable() {
    each_backend(|db| async move {
        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        db.grant("an", "bo-gtvt", Role::Editor).await.unwrap();
        let (secret, info) = db
            .create_token("an", "ung-dung-di-dong", &scope(&["bo-gtvt"], false), None)
            .await
            .unwrap();
        assert!(secret.starts_with("cms_") && secret.len() > 60, "{secret}");
        assert_eq!(info.name, "ung-dung-di-dong");
        assert_eq!(info.scope, scope(&["bo-gtvt"], false));
        assert_eq!(info.user.grants.len(), 1);

        // No column of the table holds the secret.
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT name, secret_hash, sites FROM tokens")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert_eq!(rows.len(), 1);
        let (_, hash, sites) = &rows[0];
        assert!(!hash.contains(&secret[4..]) && hash != &secret);
        assert_eq!(sites, r#"["bo-gtvt"]"#);

        let found = db.token(&secret).await.unwrap().expect("valid");
        assert_eq!(found, info);
        assert!(db.token("cms_forged").await.unwrap().is_none());
        assert_eq!(db.tokens("an").await.unwrap(), vec![info.clone()]);

        let (w, _) = db
            .create_token("an", "ci", &scope(&["*"], true), None)
            .await
            .unwrap();
        assert!(db.token(&w).await.unwrap().unwrap().scope.write);
        assert_eq!(db.tokens("an").await.unwrap().len(), 2);

        assert!(matches!(
            db.revoke_token("binh", info.id).await,
            Err(DbError::NotFound(_))
        ));
        db.revoke_token("an", info.id).await.unwrap();
        assert!(db.token(&secret).await.unwrap().is_none());
        assert!(matches!(
            db.revoke_token("an", info.id).await,
            Err(DbError::NotFound(_))
        ));
        assert_eq!(db.tokens("an").await.unwrap().len(), 1);

        // A removed user's tokens end at once.
        db.remove_user("an").await.unwrap();
        assert!(db.token(&w).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn expiry_and_bad_scopes() {
    each_backend(|db| async move {
        db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
        let in_an_hour = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + 3600;
        let (secret, info) = db
            .create_token("an", "tam", &scope(&["bo"], true), Some(in_an_hour))
            .await
            .unwrap();
        assert_eq!(info.expires, Some(in_an_hour));
        assert!(db.token(&secret).await.unwrap().is_some());
        db.advance_clock(3601);
        assert!(db.token(&secret).await.unwrap().is_none(), "expired");

        let invalid = |r: Result<(String, db::TokenInfo), DbError>| match r {
            Err(DbError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            invalid(db.create_token("an", "x", &scope(&[], false), None).await),
            "sites"
        );
        assert_eq!(
            invalid(
                db.create_token("an", "x", &scope(&["../a"], false), None)
                    .await
            ),
            "site"
        );
        assert_eq!(
            invalid(
                db.create_token("an", " ", &scope(&["bo"], false), None)
                    .await
            ),
            "name"
        );
        assert_eq!(
            invalid(
                db.create_token("an", "x", &scope(&["bo"], false), Some(1))
                    .await
            ),
            "expires"
        );
        assert!(matches!(
            db.create_token("ghost", "x", &scope(&["bo"], false), None)
                .await,
            Err(DbError::NotFound(_))
        ));
        assert!(db.tokens("an").await.unwrap().len() == 1);
    })
    .await;
}
