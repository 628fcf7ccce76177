//! Helpers of the `cms serve --content` tests: a content repository (a work tree to commit
//! in, and the bare repository the server watches, which the tests `git push` into), a real
//! server process on a free port, and requests to it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::repo_root;

/// The host of the agency site the tests read.
pub const HOST: &str = "drvn.mt.gov.vn";
/// Its news page, in the fixture network.
pub const PAGE: &str = "/tin-tuc/cao-toc/";
/// Its file in the content.
pub const FILE: &str = "sites/drvn/tin-tuc/cao-toc.md";

/// A content repository: `work` to commit in, `bare` to serve and push into.
pub struct Repo {
    pub work: PathBuf,
    pub bare: PathBuf,
}

/// Runs the git CLI in `dir`, as a person would, and returns its stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(["-c", "user.name=Biên tập", "-c", "user.email=bt@mt.gov.vn"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("git is needed (apt-get install git): {e}"));
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

impl Repo {
    /// A repository of the network that `fill` writes into the work tree, cloned bare.
    pub fn new(root: &Path, fill: impl FnOnce(&Path)) -> Repo {
        let work = root.join("work");
        std::fs::create_dir_all(&work).unwrap();
        fill(&work);
        git(&work, &["init", "-q", "-b", "main"]);
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "Nội dung ban đầu"]);
        let bare = root.join("content.git");
        git(root, &["clone", "-q", "--bare", "work", "content.git"]);
        Repo { work, bare }
    }

    /// Writes `files`, commits them and pushes to the served repository; the new commit.
    pub fn push(&self, files: &[(&str, &str)], message: &str) -> String {
        crate::common::write_files(&self.work, files);
        git(&self.work, &["add", "-A"]);
        git(&self.work, &["commit", "-q", "-m", message]);
        git(
            &self.work,
            &["push", "-q", self.bare.to_str().unwrap(), "main"],
        );
        git(&self.work, &["rev-parse", "HEAD"])
    }

    /// The text of a file of the work tree.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.work.join(rel)).unwrap()
    }
}

/// A running `cms serve --content` process, killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// Its stderr so far.
    pub log: Arc<Mutex<String>>,
    /// A bearer token sent with `/api/v1/live` (an approver's: they see build failures).
    pub bearer: Option<String>,
}

impl Server {
    /// Starts `cms serve --content repo --out out` on a free port, with `env` set, and waits
    /// until it listens.
    pub fn start(bare: &Path, out: &Path, env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cms"));
        cmd.arg("serve")
            .arg("--content")
            .arg(bare)
            .arg("--themes")
            .arg(repo_root().join("themes"))
            .arg("--out")
            .arg(out)
            .args(["--addr", "127.0.0.1:0", "--rate-limit", "0"])
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("CMS_DATABASE_URL")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        // Read to the end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(port) = line
                    .split_once("localhost:")
                    .and_then(|(_, r)| r.split('/').next())
                    .and_then(|p| p.parse::<u16>().ok())
                {
                    let _ = tx.send(port);
                }
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let port = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(p) => p,
            Err(_) => {
                let status = child.try_wait().unwrap();
                let _ = child.kill();
                panic!(
                    "cms serve did not start ({status:?}):\n{}",
                    log.lock().unwrap()
                );
            }
        };
        Server {
            child,
            port,
            log,
            bearer: None,
        }
    }

    /// The server's stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// A GET of `path` on `host`: the status and the body.
    pub fn get(&self, host: &str, path: &str) -> (u16, String) {
        self.get_as(host, path, None)
    }

    /// A GET of `path` on `host` with a bearer token: the status and the body.
    pub fn get_as(&self, host: &str, path: &str, bearer: Option<&str>) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut req = agent
            .get(format!("http://127.0.0.1:{}{path}", self.port))
            .header("Host", host);
        if let Some(b) = bearer {
            req = req.header("Authorization", format!("Bearer {b}"));
        }
        let mut resp = req
            .call()
            .unwrap_or_else(|e| panic!("{host}{path}: {e}\n{}", self.log()));
        let status = resp.status().as_u16();
        (status, resp.body_mut().read_to_string().unwrap_or_default())
    }

    /// The body of the agency's news page (empty when it is not served).
    pub fn page(&self) -> String {
        match self.get(HOST, PAGE) {
            (200, body) => body,
            _ => String::new(),
        }
    }

    /// `GET /api/v1/live`, with [`Server::bearer`].
    pub fn live(&self) -> serde_json::Value {
        let (status, body) = self.get_as(HOST, "/api/v1/live", self.bearer.as_deref());
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// How many pages the site search finds for `word`.
    pub fn found(&self, word: &str) -> u64 {
        let (_, body) = self.get(HOST, &format!("/api/search?q={word}"));
        let v: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        v["total"].as_u64().unwrap_or_else(|| panic!("{body}"))
    }

    /// Waits until `done` holds, at most `secs` seconds; how long it took.
    pub fn wait(&self, what: &str, secs: u64, mut done: impl FnMut(&Server) -> bool) -> Duration {
        let start = Instant::now();
        while !done(self) {
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "{what}: not within {secs} s; live: {}\n{}",
                self.live(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        start.elapsed()
    }

    /// Waits until the live commit is `commit`.
    pub fn wait_live(&self, commit: &str, secs: u64) -> Duration {
        self.wait(&format!("commit {commit} live"), secs, |s| {
            s.live()["commit"] == commit
        })
    }

    /// Adds an approver of `site` to the server's database (`cms user add`) and makes
    /// [`Server::bearer`] a token of theirs (`cms user token`).
    pub fn approver(&mut self, out: &Path, site: &str) {
        let cms = |args: &[&str]| {
            let o = Command::new(env!("CARGO_BIN_EXE_cms"))
                .args(args)
                .arg("--out")
                .arg(out)
                .env_remove("CMS_DATABASE_URL")
                .output()
                .unwrap();
            crate::common::assert_ok(&o);
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        let role = format!("{site}:approver");
        let args = [
            "user",
            "add",
            "duyet",
            "--name",
            "Người Duyệt",
            "--email",
            "d@mt.gov.vn",
        ];
        cms(&[&args[..], &["--role", &role]].concat());
        let printed = cms(&[
            "user", "token", "duyet", "--name", "live", "--site", site, "--write",
        ]);
        let token = printed.lines().find(|l| l.starts_with("cms_")).unwrap();
        self.bearer = Some(token.trim().to_string());
    }

    /// Kills the process at once (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
