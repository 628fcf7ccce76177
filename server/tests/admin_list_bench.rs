//! The content list's time on the benchmark corpus (`scripts/bench` then `scripts/bench-api`
//! made it): ignored unless asked, as it needs the corpus's built output, its git repository
//! and a copy of its database.
//!
//! `LIST_BENCH_DIR=/dev/shm/cms-bench/api cargo test -p server --test admin_list_bench -- --ignored --nocapture`

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use server::{Cms, Live, Options, State};
use tower::ServiceExt;

async fn get(app: &axum::Router, cookie: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
#[ignore = "needs the benchmark corpus: LIST_BENCH_DIR"]
async fn the_list_on_the_benchmark_corpus() {
    let Ok(dir) = std::env::var("LIST_BENCH_DIR") else {
        eprintln!("LIST_BENCH_DIR is not set: nothing measured");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let tmp = tempfile::tempdir().unwrap();
    let db_file = tmp.path().join("db.sqlite3");
    std::fs::copy(dir.join("api.sqlite3"), &db_file).unwrap();
    let db = db::Db::open(&format!("sqlite:{}?mode=rwc", db_file.display()))
        .await
        .unwrap();
    let password = "mat-khau-do-dai-du-2024";
    db.add_user("do-thoi-gian", "Đo", "do@mt.gov.vn", password)
        .await
        .unwrap();
    db.grant("do-thoi-gian", "*", db::Role::NetworkAdmin)
        .await
        .unwrap();
    let cms = Cms {
        store: cms_core::store::Store::open(&dir.join("corpus.git"), "main").unwrap(),
        db: db.clone(),
        live: Arc::new(Live::default()),
        secure_cookies: false,
    };
    let state = State::load(&dir.join("api-public"), &Options::default())
        .unwrap()
        .with_cms(cms);
    let app = server::app(Arc::new(state));
    let ip = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    let session = db
        .login("do-thoi-gian", password, ip)
        .await
        .unwrap()
        .unwrap();
    let cookie = format!("cms_session={}", session.token);
    for (what, q) in [
        ("whole list, page 1", ""),
        ("page 10", "?page=10"),
        ("by title", "?sort=title"),
        ("section and language", "?section=tin-tuc&lang=vi"),
        ("search without diacritics", "?q=giao+thong"),
        ("drafts only", "?status=draft"),
    ] {
        let uri = format!("/admin/sites/mt/{q}");
        let (status, text) = get(&app, &cookie, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {text}");
        let mut times = Vec::new();
        for _ in 0..20 {
            let start = Instant::now();
            let _ = get(&app, &cookie, &uri).await;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{what:<28} p50 {:7.1} ms  max {:7.1} ms  ({} bytes)",
            times[times.len() / 2],
            times[times.len() - 1],
            text.len()
        );
    }
}
