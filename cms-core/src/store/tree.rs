//! Editing a git tree without a checkout: a change to one path rewrites only the trees on that
//! path (one per folder level), from the leaf up, and reuses every other tree and blob by id,
//! so a save costs the same in a repository of ten pages or of a hundred thousand.

use git2::{ObjectType, Oid, Repository, Tree};

use super::StoreError;

/// A regular file's mode in a tree.
pub(super) const FILE_MODE: i32 = 0o100644;
/// A folder's mode in a tree.
const TREE_MODE: i32 = 0o040000;

/// Writes the tree `root` with `path` (`/`-separated) set to the blob `entry`, or removed (a
/// file or a whole folder) when `entry` is `None`; folders left empty are removed too, as git
/// has no empty folders. Returns the new root tree's id.
pub(super) fn edit(
    repo: &Repository,
    root: Option<&Tree<'_>>,
    path: &str,
    entry: Option<Oid>,
) -> Result<Oid, StoreError> {
    let parts: Vec<&str> = path.split('/').collect();
    match edit_level(repo, root, &parts, entry, path)? {
        Some(id) => Ok(id),
        None => Ok(repo.treebuilder(None)?.write()?),
    }
}

/// Edits one level: `parts[0]` in `tree`. `None` when the level ends up empty.
fn edit_level(
    repo: &Repository,
    tree: Option<&Tree<'_>>,
    parts: &[&str],
    entry: Option<Oid>,
    path: &str,
) -> Result<Option<Oid>, StoreError> {
    let Some((&name, rest)) = parts.split_first() else {
        return Ok(tree.map(Tree::id));
    };
    let mut builder = repo.treebuilder(tree)?;
    let existing = builder
        .get(name)?
        .map(|e| (e.id(), e.kind() == Some(ObjectType::Tree)));
    let clash = |reason: String| StoreError::InvalidPath {
        what: "path",
        value: path.to_string(),
        reason,
    };
    if rest.is_empty() {
        match (entry, existing) {
            (Some(_), Some((_, true))) => {
                return Err(clash(format!(
                    "`{name}` is a folder in the repository: choose another name"
                )))
            }
            (Some(id), _) => {
                builder.insert(name, id, FILE_MODE)?;
            }
            (None, Some(_)) => builder.remove(name)?,
            (None, None) => return Ok(tree.map(Tree::id)),
        }
    } else {
        let sub = match existing {
            Some((id, true)) => Some(repo.find_tree(id)?),
            Some((_, false)) => {
                return Err(clash(format!(
                    "`{name}` is a file in the repository, not a folder"
                )))
            }
            // Nothing to remove under a folder that is not there.
            None if entry.is_none() => return Ok(tree.map(Tree::id)),
            None => None,
        };
        match edit_level(repo, sub.as_ref(), rest, entry, path)? {
            Some(id) => {
                builder.insert(name, id, TREE_MODE)?;
            }
            None => builder.remove(name)?,
        }
    }
    if builder.is_empty() {
        return Ok(None);
    }
    Ok(Some(builder.write()?))
}

/// The blob at `path` in `tree`, `None` when there is none (or a folder is there).
pub(super) fn blob_at(tree: &Tree<'_>, path: &str) -> Result<Option<Oid>, git2::Error> {
    match tree.get_path(std::path::Path::new(path)) {
        Ok(e) if e.kind() == Some(ObjectType::Blob) => Ok(Some(e.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The folder at `path` in `tree` (`""` is the tree itself), `None` when there is none.
pub(super) fn tree_at<'r>(
    repo: &'r Repository,
    tree: &Tree<'r>,
    path: &str,
) -> Result<Option<Tree<'r>>, git2::Error> {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Ok(Some(tree.clone()));
    }
    match tree.get_path(std::path::Path::new(path)) {
        Ok(e) if e.kind() == Some(ObjectType::Tree) => Ok(Some(repo.find_tree(e.id())?)),
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        (dir, repo)
    }

    #[test]
    fn edits_rebuild_the_path_and_keep_the_rest() {
        let (_d, repo) = repo();
        let a = repo.blob(b"a").unwrap();
        let b = repo.blob(b"b").unwrap();
        let t1 = edit(&repo, None, "sites/s/x/a.md", Some(a)).unwrap();
        let t1 = repo.find_tree(t1).unwrap();
        let t2 = edit(&repo, Some(&t1), "sites/t/b.md", Some(b)).unwrap();
        let t2 = repo.find_tree(t2).unwrap();
        assert_eq!(blob_at(&t2, "sites/s/x/a.md").unwrap(), Some(a));
        assert_eq!(blob_at(&t2, "sites/t/b.md").unwrap(), Some(b));
        // The untouched folder is the same tree, by id.
        let s1 = tree_at(&repo, &t1, "sites/s").unwrap().unwrap();
        let s2 = tree_at(&repo, &t2, "sites/s/").unwrap().unwrap();
        assert_eq!(s1.id(), s2.id());
        assert_eq!(blob_at(&t2, "sites/s/x").unwrap(), None);
        assert_eq!(blob_at(&t2, "nope/x").unwrap(), None);
    }

    #[test]
    fn removing_prunes_empty_folders() {
        let (_d, repo) = repo();
        let a = repo.blob(b"a").unwrap();
        let t = edit(&repo, None, "s/x/a.md", Some(a)).unwrap();
        let t = repo.find_tree(t).unwrap();
        let t = edit(&repo, Some(&t), "s/keep.md", Some(a)).unwrap();
        let t = repo.find_tree(t).unwrap();
        let gone = edit(&repo, Some(&t), "s/x/a.md", None).unwrap();
        let gone = repo.find_tree(gone).unwrap();
        assert!(tree_at(&repo, &gone, "s/x").unwrap().is_none());
        assert_eq!(blob_at(&gone, "s/keep.md").unwrap(), Some(a));
        // Removing what is not there changes nothing.
        assert_eq!(edit(&repo, Some(&t), "s/y/z.md", None).unwrap(), t.id());
        // Removing the last file leaves the empty tree.
        let t = repo
            .find_tree(edit(&repo, None, "a.md", Some(a)).unwrap())
            .unwrap();
        let empty = repo
            .find_tree(edit(&repo, Some(&t), "a.md", None).unwrap())
            .unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn a_file_and_a_folder_of_one_name_clash() {
        let (_d, repo) = repo();
        let a = repo.blob(b"a").unwrap();
        let t = repo
            .find_tree(edit(&repo, None, "s/x", Some(a)).unwrap())
            .unwrap();
        let e = edit(&repo, Some(&t), "s/x/a.md", Some(a)).unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
        let e = edit(&repo, Some(&t), "s", Some(a)).unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
    }
}
