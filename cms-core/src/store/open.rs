//! Opening the content repository, and the refs every operation starts from.

use std::ffi::OsStr;
use std::path::Path;

use git2::{Commit, ErrorCode, Oid, Repository, RepositoryOpenFlags};

use super::{PageRef, Status, Store, StoreError};

impl Store {
    /// Opens the repository holding the content folder `content` (a bare repository, its work
    /// tree, or a folder inside it); `published` is the published branch (`main`).
    pub fn open(content: &Path, published: &str) -> Result<Store, StoreError> {
        check_branch(published)?;
        let repo = Repository::discover(content).map_err(|e| match e.code() {
            ErrorCode::NotFound => StoreError::NotFound(format!(
                "a git repository at {} (run `git init` there, or give the repository's folder)",
                content.display()
            )),
            _ => StoreError::Git(e),
        })?;
        let prefix = match repo.workdir() {
            Some(workdir) => content_prefix(content, workdir)?,
            None => String::new(),
        };
        Ok(Store {
            git_dir: repo.path().to_path_buf(),
            prefix,
            published: published.to_string(),
        })
    }

    /// The published branch's head commit.
    pub fn published_commit(&self) -> Result<String, StoreError> {
        let repo = self.repo()?;
        match ref_target(&repo, &self.published_ref())? {
            Some(id) => Ok(id.to_string()),
            None => Err(StoreError::NotFound(format!(
                "the branch `{}`",
                self.published
            ))),
        }
    }

    /// Opens the repository as bare whatever it is: nothing here may touch a work tree or its
    /// index. One per operation, so a `Store` is `Sync` and processes may share the repository.
    pub(super) fn repo(&self) -> Result<Repository, StoreError> {
        let flags = RepositoryOpenFlags::NO_SEARCH | RepositoryOpenFlags::BARE;
        Ok(Repository::open_ext(
            &self.git_dir,
            flags,
            std::iter::empty::<&OsStr>(),
        )?)
    }

    /// The published branch's full ref name.
    pub(super) fn published_ref(&self) -> String {
        format!("refs/heads/{}", self.published)
    }

    /// A page's path in the repository (with the content folder's prefix).
    pub(super) fn repo_path(&self, page: &PageRef) -> String {
        format!("{}{}", self.prefix, page.content_path())
    }

    /// Reads the refs of one page.
    pub(super) fn heads<'r>(
        &self,
        repo: &'r Repository,
        page: &PageRef,
    ) -> Result<Heads<'r>, StoreError> {
        Ok(Heads {
            published: ref_commit(repo, &self.published_ref())?,
            draft: ref_commit(repo, &page.branch_ref())?,
            review: ref_target(repo, &page.review_ref())?,
        })
    }
}

/// The refs of one page, read at the start of an operation.
pub(super) struct Heads<'r> {
    /// The published branch's head (none in a repository with no commit yet).
    pub published: Option<Commit<'r>>,
    /// The page's draft branch's head.
    pub draft: Option<Commit<'r>>,
    /// The commit its review ref points at.
    pub review: Option<Oid>,
}

impl<'r> Heads<'r> {
    /// The page's workflow status.
    pub fn status(&self) -> Status {
        match (&self.draft, self.review) {
            (None, _) => Status::Published,
            (Some(_), Some(_)) => Status::InReview,
            (Some(_), None) => Status::Draft,
        }
    }

    /// The commit the draft stage reads: the draft's head, else the published head.
    pub fn current(&self) -> Option<&Commit<'r>> {
        self.draft.as_ref().or(self.published.as_ref())
    }
}

/// The commit a ref points at, `None` when the ref does not exist.
pub(super) fn ref_target(repo: &Repository, name: &str) -> Result<Option<Oid>, git2::Error> {
    match repo.find_reference(name) {
        Ok(r) => Ok(Some(r.peel_to_commit()?.id())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The commit a ref points at, `None` when the ref does not exist.
pub(super) fn ref_commit<'r>(
    repo: &'r Repository,
    name: &str,
) -> Result<Option<Commit<'r>>, git2::Error> {
    match ref_target(repo, name)? {
        Some(id) => Ok(Some(repo.find_commit(id)?)),
        None => Ok(None),
    }
}

/// Checks the published branch's name: a branch git accepts, outside the drafts' `cms/`.
fn check_branch(name: &str) -> Result<(), StoreError> {
    let bad = |reason: &str| StoreError::InvalidPath {
        what: "branch",
        value: name.to_string(),
        reason: reason.to_string(),
    };
    if name == "cms" || name.starts_with("cms/") {
        return Err(bad(
            "`cms/` holds the CMS's draft branches: publish to another branch (`main`)",
        ));
    }
    if name.is_empty() || !git2::Reference::is_valid_name(&format!("refs/heads/{name}")) {
        return Err(bad("not a branch name git accepts"));
    }
    Ok(())
}

/// The content folder's path inside the work tree, `/`-separated, ending in `/` (or empty).
fn content_prefix(content: &Path, workdir: &Path) -> Result<String, StoreError> {
    let io = |p: &Path, e: std::io::Error| {
        StoreError::NotFound(format!("the folder {} ({e})", p.display()))
    };
    let content = content.canonicalize().map_err(|e| io(content, e))?;
    let workdir = workdir.canonicalize().map_err(|e| io(workdir, e))?;
    let Ok(rel) = content.strip_prefix(&workdir) else {
        return Ok(String::new());
    };
    let mut prefix = String::new();
    for part in rel.components() {
        let part = part
            .as_os_str()
            .to_str()
            .ok_or_else(|| StoreError::InvalidPath {
                what: "content folder",
                value: content.display().to_string(),
                reason: "not UTF-8: rename the folder".into(),
            })?;
        // A `.git` folder given as the content: the whole repository is the content.
        if part == ".git" {
            return Ok(String::new());
        }
        prefix.push_str(part);
        prefix.push('/');
    }
    Ok(prefix)
}
