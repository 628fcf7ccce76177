//! `cms publish` to a folder: the demo network published whole, then one page edited (only
//! its files and the lists and feeds that show it move), a rollback that gives the earlier
//! deployment back byte for byte, the purge list and webhook, and each class of bad input
//! refused with nothing live changed.

mod publish_common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;

use publish_common::*;

fn urls(report: &serde_json::Value) -> Vec<String> {
    report["urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn publishes_incrementally_and_rolls_back_byte_for_byte() {
    let (tmp, content) = built_demo();
    let root = tmp.path();
    let target = root.join("site");
    let to = target.to_str().unwrap();

    // Dry: nothing written, the whole output listed.
    let dry = publish_json(root, &["--to", to, "--dry-run"]);
    assert!(!target.exists(), "a dry run created the target");
    let out = root.join("public");
    let first = expected(&out);
    assert_eq!(dry["uploaded"].as_u64().unwrap() as usize, first.len() - 1);

    let r = publish_json(root, &["--to", to]);
    assert_same(&published(&target), &first, "the target is the output");
    assert_assets_live(&published(&target), "first publish");
    assert!(urls(&r).contains(&"https://mt.gov.vn/".to_string()));
    let again = publish_json(root, &["--to", to]);
    assert_eq!(again["up_to_date"], true);
    assert_eq!(again["uploaded"], 0);

    // One page edited: its page, and the lists and feeds that show it.
    let page = edit_one_page(&content);
    build(root);
    let second = expected(&out);
    let changed: Vec<&String> = second
        .iter()
        .filter(|(k, v)| first.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    let r = publish_json(root, &["--to", to]);
    let uploaded = r["uploaded"].as_u64().unwrap() as usize;
    // The manifest is written besides the files that changed.
    assert_eq!(uploaded, changed.len() - 1, "{changed:?}");
    assert!(uploaded <= 30, "{uploaded} files for one page: {changed:?}");
    assert!(changed.iter().any(|c| c.starts_with(page)), "{changed:?}");
    let u = urls(&r);
    assert!(
        u.contains(&format!("https://{}", page.trim_start_matches("sites/"))),
        "{u:?}"
    );
    assert!(
        u.iter()
            .all(|u| u.starts_with("https://vr.mt.gov.vn/") || u.contains("sitemap")),
        "{u:?}"
    );
    assert_same(&published(&target), &second, "");

    // The list shows both, the second live.
    let list = publish(root, &["--to", to, "--list", "--json"]);
    assert_ok(&list);
    let l: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let ids: Vec<&str> = l["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(l["current"], ids[1]);
    let commit = l["deployments"][1]["commit"].as_str();
    assert!(commit.is_none_or(|c| c.len() == 40), "{commit:?}");

    // Rolled back: the first deployment, byte for byte; and forward again by publishing.
    let r = publish_json(root, &["--to", to, "--rollback"]);
    assert_eq!(r["restores"], ids[0]);
    assert_same(&published(&target), &first, "rollback");
    // Rollbacks walk back: before the first deployment there is none.
    let e = publish(root, &["--to", to, "--rollback"]);
    assert!(
        !e.status.success() && stderr(&e).contains("no earlier deployment"),
        "{}",
        stderr(&e)
    );
    assert_same(&published(&target), &first, "");
    publish_json(root, &["--to", to]);
    assert_same(&published(&target), &second, "");
}

#[test]
fn a_page_removed_is_deleted_after_the_switch_and_comes_back_on_rollback() {
    let (tmp, content) = built_demo();
    let root = tmp.path();
    let to = root.join("site");
    let to = to.to_str().unwrap();
    publish_json(root, &["--to", to]);
    let before = published(&root.join("site"));
    std::fs::remove_file(content.join("sites/vr/tin-tuc/gian-chu-ky-kiem-dinh-2023.md")).unwrap();
    build(root);
    let r = publish_json(root, &["--to", to]);
    assert!(r["deleted"].as_u64().unwrap() >= 1);
    let gone = "sites/vr.mt.gov.vn/tin-tuc/gian-chu-ky-kiem-dinh-2023/index.html";
    assert!(!published(&root.join("site")).contains_key(gone));
    assert!(
        urls(&r).contains(&"https://vr.mt.gov.vn/tin-tuc/gian-chu-ky-kiem-dinh-2023/".to_string())
    );
    publish_json(root, &["--to", to, "--rollback"]);
    assert_eq!(published(&root.join("site")), before);
}

#[test]
fn bad_targets_and_altered_outputs_are_refused_with_nothing_changed() {
    let (tmp, _) = built_demo();
    let root = tmp.path();
    let site = root.join("site");
    let to = site.to_str().unwrap();
    let refuse = |args: &[&str], says: &[&str]| {
        let o = publish(root, args);
        assert!(!o.status.success(), "{args:?} succeeded");
        let e = stderr(&o);
        for s in says {
            assert!(e.contains(s), "{args:?}: {e}");
        }
        assert!(!e.contains("panicked"), "{e}");
    };
    // A path with `..`, an unknown scheme, no target at all.
    refuse(&["--to", &format!("{to}/../elsewhere")], &["`..`"]);
    refuse(&["--to", "ftp://host/x"], &["unknown scheme"]);
    let o = publish_cmd(root, &[])
        .env_remove("CMS_PUBLISH_TO")
        .output()
        .unwrap();
    assert!(
        !o.status.success() && stderr(&o).contains("--to"),
        "{}",
        stderr(&o)
    );
    // A folder that holds other files.
    let other = root.join("other");
    write_files(&other, &[("index.html", "not ours")]);
    refuse(
        &["--to", other.to_str().unwrap()],
        &["not ours", "index.html"],
    );
    assert_eq!(read_tree(&other).len(), 1);
    // Another network's target.
    publish_json(root, &["--to", to]);
    let live = read_tree(&site);
    let marker = site.join("_deploys/target.json");
    let m = std::fs::read_to_string(&marker).unwrap();
    std::fs::write(&marker, m.replace("Bộ Giao thông vận tải", "Bộ Y tế")).unwrap();
    refuse(&["--to", to], &["not ours", "Bộ Y tế"]);
    std::fs::write(&marker, m).unwrap();
    // An output with a file altered or missing since the build: refused, naming it.
    let out = ssg::builds::live_dir(&root.join("public")).unwrap();
    let css = std::fs::read_dir(out.join("sites/mt.gov.vn"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "css"))
        .unwrap();
    let name = css.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(&css).unwrap();
    let mut altered = bytes.clone();
    altered[0] ^= 1;
    // A new build folder, as editing the live one in place would also change earlier ones.
    std::fs::remove_file(&css).unwrap();
    std::fs::write(&css, &altered).unwrap();
    // Changed bytes that the target already has are not uploaded, so the file is checked
    // once the target is empty.
    let fresh = root.join("fresh");
    refuse(
        &["--to", fresh.to_str().unwrap()],
        &[&name, "SHA-256", "cms build"],
    );
    assert!(read_tree(&fresh).is_empty(), "something was written");
    std::fs::remove_file(&css).unwrap();
    refuse(&["--to", to], &[&name, "missing"]);
    assert_eq!(read_tree(&site), live, "the live target changed");
    std::fs::write(&css, &bytes).unwrap();
    // Rollback with a single deployment: nothing to roll back to.
    refuse(&["--to", to, "--rollback"], &["no earlier deployment"]);
    assert_eq!(read_tree(&site), live);
}

/// A one-request HTTP server answering `status`; sends each request body it gets.
fn webhook(status: u16) -> (String, mpsc::Receiver<String>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/purge", l.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for s in l.incoming().take(3) {
            let mut s = s.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 65536];
            // Headers, then the body of Content-Length bytes.
            loop {
                let n = s.read(&mut chunk).unwrap();
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() >= len || n == 0 {
                        let _ = tx.send(body.to_string());
                        break;
                    }
                }
            }
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, rx)
}

#[test]
fn the_purge_list_goes_to_the_webhook_and_a_failing_one_is_not_fatal() {
    let (tmp, content) = built_demo();
    let root = tmp.path();
    let to = root.join("site");
    let to = to.to_str().unwrap();
    publish_json(root, &["--to", to]);
    edit_one_page(&content);
    build(root);
    let (url, got) = webhook(200);
    let r = publish_json(root, &["--to", to, "--purge-url", &url]);
    let body: serde_json::Value = serde_json::from_str(&got.recv().unwrap()).unwrap();
    assert_eq!(body["urls"], r["urls"]);
    assert!(!urls(&r).is_empty());

    // A failing webhook: retried, reported, and the publish still succeeds.
    write_files(
        &content,
        &[(
            "sites/vr/tin-tuc/moi.md",
            "+++\ntitle = \"Tin mới\"\ndate = 2024-01-02\n+++\nNội dung.\n",
        )],
    );
    build(root);
    let (url, got) = webhook(500);
    let o = publish(root, &["--to", to, "--purge-url", &url]);
    assert_ok(&o);
    assert!(
        stderr(&o).contains("warning") && stderr(&o).contains("500"),
        "{}",
        stderr(&o)
    );
    assert_eq!(got.iter().take(3).count(), 3, "retried three times");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("https://vr.mt.gov.vn/tin-tuc/moi/"),
        "{stdout}"
    );
    assert!(Path::new(to)
        .join("sites/vr.mt.gov.vn/tin-tuc/moi/index.html")
        .is_file());
}
