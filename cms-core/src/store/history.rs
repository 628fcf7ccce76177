//! A page's history (the commits that changed its file) and restoring an earlier version.

use git2::{Commit, ErrorCode, ObjectType, Oid, Repository};

use super::read::blob_text;
use super::refs::author_of;
use super::text::title;
use super::tree::blob_at;
use super::write::Outcome;
use super::{Author, PageRef, Saved, Store, StoreError, Version};

impl Store {
    /// The commits that changed the page's file, newest first: its draft branch's own commits,
    /// then the published branch's (following first parents; after each publish merge, the
    /// draft commits it brought in). A commit counts when the page's blob differs from its
    /// first parent's.
    pub fn history(&self, page: &PageRef) -> Result<Vec<Version>, StoreError> {
        let repo = self.repo()?;
        let heads = self.heads(&repo, page)?;
        let path = self.repo_path(page);
        let mut out = Vec::new();
        if let Some(draft) = &heads.draft {
            let stop = match &heads.published {
                Some(p) => merge_base(&repo, p.id(), draft.id())?,
                None => None,
            };
            walk(&repo, draft, stop, &path, Side::Draft, &mut out)?;
        }
        if let Some(published) = &heads.published {
            walk(&repo, published, None, &path, Side::Published, &mut out)?;
        }
        Ok(out)
    }

    /// Restores the page as it was at `commit`, as a new commit on its draft branch
    /// (`Khôi phục: <title> (<site>/<path>) về <short commit>`), compare-and-swap on the
    /// draft's current head. The blob is reused as it was, byte for byte.
    pub fn restore(
        &self,
        page: &PageRef,
        commit: &str,
        author: &Author,
    ) -> Result<Saved, StoreError> {
        let repo = self.repo()?;
        let path = self.repo_path(page);
        let target = find_commit(&repo, commit)?;
        let Some(blob) = blob_at(&target.tree()?, &path)? else {
            return Err(StoreError::NotFound(format!(
                "{} at commit {}",
                page.content_path(),
                short(target.id())
            )));
        };
        let text = blob_text(&repo, blob)?;
        let message = format!(
            "Khôi phục: {} ({}/{}) về {}",
            title(&text, &page.path),
            page.site,
            page.path,
            short(target.id())
        );
        let heads = self.heads(&repo, page)?;
        let edits = [(path, Some(blob))];
        match self.commit_draft(&repo, page, &heads, &edits, &message, author)? {
            Outcome::Moved => Err(self.conflict(&repo, page, Some(&text))),
            Outcome::Committed(id) | Outcome::Unchanged(id) => Ok(Saved {
                commit: id.to_string(),
                blob: Some(blob.to_string()),
                branch: page.branch(),
            }),
        }
    }
}

/// Which line of history a walk follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The draft branch's own commits.
    Draft,
    /// The published branch's first-parent line, and what its merges brought in.
    Published,
    /// The draft commits a publish merge brought in (published, not followed further).
    Merged,
}

/// Walks first parents from `start` until `stop` (excluded), adding the commits that changed
/// `path`. Each commit's blob is looked up once (it is the next one's parent blob).
fn walk(
    repo: &Repository,
    start: &Commit<'_>,
    stop: Option<Oid>,
    path: &str,
    side: Side,
    out: &mut Vec<Version>,
) -> Result<(), StoreError> {
    let mut commit = start.clone();
    let mut blob = blob_at(&commit.tree()?, path)?;
    loop {
        if Some(commit.id()) == stop {
            return Ok(());
        }
        let parent = match commit.parent(0) {
            Ok(p) => Some(p),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let parent_blob = match &parent {
            // Same tree, same blob: no need to look the path up.
            Some(p) if p.tree_id() == commit.tree_id() => blob,
            Some(p) => blob_at(&p.tree()?, path)?,
            None => None,
        };
        if blob != parent_blob {
            out.push(version(&commit, blob, side != Side::Draft));
            if side == Side::Published && commit.parent_count() > 1 {
                let merged = commit.parent(1)?;
                let base = match &parent {
                    Some(p) => merge_base(repo, p.id(), merged.id())?,
                    None => None,
                };
                walk(repo, &merged, base, path, Side::Merged, out)?;
            }
        }
        match parent {
            Some(p) => {
                commit = p;
                blob = parent_blob;
            }
            None => return Ok(()),
        }
    }
}

/// A [`Version`] of a commit.
fn version(commit: &Commit<'_>, blob: Option<Oid>, published: bool) -> Version {
    Version {
        commit: commit.id().to_string(),
        author: author_of(&commit.author()),
        time: commit.time().seconds(),
        message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
        blob: blob.map(|b| b.to_string()),
        published,
    }
}

/// The merge base of two commits, `None` when they share no history.
fn merge_base(repo: &Repository, a: Oid, b: Oid) -> Result<Option<Oid>, StoreError> {
    match repo.merge_base(a, b) {
        Ok(id) => Ok(Some(id)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The 7-hex-digit short form of a commit id, as git shows it.
pub(super) fn short(id: Oid) -> String {
    id.to_string().chars().take(7).collect()
}

/// Checks an object id given by a client (4 to 40 hex digits) and finds its object.
pub(super) fn find_object<'r>(
    repo: &'r Repository,
    id: &str,
    kind: Option<ObjectType>,
) -> Result<git2::Object<'r>, StoreError> {
    let id = id.trim();
    if !(4..=40).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::InvalidPath {
            what: "commit",
            value: id.to_string(),
            reason: "a commit id is 4 to 40 hexadecimal digits".into(),
        });
    }
    match repo.find_object_by_prefix(id, kind) {
        Ok(o) => Ok(o),
        Err(e) if matches!(e.code(), ErrorCode::NotFound | ErrorCode::Ambiguous) => {
            Err(StoreError::NotFound(format!("commit {id}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Finds a commit by a client's id.
pub(super) fn find_commit<'r>(repo: &'r Repository, id: &str) -> Result<Commit<'r>, StoreError> {
    find_object(repo, id, Some(ObjectType::Commit))?
        .into_commit()
        .map_err(|_| StoreError::NotFound(format!("commit {id}")))
}
