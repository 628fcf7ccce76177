//! The read API of `cms serve --content REPO` (a real process over a bare repository) follows
//! the live site: a pushed page is listed and served as soon as it is live, a page scheduled a
//! few seconds ahead is absent until its time and present after, and one past its
//! `unpublish_at` leaves.

mod common;
mod live_common;

use common::*;
use live_common::*;

/// Whether the drvn listing names `path`, and the item's status.
fn listed(server: &Server, path: &str) -> (bool, u16) {
    let (status, body) = server.get(HOST, "/api/v1/sites/drvn/content?per_page=100");
    assert_eq!(status, 200, "{body}");
    let page: ssg::api::ContentPage = serde_json::from_str(&body).unwrap();
    let item = server
        .get(HOST, &format!("/api/v1/sites/drvn/content/{path}"))
        .0;
    (page.items.iter().any(|i| i.path == path), item)
}

/// The time in Vietnam `secs` seconds from now, as front matter writes it.
fn vietnam_in(secs: i64) -> String {
    let t = chrono::Utc::now().naive_utc() + chrono::Duration::seconds(7 * 3600 + secs);
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

#[test]
fn the_read_api_follows_pushes_and_schedules() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path(), fixture);
    let out = tmp.path().join("site/public");
    let server = Server::start(&repo.bare, &out, &[]);
    assert_eq!(
        listed(&server, "tin-tuc/cao-toc.md"),
        (true, 200),
        "{}",
        server.log()
    );
    assert_eq!(listed(&server, "tin-tuc/moi.md"), (false, 404));

    let at = vietnam_in(8);
    let head = repo.push(
        &[
            (
                "sites/drvn/tin-tuc/moi.md",
                "+++\ntitle = \"Tin mới\"\ndate = 2025-01-01\n+++\nMới.\n",
            ),
            (
                "sites/drvn/tin-tuc/sap-dang.md",
                &format!(
                    "+++\ntitle = \"Sắp đăng\"\ndate = 2024-01-01\npublish_at = {at}\n+++\nSắp.\n"
                ),
            ),
            (
                "sites/drvn/tin-tuc/sap-go.md",
                &format!(
                    "+++\ntitle = \"Sắp gỡ\"\ndate = 2024-01-01\nunpublish_at = {at}\n+++\nGỡ.\n"
                ),
            ),
        ],
        "Tin mới, hẹn giờ",
    );
    server.wait_live(&head, 20);
    assert_eq!(listed(&server, "tin-tuc/moi.md"), (true, 200));
    assert!(
        vietnam_in(0) < at,
        "the build took too long for this test's few seconds"
    );
    assert_eq!(
        listed(&server, "tin-tuc/sap-dang.md"),
        (false, 404),
        "not before its time"
    );
    assert_eq!(listed(&server, "tin-tuc/sap-go.md"), (true, 200));
    server.wait("the scheduled change in the read API", 25, |s| {
        listed(s, "tin-tuc/sap-dang.md") == (true, 200)
            && listed(s, "tin-tuc/sap-go.md") == (false, 404)
    });
    assert!(vietnam_in(0) >= at, "not before its time");
}
