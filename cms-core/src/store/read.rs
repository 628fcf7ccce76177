//! Reading pages and bundle files at a stage, straight from the object database.

use git2::{Commit, ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use super::open::Heads;
use super::page_ref::{check_bundle_path, is_markdown};
use super::tree::{blob_at, tree_at};
use super::{Doc, PageRef, Stage, Store, StoreError};

impl Store {
    /// A page's text at `stage`; `None` when it does not exist there.
    pub fn read(&self, page: &PageRef, stage: Stage) -> Result<Option<Doc>, StoreError> {
        let repo = self.repo()?;
        let heads = self.heads(&repo, page)?;
        self.doc(&repo, page, &heads, stage)
    }

    /// A file of the page's bundle (`name` relative to the bundle folder) at `stage`.
    pub fn read_file(
        &self,
        page: &PageRef,
        name: &str,
        stage: Stage,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let dir = bundle_dir(page)?;
        let name = check_bundle_path(name)?;
        let repo = self.repo()?;
        let heads = self.heads(&repo, page)?;
        let Some((commit, _)) = at_stage(&heads, stage) else {
            return Ok(None);
        };
        let path = format!("{}sites/{}/{dir}{name}", self.prefix, page.site);
        let bytes = match blob_at(&commit.tree()?, &path)? {
            Some(id) => Some(repo.find_blob(id)?.content().to_vec()),
            None => None,
        };
        Ok(bytes)
    }

    /// The names of the files of the page's bundle (not its Markdown files), at `stage`,
    /// sorted; files in subfolders as `folder/name`. None for a single-file page.
    pub fn list_files(&self, page: &PageRef, stage: Stage) -> Result<Vec<String>, StoreError> {
        let Some(dir) = page.bundle_dir() else {
            return Ok(Vec::new());
        };
        let repo = self.repo()?;
        let heads = self.heads(&repo, page)?;
        let Some((commit, _)) = at_stage(&heads, stage) else {
            return Ok(Vec::new());
        };
        let path = format!("{}sites/{}/{dir}", self.prefix, page.site);
        bundle_files(&repo, commit, &path)
    }

    /// The page's [`Doc`] at `stage`, from refs already read.
    pub(super) fn doc(
        &self,
        repo: &Repository,
        page: &PageRef,
        heads: &Heads<'_>,
        stage: Stage,
    ) -> Result<Option<Doc>, StoreError> {
        let Some((commit, stage)) = at_stage(heads, stage) else {
            return Ok(None);
        };
        let Some(blob) = blob_at(&commit.tree()?, &self.repo_path(page))? else {
            return Ok(None);
        };
        Ok(Some(Doc {
            text: blob_text(repo, blob)?,
            blob: blob.to_string(),
            commit: commit.id().to_string(),
            stage,
            status: heads.status(),
        }))
    }
}

/// The commit a stage reads, and the stage it really is (`Draft` falls back to `Published`).
pub(super) fn at_stage<'a, 'r>(
    heads: &'a Heads<'r>,
    stage: Stage,
) -> Option<(&'a Commit<'r>, Stage)> {
    match (stage, &heads.draft) {
        (Stage::Draft, Some(d)) => Some((d, Stage::Draft)),
        _ => heads.published.as_ref().map(|p| (p, Stage::Published)),
    }
}

/// A blob's text. Pages are UTF-8; bytes that are not (a file committed by other means) are
/// shown as U+FFFD rather than refused, so the editor can still open and fix the page.
pub(super) fn blob_text(repo: &Repository, id: git2::Oid) -> Result<String, StoreError> {
    let blob = repo.find_blob(id)?;
    Ok(String::from_utf8_lossy(blob.content()).into_owned())
}

/// The page's bundle folder, or an error for a single-file page.
pub(super) fn bundle_dir(page: &PageRef) -> Result<String, StoreError> {
    page.bundle_dir().ok_or_else(|| StoreError::InvalidPath {
        what: "path",
        value: page.path.clone(),
        reason:
            "a single-file page has no folder for files: make it a bundle (`<name>/index.md`) first"
                .into(),
    })
}

/// The non-Markdown, non-hidden files under the folder `path` of `commit`'s tree.
pub(super) fn bundle_files(
    repo: &Repository,
    commit: &Commit<'_>,
    path: &str,
) -> Result<Vec<String>, StoreError> {
    let root = commit.tree()?;
    let Some(tree) = tree_at(repo, &root, path)? else {
        return Ok(Vec::new());
    };
    let mut names = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        let Ok(name) = entry.name() else {
            return TreeWalkResult::Skip;
        };
        if name.starts_with('.') {
            return TreeWalkResult::Skip;
        }
        if entry.kind() == Some(ObjectType::Blob) && !is_markdown(name) {
            names.push(crate::text::nfc(&format!("{parent}{name}")));
        }
        TreeWalkResult::Ok
    })?;
    names.sort();
    Ok(names)
}
