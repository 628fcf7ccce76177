//! A publish killed (SIGKILL) at any moment leaves every live page with all its assets, and
//! the next run completes it; a rollback after it gives the earlier deployment back byte for
//! byte. Killed at each named step (`CMS_KILL_AT`), after a number of object operations, and
//! after delays spread over a slowed publish.

mod publish_common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use publish_common::*;

/// The whole target folder (records and blobs too), to start each kill from the same state.
fn restore(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    copy_dir(from, to);
}

/// Changes the theme's style sheet (a new fingerprinted file, every page points at it, the
/// old one is deleted) and adds and removes a page.
fn change(root: &Path, content: &Path) {
    let css = root.join("themes/default/static/style.css");
    let t = std::fs::read_to_string(&css).unwrap();
    std::fs::write(&css, t + "\n.killed-publish-test { color: #000; }\n").unwrap();
    write_files(
        content,
        &[(
            "sites/vr/tin-tuc/moi.md",
            "+++\ntitle = \"Tin mới\"\ndate = 2024-01-02\n+++\nNội dung.\n",
        )],
    );
    std::fs::remove_file(content.join("sites/vr/tin-tuc/gian-chu-ky-kiem-dinh-2023.md")).unwrap();
}

/// Which deployment the live files are (by their manifest), checking each live page's assets.
fn check_live(
    target: &Path,
    old: &BTreeMap<String, Vec<u8>>,
    new: &BTreeMap<String, Vec<u8>>,
    when: &str,
) -> &'static str {
    let live = published(target);
    assert_assets_live(&live, when);
    let m = live.get("manifest.json");
    if m == old.get("manifest.json") {
        "old"
    } else if m == new.get("manifest.json") {
        "new"
    } else {
        panic!("{when}: the live manifest is neither")
    }
}

#[test]
fn a_killed_publish_never_breaks_a_page_and_the_next_run_completes_it() {
    let (tmp, content) = built_demo();
    let root = tmp.path();
    let target = root.join("site");
    let to = target.to_str().unwrap().to_string();
    publish_json(root, &["--to", &to]);
    let old = published(&target);
    let pristine = root.join("pristine");
    copy_dir(&target, &pristine);
    change(root, &content);
    build(root);
    let new = expected(&root.join("public"));
    assert_ne!(old.get("manifest.json"), new.get("manifest.json"));

    // The named steps, and after the first, a few, half and all but one of the operations.
    let dry = publish_json(root, &["--to", &to, "--dry-run"]);
    let ops = dry["uploaded"].as_u64().unwrap() + dry["deleted"].as_u64().unwrap();
    assert!(ops > 100, "{ops}");
    let mut points: Vec<String> = ["pending", "assets", "pages", "switched", "deleted"]
        .map(String::from)
        .to_vec();
    points.extend([1, 7, ops / 2, ops - 1].map(|n| format!("op:{n}")));
    let mut seen = Vec::new();
    for point in &points {
        restore(&pristine, &target);
        let o = publish_cmd(root, &["--to", &to])
            .env("CMS_KILL_AT", point)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{point}: not stopped");
        seen.push(check_live(&target, &old, &new, point));
        // The next run completes it; the live files are then the new output's.
        let r = publish_json(root, &["--to", &to]);
        assert_eq!(r["completed_interrupted"], true, "{point}");
        assert_same(&published(&target), &new, &format!("{point}: completed"));
        assert!(!target.join("_deploys/pending.json").exists());
        // And a rollback gives the old deployment back, byte for byte.
        publish_json(root, &["--to", &to, "--rollback"]);
        assert_same(&published(&target), &old, &format!("{point}: rolled back"));
    }
    assert!(seen.contains(&"old") && seen.contains(&"new"), "{seen:?}");

    // A rollback killed before and after its switch: run again, it completes.
    for point in ["op:3", "switched"] {
        publish_json(root, &["--to", &to]);
        let o = publish_cmd(root, &["--to", &to, "--rollback"])
            .env("CMS_KILL_AT", point)
            .output()
            .unwrap();
        assert!(!o.status.success(), "rollback {point}: not stopped");
        check_live(&target, &old, &new, &format!("rollback {point}"));
        let r = publish_json(root, &["--to", &to, "--rollback"]);
        assert_eq!(r["completed_interrupted"], true, "rollback {point}");
        assert_same(
            &published(&target),
            &old,
            &format!("rollback {point}: completed"),
        );
        assert!(!target.join("_deploys/pending.json").exists());
    }

    // Killed after delays spread over a publish slowed down to a few milliseconds per file.
    restore(&pristine, &target);
    let slow = |c: &mut std::process::Command| {
        c.env("CMS_PUBLISH_OP_DELAY_MS", "3").args(["--jobs", "4"]);
    };
    let t = Instant::now();
    let mut c = publish_cmd(root, &["--to", &to]);
    slow(&mut c);
    assert_ok(&c.output().unwrap());
    let took = t.elapsed();
    for i in 0..8u32 {
        restore(&pristine, &target);
        let mut c = publish_cmd(root, &["--to", &to]);
        slow(&mut c);
        let mut child = c.stdout(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(
            took.mul_f64(f64::from(i) / 7.0)
                .max(Duration::from_millis(5)),
        );
        let _ = child.kill();
        child.wait().unwrap();
        check_live(&target, &old, &new, &format!("after {i}/7 of {took:?}"));
        publish_json(root, &["--to", &to]);
        assert_same(
            &published(&target),
            &new,
            &format!("after {i}/7: completed"),
        );
    }
}
