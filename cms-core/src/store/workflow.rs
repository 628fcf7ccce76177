//! The editorial workflow: Draft → In review (a ref at the submitted commit) → Published (the
//! draft merged into the published branch), or back to Draft; and discarding a draft.

use git2::{Commit, Repository};

use super::open::ref_commit;
use super::read::blob_text;
use super::refs::{remove, remove_any, swap};
use super::text::title;
use super::tree::blob_at;
use super::write::signature;
use super::{Author, Draft, Merged, PageRef, Store, StoreError};

/// How many times a publish merges again when another publish moved the published branch
/// first. Each lost race means another publish went through, so this bounds waiting, not
/// progress.
const PUBLISH_TRIES: usize = 64;

impl Store {
    /// Submits the draft for review (points the review ref at its head).
    pub fn submit(&self, page: &PageRef) -> Result<Draft, StoreError> {
        let repo = self.repo()?;
        let heads = self.heads(&repo, page)?;
        let Some(draft) = &heads.draft else {
            return Err(StoreError::Workflow(format!(
                "{}: chưa có bản nháp để gửi duyệt (no draft to submit: save a change first)",
                page.content_path()
            )));
        };
        if heads.review != Some(draft.id())
            && !swap(
                &repo,
                &page.review_ref(),
                draft.id(),
                heads.review,
                "cms: submit",
            )?
        {
            return Err(changed_meanwhile(page));
        }
        self.draft(page)?.ok_or_else(|| changed_meanwhile(page))
    }

    /// Sends a draft in review back to draft (removes the review ref).
    pub fn reject(&self, page: &PageRef) -> Result<Draft, StoreError> {
        let repo = self.repo()?;
        let heads = self.heads(&repo, page)?;
        let (Some(_), Some(review)) = (&heads.draft, heads.review) else {
            return Err(StoreError::Workflow(format!(
                "{}: không ở trạng thái chờ duyệt (not in review: nothing to reject)",
                page.content_path()
            )));
        };
        remove(&repo, &page.review_ref(), review)?;
        self.draft(page)?.ok_or_else(|| changed_meanwhile(page))
    }

    /// Publishes the draft in review: merges its branch into the published branch with a
    /// commit by `approver` (`Xuất bản: <title> (<site>/<path>)`), compare-and-swap on the
    /// published branch (retried when another publish moved it), then removes the draft and
    /// review refs. Refused when the draft changed since it was submitted, or on conflicts.
    pub fn publish(&self, page: &PageRef, approver: &Author) -> Result<Merged, StoreError> {
        let sig = signature(approver)?;
        let repo = self.repo()?;
        let heads = self.heads(&repo, page)?;
        let Some(draft) = &heads.draft else {
            return Err(StoreError::Workflow(format!(
                "{}: không có bản nháp để xuất bản (no draft to publish)",
                page.content_path()
            )));
        };
        let Some(review) = heads.review else {
            return Err(StoreError::Workflow(format!(
                "{}: bản nháp chưa được gửi duyệt (not submitted for review: submit it first)",
                page.content_path()
            )));
        };
        if review != draft.id() {
            return Err(StoreError::Workflow(format!(
                "{}: bản nháp đã thay đổi sau khi gửi duyệt (the draft changed since it was submitted: review it and submit it again)",
                page.content_path()
            )));
        }
        let message = format!(
            "Xuất bản: {} ({}/{})",
            self.title_at(&repo, page, [Some(draft), heads.published.as_ref()])?,
            page.site,
            page.path
        );
        let published_ref = self.published_ref();
        for _ in 0..PUBLISH_TRIES {
            let published = ref_commit(&repo, &published_ref)?;
            let tree = match &published {
                Some(p) => self.merged_tree(&repo, page, p, draft)?,
                None => draft.tree_id(),
            };
            let tree = repo.find_tree(tree)?;
            let parents: Vec<&Commit<'_>> = published.iter().chain([draft]).collect();
            let commit = repo.commit(None, &sig, &sig, &message, &tree, &parents)?;
            let old = published.as_ref().map(Commit::id);
            if swap(&repo, &published_ref, commit, old, &message)? {
                // A save that slipped in after the check stays on the branch as a new draft.
                remove(&repo, &page.branch_ref(), draft.id())?;
                remove(&repo, &page.review_ref(), review)?;
                return Ok(Merged {
                    commit: commit.to_string(),
                });
            }
        }
        Err(StoreError::Workflow(format!(
            "{}: nhánh xuất bản thay đổi liên tục (the published branch kept moving: publish again)",
            page.content_path()
        )))
    }

    /// Drops the draft (branch and review ref) without publishing it.
    pub fn discard(&self, page: &PageRef) -> Result<(), StoreError> {
        let repo = self.repo()?;
        let heads = self.heads(&repo, page)?;
        let Some(draft) = &heads.draft else {
            return Err(StoreError::NotFound(format!(
                "the draft of {}",
                page.content_path()
            )));
        };
        // Only the version the discarder saw: a save made meanwhile is not thrown away unseen.
        if !remove(&repo, &page.branch_ref(), draft.id())? {
            return Err(changed_meanwhile(page));
        }
        remove_any(&repo, &page.review_ref())
    }

    /// The tree of `draft` merged into `published`; conflicts are refused, never resolved.
    fn merged_tree(
        &self,
        repo: &Repository,
        page: &PageRef,
        published: &Commit<'_>,
        draft: &Commit<'_>,
    ) -> Result<git2::Oid, StoreError> {
        // The published branch has not moved since the fork: the draft's tree is the result,
        // without building an index of the whole repository.
        if repo.merge_base(published.id(), draft.id()).ok() == Some(published.id()) {
            return Ok(draft.tree_id());
        }
        let mut index = repo.merge_commits(published, draft, None)?;
        if index.has_conflicts() {
            let mut paths = Vec::new();
            for c in index.conflicts()? {
                let c = c?;
                if let Some(e) = c.our.or(c.their).or(c.ancestor) {
                    let path = String::from_utf8_lossy(&e.path).into_owned();
                    let path = path.strip_prefix(&self.prefix).unwrap_or(&path).to_string();
                    paths.push(path);
                }
            }
            paths.sort();
            paths.dedup();
            return Err(StoreError::MergeConflict {
                page: page.clone(),
                paths,
            });
        }
        Ok(index.write_tree_to(repo)?)
    }

    /// The page's title in the first of `commits` that has the page, else its path.
    pub(super) fn title_at<'a, 'r: 'a>(
        &self,
        repo: &Repository,
        page: &PageRef,
        commits: impl IntoIterator<Item = Option<&'a Commit<'r>>>,
    ) -> Result<String, StoreError> {
        let path = self.repo_path(page);
        for commit in commits.into_iter().flatten() {
            if let Some(blob) = blob_at(&commit.tree()?, &path)? {
                return Ok(title(&blob_text(repo, blob)?, &page.path));
            }
        }
        Ok(page.path.clone())
    }
}

/// The error of a workflow step that lost a race with another one.
fn changed_meanwhile(page: &PageRef) -> StoreError {
    StoreError::Workflow(format!(
        "{}: bản nháp vừa thay đổi (the draft changed meanwhile: reload it and try again)",
        page.content_path()
    ))
}
