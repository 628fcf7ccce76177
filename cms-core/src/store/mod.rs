//! The git store: what the CMS writes into the content repository, straight into git's object
//! database (tree builder), with no checkout, so it works on a bare repository and never touches
//! a working tree's uncommitted files.
//!
//! - Each page being changed has its own draft branch, `cms/<site>/<path>`, forked from the
//!   published branch (`main` by default); a save is a commit on it, authored by the editor.
//! - Ref updates are compare-and-swap: a save names the blob it started from; if the draft moved
//!   meanwhile, it is refused with both versions and a diff ([`StoreError::Conflict`]).
//! - Submitting for review points `refs/cms-review/<site>/<path>` at the submitted commit;
//!   rejecting removes it; publishing merges the draft branch into the published branch
//!   (conflicts are reported, never resolved silently) and removes both refs.
//! - History, diffs of front matter fields and body, and restore as a new commit.
//!
//! A [`Store`] holds paths only and opens the repository for each operation, so it is `Send +
//! Sync` and several processes may write one repository at once.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// A page of a site: its Markdown file, relative to `sites/<site>/` (`tin-tuc/cao-toc.md`,
/// `tin-tuc/cao-toc/index.md`, `_index.md`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PageRef {
    /// The site id (`drvn`).
    pub site: String,
    /// The Markdown file inside the site's folder, `/`-separated, NFC.
    pub path: String,
}

impl PageRef {
    /// Checks `site` and `path`: lower-case ASCII site id; a relative path of safe segments
    /// (no `..`, `.`, empty, hidden or control-character segments, no `\`), ending in `.md`;
    /// valid in a git ref name. [`StoreError::InvalidPath`] says what is wrong.
    pub fn new(site: &str, path: &str) -> Result<PageRef, StoreError> {
        let _ = (site, path);
        todo!("store helper")
    }

    /// Its path in the content repository: `sites/<site>/<path>`.
    pub fn content_path(&self) -> String {
        format!("sites/{}/{}", self.site, self.path)
    }

    /// Its draft branch: `cms/<site>/<path>` (under `refs/heads/`).
    pub fn branch(&self) -> String {
        format!("cms/{}/{}", self.site, self.path)
    }

    /// The folder of its bundle (`tin-tuc/cao-toc/` for `tin-tuc/cao-toc/index.md`), where
    /// uploaded files go; `None` for a single-file page, which has no bundle.
    pub fn bundle_dir(&self) -> Option<String> {
        self.path
            .strip_suffix("index.md")
            .filter(|d| d.is_empty() || d.ends_with('/'))
            .map(str::to_string)
    }
}

/// Who made a change: the commit's author (and committer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Author {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// Which version of a page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The published branch.
    Published,
    /// The draft branch when there is one, else the published branch.
    Draft,
}

/// Where a page's change stands in the editorial workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No draft: what is on the published branch.
    Published,
    /// A draft branch, not submitted.
    Draft,
    /// Submitted: the review ref points at the submitted commit.
    InReview,
}

/// A page's text as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doc {
    /// The file's text (UTF-8).
    pub text: String,
    /// Its git blob id (hex): the `ETag` / `If-Match` of the API.
    pub blob: String,
    /// The commit it was read from.
    pub commit: String,
    /// Whether it was read from the draft branch or the published one.
    pub stage: Stage,
    /// The page's workflow status.
    pub status: Status,
}

/// What a write made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Saved {
    /// The new commit on the draft branch.
    pub commit: String,
    /// The page's new blob id; `None` after a delete.
    pub blob: Option<String>,
    /// The draft branch (`cms/<site>/<path>`).
    pub branch: String,
}

/// A draft branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    /// The page.
    pub page: PageRef,
    /// The branch's head commit.
    pub head: String,
    /// The published commit it was forked from (merge base).
    pub base: String,
    /// The last commit's author.
    pub author: Author,
    /// The last commit's time, seconds since the epoch.
    pub time: i64,
    /// The last commit's message.
    pub message: String,
    /// Draft or in review.
    pub status: Status,
    /// The commit submitted for review, when in review.
    pub submitted: Option<String>,
}

/// One commit that touched a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The commit.
    pub commit: String,
    /// Its author.
    pub author: Author,
    /// Seconds since the epoch.
    pub time: i64,
    /// Its message.
    pub message: String,
    /// The page's blob at that commit; `None` where it was deleted.
    pub blob: Option<String>,
    /// Whether the commit is on the published branch (else on the draft branch).
    pub published: bool,
}

/// A change of one front matter field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The field (`title`, `taxonomies.topics`, `extra.so_hieu`).
    pub field: String,
    /// Its value before (as TOML/YAML text), `None` when added.
    pub old: Option<String>,
    /// Its value after, `None` when removed.
    pub new: Option<String>,
}

/// The difference between two versions of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageDiff {
    /// The older commit (or blob).
    pub from: String,
    /// The newer.
    pub to: String,
    /// Front matter fields added, removed or changed, in order.
    pub fields: Vec<FieldChange>,
    /// The body as a unified diff (empty when the body did not change).
    pub body: String,
}

/// What publishing made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// The merge commit on the published branch.
    pub commit: String,
}

/// A store's error. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A site id, path, file name or branch is not acceptable.
    #[error("{what} `{value}`: {reason}")]
    InvalidPath {
        /// What it was (`site`, `path`, `file name`).
        what: &'static str,
        /// The value given.
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// The page (or commit) does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
    /// A create found the page already there.
    #[error("{0} already exists: load it and send its blob id in If-Match to change it")]
    Exists(String),
    /// The page changed since the version the writer started from: nothing was written.
    #[error("{} changed since you opened it: merge your edit into the current version and save again", page.content_path())]
    Conflict {
        /// The page.
        page: PageRef,
        /// The current version (none if it was deleted).
        current: Option<Doc>,
        /// The text that was refused.
        yours: Option<String>,
        /// Unified diff from the current text to the refused one.
        diff: String,
    },
    /// Publishing found conflicting changes on the published branch: nothing was merged.
    #[error("{} conflicts with the published branch in {}: update the draft from the published version, then publish again", page.content_path(), paths.join(", "))]
    MergeConflict {
        /// The page.
        page: PageRef,
        /// The conflicting paths.
        paths: Vec<String>,
    },
    /// A workflow step that does not apply now (publishing what is not in review, submitting
    /// with no draft, approving a draft changed since it was submitted).
    #[error("{0}")]
    Workflow(String),
    /// git failed.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// The content repository, as the CMS writes it.
#[derive(Debug, Clone)]
pub struct Store {
    /// The repository's git dir (a bare repository, or `.git` of a work tree).
    git_dir: PathBuf,
    /// The content folder inside the repository (`""` or `content/`), ending with `/`.
    prefix: String,
    /// The published branch (`main`).
    published: String,
}

impl Store {
    /// Opens the repository holding the content folder `content` (a bare repository, its work
    /// tree, or a folder inside it); `published` is the published branch (`main`).
    pub fn open(content: &Path, published: &str) -> Result<Store, StoreError> {
        let _ = (content, published);
        todo!("store helper")
    }

    /// The published branch's name.
    pub fn published_branch(&self) -> &str {
        &self.published
    }

    /// The repository's git dir.
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// The content folder inside the repository (`""` or `content/`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The published branch's head commit.
    pub fn published_commit(&self) -> Result<String, StoreError> {
        todo!("store helper")
    }

    /// A page's text at `stage`; `None` when it does not exist there.
    pub fn read(&self, page: &PageRef, stage: Stage) -> Result<Option<Doc>, StoreError> {
        let _ = (page, stage);
        todo!("store helper")
    }

    /// A file of the page's bundle (`name` relative to the bundle folder) at `stage`.
    pub fn read_file(
        &self,
        page: &PageRef,
        name: &str,
        stage: Stage,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let _ = (page, name, stage);
        todo!("store helper")
    }

    /// The names of the files of the page's bundle (not its Markdown files), at `stage`.
    pub fn list_files(&self, page: &PageRef, stage: Stage) -> Result<Vec<String>, StoreError> {
        let _ = (page, stage);
        todo!("store helper")
    }

    /// Saves `text` as the page on its draft branch (created from the published branch when
    /// missing). `if_match`: the blob id the writer started from (the draft's, or the
    /// published one when there is no draft); `None` creates a page that must not exist yet.
    /// Compare-and-swap on the branch: a concurrent save makes this one a
    /// [`StoreError::Conflict`]. A save of a page in review takes it back to draft.
    /// Message: `Sửa: <title> (<site>/<path>)` (`Tạo:` for a new page).
    pub fn save(
        &self,
        page: &PageRef,
        text: &str,
        if_match: Option<&str>,
        author: &Author,
    ) -> Result<Saved, StoreError> {
        let _ = (page, text, if_match, author);
        todo!("store helper")
    }

    /// Deletes the page (and its bundle's files) on its draft branch; published when approved.
    pub fn delete(
        &self,
        page: &PageRef,
        if_match: &str,
        author: &Author,
    ) -> Result<Saved, StoreError> {
        let _ = (page, if_match, author);
        todo!("store helper")
    }

    /// Writes a file into the page's bundle on its draft branch (`name`: a plain file name).
    pub fn put_file(
        &self,
        page: &PageRef,
        name: &str,
        bytes: &[u8],
        author: &Author,
    ) -> Result<Saved, StoreError> {
        let _ = (page, name, bytes, author);
        todo!("store helper")
    }

    /// Every draft branch, of one site or all, sorted by page.
    pub fn drafts(&self, site: Option<&str>) -> Result<Vec<Draft>, StoreError> {
        let _ = site;
        todo!("store helper")
    }

    /// The page's draft, if it has one.
    pub fn draft(&self, page: &PageRef) -> Result<Option<Draft>, StoreError> {
        let _ = page;
        todo!("store helper")
    }

    /// Submits the draft for review (points the review ref at its head).
    pub fn submit(&self, page: &PageRef) -> Result<Draft, StoreError> {
        let _ = page;
        todo!("store helper")
    }

    /// Sends a draft in review back to draft (removes the review ref).
    pub fn reject(&self, page: &PageRef) -> Result<Draft, StoreError> {
        let _ = page;
        todo!("store helper")
    }

    /// Publishes the draft in review: merges its branch into the published branch with a
    /// commit by `approver` (`Xuất bản: <title> (<site>/<path>)`), compare-and-swap on the
    /// published branch (retried when another publish moved it), then removes the draft and
    /// review refs. Refused when the draft changed since it was submitted, or on conflicts.
    pub fn publish(&self, page: &PageRef, approver: &Author) -> Result<Merged, StoreError> {
        let _ = (page, approver);
        todo!("store helper")
    }

    /// Drops the draft (branch and review ref) without publishing it.
    pub fn discard(&self, page: &PageRef) -> Result<(), StoreError> {
        let _ = page;
        todo!("store helper")
    }

    /// The commits that touched the page, newest first: its draft branch's, then the
    /// published branch's.
    pub fn history(&self, page: &PageRef) -> Result<Vec<Version>, StoreError> {
        let _ = page;
        todo!("store helper")
    }

    /// The page's difference between two commits (`from` older).
    pub fn diff(&self, page: &PageRef, from: &str, to: &str) -> Result<PageDiff, StoreError> {
        let _ = (page, from, to);
        todo!("store helper")
    }

    /// Restores the page as it was at `commit`, as a new commit on its draft branch
    /// (`Khôi phục: <title> (<site>/<path>) về <short commit>`).
    pub fn restore(
        &self,
        page: &PageRef,
        commit: &str,
        author: &Author,
    ) -> Result<Saved, StoreError> {
        let _ = (page, commit, author);
        todo!("store helper")
    }
}
