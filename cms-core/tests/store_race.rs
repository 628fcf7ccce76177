//! No lost update under real concurrency: threads racing one page (one wins, the others get a
//! conflict), threads publishing different pages (all end up published), a writer holding
//! git's ref lock the way the `git` CLI does, and separate processes racing one page.

// A `StoreError` carries both versions of a conflict: large by design (see the store module).
#![allow(clippy::result_large_err)]

mod store_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use cms_core::store::{Author, Stage, Store, StoreError};
use store_common::*;

const THREADS: usize = 8;

fn writer(i: usize) -> Author {
    Author {
        name: format!("Biên tập viên {i}"),
        email: format!("btv{i}@drvn.gov.vn"),
    }
}

#[test]
fn eight_threads_saving_one_page_from_one_base_one_wins() {
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cao-toc.md");
    // Several rounds, each from the version the last one's winner wrote.
    for round in 0..4 {
        let base = store.read(&p, Stage::Draft).unwrap().unwrap();
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let (store, p, barrier) = (store.clone(), p.clone(), barrier.clone());
                let blob = base.blob.clone();
                std::thread::spawn(move || {
                    let text = page_text("Cao tốc", &format!("Vòng {round}, người {i}."));
                    barrier.wait();
                    (text.clone(), store.save(&p, &text, Some(&blob), &writer(i)))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let won: Vec<_> = results.iter().filter(|(_, r)| r.is_ok()).collect();
        assert_eq!(won.len(), 1, "round {round}: {results:?}");
        for (_, r) in &results {
            if let Err(e) = r {
                let StoreError::Conflict { current, .. } = e else {
                    panic!("round {round}: {e}")
                };
                // The conflict shows the winner's version.
                assert_eq!(current.as_ref().unwrap().text, won[0].0);
            }
        }
        let (text, saved) = won[0];
        let saved = saved.as_ref().unwrap();
        let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
        assert_eq!((&doc.text, &doc.commit), (text, &saved.commit));
        // Exactly one commit more on the branch: no write was lost or doubled.
        let count = git(
            store.git_dir(),
            &["rev-list", "--count", "cms/drvn/tin-tuc/cao-toc.md"],
        );
        assert_eq!(count.trim(), (round + 2).to_string());
    }
    assert_fsck_clean(&store);
}

#[test]
fn eight_threads_publishing_different_pages_all_land_on_main() {
    let (_dir, store) = repo(true, "");
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let (store, barrier) = (store.clone(), barrier.clone());
            std::thread::spawn(move || {
                let p = page(&format!("tin-tuc/song-song-{i}.md"));
                let text = page_text(&format!("Bài {i}"), "Song song.");
                barrier.wait();
                store.save(&p, &text, None, &writer(i)).unwrap();
                store.submit(&p).unwrap();
                barrier.wait();
                store.publish(&p, &approver()).unwrap()
            })
        })
        .collect();
    let merges: Vec<String> = handles
        .into_iter()
        .map(|h| h.join().unwrap().commit)
        .collect();
    for i in 0..THREADS {
        let p = page(&format!("tin-tuc/song-song-{i}.md"));
        let doc = store.read(&p, Stage::Published).unwrap();
        assert!(
            doc.is_some_and(|d| d.text.contains(&format!("Bài {i}"))),
            "page {i}"
        );
    }
    let line = git(store.git_dir(), &["rev-list", "--first-parent", "main"]);
    for m in &merges {
        assert!(
            line.contains(m.as_str()),
            "merge {m} is on main's first-parent line"
        );
    }
    assert_eq!(line.lines().count(), THREADS + 1);
    assert!(store.drafts(None).unwrap().is_empty());
    assert_fsck_clean(&store);
}

/// Takes the branch's lock as `git update-ref` does: creates `<ref>.lock` holding `new`.
fn lock(store: &Store, branch: &str, new: git2::Oid) -> (PathBuf, PathBuf) {
    let file = store.git_dir().join("refs/heads").join(branch);
    let lock = PathBuf::from(format!("{}.lock", file.display()));
    std::fs::write(&lock, format!("{new}\n")).unwrap();
    (lock, file)
}

/// After a while, moves the branch by renaming the lock over the ref, as git does.
fn release_after(hold: Duration, (lock, file): (PathBuf, PathBuf)) {
    std::thread::sleep(hold);
    std::fs::rename(&lock, &file).unwrap();
}

#[test]
fn a_save_racing_another_git_writer_loses_nothing() {
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cau/index.md");
    let branch = "cms/drvn/tin-tuc/cau/index.md";
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    store.put_file(&p, "a.png", b"1", &editor()).unwrap();
    // Another tool commits a file of the bundle onto the draft and moves the branch while
    // the save is being written: the save waits for the lock, sees the branch moved, checks
    // the page again (unchanged) and commits on top. Without the compare-and-swap, the
    // other tool's file would be lost.
    let repo = open(&store);
    let head = repo
        .find_reference(&format!("refs/heads/{branch}"))
        .unwrap();
    let head = head.peel_to_commit().unwrap();
    let pushed = push_file(&repo, &head, "sites/drvn/tin-tuc/cau/b.png", "2");
    let text = doc
        .text
        .replace("Ảnh cầu.", "Ảnh cầu, sửa khi có người khác ghi.");
    let held = lock(&store, branch, pushed);
    let saver = {
        let (store, p, text, blob) = (store.clone(), p.clone(), text.clone(), doc.blob.clone());
        std::thread::spawn(move || store.save(&p, &text, Some(&blob), &editor()))
    };
    release_after(Duration::from_millis(300), held);
    let saved = saver.join().unwrap().unwrap();
    let files = store.list_files(&p, Stage::Draft).unwrap();
    assert_eq!(files, ["a.png", "anh.jpg", "b.png"]);
    assert_eq!(store.read(&p, Stage::Draft).unwrap().unwrap().text, text);
    let parent = git(
        store.git_dir(),
        &["rev-parse", &format!("{}^", saved.commit)],
    );
    assert_eq!(parent.trim(), pushed.to_string());
    // The same race where the other writer changed the page: a conflict, and its version
    // stays.
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    let head = repo.find_commit(saved.commit.parse().unwrap()).unwrap();
    let theirs = "---\ntitle: Của họ\n---\n";
    let pushed = push_file(&repo, &head, "sites/drvn/tin-tuc/cau/index.md", theirs);
    let held = lock(&store, branch, pushed);
    let saver = {
        let (store, p, blob) = (store.clone(), p.clone(), doc.blob.clone());
        std::thread::spawn(move || store.save(&p, "của tôi\n", Some(&blob), &editor()))
    };
    release_after(Duration::from_millis(300), held);
    let e = saver.join().unwrap().unwrap_err();
    let StoreError::Conflict { current, diff, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(current.as_ref().unwrap().text, theirs);
    assert!(diff.contains("+của tôi"), "{diff}");
    assert_eq!(
        ref_id(&store, &format!("refs/heads/{branch}")),
        Some(pushed.to_string())
    );
}

/// A commit of one file on top of `parent`, written with git2 (no ref moved).
fn push_file(repo: &git2::Repository, parent: &git2::Commit, path: &str, text: &str) -> git2::Oid {
    let mut index = git2::Index::new().unwrap();
    index.read_tree(&parent.tree().unwrap()).unwrap();
    let id = repo.blob(text.as_bytes()).unwrap();
    index.add(&entry(path, id)).unwrap();
    let tree = repo.find_tree(index.write_tree_to(repo).unwrap()).unwrap();
    let sig = git2::Signature::now("Người Ngoài", "ngoai@example.vn").unwrap();
    repo.commit(None, &sig, &sig, "push", &tree, &[parent])
        .unwrap()
}

/// The environment variable that makes [`child_process_saver`] a writer of the race below.
const CHILD: &str = "CMS_STORE_RACE_CHILD";

/// Run by [`processes_racing_one_page_one_wins`] in child processes (the test binary run
/// again); does nothing in a normal run. Waits for the `go` file, saves, prints the outcome.
#[test]
fn child_process_saver() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let mut parts = spec.splitn(3, '\n');
    let (git_dir, blob, id) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let store = Store::open(Path::new(git_dir), "main").unwrap();
    let p = page("tin-tuc/cao-toc.md");
    let go = Path::new(git_dir).join("go");
    std::fs::write(Path::new(git_dir).join(format!("ready-{id}")), "").unwrap();
    let start = Instant::now();
    while !go.exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "no go signal");
        std::thread::sleep(Duration::from_micros(200));
    }
    let text = page_text("Cao tốc", &format!("Tiến trình {id}."));
    let outcome = match store.save(&p, &text, Some(blob), &writer(id.parse().unwrap())) {
        Ok(_) => "ok".to_string(),
        Err(StoreError::Conflict { .. }) => "conflict".to_string(),
        Err(e) => format!("error {e}"),
    };
    println!("RACE-RESULT {outcome}");
}

#[test]
fn processes_racing_one_page_one_wins() {
    const CHILDREN: usize = 4;
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cao-toc.md");
    let base = store.read(&p, Stage::Draft).unwrap().unwrap();
    let git_dir = store.git_dir().to_path_buf();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..CHILDREN)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "child_process_saver",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, format!("{}\n{}\n{i}", git_dir.display(), base.blob))
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let start = Instant::now();
    while (0..CHILDREN).any(|i| !git_dir.join(format!("ready-{i}")).exists()) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "children did not start"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    std::fs::write(git_dir.join("go"), "").unwrap();
    // This process races too.
    let mine = store.save(
        &p,
        &page_text("Cao tốc", "Tiến trình cha."),
        Some(&base.blob),
        &editor(),
    );
    let mut outcomes = vec![match mine {
        Ok(_) => "ok".to_string(),
        Err(StoreError::Conflict { .. }) => "conflict".to_string(),
        Err(e) => format!("error {e}"),
    }];
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "child failed: {stdout}");
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("RACE-RESULT ").map(|(_, r)| r))
            .unwrap_or_else(|| panic!("no result from a child: {stdout}"));
        outcomes.push(line.to_string());
    }
    let wins = outcomes.iter().filter(|o| *o == "ok").count();
    let conflicts = outcomes.iter().filter(|o| *o == "conflict").count();
    assert_eq!((wins, conflicts), (1, CHILDREN), "{outcomes:?}");
    let count = git(
        &git_dir,
        &["rev-list", "--count", "cms/drvn/tin-tuc/cao-toc.md"],
    );
    assert_eq!(count.trim(), "2", "one commit on top of main");
    assert_fsck_clean(&store);
}
