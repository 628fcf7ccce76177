//! The write API of a real `cms serve --content` process: an editor logs in (cookie and CSRF
//! token), saves a page with `If-Match`, is refused without the CSRF token and when saving
//! invalid front matter (422 with `line:col`), submits; the editor cannot approve, the
//! approver (a token) does, and the page is served changed within seconds.

mod common;
mod live_common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::*;
use live_common::*;
use serde_json::json;

/// A word no commit has until the test writes it.
const WORD: &str = "quatrinhduyet";

/// An HTTP client that never follows redirects nor turns statuses into errors.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}

/// Adds the editor `bien-tap` of drvn with `password` (`cms user add --password-stdin`).
fn add_editor(out: &std::path::Path, password: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cms"))
        .args(["user", "add", "bien-tap", "--name", "Người Biên Tập"])
        .args([
            "--email",
            "bt@mt.gov.vn",
            "--role",
            "drvn:editor",
            "--password-stdin",
        ])
        .arg("--out")
        .arg(out)
        .env_remove("CMS_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_ok(&o);
}

/// A request to the server: method, path, headers; JSON body or none. Status, headers, JSON.
struct Client {
    base: String,
    cookie: Option<String>,
    csrf: Option<String>,
    bearer: Option<String>,
}

impl Client {
    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        extra: &[(&str, &str)],
    ) -> (u16, Option<String>, serde_json::Value, Option<String>) {
        let uri = format!("{}{path}", self.base);
        let mut req = ureq::http::Request::builder().method(method).uri(uri);
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", format!("cms_session={c}"));
        }
        if let Some(t) = &self.csrf {
            req = req.header("X-CSRF-Token", t);
        }
        if let Some(b) = &self.bearer {
            req = req.header("Authorization", format!("Bearer {b}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let mut res = match body {
            Some(b) => {
                let req = req.header("Content-Type", "application/json");
                agent().run(req.body(b.to_string()).unwrap())
            }
            None => agent().run(req.body(()).unwrap()),
        }
        .unwrap();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let etag = header("etag");
        let cookie = header("set-cookie");
        let status = res.status().as_u16();
        let body = res.body_mut().read_to_string().unwrap_or_default();
        let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
        (status, etag, json, cookie)
    }
}

#[test]
fn an_edit_through_the_api_is_reviewed_published_and_served() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path(), fixture);
    let out = tmp.path().join("site/public");
    let mut server = Server::start(&repo.bare, &out, &[]);
    server.approver(&out, "drvn");
    let password = "mat-khau-bien-tap-2024";
    add_editor(&out, password);
    assert!(server.page().contains("Nội dung."), "{}", server.log());
    let base = format!("http://127.0.0.1:{}/api/v1", server.port);

    // The editor logs in.
    let mut ed = Client {
        base: base.clone(),
        cookie: None,
        csrf: None,
        bearer: None,
    };
    let login = json!({"login": "bien-tap", "password": password});
    let (status, _, me, set_cookie) = ed.send("POST", "/session", Some(login), &[]);
    assert_eq!(status, 200, "{me}\n{}", server.log());
    let set_cookie = set_cookie.unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));
    let value = set_cookie.split(';').next().unwrap();
    ed.cookie = Some(value.trim_start_matches("cms_session=").to_string());

    let page = "/sites/drvn/pages/tin-tuc/cao-toc.md";
    let (status, etag, doc, _) = ed.send("GET", page, None, &[]);
    assert_eq!(status, 200, "{doc}");
    let etag = etag.unwrap();
    let text = doc["text"]
        .as_str()
        .unwrap()
        .replace("Nội dung.", &format!("Đã duyệt {WORD}."));

    // Without the CSRF token: 403.
    let (status, _, _, _) = ed.send(
        "PUT",
        page,
        Some(json!({"text": text})),
        &[("If-Match", &etag)],
    );
    assert_eq!(status, 403);
    ed.csrf = me["csrf"].as_str().map(str::to_string);
    // Invalid front matter: 422 with the line and column.
    let bad = text.replace("date: 2023-04-29", "date: hôm qua");
    let (status, _, problem, _) = ed.send(
        "PUT",
        page,
        Some(json!({"text": bad})),
        &[("If-Match", &etag)],
    );
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["line"], 3, "{problem}");
    let (status, _, saved, _) = ed.send(
        "PUT",
        page,
        Some(json!({"text": text})),
        &[("If-Match", &etag)],
    );
    assert_eq!(status, 200, "{saved}");
    let (status, _, _, _) = ed.send("POST", "/sites/drvn/submit/tin-tuc/cao-toc.md", None, &[]);
    assert_eq!(status, 200);
    let (status, _, _, _) = ed.send("POST", "/sites/drvn/approve/tin-tuc/cao-toc.md", None, &[]);
    assert_eq!(status, 403, "an editor cannot publish");
    assert!(!server.page().contains(WORD), "a draft is not served");

    // The approver publishes; the page is served changed.
    let ap = Client {
        base,
        cookie: None,
        csrf: None,
        bearer: server.bearer.clone(),
    };
    let start = Instant::now();
    let (status, _, published, _) =
        ap.send("POST", "/sites/drvn/approve/tin-tuc/cao-toc.md", None, &[]);
    assert_eq!(status, 200, "{published}");
    server.wait("the published page served", 15, |s| s.page().contains(WORD));
    eprintln!("publish → served: {:?}", start.elapsed());
    let commit = published["commit"].as_str().unwrap();
    server.wait_live(commit, 5);
    let (status, _, audit, _) = ap.send("GET", "/audit?site=drvn", None, &[]);
    assert_eq!(
        status, 403,
        "an approver does not read the audit log: {audit}"
    );
}

#[test]
fn two_server_processes_on_one_repository_never_lose_an_update() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path(), fixture);
    let mut servers = Vec::new();
    for name in ["a", "b"] {
        let out = tmp.path().join(format!("site-{name}/public"));
        let mut server = Server::start(&repo.bare, &out, &[]);
        server.approver(&out, "drvn");
        servers.push(server);
    }
    let clients: Vec<Client> = servers
        .iter()
        .map(|s| Client {
            base: format!("http://127.0.0.1:{}/api/v1", s.port),
            cookie: None,
            csrf: None,
            bearer: s.bearer.clone(),
        })
        .collect();
    let page = "/sites/drvn/pages/tin-tuc/cao-toc.md";
    for round in 0..5 {
        let (status, etag, doc, _) = clients[0].send("GET", page, None, &[]);
        assert_eq!(status, 200, "{doc}");
        let etag = etag.unwrap();
        let text = doc["text"].as_str().unwrap().to_string();
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = clients
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let mine =
                        text.replace("Nội dung.", &format!("Vòng {round} máy {i}. Nội dung."));
                    let etag = etag.clone();
                    scope.spawn(move || {
                        c.send(
                            "PUT",
                            page,
                            Some(json!({"text": mine})),
                            &[("If-Match", &etag)],
                        )
                        .0
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, [200, 409], "round {round}: {statuses:?}");
    }
    // Five saves, one commit each, on one draft branch: none lost.
    let count = git(
        &repo.bare,
        &["rev-list", "--count", "main..cms/drvn/tin-tuc/cao-toc.md"],
    );
    assert_eq!(count, "5");
}
