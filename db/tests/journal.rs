//! The audit log and reviewers' comments, on SQLite and PostgreSQL.

mod common;

use common::each_backend;
use db::{AuditEntry, Comment};

fn entry(action: &str, site: Option<&str>) -> AuditEntry {
    AuditEntry {
        time: 0,
        actor: "an".into(),
        action: action.into(),
        site: site.map(Into::into),
        path: site.map(|_| "tin-tuc/cao-toc.md".into()),
        commit: Some("0123abcd".into()),
        detail: None,
    }
}

#[tokio::test]
async fn audit_log_newest_first_filtered_by_site() {
    each_backend(|db| async move {
        db.audit(entry("save", Some("bo-gtvt"))).await.unwrap();
        db.audit(entry("user_add", None)).await.unwrap();
        db.audit(entry("submit", Some("cuc-duong-bo")))
            .await
            .unwrap();
        db.audit(entry("approve", Some("bo-gtvt"))).await.unwrap();

        let all = db.audit_log(None, 100).await.unwrap();
        let actions: Vec<_> = all.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["approve", "submit", "user_add", "save"]);
        assert!(
            all.iter().all(|e| e.time > 1_700_000_000),
            "time set by audit()"
        );
        assert_eq!(all[2].site, None);
        assert_eq!(all[0].commit.as_deref(), Some("0123abcd"));
        assert_eq!(all[0].path.as_deref(), Some("tin-tuc/cao-toc.md"));

        let site = db.audit_log(Some("bo-gtvt"), 100).await.unwrap();
        let actions: Vec<_> = site.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["approve", "save"]);
        assert_eq!(db.audit_log(None, 2).await.unwrap().len(), 2);
        assert!(db.audit_log(Some("khac"), 10).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn comments_oldest_first_per_page() {
    each_backend(|db| async move {
        let c = |path: &str, text: &str| Comment {
            time: 0,
            author: "binh".into(),
            site: "bo-gtvt".into(),
            path: path.into(),
            text: text.into(),
        };
        db.add_comment(c("a.md", "Sửa tiêu đề")).await.unwrap();
        db.add_comment(c("b.md", "khác")).await.unwrap();
        db.add_comment(c("a.md", "Thêm ảnh")).await.unwrap();
        let got = db.comments("bo-gtvt", "a.md").await.unwrap();
        let texts: Vec<_> = got.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["Sửa tiêu đề", "Thêm ảnh"]);
        assert!(got[0].time > 1_700_000_000);
        assert!(db.comments("khac", "a.md").await.unwrap().is_empty());

        assert!(db.add_comment(c("a.md", "  ")).await.is_err());
        assert!(db
            .add_comment(Comment {
                site: "../x".into(),
                ..c("a.md", "x")
            })
            .await
            .is_err());
        assert_eq!(db.comments("bo-gtvt", "a.md").await.unwrap().len(), 2);
    })
    .await;
}
