//! The git store on real repositories: saves are commits by the editor on the page's draft
//! branch, written with no checkout (bare repositories, work trees left alone), guarded by
//! `If-Match`; deletes, uploads, and bad names refused before anything is written.
//! The workflow is in `store_workflow.rs`, races in `store_race.rs`.

mod store_common;

use cms_core::store::{Author, PageRef, Stage, Status, Store, StoreError};
use store_common::*;

#[test]
fn a_save_is_a_commit_by_the_editor_on_the_page_branch() {
    let (_dir, store) = repo(true, "");
    let main = store.published_commit().unwrap();
    let p = page("tin-tuc/moi.md");
    let saved = store
        .save(
            &p,
            &page_text("Thông báo mới", "Nội dung."),
            None,
            &editor(),
        )
        .unwrap();
    assert_eq!(saved.branch, "cms/drvn/tin-tuc/moi.md");
    let git_dir = store.git_dir();
    let log = git(
        git_dir,
        &[
            "log",
            "-1",
            "--format=%an|%ae|%cn|%ce|%s",
            "cms/drvn/tin-tuc/moi.md",
        ],
    );
    assert_eq!(
        log.trim(),
        "Nguyễn Văn An|an@drvn.gov.vn|Nguyễn Văn An|an@drvn.gov.vn|Tạo: Thông báo mới (drvn/tin-tuc/moi.md)"
    );
    // The commit's time is now.
    let when: i64 = git(git_dir, &["log", "-1", "--format=%ct", &saved.commit])
        .trim()
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - when).abs() < 60, "{when} vs {now}");
    // An edit of the draft is `Sửa:`, by its own editor, on top of the first.
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    assert_eq!(doc.stage, Stage::Draft);
    assert_eq!(doc.status, Status::Draft);
    assert_eq!(Some(doc.blob.clone()), saved.blob);
    let text = page_text("Thông báo mới", "Nội dung đã sửa.");
    let second = store.save(&p, &text, Some(&doc.blob), &editor2()).unwrap();
    let log = git(
        git_dir,
        &["log", "--format=%an|%s", "cms/drvn/tin-tuc/moi.md"],
    );
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(
        lines[0],
        "Trần Thị Bình|Sửa: Thông báo mới (drvn/tin-tuc/moi.md)"
    );
    assert_eq!(
        lines[1],
        "Nguyễn Văn An|Tạo: Thông báo mới (drvn/tin-tuc/moi.md)"
    );
    assert_eq!(lines[2], "Người Ngoài|Khởi tạo");
    // git reads what the store wrote.
    let shown = git(
        git_dir,
        &[
            "show",
            &format!("{}:sites/drvn/tin-tuc/moi.md", second.commit),
        ],
    );
    assert_eq!(shown, text);
    // The published branch did not move: the draft is not published.
    assert_eq!(store.published_commit().unwrap(), main);
    assert!(store.read(&p, Stage::Published).unwrap().is_none());
    assert_fsck_clean(&store);
}

#[test]
fn a_yaml_page_and_a_page_without_a_title_are_named_in_the_message() {
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cau/index.md");
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    assert_eq!(doc.stage, Stage::Published);
    assert_eq!(doc.status, Status::Published);
    let text = doc.text.replace("Ảnh cầu.", "Ảnh cầu mới.");
    let s = store.save(&p, &text, Some(&doc.blob), &editor()).unwrap();
    let msg = git(store.git_dir(), &["log", "-1", "--format=%s", &s.commit]);
    assert_eq!(msg.trim(), "Sửa: Cầu mới (drvn/tin-tuc/cau/index.md)");
    let p = page("x.md");
    let s = store
        .save(&p, "Không có front matter\n", None, &editor())
        .unwrap();
    let msg = git(store.git_dir(), &["log", "-1", "--format=%s", &s.commit]);
    assert_eq!(msg.trim(), "Tạo: x.md (drvn/x.md)");
}

#[test]
fn a_work_tree_and_its_index_are_left_alone() {
    let (dir, store) = repo(false, "");
    let file = dir.path().join("sites/drvn/tin-tuc/cao-toc.md");
    let mine = "chưa commit: bản sửa dở trong thư mục làm việc\n";
    std::fs::write(&file, mine).unwrap();
    std::fs::write(
        dir.path().join("sites/drvn/tin-tuc/cau/index.md"),
        "staged\n",
    )
    .unwrap();
    git(dir.path(), &["add", "sites/drvn/tin-tuc/cau/index.md"]);
    let status = git(dir.path(), &["status", "--porcelain=v1", "--branch"]);
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    let p = page("tin-tuc/cao-toc.md");
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    assert!(
        doc.text.contains("Dòng một."),
        "read from git, not the work tree"
    );
    let text = doc.text.replace("Dòng hai.", "Dòng hai đã sửa.");
    let saved = store.save(&p, &text, Some(&doc.blob), &editor()).unwrap();
    // The uncommitted edit and the staged one survive; git sees the same state.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), mine);
    assert_eq!(
        git(dir.path(), &["status", "--porcelain=v1", "--branch"]),
        status
    );
    assert_eq!(git(dir.path(), &["rev-parse", "HEAD"]), head);
    // The draft branch holds the edit.
    let shown = git(
        dir.path(),
        &[
            "show",
            &format!("{}:sites/drvn/tin-tuc/cao-toc.md", saved.commit),
        ],
    );
    assert_eq!(shown, text);
    assert_fsck_clean(&store);
}

#[test]
fn content_in_a_folder_of_the_repository() {
    let (dir, store) = repo(false, "content/");
    assert_eq!(store.prefix(), "content/");
    let p = page("tin-tuc/cao-toc.md");
    let doc = store.read(&p, Stage::Published).unwrap().unwrap();
    let text = doc.text.replace("Dòng ba.", "Dòng ba mới.");
    let saved = store.save(&p, &text, Some(&doc.blob), &editor()).unwrap();
    let shown = git(
        dir.path(),
        &[
            "show",
            &format!("{}:content/sites/drvn/tin-tuc/cao-toc.md", saved.commit),
        ],
    );
    assert_eq!(shown, text);
    // Opened from the repository's root, the content folder is the whole repository.
    let root = Store::open(dir.path(), "main").unwrap();
    assert_eq!(root.prefix(), "");
    assert!(root.read(&p, Stage::Draft).unwrap().is_none());
}

#[test]
fn if_match_guards_every_save() {
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cao-toc.md");
    let published = store.read(&p, Stage::Published).unwrap().unwrap();
    // Creating a page that exists is refused.
    let e = store.save(&p, "x", None, &editor()).unwrap_err();
    assert!(matches!(e, StoreError::Exists(_)), "{e}");
    // A stale id: conflict, with the current version, yours, and a diff.
    let e = store
        .save(
            &p,
            "khác\n",
            Some("0123456789abcdef0123456789abcdef01234567"),
            &editor(),
        )
        .unwrap_err();
    let StoreError::Conflict {
        current,
        yours,
        diff,
        ..
    } = e
    else {
        panic!("{e}")
    };
    assert_eq!(current.unwrap().blob, published.blob);
    assert_eq!(yours.as_deref(), Some("khác\n"));
    assert!(
        diff.contains("--- current") && diff.contains("+khác"),
        "{diff}"
    );
    // The published blob is the version to start from when there is no draft; then the
    // draft's blob is, and the published one is stale.
    let one = published.text.replace("Dòng một.", "Dòng 1.");
    let s1 = store
        .save(&p, &one, Some(&published.blob.to_uppercase()), &editor())
        .unwrap();
    let e = store
        .save(&p, "hai\n", Some(&published.blob), &editor2())
        .unwrap_err();
    let StoreError::Conflict { current, diff, .. } = e else {
        panic!("{e}")
    };
    assert_eq!(current.unwrap().text, one);
    assert!(diff.contains("-Dòng 1.") && diff.contains("+hai"), "{diff}");
    store
        .save(&p, "hai\n", s1.blob.as_deref(), &editor2())
        .unwrap();
    // A page that does not exist cannot be edited, only created.
    let e = store
        .save(&page("khong-co.md"), "x", Some(&published.blob), &editor())
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    // A page created on a draft exists for a second creator.
    store
        .save(&page("moi.md"), "một\n", None, &editor())
        .unwrap();
    let e = store
        .save(&page("moi.md"), "hai\n", None, &editor2())
        .unwrap_err();
    assert!(matches!(e, StoreError::Exists(_)), "{e}");
}

#[test]
fn text_is_stored_in_nfc_and_an_unchanged_save_makes_no_commit() {
    let (_dir, store) = repo(true, "");
    let p = page("viet.md");
    let nfd =
        "+++\ntitle = \"Vie\u{0323}\u{0302}t\"\n+++\nTie\u{0302}\u{0301}ng Vie\u{0323}\u{0302}t\n";
    let s = store.save(&p, nfd, None, &editor()).unwrap();
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    assert_eq!(doc.text, "+++\ntitle = \"Việt\"\n+++\nTiếng Việt\n");
    let again = store.save(&p, nfd, s.blob.as_deref(), &editor()).unwrap();
    assert_eq!(again.commit, s.commit, "no new commit for no change");
}

#[test]
fn a_delete_is_a_commit_on_the_draft_and_takes_the_bundle_files() {
    let (_dir, store) = repo(true, "");
    let main = store.published_commit().unwrap();
    let p = page("tin-tuc/cao-toc.md");
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    let e = store.delete(&p, "abc", &editor()).unwrap_err();
    assert!(matches!(e, StoreError::Conflict { yours: None, .. }), "{e}");
    let s = store.delete(&p, &doc.blob, &editor()).unwrap();
    assert_eq!(s.blob, None);
    let msg = git(
        store.git_dir(),
        &["log", "-1", "--format=%an|%s", &s.commit],
    );
    assert_eq!(
        msg.trim(),
        "Nguyễn Văn An|Xóa: Cao tốc Bắc Nam (drvn/tin-tuc/cao-toc.md)"
    );
    assert!(store.read(&p, Stage::Draft).unwrap().is_none());
    assert!(store.read(&p, Stage::Published).unwrap().is_some());
    assert_eq!(store.published_commit().unwrap(), main);
    // Deleting it again: it is gone from the draft, a conflict for whoever saw it.
    let e = store.delete(&p, &doc.blob, &editor()).unwrap_err();
    assert!(
        matches!(e, StoreError::Conflict { current: None, .. }),
        "{e}"
    );
    // A bundle goes with its files.
    let b = page("tin-tuc/cau/index.md");
    let doc = store.read(&b, Stage::Draft).unwrap().unwrap();
    let s = store.delete(&b, &doc.blob, &editor()).unwrap();
    let tree = git(
        store.git_dir(),
        &["ls-tree", "-r", "--name-only", &s.commit],
    );
    assert!(!tree.contains("tin-tuc/cau/"), "{tree}");
    assert!(tree.contains("sites/mt/_index.md"), "{tree}");
    // Unless a translation stays in the folder.
    let (_dir, store) = repo(true, "");
    let en = "sites/drvn/tin-tuc/cau/index.en.md".to_string();
    commit_files(
        &open(&store),
        "main",
        &[(en, "---\ntitle: New bridge\n---\n")],
        "en",
    );
    let doc = store.read(&b, Stage::Draft).unwrap().unwrap();
    let s = store.delete(&b, &doc.blob, &editor()).unwrap();
    let tree = git(
        store.git_dir(),
        &["ls-tree", "-r", "--name-only", &s.commit],
    );
    assert!(!tree.contains("tin-tuc/cau/index.md"), "{tree}");
    assert!(
        tree.contains("tin-tuc/cau/anh.jpg") && tree.contains("index.en.md"),
        "{tree}"
    );
    // Nothing to delete.
    let e = store
        .delete(&page("khong.md"), "abc", &editor())
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
}

#[test]
fn files_are_uploaded_into_the_bundle_on_the_draft() {
    let (_dir, store) = repo(true, "");
    let b = page("tin-tuc/cau/index.md");
    assert_eq!(store.list_files(&b, Stage::Draft).unwrap(), ["anh.jpg"]);
    let doc = store.read(&b, Stage::Draft).unwrap().unwrap();
    let bytes = [0xFFu8, 0xD8, 0xFF, 0x00, 0x01];
    let s = store.put_file(&b, "sơ-đồ.png", &bytes, &editor()).unwrap();
    assert_eq!(
        s.blob.as_deref(),
        Some(doc.blob.as_str()),
        "the page's blob"
    );
    let msg = git(
        store.git_dir(),
        &["log", "-1", "--format=%an|%s", &s.commit],
    );
    assert_eq!(
        msg.trim(),
        "Nguyễn Văn An|Tải lên: sơ-đồ.png (drvn/tin-tuc/cau/index.md)"
    );
    assert_eq!(
        store
            .read_file(&b, "sơ-đồ.png", Stage::Draft)
            .unwrap()
            .unwrap(),
        bytes
    );
    assert!(store
        .read_file(&b, "sơ-đồ.png", Stage::Published)
        .unwrap()
        .is_none());
    assert_eq!(
        store.list_files(&b, Stage::Draft).unwrap(),
        ["anh.jpg", "sơ-đồ.png"]
    );
    assert_eq!(store.list_files(&b, Stage::Published).unwrap(), ["anh.jpg"]);
    assert_eq!(
        store.read(&b, Stage::Draft).unwrap().unwrap().status,
        Status::Draft
    );
    // Replacing a file is a new version of it.
    store.put_file(&b, "anh.jpg", b"PNG2", &editor()).unwrap();
    assert_eq!(
        store
            .read_file(&b, "anh.jpg", Stage::Draft)
            .unwrap()
            .unwrap(),
        b"PNG2"
    );
    assert_eq!(
        store
            .read_file(&b, "anh.jpg", Stage::Published)
            .unwrap()
            .unwrap(),
        b"JPEG"
    );
    // A single-file page has no bundle; a page that does not exist takes no file.
    let single = page("tin-tuc/cao-toc.md");
    let e = store
        .put_file(&single, "a.png", b"x", &editor())
        .unwrap_err();
    assert!(e.to_string().contains("bundle"), "{e}");
    assert!(store.list_files(&single, Stage::Draft).unwrap().is_empty());
    let e = store
        .put_file(&page("khong/index.md"), "a.png", b"x", &editor())
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
}

#[test]
fn bad_file_names_are_refused_and_nothing_is_written() {
    let (_dir, store) = repo(true, "");
    let b = page("tin-tuc/cau/index.md");
    for name in [
        "../../mt/_index.md",
        "../x.png",
        "a/b.png",
        "/etc/passwd",
        "..",
        "",
        ".htaccess",
        "ghi-chu.md",
        "a b.png",
        "a\\b.png",
        "a\u{0}.png",
        "x.lock",
        "a:b.png",
    ] {
        let e = store.put_file(&b, name, b"x", &editor()).unwrap_err();
        assert!(matches!(e, StoreError::InvalidPath { .. }), "{name:?}: {e}");
    }
    for name in ["../../mt/_index.md", "/etc/passwd", "", ".git/config"] {
        let e = store.read_file(&b, name, Stage::Draft).unwrap_err();
        assert!(matches!(e, StoreError::InvalidPath { .. }), "{name:?}: {e}");
    }
    assert!(
        store.drafts(None).unwrap().is_empty(),
        "nothing was written"
    );
    let e = store.drafts(Some("../x")).unwrap_err();
    assert!(matches!(e, StoreError::InvalidPath { .. }), "{e}");
}

#[test]
fn bad_pages_authors_and_branches_are_refused() {
    // Each class of bad path is in the unit tests of `page_ref`; here the messages.
    let e = PageRef::new("drvn", "../mt/_index.md").unwrap_err();
    assert_eq!(
        e.to_string(),
        "path `../mt/_index.md`: `..` is not allowed: the path must stay inside the site's folder"
    );
    let e = PageRef::new("DRVN", "a.md").unwrap_err();
    assert!(e.to_string().starts_with("site `DRVN`: "), "{e}");
    let (dir, store) = repo(true, "");
    let nobody = Author {
        name: "".into(),
        email: "".into(),
    };
    let e = store.save(&page("a.md"), "x", None, &nobody).unwrap_err();
    assert!(
        matches!(e, StoreError::InvalidPath { what: "author", .. }),
        "{e}"
    );
    let forged = Author {
        name: "A <evil@x>".into(),
        email: "a@x".into(),
    };
    let e = store.save(&page("a.md"), "x", None, &forged).unwrap_err();
    assert!(
        matches!(e, StoreError::InvalidPath { what: "author", .. }),
        "{e}"
    );
    for branch in ["cms/x", "cms", "a..b", "", "a b", "x.lock"] {
        let e = Store::open(dir.path(), branch);
        assert!(
            matches!(e, Err(StoreError::InvalidPath { .. })),
            "{branch:?}"
        );
    }
    let nowhere = tempfile::tempdir().unwrap();
    let e = Store::open(nowhere.path(), "main").unwrap_err();
    assert!(e.to_string().contains("git repository"), "{e}");
}
