//! Shared by the write API tests: a real content repository (bare, made with the `git` CLI), a
//! real database (`db::testing`: SQLite or PostgreSQL), the live network for validation, the
//! users of every role, and requests sent through `app().oneshot(...)`.

#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use cms_core::store::{Author, PageRef, Stage, Store};
use db::{Db, Role, TokenScope};
use http_body_util::BodyExt;
use server::{Cms, Live, Options, State};
use tower::ServiceExt;

/// Every user's password.
pub const PASSWORD: &str = "mat-khau-rat-dai-2024";

/// The content of every test repository: two sites (`drvn`, the one acted on, and `mt`).
pub const SEED: &[(&str, &str)] = &[
    (
        "network.toml",
        "[network]\nname = \"Bộ Giao thông vận tải\"\nbase_domain = \"mt.gov.vn\"\nportal = \"mt\"\nlanguages = [\"vi\", \"en\"]\ntaxonomies = [\"topics\"]\n",
    ),
    ("sites/mt/site.toml", "id = \"mt\"\nname = \"Bộ Giao thông vận tải\"\ndomain = \"mt.gov.vn\"\n"),
    ("sites/mt/_index.md", "+++\ntitle = \"Bộ Giao thông vận tải\"\n+++\nXin chào.\n"),
    ("sites/mt/tin-tuc/_index.md", "+++\ntitle = \"Tin tức\"\nkind = \"news\"\n+++\n"),
    ("sites/mt/tin-tuc/ke-hoach.md", "+++\ntitle = \"Kế hoạch\"\ndate = 2022-11-25\n+++\nNội dung.\n"),
    ("sites/drvn/site.toml", "name = \"Cục Đường bộ Việt Nam\"\ndomain = \"drvn.mt.gov.vn\"\n"),
    ("sites/drvn/_index.md", "+++\ntitle = \"Cục Đường bộ Việt Nam\"\n+++\n"),
    ("sites/drvn/tin-tuc/_index.md", "+++\ntitle = \"Tin tức\"\nkind = \"news\"\n+++\n"),
    (
        "sites/drvn/tin-tuc/cao-toc.md",
        "---\ntitle: Thông xe cao tốc\ndate: 2023-04-29\ntaxonomies:\n  topics: [cao tốc]\n---\nNội dung.\n",
    ),
    ("sites/drvn/tin-tuc/cau/index.md", "+++\ntitle = \"Cầu mới\"\ndate = 2024-05-02\n+++\nẢnh cầu.\n"),
];

/// A valid page of `drvn`'s news.
pub fn page_text(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2024-05-01\n+++\n\n{body}\n")
}

/// Who sends a request.
#[derive(Debug, Clone)]
pub enum Who {
    /// Nobody.
    Anonymous,
    /// A session cookie and its CSRF token.
    Session {
        /// The cookie's value.
        cookie: String,
        /// The CSRF token.
        csrf: String,
    },
    /// `Authorization: Bearer`.
    Token(String),
}

/// An answer.
#[derive(Debug)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The body as JSON (`Null` when empty or not JSON).
    pub json: serde_json::Value,
}

impl Answer {
    /// A string member of the JSON body.
    pub fn str(&self, key: &str) -> &str {
        self.json[key].as_str().unwrap_or_default()
    }
}

/// The server, its repository and its database.
pub struct World {
    /// `server::app` over the state.
    pub app: Router,
    /// What the API works with.
    pub cms: Cms,
    /// The bare repository.
    pub repo: PathBuf,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    _dirs: tempfile::TempDir,
    _db: db::testing::Backend,
}

/// Runs `git` in `dir`; fails the test with git's message (or what to install).
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Người Ngoài")
        .env("GIT_AUTHOR_EMAIL", "ngoai@example.vn")
        .env("GIT_COMMITTER_NAME", "Người Ngoài")
        .env("GIT_COMMITTER_EMAIL", "ngoai@example.vn")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `git` ({e}): install git (`apt-get install git`)"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The users of the tests: login, name, roles.
pub const USERS: &[(&str, &[(&str, Role)])] = &[
    ("bien-tap", &[("drvn", Role::Editor)]),
    ("duyet", &[("drvn", Role::Approver)]),
    ("mt-bien-tap", &[("mt", Role::Editor)]),
    ("mt-duyet", &[("mt", Role::Approver)]),
    ("quan-tri", &[("drvn", Role::SiteAdmin)]),
    ("admin", &[("*", Role::NetworkAdmin)]),
    ("khach", &[]),
];

impl World {
    /// A world on SQLite.
    pub async fn sqlite() -> World {
        World::new(db::testing::sqlite().unwrap()).await
    }

    /// A repository seeded with [`SEED`], a database on `backend` with [`USERS`], the live
    /// network loaded from the seed.
    pub async fn new(backend: db::testing::Backend) -> World {
        World::with_cookies(backend, false).await
    }

    /// [`World::new`], with `Secure` session cookies or not.
    pub async fn with_cookies(backend: db::testing::Backend, secure_cookies: bool) -> World {
        World::make(backend, secure_cookies, &[], false).await
    }

    /// [`World::new`] with `extra` files in the repository beside [`SEED`], and the network
    /// built into the output (pages, read API, search index), as `cms serve` finds it.
    pub async fn built(backend: db::testing::Backend, extra: &[(String, String)]) -> World {
        World::make(backend, false, extra, true).await
    }

    async fn make(
        backend: db::testing::Backend,
        secure_cookies: bool,
        extra: &[(String, String)],
        build: bool,
    ) -> World {
        let dirs = tempfile::tempdir().unwrap();
        let src = dirs.path().join("src");
        let seed = SEED.iter().map(|(r, t)| (r.to_string(), t.to_string()));
        for (rel, text) in seed.chain(extra.iter().cloned()) {
            let path = src.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        git(&src, &["init", "-q", "-b", "main"]);
        git(&src, &["add", "-A"]);
        git(&src, &["commit", "-q", "-m", "Khởi tạo"]);
        let repo = dirs.path().join("repo.git");
        git(dirs.path(), &["clone", "-q", "--bare", "src", "repo.git"]);
        let network = cms_core::load(&cms_core::Source::Dir(src.clone()))
            .unwrap_or_else(|e| panic!("the seed network is invalid: {e}"));
        let live = Arc::new(Live::default());
        let network = Arc::new(network);
        live.set_network(network.clone());
        let out = dirs.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("manifest.json"), "{\"sites\":[]}").unwrap();
        if build {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            let theme = ssg::Theme::find("default", &[root.join("themes")]).unwrap();
            let opts = ssg::BuildOptions {
                out: out.clone(),
                sites: Vec::new(),
                dry_run: false,
                theme: &theme,
                progress: None,
                minify_each_page: false,
                today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                search: true,
                tool_version: "test".into(),
                markdown_cache: None,
                durable: false,
                precompress: false,
            };
            ssg::build(&network, &opts).unwrap_or_else(|e| panic!("the test network builds: {e}"));
        }
        let db = Db::open(&backend.url).await.unwrap();
        for (login, grants) in USERS {
            let email = format!("{login}@mt.gov.vn");
            db.add_user(login, &format!("Người {login}"), &email, PASSWORD)
                .await
                .unwrap();
            for (site, role) in *grants {
                db.grant(login, site, *role).await.unwrap();
            }
        }
        let cms = Cms {
            store: Store::open(&repo, "main").unwrap(),
            db,
            live,
            secure_cookies,
        };
        let state = State::load(&out, &Options::default())
            .unwrap()
            .with_cms(cms.clone());
        World {
            app: server::app(Arc::new(state)),
            cms,
            repo,
            backend: backend.name,
            _dirs: dirs,
            _db: backend,
        }
    }

    /// A session of `login` (opened in the database, as `POST /session` does).
    pub async fn session(&self, login: &str) -> Who {
        let ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let s = self
            .cms
            .db
            .login(login, PASSWORD, ip)
            .await
            .unwrap()
            .unwrap_or_else(|f| panic!("login {login}: {f:?}"));
        Who::Session {
            cookie: s.token,
            csrf: s.csrf,
        }
    }

    /// A token of `login` on `sites`, writing or not.
    pub async fn token(&self, login: &str, sites: &[&str], write: bool) -> Who {
        let scope = TokenScope {
            sites: sites.iter().map(|s| s.to_string()).collect(),
            write,
        };
        let name = format!("t{}", self.cms.db.tokens(login).await.unwrap().len());
        let (secret, _) = self
            .cms
            .db
            .create_token(login, &name, &scope, None)
            .await
            .unwrap();
        Who::Token(secret)
    }

    /// Sends a request: JSON body when `body` is given; the CSRF token with a session.
    pub async fn call(
        &self,
        who: &Who,
        method: Method,
        uri: &str,
        body: Option<serde_json::Value>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        req = with_who(req, who, true);
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&v).unwrap())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    /// Sends a request as built.
    pub async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Answer {
            status,
            headers,
            json,
        }
    }

    /// A page of `drvn`.
    pub fn page(&self, path: &str) -> PageRef {
        PageRef::new("drvn", path).unwrap()
    }

    /// The page's text at `stage`, if any.
    pub fn read(&self, path: &str, stage: Stage) -> Option<String> {
        let doc = self.cms.store.read(&self.page(path), stage).unwrap();
        doc.map(|d| d.text)
    }

    /// Every ref of the repository with its commit (to see that nothing was written).
    pub fn refs(&self) -> String {
        git(
            &self.repo,
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        )
    }

    /// The audit log's actions on `drvn`, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        let mut rows = self.cms.db.audit_log(Some("drvn"), 1000).await.unwrap();
        rows.reverse();
        rows.into_iter().map(|r| r.action).collect()
    }

    /// Every action of the audit log, oldest first.
    pub async fn all_actions(&self) -> Vec<String> {
        let mut rows = self.cms.db.audit_log(None, 1000).await.unwrap();
        rows.reverse();
        rows.into_iter().map(|r| r.action).collect()
    }
}

/// Adds the credentials of `who` (and its CSRF token when `csrf`).
pub fn with_who(
    req: axum::http::request::Builder,
    who: &Who,
    csrf: bool,
) -> axum::http::request::Builder {
    match who {
        Who::Anonymous => req,
        Who::Session { cookie, csrf: c } => {
            let req = req.header(header::COOKIE, format!("cms_session={cookie}"));
            if csrf {
                req.header("x-csrf-token", c)
            } else {
                req
            }
        }
        Who::Token(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
    }
}

/// The author of the store writes made by the tests themselves (setting a scene).
pub fn tester() -> Author {
    Author {
        name: "Người Thử".into(),
        email: "thu@mt.gov.vn".into(),
    }
}
