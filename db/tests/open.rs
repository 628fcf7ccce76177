//! Opening databases: SQLite files and folders created, WAL and foreign keys on, migrations
//! run once on both backends, bad URLs refused without showing passwords.

use db::{Db, DbError};

const PASSWORD: &str = "mật khẩu đủ dài";

#[tokio::test]
async fn sqlite_file_and_folder_are_created_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mới có/dấu cách/cms.sqlite3");
    let db = Db::open_file(&path).await.unwrap();
    assert!(path.exists());
    assert_eq!(db.backend(), "SQLite");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
    db.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
    db.close().await;
    // Reopening migrates nothing twice and keeps the data.
    let db = Db::open(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert!(db.user("an").await.unwrap().is_some());
}

#[tokio::test]
async fn postgres_opened_by_two_processes_at_once_migrates_once() {
    let pg = db::testing::postgres().unwrap();
    let (a, b) = tokio::join!(Db::open(&pg.url), Db::open(&pg.url));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.backend(), "PostgreSQL");
    a.add_user("an", "An", "an@x.vn", PASSWORD).await.unwrap();
    assert!(b.user("an").await.unwrap().is_some());
    let versions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(a.pool())
        .await
        .unwrap();
    assert_eq!(versions, 1);
}

#[tokio::test]
async fn bad_urls_are_refused_without_the_password() {
    match Db::open("mysql://root@localhost/cms").await {
        Err(DbError::Invalid { field, message }) => {
            assert_eq!(field, "database-url");
            assert!(message.contains("sqlite:PATH"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A closed port: refused, and the message hides the password.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = Db::open(&format!("postgres://cms:hunter2@127.0.0.1:{port}/cms"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("opening the database") && !err.contains("hunter2"),
        "{err}"
    );
}
