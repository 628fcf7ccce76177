//! End-to-end: the demo network built, served by a real nginx (Debian's, run unprivileged with
//! its own prefix in a temporary folder) from the generated `deploy/nginx/*.conf`, with a real
//! `cms serve` as the upstream of the dynamic paths. For every domain and alias, by `Host`:
//! content types and cache headers (every file of the manifest), security headers, the
//! precompressed variants by `Accept-Encoding`, the 404 page, domain and page-alias redirects,
//! and `/search` proxied to `cms serve`. nginx is installed by `scripts/nginx-setup`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use ssg::hosting::{object_meta, Hosting};
use ssg::ManifestEntry;

const NGINX: &str = "/usr/sbin/nginx";
const BROTLI_MODULE: &str = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so";

/// A child process killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `cms serve` over `out` on a free port: (process, port).
fn cms_serve(out: &Path) -> (Running, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cms"))
        .args([
            "serve",
            "--out",
            out.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let child = Running(child);
    let port = loop {
        let line = lines
            .next()
            .expect("cms serve says where it listens")
            .unwrap();
        if let Some(rest) = line.trim().strip_prefix("http://mt.localhost:") {
            break rest.split('/').next().unwrap().parse::<u16>().unwrap();
        }
    };
    // Its log is read to the end, so that a full pipe never blocks it.
    std::thread::spawn(move || lines.for_each(drop));
    (child, port)
}

/// nginx with the generated configuration of the output `out`, on a free port, the files
/// of its own in `dir`: (process, port). One process (no master, no workers switching user),
/// in the foreground, as the user running the tests.
fn nginx(dir: &Path, out: &Path, upstream: u16) -> (Running, u16) {
    assert!(
        Path::new(NGINX).is_file() && Path::new(BROTLI_MODULE).is_file(),
        "nginx or its brotli_static module is missing: run scripts/nginx-setup"
    );
    let port = free_port();
    let conf = dir.join("conf");
    for d in ["conf", "logs", "temp"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::write(
        conf.join("cms-listen.conf"),
        format!("listen 127.0.0.1:{port};\n"),
    )
    .unwrap();
    let d = dir.display();
    let o = out.display();
    let main = format!(
        "load_module {BROTLI_MODULE};\n\
         daemon off;\nmaster_process off;\n\
         pid {d}/nginx.pid;\nerror_log {d}/logs/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
           access_log off;\n\
           client_body_temp_path {d}/temp/body;\n\
           proxy_temp_path {d}/temp/proxy;\n\
           fastcgi_temp_path {d}/temp/fastcgi;\n\
           uwsgi_temp_path {d}/temp/uwsgi;\n\
           scgi_temp_path {d}/temp/scgi;\n\
           map \"\" $cms_root {{ default {o}; }}\n\
           upstream cms_serve {{ server 127.0.0.1:{upstream}; }}\n\
           include {o}/deploy/nginx/brotli.inc;\n\
           include {o}/deploy/nginx/*.conf;\n\
         }}\n"
    );
    std::fs::write(conf.join("nginx.conf"), main).unwrap();
    let check = Command::new(NGINX)
        .args(["-t", "-e", &format!("{d}/logs/error.log")])
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(conf.join("nginx.conf"))
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stderr),
        std::fs::read_to_string(dir.join("logs/error.log")).unwrap_or_default()
    );
    assert!(check.status.success(), "nginx -t: {said}");
    assert!(
        !said.contains("[warn]"),
        "the generated configuration warns: {said}"
    );
    let mut child = Command::new(NGINX)
        .args(["-e", &format!("{d}/logs/error.log")])
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(conf.join("nginx.conf"))
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "nginx stopped ({status}): {}",
                std::fs::read_to_string(dir.join("logs/error.log")).unwrap_or_default()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nginx did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (Running(child), port)
}

struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A GET of `path` at the server on `port` for `host`, with the `extra` headers; redirects
/// are not followed.
fn get(agent: &ureq::Agent, port: u16, host: &str, path: &str, extra: &[(&str, &str)]) -> Got {
    let mut req = agent
        .get(format!("http://127.0.0.1:{port}{path}"))
        .header("Host", host);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let mut resp = req.call().unwrap_or_else(|e| panic!("{host}{path}: {e}"));
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_vec().unwrap();
    Got {
        status,
        headers,
        body,
    }
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap(),
        "gzip" => flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap(),
        e => panic!("unexpected encoding {e}"),
    };
    out
}

/// The security headers of `site` are on `g`.
fn assert_security(g: &Got, site: &ssg::hosting::SiteHosting, what: &str) {
    for h in &site.headers {
        assert_eq!(g.header(&h.name), h.value, "{what}: {}", h.name);
    }
    assert!(!g
        .header("content-security-policy")
        .contains("unsafe-inline"));
}

#[test]
fn nginx_serves_the_output_as_the_hosting_rules_say() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let o = Command::new(env!("CARGO_BIN_EXE_cms"))
        .args(["build", "--content", "content", "--quiet", "--out"])
        .arg(&out)
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "1733500000")
        .output()
        .unwrap();
    assert_ok(&o);
    let hosting = Hosting::load(&out).unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let manifest: Vec<ManifestEntry> = serde_json::from_value(manifest["files"].take()).unwrap();
    let (_serve, upstream) = cms_serve(&out);
    let (_nginx, port) = nginx(&tmp.path().join("nginx"), &out, upstream);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let mut checked = 0;
    for site in &hosting.sites {
        let host = site.domain.as_str();
        checked += check_files(&agent, port, site, &manifest, &out);
        check_site(&agent, port, site, &out);
        for alias in &site.aliases {
            let g = get(&agent, port, alias, "/tin-tuc/?trang=2", &[]);
            assert_eq!(g.status, 301, "{alias}");
            assert_eq!(
                g.header("location"),
                format!("https://{host}/tin-tuc/?trang=2"),
                "{alias}"
            );
            assert_security(&g, site, alias);
        }
    }
    assert!(checked > 500, "{checked} files checked");
    let mt = hosting.site_of_host("mt.gov.vn").unwrap();
    assert!(!mt.redirects.is_empty(), "the demo has a page alias");
    for r in &mt.redirects {
        let g = get(&agent, port, "mt.gov.vn", &r.from, &[]);
        assert_eq!(g.status, 301, "{}", r.from);
        assert_eq!(g.header("location"), r.to);
        assert_security(&g, mt, &r.from);
    }
}

/// Every file of the site in the manifest: its type and cache header, as the hosting rules
/// say; returns how many were checked.
fn check_files(
    agent: &ureq::Agent,
    port: u16,
    site: &ssg::hosting::SiteHosting,
    manifest: &[ManifestEntry],
    out: &Path,
) -> usize {
    let prefix = format!("{}/", site.root);
    let mut n = 0;
    for f in manifest {
        let Some(rel) = f.path.strip_prefix(&prefix) else {
            continue;
        };
        // Variants are sent in place of their original; the host files are not served.
        if f.encoding.is_some() || rel == "_headers" || rel == "_redirects" {
            continue;
        }
        let url = format!("/{}", rel.replace(' ', "%20"));
        let g = get(agent, port, &site.domain, &url, &[]);
        assert_eq!(g.status, 200, "{}{url}", site.domain);
        let meta = object_meta(&f.path, &f.mime, None);
        assert_eq!(
            g.header("content-type"),
            meta.content_type,
            "{}{url}",
            site.domain
        );
        assert_eq!(
            g.header("cache-control"),
            meta.cache_control,
            "{}{url}",
            site.domain
        );
        assert_eq!(g.body, std::fs::read(out.join(&f.path)).unwrap(), "{url}");
        n += 1;
    }
    for rules in ["/_headers", "/_redirects"] {
        assert_eq!(
            get(agent, port, &site.domain, rules, &[]).status,
            404,
            "{rules}"
        );
    }
    n
}

/// The home page by encoding, the 404 page, the security headers, and search through
/// `cms serve`.
fn check_site(agent: &ureq::Agent, port: u16, site: &ssg::hosting::SiteHosting, out: &Path) {
    let host = site.domain.as_str();
    let plain = get(agent, port, host, "/", &[]);
    assert_eq!(plain.status, 200, "{host}");
    assert_eq!(plain.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(
        plain.header("cache-control"),
        "public, max-age=0, must-revalidate"
    );
    assert_eq!(plain.header("content-encoding"), "");
    assert_eq!(plain.header("vary"), "Accept-Encoding", "{host}");
    assert_security(&plain, site, host);
    let index = std::fs::read(out.join(&site.root).join("index.html")).unwrap();
    assert_eq!(plain.body, index);
    for (accept, enc) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let g = get(agent, port, host, "/", &[("Accept-Encoding", accept)]);
        assert_eq!(g.status, 200);
        assert_eq!(g.header("content-encoding"), enc, "{host} {accept}");
        assert_eq!(g.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(g.header("vary"), "Accept-Encoding", "{host} {accept}");
        assert_eq!(decode(enc, &g.body), index, "{host} {accept}");
        assert!(g.body.len() < index.len() / 2);
        assert_security(&g, site, host);
    }
    let missing = get(agent, port, host, "/khong-co-trang-nay/", &[]);
    assert_eq!(missing.status, 404, "{host}");
    assert_eq!(missing.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(
        missing.body,
        std::fs::read(out.join(&site.root).join("404.html")).unwrap(),
        "{host}: the site's own 404 page"
    );
    assert_security(&missing, site, host);
    let g = get(
        agent,
        port,
        host,
        "/search?q=%C4%91%C4%83ng+ki%E1%BB%83m",
        &[],
    );
    assert_eq!(g.status, 200, "{host}: /search through cms serve");
    assert!(g.header("content-type").starts_with("text/html"));
    assert!(
        g.text().contains("<form class=\"search-page\""),
        "{host}: the search page"
    );
    assert_security(&g, site, "/search");
    let g = get(agent, port, host, "/api/search?q=1552", &[]);
    assert_eq!(g.status, 200, "{host}: /api/search through cms serve");
    assert!(g.header("content-type").starts_with("application/json"));
    if site.id == "mt" {
        assert!(g.text().contains("qd-1552"), "{}", g.text());
    }
}
