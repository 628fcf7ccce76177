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

// A `StoreError::Conflict` carries both versions by design (the API answers 409 with them),
// which makes the error large; errors are rare next to the git work, so it is not boxed.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod diff;
mod history;
mod open;
mod page_ref;
mod read;
mod refs;
mod text;
mod tree;
mod workflow;
mod write;

pub use page_ref::check_file_name;

/// A page of a site: its Markdown file, relative to `sites/<site>/` (`tin-tuc/cao-toc.md`,
/// `tin-tuc/cao-toc/index.md`, `_index.md`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PageRef {
    /// The site id (`drvn`).
    pub site: String,
    /// The Markdown file inside the site's folder, `/`-separated, NFC.
    pub path: String,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The published branch.
    Published,
    /// The draft branch when there is one, else the published branch.
    Draft,
}

/// Where a page's change stands in the editorial workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// A draft's page text, for lists of drafts ([`Store::draft_texts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftText {
    /// The page's text on the draft branch; for a deletion, the published text (what is
    /// deleted), `None` when there is none.
    pub text: Option<String>,
    /// The draft deletes the page.
    pub deleted: bool,
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
}
