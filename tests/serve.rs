//! End-to-end: `cms serve` over the built demo network: static sites by host, the search page
//! and the search API, odd input, caching, and a real listening server (rate limits are in
//! `serve_limits.rs`).

mod common;
mod serve_common;

use std::net::SocketAddr;

use axum::http::{header, StatusCode};
use serve_common::*;

#[tokio::test]
async fn static_sites_by_host() {
    let portal = get("mt.gov.vn", "/").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(header_of(&portal, header::CONTENT_TYPE).starts_with("text/html"));
    assert!(portal.body.contains("Bộ Giao thông vận tải"));
    assert_eq!(
        header_of(&portal, header::CACHE_CONTROL),
        "public, max-age=0, must-revalidate"
    );
    for host in ["vr.mt.gov.vn", "vr.localhost:8080", "VR.MT.GOV.VN."] {
        let g = get(host, "/").await;
        assert_eq!(g.status, StatusCode::OK, "{host}");
        assert!(g.body.contains("Cục Đăng kiểm Việt Nam"), "{host}");
    }
    for host in ["localhost:8080", "127.0.0.1:8080", "mt.localhost"] {
        let g = get(host, "/").await;
        assert!(
            g.body.contains("<title>Bộ Giao thông vận tải"),
            "{host}: the portal"
        );
    }
    // Its other domain moves to it for good, path and query kept.
    let g = get("vr.org.vn", "/tin-tuc/?trang=2").await;
    assert_eq!(g.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        header_of(&g, header::LOCATION),
        "https://vr.mt.gov.vn/tin-tuc/?trang=2"
    );
    let unknown = get("example.com", "/").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("mt.gov.vn"), "lists the sites it has");

    // The site's own 404 page.
    let missing = get("vr.mt.gov.vn", "/khong-co-trang-nay/").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("Không tìm thấy trang") && missing.body.contains("Cục Đăng kiểm")
    );

    // Fingerprinted assets are cached for ever, with the right type.
    let css = portal
        .body
        .split("href=\"/style.")
        .nth(1)
        .or_else(|| portal.body.split("href=/style.").nth(1))
        .and_then(|s| s.split(".css").next())
        .map(|h| format!("/style.{h}.css"))
        .expect("the stylesheet link");
    let g = get("mt.gov.vn", &css).await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(header_of(&g, header::CONTENT_TYPE).starts_with("text/css"));
    assert!(header_of(&g, header::CACHE_CONTROL).contains("immutable"));
    let rss = get("mt.gov.vn", "/rss.xml").await;
    assert!(header_of(&rss, header::CONTENT_TYPE).contains("xml"));

    // A folder without its slash is redirected to it.
    let g = get("mt.gov.vn", "/tin-tuc").await;
    assert!(g.status.is_redirection(), "{}", g.status);

    // Nothing outside the site's folder.
    for path in [
        "/../manifest.json",
        "/%2e%2e/manifest.json",
        "/..%2fmanifest.json",
        "/../../etc/passwd",
    ] {
        let g = get("mt.gov.vn", path).await;
        assert_eq!(g.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!g.body.contains("\"files\""), "{path}");
    }
}

#[tokio::test]
async fn search_page_in_the_theme() {
    // An agency site searches itself by default.
    let g = get(
        "vr.localhost:8080",
        "/search/?q=%C4%91%C4%83ng+ki%E1%BB%83m",
    )
    .await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("<mark>"), "highlighted words");
    assert!(
        !g.body.contains("<cms-search>"),
        "the placeholder is replaced"
    );
    assert!(g.body.contains("class=\"results\""));
    assert!(
        g.body.contains("value=\"đăng kiểm\""),
        "the query stays in the box"
    );
    assert!(g.body.contains("scope=all"), "offers the whole network");
    assert!(
        !g.body.contains("href=\"http://mt.localhost"),
        "only its own pages"
    );
    assert_eq!(g.body.matches("<h1").count(), 1);

    // The whole network, with facets; other sites' results link to their local address.
    let g = get("vr.localhost:8080", "/search/?q=dang+kiem&scope=all").await;
    assert!(g.body.contains("href=\"http://mt.localhost:8080/"));
    assert!(g.body.contains("class=\"facets\""));

    // The portal finds a decision by its number, first.
    let g = get("mt.gov.vn", "/search?q=1552%2FQ%C4%90-BGTVT").await;
    let first = g.body.split("class=\"result\"").nth(1).unwrap_or_default();
    assert!(first.contains("/van-ban/qd-1552-qd-bgtvt-2022/"), "{first}");
    // … and links to other sites by their domain when served under them.
    let g = get("mt.gov.vn", "/search/?q=dang+kiem").await;
    assert!(g.body.contains("href=\"https://vr.mt.gov.vn/"));

    // English page, English strings.
    let g = get("mt.gov.vn", "/en/search/?q=inspection").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("<html lang=\"en\"") || g.body.contains("<html lang=en"));
    assert!(g.body.contains("Best match"));

    // Filters, sorting and pages.
    let g = get(
        "mt.gov.vn",
        "/search/?q=giao+th%C3%B4ng&kind=news&sort=date",
    )
    .await;
    assert!(
        g.body.contains("aria-current=\"true\""),
        "the chosen filter is marked"
    );
    assert!(g.body.contains("option value=\"date\" selected"));
    let g = get("mt.gov.vn", "/search/?q=giao+th%C3%B4ng").await;
    assert!(g.body.contains("rel=\"next\""), "pagination");
}

#[tokio::test]
async fn odd_input_never_fails() {
    let long = "a".repeat(1001);
    let cases = [
        "/search/",
        "/search/?q=",
        "/search/?q=+++",
        &format!("/search/?q={long}"),
        "/search/?q=title%3Ax+AND+%28%29%5B%5D%7B%7D%5E%7E*%3F%3A%5C%2F",
        "/search/?q=%zz%FF%C3",
        "/search/?q=%22unclosed",
        "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        // NFD: đăng kiểm decomposed.
        "/search/?q=%C4%91a%CC%86ng+kie%CC%82%CC%89m",
        "/search/?q=x&page=999999&sort=%FF&site=%00",
        "/search/?page=-1",
    ];
    for uri in cases {
        let g = get("mt.gov.vn", uri).await;
        assert_eq!(g.status, StatusCode::OK, "{uri}");
        assert!(!g.body.contains("<script>alert"), "{uri}: escaped");
        let api = get("mt.gov.vn", &uri.replace("/search/", "/api/search")).await;
        assert_eq!(api.status, StatusCode::OK, "{uri}");
        let v: serde_json::Value = serde_json::from_str(&api.body).expect("JSON");
        assert!(v["total"].is_number(), "{uri}");
    }
    let g = get("mt.gov.vn", "/search/").await;
    assert!(
        g.body.contains("Mời bạn nhập từ khóa"),
        "a friendly message"
    );
    let g = get("mt.gov.vn", &format!("/api/search?q={long}")).await;
    let v: serde_json::Value = serde_json::from_str(&g.body).unwrap();
    assert_eq!(v["notice"], "too_long");
    // NFD finds what NFC finds.
    let nfd = get(
        "vr.mt.gov.vn",
        "/api/search?q=%C4%91a%CC%86ng+kie%CC%82%CC%89m",
    )
    .await;
    let nfc = get("vr.mt.gov.vn", "/api/search?q=%C4%91%C4%83ng+ki%E1%BB%83m").await;
    let total =
        |g: &Got| serde_json::from_str::<serde_json::Value>(&g.body).unwrap()["total"].clone();
    assert_eq!(total(&nfd), total(&nfc));
    assert!(total(&nfc).as_u64().unwrap() > 0);
}

#[tokio::test]
async fn api_json_etag_and_cache() {
    let g = get("mt.gov.vn", "/api/search?q=chuyen+doi+so&per_page=3").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(header_of(&g, header::CONTENT_TYPE).starts_with("application/json"));
    assert_eq!(header_of(&g, header::CACHE_CONTROL), "public, max-age=60");
    let v: serde_json::Value = serde_json::from_str(&g.body).unwrap();
    assert_eq!(v["hits"].as_array().unwrap().len(), 3);
    assert!(
        v["facets"]["site"].as_array().unwrap().len() > 1,
        "the whole network"
    );
    assert!(v["hits"][0]["snippet_html"]
        .as_str()
        .unwrap()
        .contains("<mark>"));
    // The answer's shape, as other systems read it.
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let mut want = [
        "facets",
        "filters",
        "hits",
        "index_version",
        "message",
        "notice",
        "page",
        "pages",
        "per_page",
        "q",
        "relaxed",
        "sort",
        "total",
    ];
    want.sort();
    assert_eq!(keys(&v), want);
    let mut want_hit = [
        "date",
        "kind",
        "kind_label",
        "lang",
        "link",
        "score",
        "site",
        "site_name",
        "snippet_html",
        "title",
        "title_html",
        "url",
    ];
    want_hit.sort();
    assert_eq!(keys(&v["hits"][0]), want_hit);
    assert_eq!(v["q"], "chuyen doi so");
    assert_eq!(
        (v["page"].as_u64(), v["per_page"].as_u64()),
        (Some(1), Some(3))
    );
    assert!(v["filters"]["site"].is_null() && v["filters"]["term"].is_null());
    let t = get(
        "mt.gov.vn",
        "/api/search?q=so&site=mt&tax=topics&term=Chuy%E1%BB%83n+%C4%91%E1%BB%95i+s%E1%BB%91",
    )
    .await;
    let t: serde_json::Value = serde_json::from_str(&t.body).unwrap();
    assert_eq!(t["filters"]["site"], "mt");
    assert_eq!(
        t["filters"]["term"]["taxonomy"], "topics",
        "{}",
        t["filters"]
    );
    assert_eq!(t["filters"]["term"]["term"], "Chuyển đổi số");
    let etag = header_of(&g, header::ETAG).to_string();
    assert!(etag.starts_with("W/\""));
    let again = get_with(
        state(0.0),
        "mt.gov.vn",
        "/api/search?q=chuyen+doi+so&per_page=3",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let other = get("mt.gov.vn", "/api/search?q=chuyen+doi+so&per_page=4").await;
    assert_ne!(header_of(&other, header::ETAG), etag);
}

#[tokio::test]
async fn content_types_are_the_manifests() {
    let out = built();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let st = state(0.0);
    // The old paths of pages, which redirect.
    let hosting = ssg::hosting::Hosting::load(out).unwrap();
    let redirects: Vec<(String, String)> = hosting
        .sites
        .iter()
        .flat_map(|s| {
            s.redirects
                .iter()
                .map(|r| (s.domain.clone(), r.from.clone()))
        })
        .collect();
    assert!(!redirects.is_empty(), "the demo has a page alias");
    let mut checked = 0;
    for site in manifest["sites"].as_array().unwrap() {
        let root = site["root"].as_str().unwrap();
        let host = site["domain"].as_str().unwrap();
        for f in manifest["files"].as_array().unwrap() {
            let Some(rel) = f["path"].as_str().unwrap().strip_prefix(root) else {
                continue;
            };
            let want = f["type"].as_str().unwrap();
            let mut paths = vec![format!("/{rel}")];
            if let Some(dir) = rel.strip_suffix("index.html") {
                paths.push(format!("/{dir}"));
            }
            for path in paths {
                let g = get_with(st.clone(), host, &path, &[]).await;
                if redirects.contains(&(host.to_string(), path.clone())) {
                    assert_eq!(g.status, StatusCode::MOVED_PERMANENTLY, "{host}{path}");
                    continue;
                }
                assert_eq!(g.status, StatusCode::OK, "{host}{path}");
                assert_eq!(header_of(&g, header::CONTENT_TYPE), want, "{host}{path}");
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
    let missing = get("mt.gov.vn", "/khong-co.pdf").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        header_of(&missing, header::CONTENT_TYPE),
        "text/html; charset=utf-8",
        "the 404 page is a page"
    );
}

/// One HTTP/1.1 GET over a socket: (status line, body).
fn raw_get(addr: SocketAddr, host: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.lines().next().unwrap_or_default().to_string();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_cms_serve_command_listens_and_stops_gracefully() {
    use std::io::{BufRead, BufReader};
    let out = built();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
        .args([
            "serve",
            "--out",
            out.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--trusted-proxy",
            "::1",
        ])
        // Every request logged, to check what the log says of them.
        .env("RUST_LOG", "debug")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        if let Some(rest) = line.trim().strip_prefix("http://mt.localhost:") {
            break rest.split('/').next().unwrap().parse::<u16>().unwrap();
        }
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let (status, body) = raw_get(addr, &format!("vr.localhost:{port}"), "/");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("Cục Đăng kiểm Việt Nam"));
    let (status, body) = raw_get(addr, "localhost", "/api/search?q=1552");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("qd-1552"));
    // SIGTERM: it stops, with success.
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let code = child.wait().unwrap();
    assert!(code.success(), "{code:?}");
    // Drain the log so the pipe does not block.
    let log: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(log.iter().any(|l| l.contains("shutting down")), "{log:?}");
    assert!(
        log.iter().any(|l| l.contains("/api/search")),
        "requests are logged: {log:?}"
    );
    assert!(
        !log.iter()
            .any(|l| l.contains("1552") || l.contains("127.0.0.1")),
        "neither the query nor the client's address: {log:?}"
    );
}

#[tokio::test]
async fn an_in_process_server_answers_and_shuts_down() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(listener, state(0.0), async {
        let _ = rx.await;
    }));
    let (status, body) = tokio::task::spawn_blocking(move || {
        raw_get(addr, "mt.localhost", "/search/?q=k%E1%BA%BF+ho%E1%BA%A1ch")
    })
    .await
    .unwrap();
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("<mark>"));
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// The headers a CDN in front of the output sends, from `deploy/hosting.json`: security
/// headers on every answer, precompressed variants by `Accept-Encoding`, page aliases.
#[tokio::test]
async fn the_hosting_rules_are_sent() {
    use std::io::Read;
    let st = state(0.0);
    let plain = get_with(st.clone(), "mt.gov.vn", "/", &[]).await;
    for path in ["/", "/khong-co/", "/search/?q=a", "/api/search?q=a"] {
        let g = get_with(st.clone(), "mt.gov.vn", path, &[]).await;
        // What the server renders has no inline style or script either.
        assert!(
            !g.body.contains("style=") && !g.body.contains("<script>"),
            "{path}"
        );
        let csp = header_of(&g, header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
        assert_eq!(
            header_of(&g, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        assert!(
            !header_of(&g, header::STRICT_TRANSPORT_SECURITY).is_empty(),
            "{path}"
        );
        assert!(!header_of(&g, header::REFERRER_POLICY).is_empty(), "{path}");
        assert!(g.headers.contains_key("permissions-policy"), "{path}");
    }
    for (accept, enc) in [("br", "br"), ("gzip, deflate, br", "br"), ("gzip", "gzip")] {
        let g = get_with(st.clone(), "mt.gov.vn", "/", &[("accept-encoding", accept)]).await;
        assert_eq!(header_of(&g, header::CONTENT_ENCODING), enc, "{accept}");
        assert_eq!(
            header_of(&g, header::CONTENT_TYPE),
            "text/html; charset=utf-8"
        );
        assert_eq!(header_of(&g, header::VARY), "Accept-Encoding");
        assert_eq!(
            header_of(&g, header::CACHE_CONTROL),
            "public, max-age=0, must-revalidate"
        );
        let mut decoded = Vec::new();
        match enc {
            "br" => brotli::Decompressor::new(&g.raw[..], 4096)
                .read_to_end(&mut decoded)
                .unwrap(),
            _ => flate2::read::GzDecoder::new(&g.raw[..])
                .read_to_end(&mut decoded)
                .unwrap(),
        };
        assert_eq!(decoded, plain.raw, "{accept}");
        assert!(g.raw.len() < plain.raw.len() / 2);
    }
    assert_eq!(header_of(&plain, header::VARY), "Accept-Encoding");
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    // The 404 page too.
    let g = get_with(
        st.clone(),
        "mt.gov.vn",
        "/khong-co/",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
    assert_eq!(header_of(&g, header::CONTENT_ENCODING), "br");
    // A page's old path moves to it.
    let g = get("mt.gov.vn", "/gioi-thieu/nhiem-vu/").await;
    assert_eq!(g.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        header_of(&g, header::LOCATION),
        "/gioi-thieu/chuc-nang-nhiem-vu/"
    );
}
