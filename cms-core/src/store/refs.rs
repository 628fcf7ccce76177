//! Moving refs by compare-and-swap, and listing the draft branches.
//!
//! git locks a ref by creating `<ref>.lock` exclusively (libgit2 and the `git` CLI alike), and
//! libgit2 compares the old value under that lock, so a swap holds across threads and
//! processes. A writer that finds the lock taken waits a little and tries again: the holder
//! either moves the ref (then this swap fails, as it should) or gives up (then it succeeds).

use std::time::Duration;

use git2::{ErrorCode, Oid, Repository};

use super::open::{ref_commit, ref_target};
use super::page_ref::check_site;
use super::read::blob_text;
use super::tree::blob_at;
use super::{Author, Draft, DraftText, PageRef, Status, Store, StoreError};

/// How many times a writer waits for a ref's lock before giving up, and how long each time.
const LOCK_TRIES: u32 = 200;
const LOCK_WAIT: Duration = Duration::from_millis(5);

/// Points the ref `name` at `new` if it still points at `old` (`None`: if it does not exist
/// yet). `Ok(false)` when it moved meanwhile: nothing was written.
pub(super) fn swap(
    repo: &Repository,
    name: &str,
    new: Oid,
    old: Option<Oid>,
    message: &str,
) -> Result<bool, StoreError> {
    // libgit2 takes a zero id as "must not exist", checked under the lock; `force = false`
    // would check that before taking the lock, which two creators can both pass.
    let expected = old.unwrap_or(Oid::ZERO_SHA1);
    locked(name, || {
        match repo.reference_matching(name, new, true, expected, message) {
            Ok(_) => Ok(true),
            Err(e) if moved(&e) => Ok(false),
            Err(e) => Err(e),
        }
    })
}

/// Deletes the ref `name` if it still points at `old`; `Ok(false)` when it moved or is gone.
pub(super) fn remove(repo: &Repository, name: &str, old: Oid) -> Result<bool, StoreError> {
    locked(name, || {
        let mut r = match repo.find_reference(name) {
            Ok(r) => r,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if r.target() != Some(old) {
            return Ok(false);
        }
        // libgit2 deletes only if the ref still has the target it was read with.
        match r.delete() {
            Ok(()) => Ok(true),
            Err(e) if moved(&e) => Ok(false),
            Err(e) => Err(e),
        }
    })
}

/// Deletes the ref `name` whatever it points at, if it exists.
pub(super) fn remove_any(repo: &Repository, name: &str) -> Result<(), StoreError> {
    while let Some(target) = ref_target(repo, name)? {
        if remove(repo, name, target)? {
            break;
        }
    }
    Ok(())
}

/// Whether a ref update failed because the ref is not what the writer expected.
fn moved(e: &git2::Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::Modified | ErrorCode::Exists | ErrorCode::NotFound
    )
}

/// Runs a ref update, again while another writer holds the ref's lock.
fn locked<T>(name: &str, mut op: impl FnMut() -> Result<T, git2::Error>) -> Result<T, StoreError> {
    for _ in 0..LOCK_TRIES {
        match op() {
            Err(e) if e.code() == ErrorCode::Locked => std::thread::sleep(LOCK_WAIT),
            other => return Ok(other?),
        }
    }
    Err(StoreError::Workflow(format!(
        "`{name}` đang bị khóa quá lâu (locked: another write is running, or a crashed one left `{name}.lock`; remove that file if no git process is running)"
    )))
}

impl Store {
    /// Every draft branch, of one site or all, sorted by page.
    pub fn drafts(&self, site: Option<&str>) -> Result<Vec<Draft>, StoreError> {
        let repo = self.repo()?;
        let published = ref_target(&repo, &self.published_ref())?;
        self.each_draft(&repo, site, |page, head| {
            self.describe(&repo, page, head, published)
        })
    }

    /// The page text of each of `drafts` (as [`Store::drafts`] gave them), read over one open
    /// repository: one tree lookup and one blob read per draft; for a deletion, the
    /// published text (what is deleted). A commit never changes, so a caller may keep a text
    /// by its draft's `head`.
    pub fn draft_texts(&self, drafts: &[&Draft]) -> Result<Vec<DraftText>, StoreError> {
        let repo = self.repo()?;
        let published = ref_target(&repo, &self.published_ref())?;
        let published_tree = match published {
            Some(p) => Some(repo.find_commit(p)?.tree()?),
            None => None,
        };
        let text_of = |d: &Draft| -> Result<DraftText, StoreError> {
            let path = self.repo_path(&d.page);
            let head = repo.find_commit(Oid::from_str(&d.head)?)?;
            let (blob, deleted) = match blob_at(&head.tree()?, &path)? {
                Some(id) => (Some(id), false),
                None => match &published_tree {
                    Some(t) => (blob_at(t, &path)?, true),
                    None => (None, true),
                },
            };
            let text = blob.map(|id| blob_text(&repo, id)).transpose()?;
            Ok(DraftText { text, deleted })
        };
        drafts.iter().map(|d| text_of(d)).collect()
    }

    /// `f` of each draft branch of `site` (all sites: `None`), sorted by page.
    fn each_draft<T>(
        &self,
        repo: &Repository,
        site: Option<&str>,
        mut f: impl FnMut(PageRef, &git2::Commit<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        if let Some(site) = site {
            check_site(site)?;
        }
        let prefix = match site {
            Some(s) => format!("refs/heads/cms/{s}/"),
            None => "refs/heads/cms/".to_string(),
        };
        let mut pages = Vec::new();
        for r in repo.references_glob(&format!("{prefix}*"))? {
            let r = r?;
            let Some(rest) = r
                .name()
                .ok()
                .and_then(|n| n.strip_prefix("refs/heads/cms/"))
            else {
                continue;
            };
            // Branches under `cms/` that are not a valid page were not made here: skip them.
            let Some((site, path)) = rest.split_once('/') else {
                continue;
            };
            let Ok(page) = PageRef::new(site, path) else {
                continue;
            };
            if page.path != path {
                continue;
            }
            pages.push((page, r.peel_to_commit()?));
        }
        pages.sort_by(|a, b| a.0.cmp(&b.0));
        pages
            .into_iter()
            .map(|(page, head)| f(page, &head))
            .collect()
    }

    /// The page's draft, if it has one.
    pub fn draft(&self, page: &PageRef) -> Result<Option<Draft>, StoreError> {
        let repo = self.repo()?;
        let Some(head) = ref_commit(&repo, &page.branch_ref())? else {
            return Ok(None);
        };
        let published = ref_target(&repo, &self.published_ref())?;
        Ok(Some(self.describe(
            &repo,
            page.clone(),
            &head,
            published,
        )?))
    }

    /// A [`Draft`] from its head commit.
    fn describe(
        &self,
        repo: &Repository,
        page: PageRef,
        head: &git2::Commit<'_>,
        published: Option<Oid>,
    ) -> Result<Draft, StoreError> {
        let base = match published {
            Some(p) => match repo.merge_base(p, head.id()) {
                Ok(b) => b.to_string(),
                Err(e) if e.code() == ErrorCode::NotFound => String::new(),
                Err(e) => return Err(e.into()),
            },
            None => String::new(),
        };
        let submitted = ref_target(repo, &page.review_ref())?;
        Ok(Draft {
            head: head.id().to_string(),
            base,
            author: author_of(&head.author()),
            time: head.time().seconds(),
            message: String::from_utf8_lossy(head.message_bytes()).into_owned(),
            status: match submitted {
                Some(_) => Status::InReview,
                None => Status::Draft,
            },
            submitted: submitted.map(|s| s.to_string()),
            page,
        })
    }
}

/// The [`Author`] of a commit signature.
pub(super) fn author_of(sig: &git2::Signature<'_>) -> Author {
    Author {
        name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
    }
}
