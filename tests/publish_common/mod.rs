//! Helpers of the `cms publish` tests: the demo network built into a scratch folder, runs of
//! `cms publish`, the files of a folder target, the asset check of live pages, and a real
//! S3-compatible server (moto, installed by `scripts/s3-setup`) on a free loopback port.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "../common/mod.rs"]
mod common;
pub use common::*;

/// A folder for the test, in memory where there is one.
pub fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    match shm.is_dir() {
        true => tempfile::tempdir_in(shm).unwrap_or_else(|_| tempfile::tempdir().unwrap()),
        false => tempfile::tempdir().unwrap(),
    }
}

/// The demo network and its theme, copied under `root`; returns the content folder.
/// A scratch folder holding the demo network's content, built: the start of most tests.
/// Returns the folder and the content's path in it.
pub fn built_demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = scratch();
    let content = demo(tmp.path());
    build(tmp.path());
    (tmp, content)
}

pub fn demo(root: &Path) -> PathBuf {
    let content = root.join("content");
    copy_dir(&repo_root().join("content"), &content);
    copy_dir(
        &repo_root().join("themes/default"),
        &root.join("themes/default"),
    );
    content
}

/// Builds `root/content` into `root/public`.
pub fn build(root: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_cms"))
        .args([
            "build",
            "-q",
            "--no-search",
            "--content",
            "content",
            "--out",
            "public",
        ])
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1733500000")
        .output()
        .unwrap();
    assert_ok(&o);
}

/// `cms publish --out public` with `args`, in `root`.
pub fn publish_cmd(root: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cms"));
    c.args(["publish", "--out", "public", "--content", "content", "-q"])
        .args(args)
        .current_dir(root)
        .env_remove("CMS_KILL_AT")
        .stdin(Stdio::null());
    c
}

/// Runs `cms publish` with `args`.
pub fn publish(root: &Path, args: &[&str]) -> Output {
    publish_cmd(root, args).output().unwrap()
}

/// The report of `cms publish --json` with `args`, asserting success.
pub fn publish_json(root: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.push("--json");
    let o = publish(root, &a);
    assert_ok(&o);
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The published files of a folder target (path → bytes), its records and blobs apart.
pub fn published(target: &Path) -> BTreeMap<String, Vec<u8>> {
    read_tree(target)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("_deploys/") && !k.starts_with("_blobs/"))
        .collect()
}

/// The files of the built output as the target should hold them: those of its manifest
/// (`deploy/` apart), and the manifest.
pub fn expected(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let mut files = BTreeMap::new();
    for f in m["files"].as_array().unwrap() {
        let p = f["path"].as_str().unwrap();
        if !p.starts_with("deploy/") {
            files.insert(p.to_string(), std::fs::read(out.join(p)).unwrap());
        }
    }
    files.insert(
        "manifest.json".into(),
        std::fs::read(out.join("manifest.json")).unwrap(),
    );
    files
}

/// The local files each HTML page of `files` loads or links to (CSS, JS, images, documents:
/// every `src`, `href` and `srcset` with an extension but `.html` and `.xml`), as paths of
/// `files`, each with the page that uses it.
pub fn assets_of(files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (page, bytes) in files.iter().filter(|(k, _)| k.ends_with(".html")) {
        let Some(rest) = page.strip_prefix("sites/") else {
            continue;
        };
        let (domain, file) = rest.split_once('/').unwrap();
        let dir = file
            .rsplit_once('/')
            .map(|(d, _)| format!("{d}/"))
            .unwrap_or_default();
        let html = String::from_utf8_lossy(bytes);
        for attr in ["src=", "href=", "srcset="] {
            for part in html.split(attr).skip(1) {
                let v = part.trim_start_matches('"');
                let v = &v[..v.find(['"', ' ', '>', '?', '#']).unwrap_or(v.len())];
                let ext = v.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
                if v.contains("://")
                    || v.starts_with("//")
                    || v.starts_with("mailto:")
                    || ext.is_empty()
                    || ext.contains('/')
                    || ext == "html"
                    || ext == "xml"
                {
                    continue;
                }
                let path = match v.strip_prefix('/') {
                    Some(abs) => format!("sites/{domain}/{abs}"),
                    None => format!("sites/{domain}/{dir}{v}"),
                };
                out.push((page.clone(), path));
            }
        }
    }
    out
}

/// Asserts that every asset a live page of `files` uses is there.
pub fn assert_assets_live(files: &BTreeMap<String, Vec<u8>>, when: &str) {
    let refs = assets_of(files);
    assert!(
        !refs.is_empty() || files.is_empty(),
        "{when}: no asset found in the pages"
    );
    let missing: Vec<_> = refs
        .iter()
        .filter(|(_, a)| !files.contains_key(a))
        .collect();
    assert!(
        missing.is_empty(),
        "{when}: live pages use missing files: {:?}",
        &missing[..missing.len().min(5)]
    );
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A moto S3 server on loopback, with a bucket and a key allowed everything; every request
/// but the 4 of the setup must be signed with that key. Stopped when dropped.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// The access key id and secret.
    pub key: (String, String),
}

fn moto_bin(name: &str) -> PathBuf {
    let p = repo_root().join("target/tools/moto/bin").join(name);
    assert!(
        p.exists(),
        "{} is missing: run scripts/s3-setup (scripts/test does) to install the S3 server the publish tests use",
        p.display()
    );
    p
}

impl Moto {
    /// Starts the server and creates the bucket and key.
    pub fn start(bucket: &str) -> Moto {
        let port = free_port();
        let child = Command::new(moto_bin("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("INITIAL_NO_AUTH_ACTION_COUNT", "4")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let endpoint = format!("http://127.0.0.1:{port}");
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(t.elapsed() < Duration::from_secs(30), "moto did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut m = Moto {
            child,
            endpoint,
            bucket: bucket.into(),
            key: (String::new(), String::new()),
        };
        let o = m.helper(&["setup", &m.endpoint.clone(), bucket]);
        let text = String::from_utf8(o).unwrap();
        let (k, s) = text.trim().split_once(' ').unwrap();
        m.key = (k.into(), s.into());
        m
    }

    fn helper(&self, args: &[&str]) -> Vec<u8> {
        let o = Command::new(moto_bin("python"))
            .arg(repo_root().join("tests/publish_common/moto.py"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "moto.py {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    }

    /// Sets the environment `cms publish` reads to reach this server with its key.
    pub fn env<'a>(&self, c: &'a mut Command) -> &'a mut Command {
        c.env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ALLOW_HTTP", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", &self.key.0)
            .env("AWS_SECRET_ACCESS_KEY", &self.key.1)
    }

    /// Writes the object `name` (as another tool would).
    pub fn put(&self, name: &str, text: &str) {
        self.helper(&[
            "put",
            &self.endpoint,
            &self.bucket,
            &self.key.0,
            &self.key.1,
            name,
            text,
        ]);
    }

    /// Every object: key → {type, cache, encoding, size, sha256}.
    pub fn objects(&self) -> BTreeMap<String, serde_json::Value> {
        let out = self.helper(&[
            "dump",
            &self.endpoint,
            &self.bucket,
            &self.key.0,
            &self.key.1,
        ]);
        serde_json::from_slice(&out).unwrap()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SHA-256 of bytes, hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Edits the text of one news page of the demo network; returns its output folder.
pub fn edit_one_page(content: &Path) -> &'static str {
    let p = content.join("sites/vr/tin-tuc/tra-cuu-ket-qua-kiem-dinh.md");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, t + "\nCập nhật: thêm điểm tra cứu mới.\n").unwrap();
    "sites/vr.mt.gov.vn/tin-tuc/tra-cuu-ket-qua-kiem-dinh/"
}

/// Asserts two trees are equal, naming the paths that differ (not dumping the bytes).
pub fn assert_same(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, when: &str) {
    let differ: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        differ.is_empty(),
        "{when}: {} files differ (only left: {}, only right: {}): {:?}",
        differ.len(),
        differ.iter().filter(|k| !b.contains_key(**k)).count(),
        differ.iter().filter(|k| !a.contains_key(**k)).count(),
        &differ[..differ.len().min(8)]
    );
}
