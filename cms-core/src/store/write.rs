//! Writes to a page's draft branch: save, delete, upload. Each is one commit written straight
//! into the object database on top of the draft's head (or the published head when the page
//! has no draft yet), then the branch is moved by compare-and-swap from the head it was built
//! on. A writer who lost the race checks its `If-Match` again on the new head: if the page
//! changed, it gets [`StoreError::Conflict`] and nothing is written to refs; if only other
//! files of the draft changed (an upload), its commit is rebuilt on top of them.

use git2::{Oid, Repository, Signature, TreeWalkMode, TreeWalkResult};

use super::open::Heads;
use super::page_ref::{check_file_name, is_markdown};
use super::read::bundle_dir;
use super::refs::{remove, swap};
use super::text::{title, unified};
use super::tree::{self, tree_at};
use super::{Author, PageRef, Saved, Stage, Store, StoreError};

/// How many times a write is tried again when the draft moved while it was being written
/// (each try checks `If-Match` again on the new head). Every lost race means another write
/// went through.
const WRITE_TRIES: usize = 8;

/// What a commit on the draft branch came to.
pub(super) enum Outcome {
    /// The new commit, now the draft's head.
    Committed(Oid),
    /// Nothing changed: no commit; the head it would have been built on.
    Unchanged(Oid),
    /// The draft moved since the heads were read: nothing was written to refs.
    Moved,
}

impl Store {
    /// Saves `text` as the page on its draft branch (created from the published branch when
    /// missing). `if_match`: the blob id the writer started from (the draft's, or the
    /// published one when there is no draft); `None` creates a page that must not exist yet.
    /// Compare-and-swap on the branch: a concurrent save makes this one a
    /// [`StoreError::Conflict`]. A save of a page in review takes it back to draft.
    /// Message: `Sửa: <title> (<site>/<path>)` (`Tạo:` for a new page). The text is stored
    /// in NFC. A save that changes nothing makes no commit (and no draft).
    pub fn save(
        &self,
        page: &PageRef,
        text: &str,
        if_match: Option<&str>,
        author: &Author,
    ) -> Result<Saved, StoreError> {
        let text = crate::text::nfc(text);
        let repo = self.repo()?;
        let blob = repo.blob(text.as_bytes())?;
        for _ in 0..WRITE_TRIES {
            let heads = self.heads(&repo, page)?;
            let current = self.doc(&repo, page, &heads, Stage::Draft)?;
            match (if_match, &current) {
                (None, Some(_)) => return Err(StoreError::Exists(page.content_path())),
                (Some(m), Some(c)) if !same_id(m, &c.blob) => {
                    return Err(self.conflict(&repo, page, Some(&text)))
                }
                (Some(_), None) if heads.draft.is_none() => {
                    return Err(StoreError::NotFound(page.content_path()))
                }
                (Some(_), None) => return Err(self.conflict(&repo, page, Some(&text))),
                _ => {}
            }
            let verb = if current.is_some() { "Sửa" } else { "Tạo" };
            let message = format!(
                "{verb}: {} ({}/{})",
                title(&text, &page.path),
                page.site,
                page.path
            );
            let edits = [(self.repo_path(page), Some(blob))];
            match self.commit_draft(&repo, page, &heads, &edits, &message, author)? {
                // Checked again on the new head: if only other files changed (an upload),
                // the save goes on top of them; if the page changed, it is a conflict.
                Outcome::Moved => continue,
                Outcome::Committed(id) | Outcome::Unchanged(id) => {
                    return Ok(Saved {
                        commit: id.to_string(),
                        blob: Some(blob.to_string()),
                        branch: page.branch(),
                    })
                }
            }
        }
        Err(self.conflict(&repo, page, Some(&text)))
    }

    /// Deletes the page on its draft branch (published when approved); for a bundle
    /// (`x/index.md`), its files too, unless other pages (translations) stay in its folder.
    /// `if_match` as for [`Store::save`]. Message: `Xóa: <title> (<site>/<path>)`.
    pub fn delete(
        &self,
        page: &PageRef,
        if_match: &str,
        author: &Author,
    ) -> Result<Saved, StoreError> {
        let repo = self.repo()?;
        for _ in 0..WRITE_TRIES {
            let heads = self.heads(&repo, page)?;
            let Some(current) = self.doc(&repo, page, &heads, Stage::Draft)? else {
                return match heads.draft {
                    Some(_) => Err(self.conflict(&repo, page, None)),
                    None => Err(StoreError::NotFound(page.content_path())),
                };
            };
            if !same_id(if_match, &current.blob) {
                return Err(self.conflict(&repo, page, None));
            }
            let mut target = self.repo_path(page);
            if let (Some(dir), Some(head)) = (page.bundle_dir(), heads.current()) {
                let folder = format!("{}sites/{}/{dir}", self.prefix, page.site);
                if !dir.is_empty() && !has_other_pages(&repo, head, &folder)? {
                    target = folder.trim_end_matches('/').to_string();
                }
            }
            let message = format!(
                "Xóa: {} ({}/{})",
                title(&current.text, &page.path),
                page.site,
                page.path
            );
            let edits = [(target, None)];
            match self.commit_draft(&repo, page, &heads, &edits, &message, author)? {
                Outcome::Moved => continue,
                Outcome::Committed(id) | Outcome::Unchanged(id) => {
                    return Ok(Saved {
                        commit: id.to_string(),
                        blob: None,
                        branch: page.branch(),
                    })
                }
            }
        }
        Err(self.conflict(&repo, page, None))
    }

    /// Writes a file into the page's bundle on its draft branch (`name`: a plain file name,
    /// not Markdown). The page must exist (on its draft or published). An upload names no
    /// version, so a concurrent write only makes it try again on the new head.
    /// Message: `Tải lên: <file> (<site>/<path>)`. `Saved::blob` is the page's blob.
    pub fn put_file(
        &self,
        page: &PageRef,
        name: &str,
        bytes: &[u8],
        author: &Author,
    ) -> Result<Saved, StoreError> {
        let dir = bundle_dir(page)?;
        let name = check_file_name(name)?;
        let repo = self.repo()?;
        let blob = repo.blob(bytes)?;
        let path = format!("{}sites/{}/{dir}{name}", self.prefix, page.site);
        let message = format!("Tải lên: {name} ({}/{})", page.site, page.path);
        for _ in 0..WRITE_TRIES {
            let heads = self.heads(&repo, page)?;
            let Some(current) = self.doc(&repo, page, &heads, Stage::Draft)? else {
                return Err(StoreError::NotFound(page.content_path()));
            };
            let edits = [(path.clone(), Some(blob))];
            match self.commit_draft(&repo, page, &heads, &edits, &message, author)? {
                Outcome::Moved => continue,
                Outcome::Committed(id) | Outcome::Unchanged(id) => {
                    return Ok(Saved {
                        commit: id.to_string(),
                        blob: Some(current.blob),
                        branch: page.branch(),
                    })
                }
            }
        }
        Err(self.conflict(&repo, page, None))
    }

    /// Commits `edits` (repository paths and their new blobs, `None` to remove) on top of the
    /// draft's head, or the published head when there is no draft, and moves the draft branch
    /// there by compare-and-swap from `heads.draft`. A change takes the page out of review.
    pub(super) fn commit_draft(
        &self,
        repo: &Repository,
        page: &PageRef,
        heads: &Heads<'_>,
        edits: &[(String, Option<Oid>)],
        message: &str,
        author: &Author,
    ) -> Result<Outcome, StoreError> {
        let parent = heads.current();
        let mut tree = parent.map(|c| c.tree()).transpose()?;
        for (path, entry) in edits {
            let id = tree::edit(repo, tree.as_ref(), path, *entry)?;
            tree = Some(repo.find_tree(id)?);
        }
        let tree = match tree {
            Some(t) => t,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
        };
        if let Some(p) = parent.filter(|p| p.tree_id() == tree.id()) {
            return Ok(Outcome::Unchanged(p.id()));
        }
        let sig = signature(author)?;
        let parents: Vec<&git2::Commit<'_>> = parent.into_iter().collect();
        let commit = repo.commit(None, &sig, &sig, message, &tree, &parents)?;
        let old = heads.draft.as_ref().map(git2::Commit::id);
        if !swap(repo, &page.branch_ref(), commit, old, message)? {
            return Ok(Outcome::Moved);
        }
        if let Some(review) = heads.review {
            remove(repo, &page.review_ref(), review)?;
        }
        Ok(Outcome::Committed(commit))
    }

    /// The conflict of a write refused because the page moved: re-reads the current draft.
    pub(super) fn conflict(
        &self,
        repo: &Repository,
        page: &PageRef,
        yours: Option<&str>,
    ) -> StoreError {
        let current = match self
            .heads(repo, page)
            .and_then(|h| self.doc(repo, page, &h, Stage::Draft))
        {
            Ok(c) => c,
            Err(e) => return e,
        };
        let old = current.as_ref().map_or("", |c| c.text.as_str());
        StoreError::Conflict {
            page: page.clone(),
            diff: unified(old, yours.unwrap_or(""), "current", "yours"),
            current,
            yours: yours.map(str::to_string),
        }
    }
}

/// The commit signature of an editor, at the current time.
pub(super) fn signature(author: &Author) -> Result<Signature<'static>, StoreError> {
    let name = crate::text::nfc(author.name.trim());
    Signature::now(&name, author.email.trim()).map_err(|e| StoreError::InvalidPath {
        what: "author",
        value: format!("{} <{}>", author.name, author.email),
        reason: format!("git refuses it as a commit author: {}", e.message()),
    })
}

/// Whether the id a writer sent names the blob `blob` (ids are hex, in either case).
fn same_id(sent: &str, blob: &str) -> bool {
    sent.trim().eq_ignore_ascii_case(blob)
}

/// Whether the folder `folder` of `commit` holds Markdown files besides its `index.md`.
fn has_other_pages(
    repo: &Repository,
    commit: &git2::Commit<'_>,
    folder: &str,
) -> Result<bool, StoreError> {
    let root = commit.tree()?;
    let Some(tree) = tree_at(repo, &root, folder)? else {
        return Ok(false);
    };
    let mut found = false;
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        let name = entry.name().unwrap_or("");
        let own = parent.is_empty() && name == "index.md";
        if entry.kind() == Some(git2::ObjectType::Blob) && is_markdown(name) && !own {
            found = true;
            return TreeWalkResult::Abort;
        }
        TreeWalkResult::Ok
    })
    .or_else(|e| if found { Ok(()) } else { Err(e) })?;
    Ok(found)
}
