//! End-to-end: building a git revision equals building the same folder, and ignores
//! uncommitted changes.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=Biên tập viên",
            "-c",
            "user.email=btv@mt.gov.vn",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_git_revision_builds_like_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    // The content is a subfolder of the repository, as in this project.
    let content = repo.join("content");
    fixture(&content);
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "Nội dung ban đầu"]);

    let from_dir = tmp.path().join("from-dir");
    assert_ok(&cms(
        tmp.path(),
        &[
            "build",
            "--content",
            content.to_str().unwrap(),
            "--out",
            from_dir.to_str().unwrap(),
            "--quiet",
        ],
    ));

    // Uncommitted edits, a new file and a deletion are ignored by a revision build.
    std::fs::write(
        content.join("sites/mt/tin-tuc/ke-hoach.md"),
        "+++\ntitle = \"Đã sửa\"\n+++\n",
    )
    .unwrap();
    std::fs::write(
        content.join("sites/mt/tin-tuc/moi.md"),
        "+++\ntitle = \"Mới\"\n+++\n",
    )
    .unwrap();
    std::fs::remove_file(content.join("sites/drvn/tin-tuc/cao-toc.md")).unwrap();
    let from_git = tmp.path().join("from-git");
    assert_ok(&cms(
        tmp.path(),
        &[
            "build",
            "--content",
            content.to_str().unwrap(),
            "--rev",
            "HEAD",
            "--out",
            from_git.to_str().unwrap(),
            "--quiet",
        ],
    ));

    let a = read_tree(&from_dir);
    let b = read_tree(&from_git);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(
            v == &b[k],
            "{k} differs between the folder build and the git build"
        );
    }

    // A bad revision is a clear error.
    let o = cms(
        tmp.path(),
        &[
            "build",
            "--content",
            content.to_str().unwrap(),
            "--rev",
            "khong-co",
            "--out",
            "x",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot resolve revision `khong-co`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn errors_in_a_revision_name_the_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fixture(&content);
    std::fs::write(
        content.join("sites/mt/tin-tuc/ke-hoach.md"),
        "+++\ntitle = \n+++\n",
    )
    .unwrap();
    git(&content, &["init", "-q", "-b", "main"]);
    git(&content, &["add", "-A"]);
    git(&content, &["commit", "-q", "-m", "Lỗi"]);
    let o = cms(
        tmp.path(),
        &["check", "--content", "content", "--rev", "HEAD"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("HEAD:content/sites/mt/tin-tuc/ke-hoach.md:2:"),
        "{}",
        stderr(&o)
    );
}
