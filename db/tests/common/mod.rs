//! Runs a test body against SQLite and a real PostgreSQL, each fresh.

use std::future::Future;

use db::Db;

/// Runs `body` once per backend on a new database; a failure names the backend.
pub async fn each_backend<F, Fut>(body: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in db::testing::backends().await {
        eprintln!("-- backend: {}", backend.name);
        let db = Db::open(&backend.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", backend.name));
        body(db.clone()).await;
        db.close().await;
    }
}

/// A password that passes the rules.
#[allow(dead_code)] // not every test file logs in
pub const PASSWORD: &str = "mật khẩu đủ dài";
