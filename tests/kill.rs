//! A build killed (SIGKILL) at any moment leaves the live output as the old build or the new
//! one, byte for byte, never a mix; and the next build completes and removes what the killed
//! one left behind. The rebuild (many pages changed) is killed after delays spread over its
//! measured duration, and at the named points of the switch itself (`CMS_KILL_AT`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::*;

/// How many kills spread over the rebuild.
const KILLS: usize = 16;

/// Every file of an output (followed through its link): the search index apart, since its
/// segment names are random; and without `.cms/inputs`, the fingerprint of the inputs that
/// `cms build` writes after the switch, for its next run to skip an unchanged build.
#[derive(Debug, PartialEq)]
struct Snapshot {
    files: BTreeMap<String, Vec<u8>>,
    index: BTreeMap<String, Vec<u8>>,
}

fn snapshot(out: &Path) -> Snapshot {
    let mut s = Snapshot {
        files: BTreeMap::new(),
        index: BTreeMap::new(),
    };
    for e in walkdir::WalkDir::new(out).sort_by_file_name() {
        let e = e.unwrap();
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(e.path()).unwrap();
        if let Some(f) = rel.strip_prefix("search/index/") {
            s.index.insert(f.to_string(), bytes);
        } else if rel != ".cms/inputs" {
            s.files.insert(rel, bytes);
        }
    }
    s
}

/// The documents of a search index (its files by name), checking that every file its
/// `meta.json` names is there: a whole index, not a mix.
fn documents(index: &BTreeMap<String, Vec<u8>>) -> u64 {
    let meta: serde_json::Value = serde_json::from_slice(&index["meta.json"]).unwrap();
    let mut docs = 0;
    for seg in meta["segments"].as_array().unwrap() {
        let id = seg["segment_id"].as_str().unwrap().replace('-', "");
        for ext in ["fast", "fieldnorm", "idx", "pos", "store", "term"] {
            assert!(
                index.contains_key(&format!("{id}.{ext}")),
                "{id}.{ext} missing"
            );
        }
        let deleted = &seg["deletes"];
        if !deleted.is_null() {
            let del = format!("{id}.{}.del", deleted["opstamp"]);
            assert!(index.contains_key(&del), "{del} missing");
        }
        docs +=
            seg["max_doc"].as_u64().unwrap() - deleted["num_deleted_docs"].as_u64().unwrap_or(0);
    }
    docs
}

/// Which build `live` is: the old one (every file, the index too, as it was) or the new one
/// (every file as the new build wrote it, and a complete index of the new texts).
fn which(live: &Snapshot, old: &Snapshot, new: &Snapshot) -> &'static str {
    if live == old {
        return "old";
    }
    let mixed = |reference: &Snapshot| -> Vec<String> {
        let mut d: Vec<String> = live
            .files
            .keys()
            .chain(reference.files.keys())
            .filter(|k| live.files.get(*k) != reference.files.get(*k))
            .cloned()
            .collect();
        d.sort();
        d.dedup();
        d
    };
    let differ = mixed(new);
    assert!(
        differ.is_empty(),
        "the live output is neither build: {} files differ from the new one ({:?}…), {} from the old one",
        differ.len(),
        &differ[..differ.len().min(5)],
        mixed(old).len()
    );
    for f in ["texts.bin", "VERSION"] {
        assert_eq!(live.index.get(f), new.index.get(f), "search/index/{f}");
    }
    assert_eq!(documents(&live.index), documents(&new.index));
    "new"
}

/// A folder for the test, in memory where there is one: each switch flushes the output's
/// file system to disk (`syncfs`), which on a shared disk waits for everything else written
/// there too.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    match shm.is_dir() {
        true => tempfile::tempdir_in(shm).unwrap_or_else(|_| tempfile::tempdir().unwrap()),
        false => tempfile::tempdir().unwrap(),
    }
}

/// The demo network and 300 more news pages.
fn network(root: &Path) -> PathBuf {
    let content = root.join("content");
    copy_dir(&repo_root().join("content"), &content);
    copy_dir(
        &repo_root().join("themes/default"),
        &root.join("themes/default"),
    );
    for i in 0..300 {
        std::fs::write(
            content.join(format!("sites/vr/tin-tuc/tin-{i:03}.md")),
            format!(
                "+++\ntitle = \"Tin đăng kiểm số {i}\"\ndate = 2023-{:02}-{:02}\n[taxonomies]\ntopics = [\"đăng kiểm\"]\n+++\n\nKiểm định xe cơ giới đợt {i}: lịch, địa điểm và thủ tục.\n",
                i % 12 + 1,
                i % 28 + 1
            ),
        )
        .unwrap();
    }
    content
}

/// Changes every other generated page (their pages, lists, feeds and index entries change).
fn change_pages(content: &Path) {
    for i in (0..300).step_by(2) {
        let p = content.join(format!("sites/vr/tin-tuc/tin-{i:03}.md"));
        let t = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, t + "Cập nhật: lịch kiểm định thay đổi.\n").unwrap();
    }
}

fn build_cmd(root: &Path, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cms"));
    c.args(["build", "-q", "--content", "content", "--out"])
        .arg(out)
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1733500000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn build(root: &Path, out: &Path) {
    let o = build_cmd(root, out).output().unwrap();
    assert_ok(&o);
}

/// Puts `old` back live and removes every other build, so that the next rebuild starts from
/// the same output (and `old` is not among the builds it prunes).
fn back_to(out: &Path, old: &str) {
    ssg::builds::switch(out, old).unwrap();
    for b in ssg::builds::list(out).unwrap() {
        if b.id != old {
            std::fs::remove_dir_all(&b.path).unwrap();
        }
    }
}

/// What is beside the output and in its builds folder: nothing a build left half-done.
fn assert_clean(root: &Path, out: &Path) {
    let mut beside: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        vec![".public.builds", "content", "public", "themes"]
    );
    let builds = ssg::builds::builds_dir(out);
    let inside: Vec<String> = std::fs::read_dir(&builds)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".lock")
        .collect();
    let kept = ssg::builds::list(out).unwrap();
    assert_eq!(inside.len(), kept.len(), "leftovers: {inside:?}");
    assert!(kept.len() <= ssg::builds::KEEP && kept[0].live, "{kept:?}");
}

#[test]
fn a_killed_build_leaves_the_old_output_or_the_new_one() {
    let tmp = scratch();
    let root = tmp.path();
    let content = network(root);
    let out = root.join("public");
    build(root, &out);
    let old = snapshot(&out);
    let old_id = ssg::builds::list(&out).unwrap()[0].id.clone();
    change_pages(&content);
    // The rebuild, timed; its output is the new build.
    let t = Instant::now();
    build(root, &out);
    let cold = t.elapsed();
    let new = snapshot(&out);
    assert_ne!(old.files, new.files);
    assert!(documents(&new.index) > 300);
    back_to(&out, &old_id);
    assert_eq!(snapshot(&out), old, "the old build is untouched");
    // Again, warm: the kills spread over the quicker of the two.
    let t = Instant::now();
    build(root, &out);
    let took = cold.min(t.elapsed());
    assert_eq!(which(&snapshot(&out), &old, &new), "new");
    back_to(&out, &old_id);
    // A staging folder of an older version, killed: the next build removes it.
    std::fs::create_dir_all(root.join(".public.staging-4242/sites")).unwrap();

    let mut seen = Vec::new();
    for i in 0..KILLS {
        // From the start to a little past the rebuild's measured end.
        let delay = took.mul_f64(1.2 * i as f64 / (KILLS - 1) as f64);
        let mut child = build_cmd(root, &out).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();
        let live = snapshot(&out);
        seen.push(which(&live, &old, &new));
        if i % 5 == 4 || i + 1 == KILLS {
            // The next build completes, gives the new output, and cleans up.
            build(root, &out);
            assert_eq!(which(&snapshot(&out), &old, &new), "new");
            assert_clean(root, &out);
        }
        back_to(&out, &old_id);
    }
    eprintln!("rebuild {took:?}; killed: {seen:?}");
    assert!(seen.contains(&"old"), "{seen:?}");

    // Killed at each step of the switch itself.
    for (point, expect) in [("written", "old"), ("renamed", "old"), ("swapped", "new")] {
        let o = build_cmd(root, &out)
            .env("CMS_KILL_AT", point)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{point}: not stopped");
        let live = snapshot(&out);
        assert_eq!(which(&live, &old, &new), expect, "{point}");
        build(root, &out);
        assert_eq!(which(&snapshot(&out), &old, &new), "new");
        assert_clean(root, &out);
        back_to(&out, &old_id);
    }
}

#[test]
fn an_output_folder_of_an_older_version_is_exchanged_whole() {
    let tmp = scratch();
    let root = tmp.path();
    let content = network(root);
    let out = root.join("public");
    build(root, &out);
    let old = snapshot(&out);
    // The output as an older version left it: a real folder.
    let live = ssg::builds::live_dir(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    copy_dir(&live, &out);
    std::fs::remove_dir_all(ssg::builds::builds_dir(&out)).unwrap();
    change_pages(&content);
    let o = build_cmd(root, &out)
        .env("CMS_KILL_AT", "exchanged")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let killed = snapshot(&out);
    assert_ne!(killed.files, old.files);
    assert!(std::fs::symlink_metadata(&out)
        .unwrap()
        .file_type()
        .is_symlink());
    build(root, &out);
    assert_eq!(snapshot(&out).files, killed.files);
    assert_clean(root, &out);
}
