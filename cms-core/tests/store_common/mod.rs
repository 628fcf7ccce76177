//! Shared by the git store tests: real repositories in temporary folders (made with git2), the
//! `git` CLI to check what other git tools see, and the editors.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use cms_core::store::{Author, PageRef, Store};
use git2::{Index, IndexEntry, IndexTime, Oid, Repository, RepositoryInitOptions, Signature};

/// An editor of the `drvn` site.
pub fn editor() -> Author {
    Author {
        name: "Nguyễn Văn An".into(),
        email: "an@drvn.gov.vn".into(),
    }
}

/// Another editor.
pub fn editor2() -> Author {
    Author {
        name: "Trần Thị Bình".into(),
        email: "binh@drvn.gov.vn".into(),
    }
}

/// An approver.
pub fn approver() -> Author {
    Author {
        name: "Lê Văn Duyệt".into(),
        email: "duyet@drvn.gov.vn".into(),
    }
}

/// A page of `drvn`.
pub fn page(path: &str) -> PageRef {
    PageRef::new("drvn", path).unwrap()
}

/// A page's text with a TOML title and a body.
pub fn page_text(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2024-05-01\n+++\n\n{body}\n")
}

/// The first content of every test repository.
pub const SEED: &[(&str, &str)] = &[
    ("network.toml", "[network]\nname = \"Bộ GTVT\"\n"),
    (
        "sites/drvn/tin-tuc/cao-toc.md",
        "+++\ntitle = \"Cao tốc Bắc Nam\"\ndate = 2024-05-01\n+++\n\nDòng một.\nDòng hai.\nDòng ba.\nDòng bốn.\nDòng năm.\n",
    ),
    (
        "sites/drvn/tin-tuc/cau/index.md",
        "---\ntitle: Cầu mới\ndate: 2024-05-02\n---\n\nẢnh cầu.\n",
    ),
    ("sites/drvn/tin-tuc/cau/anh.jpg", "JPEG"),
    ("sites/mt/_index.md", "+++\ntitle = \"Bộ\"\n+++\n"),
];

/// A repository in a temporary folder with [`SEED`] committed on `main`; bare or with a work
/// tree (checked out by the `git` CLI). Content at `prefix` (`""` or `content/`).
pub fn repo(bare: bool, prefix: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RepositoryInitOptions::new();
    opts.bare(bare).initial_head("main");
    let repo = Repository::init_opts(dir.path(), &opts).unwrap();
    let files: Vec<(String, &str)> = SEED
        .iter()
        .map(|(p, t)| (format!("{prefix}{p}"), *t))
        .collect();
    commit_files(&repo, "main", &files, "Khởi tạo");
    if !bare {
        git(dir.path(), &["checkout", "-f", "main"]);
    }
    let content = dir.path().join(prefix);
    let store = Store::open(&content, "main").unwrap();
    (dir, store)
}

/// Commits `files` (repository paths and texts) on `branch` on top of its head, as another
/// git tool would (a person with a clone, `git push`): straight with git2, not the store.
pub fn commit_files(
    repo: &Repository,
    branch: &str,
    files: &[(String, &str)],
    message: &str,
) -> Oid {
    let name = format!("refs/heads/{branch}");
    let parent = repo
        .find_reference(&name)
        .ok()
        .map(|r| r.peel_to_commit().unwrap());
    let mut index = Index::new().unwrap();
    if let Some(p) = &parent {
        index.read_tree(&p.tree().unwrap()).unwrap();
    }
    for (path, text) in files {
        let id = repo.blob(text.as_bytes()).unwrap();
        index.add(&entry(path, id)).unwrap();
    }
    let tree = repo.find_tree(index.write_tree_to(repo).unwrap()).unwrap();
    let sig = Signature::now("Người Ngoài", "ngoai@example.vn").unwrap();
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some(&name), &sig, &sig, message, &tree, &parents)
        .unwrap()
}

/// An index entry of a file with blob `id`.
pub fn entry(path: &str, id: Oid) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// Opens the store's repository with git2.
pub fn open(store: &Store) -> Repository {
    Repository::open(store.git_dir()).unwrap()
}

/// The commit a ref points at, if any.
pub fn ref_id(store: &Store, name: &str) -> Option<String> {
    open(store)
        .find_reference(name)
        .ok()
        .and_then(|r| r.target())
        .map(|o| o.to_string())
}

/// Runs the `git` CLI in `dir` and returns its standard output; fails the test with git's
/// message when it fails, or names what to install when git is missing.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Người Ngoài")
        .env("GIT_AUTHOR_EMAIL", "ngoai@example.vn")
        .env("GIT_COMMITTER_NAME", "Người Ngoài")
        .env("GIT_COMMITTER_EMAIL", "ngoai@example.vn")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run the `git` CLI ({e}): install git (`apt-get install git`)")
        });
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `git fsck --strict` finds nothing wrong in the store's repository.
pub fn assert_fsck_clean(store: &Store) {
    let out = git(store.git_dir(), &["fsck", "--strict", "--no-dangling"]);
    assert!(out.trim().is_empty(), "git fsck: {out}");
}
