//! End-to-end: `cms dev` builds, serves, watches and reloads: a saved page is served rebuilt and
//! open pages are told to reload; a broken page shows its error to open pages while the last
//! good build is still served; a save by rename and a template change are seen too.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::*;

fn get(port: u16, host: &str, path: &str) -> (String, String) {
    let (status, text) = request(port, "GET", host, path);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The status line and the whole answer (headers and body) of a `HEAD` request.
fn head(port: u16, host: &str, path: &str) -> (String, String) {
    request(port, "HEAD", host, path)
}

/// The status line and the whole answer of a request.
fn request(port: u16, method: &str, host: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.lines().next().unwrap_or_default().to_string();
    (status, text)
}

/// An open event stream: its lines arrive on a channel.
fn events(port: u16) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut s = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).unwrap();
    write!(
        s,
        "GET /__cms/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for an event line starting with `event: <name>`; returns the data lines after it.
fn expect_event(rx: &std::sync::mpsc::Receiver<String>, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if line == format!("event: {name}") {
                let mut data = String::new();
                while let Ok(l) = rx.recv_timeout(Duration::from_secs(2)) {
                    if l.is_empty() {
                        break;
                    }
                    data.push_str(l.trim_start_matches("data:").trim_start());
                    data.push('\n');
                }
                return data;
            }
            seen.push(line);
        }
    }
    panic!("no `{name}` event in 20 s; saw {seen:?}");
}

fn wait_for(port: u16, path: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = get(port, "drvn.localhost", path);
        if body.contains(text) {
            return;
        }
        assert!(Instant::now() < deadline, "{path} never showed “{text}”");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn dev_rebuilds_reloads_and_shows_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fixture(&content);
    let theme = tmp.path().join("themes/default");
    copy_dir(&repo_root().join("themes/default"), &theme);
    let out = tmp.path().join("public");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
        .args([
            "dev",
            "--content",
            content.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--port",
            "0",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = loop {
        let line = log.next().expect("cms dev says where it listens").unwrap();
        if let Some(rest) = line.trim().strip_prefix("http://mt.localhost:") {
            break rest.split('/').next().unwrap().parse::<u16>().unwrap();
        }
    };
    // Keep reading the log so the pipe never fills.
    let log_lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = log_lines.clone();
    std::thread::spawn(move || {
        for l in log.map_while(Result::ok) {
            sink.lock().unwrap().push(l);
        }
    });

    let page = "/tin-tuc/cao-toc/";
    let (status, body) = get(port, "drvn.localhost", page);
    assert!(status.contains("200"), "{status}");
    assert!(
        body.contains("<script src=\"/__cms/reload.js\"></script></body>"),
        "live reload injected"
    );
    // A HEAD answer does not claim the length of the reload tag alone.
    let (status, text) = head(port, "drvn.localhost", page);
    assert!(status.contains("200"), "{status}");
    assert!(
        !text.to_ascii_lowercase().contains("content-length: 40\r\n"),
        "HEAD gives the length of the injected tag: {text}"
    );
    let (status, script) = get(port, "drvn.localhost", "/__cms/reload.js");
    assert!(status.contains("200") && script.contains("EventSource"));

    // A saved page is rebuilt, served, and open pages reload.
    let rx = events(port);
    std::thread::sleep(Duration::from_millis(300));
    let src = content.join("sites/drvn/tin-tuc/cao-toc.md");
    let original = std::fs::read_to_string(&src).unwrap();
    std::fs::write(&src, original.replace("Nội dung.", "Nội dung sửa lần một.")).unwrap();
    expect_event(&rx, "reload");
    wait_for(port, page, "Nội dung sửa lần một.");

    // A broken page: the error goes to open pages; the last good build is still served.
    std::fs::write(&src, "+++\ntitle = \n+++\n").unwrap();
    let error = expect_event(&rx, "build-error");
    assert!(error.contains("cao-toc.md"), "{error}");
    let (status, body) = get(port, "drvn.localhost", page);
    assert!(status.contains("200") && body.contains("Nội dung sửa lần một."));
    // A page opened now learns of the error at once.
    let late = events(port);
    assert!(expect_event(&late, "build-error").contains("cao-toc.md"));

    // Fixed by a save-by-rename, as many editors save.
    let tmpfile = src.with_file_name(".cao-toc.md.tmp");
    std::fs::write(
        &tmpfile,
        original.replace("Nội dung.", "Nội dung sửa lần hai."),
    )
    .unwrap();
    std::fs::rename(&tmpfile, &src).unwrap();
    expect_event(&rx, "reload");
    wait_for(port, page, "Nội dung sửa lần hai.");

    // A template change reaches the pages that use it.
    let tpl = theme.join("templates/page.html");
    let t = std::fs::read_to_string(&tpl).unwrap();
    std::fs::write(
        &tpl,
        t.replace(
            "<article class=\"article",
            "<p class=\"dev-test\">mẫu mới</p><article class=\"article",
        ),
    )
    .unwrap();
    expect_event(&rx, "reload");
    wait_for(port, page, "mẫu mới");

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
    let log = log_lines.lock().unwrap().join("\n");
    assert!(log.contains("rebuilt in"), "{log}");
}
