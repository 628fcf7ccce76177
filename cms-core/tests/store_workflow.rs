//! The editorial workflow on real repositories: Draft → In review → Published (a merge commit
//! by the approver) or back to Draft; merge conflicts reported with nothing moved; deletions
//! published; drafts listed and discarded; history, diffs and restore.

mod store_common;

use cms_core::store::{Stage, Status, StoreError};
use store_common::*;

const PAGE: &str = "sites/drvn/tin-tuc/cao-toc.md";

/// The seed page's text.
fn seed_text() -> &'static str {
    SEED.iter().find(|(p, _)| *p == PAGE).unwrap().1
}

/// The text of the seed page with `from` replaced by `to`.
fn edited(from: &str, to: &str) -> String {
    assert!(seed_text().contains(from));
    seed_text().replace(from, to)
}

#[test]
fn submit_reject_and_publish() {
    let (_dir, store) = repo(true, "");
    let main = store.published_commit().unwrap();
    let p = page("tin-tuc/cao-toc.md");
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    let text = edited("Dòng một.", "Dòng một đã sửa.");
    let saved = store.save(&p, &text, Some(&doc.blob), &editor()).unwrap();
    let draft = store.draft(&p).unwrap().unwrap();
    assert_eq!(
        (draft.status, draft.head.as_str()),
        (Status::Draft, saved.commit.as_str())
    );
    assert_eq!(draft.base, main);
    assert_eq!(draft.author, editor());
    assert_eq!(
        draft.message,
        "Sửa: Cao tốc Bắc Nam (drvn/tin-tuc/cao-toc.md)"
    );
    assert_eq!(
        store.drafts(Some("drvn")).unwrap(),
        std::slice::from_ref(&draft)
    );
    assert_eq!(store.drafts(None).unwrap(), [draft]);
    assert!(store.drafts(Some("mt")).unwrap().is_empty());
    // Not submitted: not publishable.
    let e = store.publish(&p, &approver()).unwrap_err();
    assert!(
        matches!(e, StoreError::Workflow(_)) && e.to_string().contains("submit"),
        "{e}"
    );
    let d = store.submit(&p).unwrap();
    assert_eq!(d.status, Status::InReview);
    assert_eq!(d.submitted.as_deref(), Some(saved.commit.as_str()));
    assert_eq!(
        store.read(&p, Stage::Draft).unwrap().unwrap().status,
        Status::InReview
    );
    let d = store.reject(&p).unwrap();
    assert_eq!((d.status, d.submitted), (Status::Draft, None));
    let e = store.reject(&p).unwrap_err();
    assert!(matches!(e, StoreError::Workflow(_)), "{e}");
    // A save in review takes it back to draft.
    store.submit(&p).unwrap();
    let text = edited("Dòng một.", "Dòng một sửa lần hai.");
    let saved = store
        .save(&p, &text, saved.blob.as_deref(), &editor())
        .unwrap();
    assert_eq!(store.draft(&p).unwrap().unwrap().status, Status::Draft);
    assert_eq!(
        store.published_commit().unwrap(),
        main,
        "nothing published yet"
    );
    // Submitted and approved: a merge commit by the approver on the published branch.
    store.submit(&p).unwrap();
    let merged = store.publish(&p, &approver()).unwrap();
    assert_eq!(store.published_commit().unwrap(), merged.commit);
    let log = git(
        store.git_dir(),
        &["log", "-1", "--format=%an|%cn|%P|%s", "main"],
    );
    assert_eq!(
        log.trim(),
        format!(
            "Lê Văn Duyệt|Lê Văn Duyệt|{main} {}|Xuất bản: Cao tốc Bắc Nam (drvn/tin-tuc/cao-toc.md)",
            saved.commit
        )
    );
    let authors = git(store.git_dir(), &["log", "--format=%an", "main"]);
    assert!(authors.contains("Nguyễn Văn An"), "{authors}");
    let published = store.read(&p, Stage::Published).unwrap().unwrap();
    assert_eq!(published.text, text);
    assert_eq!(
        (published.status, published.stage),
        (Status::Published, Stage::Published)
    );
    // The draft and its review ref are gone.
    assert!(store.draft(&p).unwrap().is_none());
    assert_eq!(
        ref_id(&store, "refs/cms-review/drvn/tin-tuc/cao-toc.md"),
        None
    );
    assert!(store.drafts(None).unwrap().is_empty());
    let e = store.publish(&p, &approver()).unwrap_err();
    assert!(matches!(e, StoreError::Workflow(_)), "{e}");
    let e = store.submit(&p).unwrap_err();
    assert!(matches!(e, StoreError::Workflow(_)), "{e}");
    assert_fsck_clean(&store);
}

#[test]
fn a_draft_changed_since_it_was_submitted_is_not_published() {
    let (_dir, store) = repo(true, "");
    let main = store.published_commit().unwrap();
    let p = page("tin-tuc/cao-toc.md");
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    store
        .save(
            &p,
            &edited("Dòng hai.", "Dòng 2."),
            Some(&doc.blob),
            &editor(),
        )
        .unwrap();
    let submitted = store.submit(&p).unwrap().submitted;
    // Someone pushes onto the draft branch after it was submitted.
    let pushed = edited("Dòng hai.", "Dòng 2, đẩy lên bằng git.");
    commit_files(
        &open(&store),
        "cms/drvn/tin-tuc/cao-toc.md",
        &[(PAGE.into(), &pushed)],
        "push",
    );
    let e = store.publish(&p, &approver()).unwrap_err();
    assert!(
        e.to_string().contains("changed since it was submitted"),
        "{e}"
    );
    assert_eq!(store.published_commit().unwrap(), main);
    assert_eq!(store.draft(&p).unwrap().unwrap().submitted, submitted);
}

#[test]
fn a_merge_conflict_is_reported_and_nothing_moves() {
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cao-toc.md");
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    store
        .save(
            &p,
            &edited("Dòng ba.", "Dòng ba (bản nháp)."),
            Some(&doc.blob),
            &editor(),
        )
        .unwrap();
    let d = store.submit(&p).unwrap();
    // The same line changed on the published branch directly.
    let main_text = edited("Dòng ba.", "Dòng ba (sửa thẳng trên main).");
    let main = commit_files(
        &open(&store),
        "main",
        &[(PAGE.into(), &main_text)],
        "direct",
    );
    let e = store.publish(&p, &approver()).unwrap_err();
    let StoreError::MergeConflict { paths, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(paths, &[PAGE]);
    assert!(
        e.to_string()
            .contains("conflicts with the published branch"),
        "{e}"
    );
    assert_eq!(store.published_commit().unwrap(), main.to_string());
    let after = store.draft(&p).unwrap().unwrap();
    assert_eq!((after.head, after.submitted), (d.head, d.submitted));
    assert_eq!(
        store.read(&p, Stage::Published).unwrap().unwrap().text,
        main_text
    );
}

#[test]
fn changes_on_other_lines_and_files_merge() {
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cao-toc.md");
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    let draft_text = edited("Dòng một.", "Dòng một (nháp).");
    store
        .save(&p, &draft_text, Some(&doc.blob), &editor())
        .unwrap();
    store.submit(&p).unwrap();
    let main_text = edited("Dòng năm.", "Dòng năm (main).");
    let other = (
        "sites/mt/gioi-thieu.md".to_string(),
        "+++\ntitle = \"GT\"\n+++\n",
    );
    let main = commit_files(
        &open(&store),
        "main",
        &[(PAGE.into(), &main_text), (other.0.clone(), other.1)],
        "direct",
    );
    let merged = store.publish(&p, &approver()).unwrap();
    let text = store.read(&p, Stage::Published).unwrap().unwrap().text;
    assert!(
        text.contains("Dòng một (nháp).") && text.contains("Dòng năm (main)."),
        "{text}"
    );
    let parents = git(
        store.git_dir(),
        &["log", "-1", "--format=%P", &merged.commit],
    );
    assert!(parents.starts_with(&main.to_string()), "{parents}");
    let files = git(store.git_dir(), &["ls-tree", "-r", "--name-only", "main"]);
    assert!(files.contains("sites/mt/gioi-thieu.md"), "{files}");
    assert_fsck_clean(&store);
}

#[test]
fn a_deletion_is_published_as_a_deletion() {
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cau/index.md");
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    store.delete(&p, &doc.blob, &editor()).unwrap();
    store.submit(&p).unwrap();
    let merged = store.publish(&p, &approver()).unwrap();
    let msg = git(
        store.git_dir(),
        &["log", "-1", "--format=%s", &merged.commit],
    );
    assert_eq!(msg.trim(), "Xuất bản: Cầu mới (drvn/tin-tuc/cau/index.md)");
    assert!(store.read(&p, Stage::Published).unwrap().is_none());
    let files = git(store.git_dir(), &["ls-tree", "-r", "--name-only", "main"]);
    assert!(!files.contains("tin-tuc/cau/"), "{files}");
    assert!(files.contains("tin-tuc/cao-toc.md"), "{files}");
}

#[test]
fn a_discarded_draft_leaves_no_ref() {
    let (_dir, store) = repo(true, "");
    let main = store.published_commit().unwrap();
    let p = page("moi.md");
    store
        .save(&p, "+++\ntitle = \"Mới\"\n+++\n", None, &editor())
        .unwrap();
    store.submit(&p).unwrap();
    store.discard(&p).unwrap();
    assert!(store.draft(&p).unwrap().is_none());
    assert_eq!(ref_id(&store, "refs/cms-review/drvn/moi.md"), None);
    assert!(store.read(&p, Stage::Draft).unwrap().is_none());
    assert_eq!(store.published_commit().unwrap(), main);
    let e = store.discard(&p).unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
}

#[test]
fn history_diff_and_restore() {
    let (_dir, store) = repo(true, "");
    let p = page("tin-tuc/cao-toc.md");
    let seed = store.published_commit().unwrap();
    let doc = store.read(&p, Stage::Draft).unwrap().unwrap();
    let v1 = edited(
        "title = \"Cao tốc Bắc Nam\"",
        "title = \"Cao tốc Bắc – Nam\"",
    );
    let s1 = store.save(&p, &v1, Some(&doc.blob), &editor()).unwrap();
    store.submit(&p).unwrap();
    let merged = store.publish(&p, &approver()).unwrap();
    // A commit on main that does not touch the page is not in its history.
    let other = ("sites/mt/x.md".to_string(), "+++\ntitle = \"X\"\n+++\n");
    commit_files(&open(&store), "main", &[other], "other page");
    let v2 = v1
        .replace(
            "+++\n\n",
            "[extra]\nso_hieu = \"12/2024/QĐ-BGTVT\"\n+++\n\n",
        )
        .replace("Dòng bốn.", "Dòng bốn đã sửa.");
    let s2 = store.save(&p, &v2, s1.blob.as_deref(), &editor2()).unwrap();
    let h = store.history(&p).unwrap();
    let seen: Vec<(&str, bool, &str)> = h
        .iter()
        .map(|v| (v.commit.as_str(), v.published, v.author.name.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (s2.commit.as_str(), false, "Trần Thị Bình"),
            (merged.commit.as_str(), true, "Lê Văn Duyệt"),
            (s1.commit.as_str(), true, "Nguyễn Văn An"),
            (seed.as_str(), true, "Người Ngoài"),
        ]
    );
    assert_eq!(h[0].blob, s2.blob);
    assert_eq!(
        h[2].message,
        "Sửa: Cao tốc Bắc – Nam (drvn/tin-tuc/cao-toc.md)"
    );
    // The difference: front matter fields by name, the body as a unified diff.
    let d = store.diff(&p, &seed[..10], &s2.commit).unwrap();
    assert_eq!(
        (d.from.as_str(), d.to.as_str()),
        (seed.as_str(), s2.commit.as_str())
    );
    let fields: Vec<(&str, Option<&str>, Option<&str>)> = d
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.old.as_deref(), f.new.as_deref()))
        .collect();
    assert_eq!(
        fields,
        [
            ("extra.so_hieu", None, Some("\"12/2024/QĐ-BGTVT\"")),
            (
                "title",
                Some("\"Cao tốc Bắc Nam\""),
                Some("\"Cao tốc Bắc – Nam\"")
            ),
        ]
    );
    assert!(
        d.body.contains("-Dòng bốn.\n+Dòng bốn đã sửa.\n"),
        "{}",
        d.body
    );
    assert!(!d.body.contains("title"), "{}", d.body);
    // Blob ids work too; equal versions differ in nothing.
    let d = store
        .diff(&p, s1.blob.as_deref().unwrap(), &merged.commit)
        .unwrap();
    assert!(d.fields.is_empty() && d.body.is_empty(), "{d:?}");
    // Restore the first version as a new commit on the draft.
    let r = store.restore(&p, &seed, &editor()).unwrap();
    let msg = git(
        store.git_dir(),
        &["log", "-1", "--format=%an|%s", &r.commit],
    );
    assert_eq!(
        msg.trim(),
        format!(
            "Nguyễn Văn An|Khôi phục: Cao tốc Bắc Nam (drvn/tin-tuc/cao-toc.md) về {}",
            &seed[..7]
        )
    );
    assert_eq!(
        store.read(&p, Stage::Draft).unwrap().unwrap().text,
        seed_text()
    );
    assert_eq!(store.history(&p).unwrap()[0].commit, r.commit);
    // Bad and unknown versions.
    for bad in ["main", "HEAD~1", "../x", "abc", ""] {
        let e = store.restore(&p, bad, &editor()).unwrap_err();
        assert!(matches!(e, StoreError::InvalidPath { .. }), "{bad}: {e}");
    }
    let e = store
        .restore(&p, "0123456789abcdef", &editor())
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    let e = store
        .restore(&page("khong.md"), &seed, &editor())
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    let e = store
        .diff(&page("khong.md"), &seed, &s2.commit)
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
}

#[test]
fn drafts_of_every_site_sorted_by_page() {
    let (_dir, store) = repo(true, "");
    let mt = cms_core::store::PageRef::new("mt", "gioi-thieu.md").unwrap();
    store
        .save(&mt, "+++\ntitle = \"GT\"\n+++\n", None, &editor())
        .unwrap();
    store.save(&page("b.md"), "b\n", None, &editor()).unwrap();
    store.save(&page("a/z.md"), "a\n", None, &editor()).unwrap();
    let all: Vec<String> = store
        .drafts(None)
        .unwrap()
        .iter()
        .map(|d| format!("{}/{}", d.page.site, d.page.path))
        .collect();
    assert_eq!(all, ["drvn/a/z.md", "drvn/b.md", "mt/gioi-thieu.md"]);
    assert_eq!(store.drafts(Some("mt")).unwrap().len(), 1);
    // A branch under `cms/` not made by the store is skipped, not an error.
    let repo = open(&store);
    let head = repo.head().unwrap().target().unwrap();
    repo.reference("refs/heads/cms/drvn/khong-phai.txt", head, false, "x")
        .unwrap();
    assert_eq!(store.drafts(None).unwrap().len(), 3);
}
