//! `cms serve --content` killed (SIGKILL) while it builds a pushed commit: the live output
//! is the old build or the new one, whole (never half-written), and the restarted server
//! builds the head and serves it. Killed at the named points of the switch (`CMS_KILL_AT`)
//! and at a random moment of a build under way.

mod common;
mod live_common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;
use live_common::*;

/// The output's files (through its link), and a check that its search index is whole.
fn snapshot(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("search/index/meta.json")).unwrap())
            .unwrap();
    for seg in meta["segments"].as_array().unwrap() {
        let id = seg["segment_id"].as_str().unwrap().replace('-', "");
        for ext in ["idx", "store", "term"] {
            let f = out.join(format!("search/index/{id}.{ext}"));
            assert!(f.is_file(), "the search index lacks {}", f.display());
        }
    }
    let files = read_tree(out);
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    for f in manifest["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        assert!(files.contains_key(path), "manifest names {path}: not there");
    }
    files
}

/// Every page says the network's name: a change of it changes them all.
fn rename(repo: &Repo, name: &str) -> String {
    let text = repo.read("network.toml");
    let old = text.lines().find(|l| l.starts_with("name = ")).unwrap();
    let new = text.replace(old, &format!("name = \"{name}\""));
    repo.push(&[("network.toml", &new)], &format!("Đổi tên: {name}"))
}

fn which(
    now: &BTreeMap<String, Vec<u8>>,
    old: &BTreeMap<String, Vec<u8>>,
    new: &BTreeMap<String, Vec<u8>>,
) -> &'static str {
    if now == old {
        "old"
    } else if now == new {
        "new"
    } else {
        let differ: Vec<_> = now
            .keys()
            .chain(new.keys())
            .filter(|k| now.get(*k) != new.get(*k) && now.get(*k) != old.get(*k))
            .take(5)
            .collect();
        panic!("the output is neither build: {differ:?}")
    }
}

#[test]
fn a_server_killed_while_building_restarts_on_a_whole_site() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path(), |w| copy_dir(&repo_root().join("content"), w));
    let out = tmp.path().join("site/public");
    let mut server = Server::start(&repo.bare, &out, &[]);
    server.kill();
    let old = snapshot(&out);

    // Killed at each point of the switch, in the build at start of a pushed commit.
    let head = rename(&repo, "Bộ Xây dựng");
    for point in ["written", "renamed", "swapped"] {
        let o = Command::new(env!("CARGO_BIN_EXE_cms"))
            .arg("serve")
            .arg("--content")
            .arg(&repo.bare)
            .arg("--themes")
            .arg(repo_root().join("themes"))
            .arg("--out")
            .arg(&out)
            .args(["--addr", "127.0.0.1:0"])
            .env("CMS_KILL_AT", point)
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert!(!o.status.success(), "{point}: not stopped\n{}", stderr(&o));
        let now = snapshot(&out);
        let expect = if point == "swapped" { "new" } else { "old" };
        let name_shown = String::from_utf8_lossy(&now["sites/drvn.mt.gov.vn/index.html"])
            .contains("Bộ Xây dựng");
        assert_eq!(name_shown, expect == "new", "{point}");
        if expect == "old" {
            assert_eq!(which(&now, &old, &now), "old", "{point}");
        }
    }
    let server = Server::start(&repo.bare, &out, &[]);
    server.wait_live(&head, 30);
    let new = snapshot(&out);
    assert!(
        String::from_utf8_lossy(&new["sites/drvn.mt.gov.vn/index.html"]).contains("Bộ Xây dựng")
    );
    drop(server);

    // Killed at a moment of a build under way, seen by the status.
    let mut server = Server::start(&repo.bare, &out, &[]);
    server.wait_live(&head, 30);
    let next = rename(&repo, "Bộ Giao thông");
    server.wait("the build under way", 30, |s| {
        let live = s.live();
        live["building"] == next.as_str() || live["commit"] == next.as_str()
    });
    server.kill();
    let killed = snapshot(&out);
    let server = Server::start(&repo.bare, &out, &[]);
    server.wait_live(&next, 30);
    let newer = snapshot(&out);
    let seen = which(&killed, &new, &newer);
    eprintln!("killed mid-build: the output was the {seen} build");
    assert!(server.get(HOST, "/").1.contains("Bộ Giao thông"));
}
