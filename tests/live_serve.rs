//! `cms serve --content REPO`, a real process over a bare repository: a `git push` goes live
//! within seconds (page and search), a push that does not build leaves the last good site live
//! and says why (file:line) in `/api/v1/live`, a fix goes live again; pages with `publish_at`
//! and `unpublish_at` appear and leave at their time, with an audit row each.

mod common;
mod live_common;

use common::*;
use live_common::*;

/// A word no commit has until the tests write it.
const WORD: &str = "khinhkhicau";

fn cao_toc(date: &str, body: &str) -> String {
    format!("---\ntitle: Thông xe cao tốc\ndate: {date}\ntaxonomies:\n  topics: [cao tốc]\n---\n{body}\n")
}

#[test]
fn a_push_goes_live_and_a_bad_push_keeps_the_last_good_site() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path(), fixture);
    let out = tmp.path().join("site/public");
    let mut server = Server::start(&repo.bare, &out, &[]);
    server.approver(&out, "drvn");
    assert!(server.page().contains("Nội dung."), "{}", server.log());
    let first = git(&repo.work, &["rev-parse", "HEAD"]);
    assert_eq!(server.live()["commit"], first.as_str());
    // The database is beside the output unless told otherwise.
    assert!(tmp.path().join("site/cms.sqlite3").is_file());

    // A push into the served repository.
    let good = repo.push(
        &[(FILE, &cao_toc("2023-04-29", &format!("Đã sửa {WORD}.")))],
        "Sửa tin",
    );
    let took = server.wait("the pushed page served", 15, |s| s.page().contains(WORD));
    eprintln!("push → served: {took:?}");
    server.wait_live(&good, 5);
    assert_eq!(server.found(WORD), 1, "the search index is the new build's");

    // A push whose front matter does not build: the last good site stays.
    let bad = repo.push(&[(FILE, &cao_toc("ngày mai", "Hỏng."))], "Sửa sai");
    server.wait("the failure shown", 15, |s| !s.live()["failure"].is_null());
    let live = server.live();
    assert_eq!(live["commit"], good.as_str(), "{live}");
    assert_eq!(live["failure"]["commit"], bad.as_str(), "{live}");
    let message = live["failure"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{FILE}:3:")) && message.contains("date"),
        "the message names the file, line and field: {message}"
    );
    assert!(!message.contains(tmp.path().to_str().unwrap()), "{message}");
    assert!(live["building"].is_null(), "{live}");
    // Anonymous readers see what is live, not why a build failed.
    let (_, public) = server.get(HOST, "/api/v1/live");
    assert!(
        public.contains(&good) && !public.contains("ngày mai"),
        "{public}"
    );
    assert!(public.contains("\"failure\":null"), "{public}");
    let page = server.page();
    assert!(page.contains(WORD) && !page.contains("Hỏng"), "{page}");
    // Not built again every second while the head stays bad.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert_eq!(
        server.log().matches("build failed").count(),
        1,
        "{}",
        server.log()
    );

    // The fix goes live and clears the failure.
    let fixed = repo.push(&[(FILE, &cao_toc("2023-04-30", "Đã sửa lại."))], "Sửa lại");
    server.wait_live(&fixed, 15);
    let live = server.live();
    assert!(live["failure"].is_null(), "{live}");
    assert!(server.page().contains("Đã sửa lại."));
    assert_eq!(server.found(WORD), 0);
}

#[test]
fn a_server_without_a_good_build_to_serve_says_what_to_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path(), |w| {
        fixture(w);
        write_files(w, &[(FILE, &cao_toc("ngày mai", "Hỏng."))]);
    });
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
        .arg("serve")
        .arg("--content")
        .arg(&repo.bare)
        .arg("--themes")
        .arg(repo_root().join("themes"))
        .arg("--out")
        .arg(tmp.path().join("public"))
        .args(["--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains(&format!("{FILE}:3:")), "{err}");
    assert!(err.contains("fix it and push again"), "{err}");

    // A branch that is not there.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
        .arg("serve")
        .arg("--content")
        .arg(&repo.bare)
        .args(["--branch", "xuat-ban", "--addr", "127.0.0.1:0", "--out"])
        .arg(tmp.path().join("public"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("xuat-ban"), "{}", stderr(&o));
}

/// The time in Vietnam `secs` seconds from now, as front matter writes it.
fn vietnam_in(secs: i64) -> String {
    let t = chrono::Utc::now().naive_utc() + chrono::Duration::seconds(7 * 3600 + secs);
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

#[test]
fn scheduled_pages_appear_and_leave_at_their_time_with_an_audit_row() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path(), fixture);
    let out = tmp.path().join("site/public");
    let mut server = Server::start(&repo.bare, &out, &[]);
    // Both at the same second, a few seconds ahead: one enters its window, one leaves it.
    let at = vietnam_in(6);
    let coming = format!("+++\ntitle = \"Sắp đăng\"\ndate = 2024-01-01\npublish_at = {at}\n+++\nSắp đăng hengiodang.\n");
    let going = format!(
        "+++\ntitle = \"Sắp gỡ\"\ndate = 2024-01-01\nunpublish_at = {at}\n+++\nSắp gỡ hengiogo.\n"
    );
    let head = repo.push(
        &[
            ("sites/drvn/tin-tuc/sap-dang.md", &coming),
            ("sites/drvn/tin-tuc/sap-go.md", &going),
        ],
        "Hẹn giờ",
    );
    server.wait_live(&head, 15);
    let status = |s: &Server, p: &str| s.get(HOST, &format!("/tin-tuc/{p}/")).0;
    assert!(
        vietnam_in(0) < at,
        "the build took too long for this test's few seconds"
    );
    assert_eq!(status(&server, "sap-dang"), 404, "not before its time");
    assert_eq!(status(&server, "sap-go"), 200);
    assert_eq!(server.found("hengiodang"), 0);
    assert_eq!(server.found("hengiogo"), 1);

    // The search index is reopened just after the files are exchanged: wait for both.
    let took = server.wait("the scheduled change", 20, |s| {
        status(s, "sap-dang") == 200 && status(s, "sap-go") == 404 && s.found("hengiodang") == 1
    });
    eprintln!("scheduled change live {took:?} after the push");
    assert!(vietnam_in(0) >= at, "not before its time");
    assert_eq!(server.live()["commit"], head.as_str());
    assert_eq!(server.found("hengiodang"), 1);
    assert_eq!(server.found("hengiogo"), 0);

    let scheduled = scheduled_rows(&tmp.path().join("site/cms.sqlite3"));
    assert_eq!(scheduled.len(), 2, "{scheduled:?}");
    assert!(scheduled.contains(&row("sap-dang", "published", &head)));
    assert!(scheduled.contains(&row("sap-go", "unpublished", &head)));

    // A time that passes while the server is down: built and logged when it starts again.
    let later = vietnam_in(3);
    let third =
        format!("+++\ntitle = \"Sau\"\ndate = 2024-01-01\npublish_at = {later}\n+++\nSau.\n");
    let head = repo.push(&[("sites/drvn/tin-tuc/sau.md", &third)], "Hẹn giờ");
    server.wait_live(&head, 15);
    server.kill();
    while vietnam_in(0) <= later {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let server = Server::start(&repo.bare, &out, &[]);
    assert_eq!(status(&server, "sau"), 200);
    let scheduled = scheduled_rows(&tmp.path().join("site/cms.sqlite3"));
    assert_eq!(scheduled.len(), 3, "{scheduled:?}");
    assert!(scheduled.contains(&row("sau", "published", &head)));
}

/// What an audit row of a scheduled change says: the page, what happened, the commit.
fn row(page: &str, what: &str, commit: &str) -> (String, String, String) {
    (format!("tin-tuc/{page}.md"), what.into(), commit.into())
}

/// The audit rows of scheduled changes on the site `drvn`, each checked to be the system's.
fn scheduled_rows(db: &std::path::Path) -> Vec<(String, String, String)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows = rt.block_on(async {
        let db = db::Db::open(&format!("sqlite:{}", db.display()))
            .await
            .unwrap();
        db.audit_log(Some("drvn"), 50).await.unwrap()
    });
    rows.iter()
        .filter(|r| r.action == "scheduled")
        .map(|r| {
            assert_eq!(r.actor, "system");
            let field = |f: &Option<String>| f.clone().unwrap_or_default();
            (field(&r.path), field(&r.detail), field(&r.commit))
        })
        .collect()
}
