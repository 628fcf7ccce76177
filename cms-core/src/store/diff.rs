//! The difference between two versions of a page: its front matter compared field by field
//! (nested tables by dotted name, `extra.so_hieu`), and its body as a unified diff.

use std::collections::BTreeMap;

use git2::{ObjectType, Repository};
use serde_json::{Map, Value};

use super::history::find_object;
use super::read::blob_text;
use super::text::{split, unified};
use super::tree::blob_at;
use super::{FieldChange, PageDiff, PageRef, Store, StoreError};

impl Store {
    /// The page's difference between two versions (`from` older): each a commit (the page's
    /// file in it; absent counts as empty) or the page's blob id.
    pub fn diff(&self, page: &PageRef, from: &str, to: &str) -> Result<PageDiff, StoreError> {
        let repo = self.repo()?;
        let (from_id, old) = self.text_at(&repo, page, from)?;
        let (to_id, new) = self.text_at(&repo, page, to)?;
        if old.is_none() && new.is_none() {
            return Err(StoreError::NotFound(format!(
                "{} at {from} and at {to}",
                page.content_path()
            )));
        }
        let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
        let (old_fields, old_body) = fields_and_body(&old);
        let (new_fields, new_body) = fields_and_body(&new);
        Ok(PageDiff {
            body: unified(&old_body, &new_body, &from_id, &to_id),
            fields: changes(&old_fields, &new_fields),
            from: from_id,
            to: to_id,
        })
    }

    /// The page's text at a commit or a blob given by id: the full id and the text (`None`
    /// when the commit does not have the page).
    fn text_at(
        &self,
        repo: &Repository,
        page: &PageRef,
        id: &str,
    ) -> Result<(String, Option<String>), StoreError> {
        let object = find_object(repo, id, None)?;
        let full = object.id().to_string();
        match object.kind() {
            Some(ObjectType::Blob) => Ok((full, Some(blob_text(repo, object.id())?))),
            Some(ObjectType::Commit) => {
                let commit = object.peel_to_commit()?;
                let text = match blob_at(&commit.tree()?, &self.repo_path(page))? {
                    Some(b) => Some(blob_text(repo, b)?),
                    None => None,
                };
                Ok((full, text))
            }
            _ => Err(StoreError::NotFound(format!("commit {id}"))),
        }
    }
}

/// A text's front matter fields by dotted name, and its body. A text without readable front
/// matter is all body.
fn fields_and_body(text: &str) -> (BTreeMap<String, String>, String) {
    match split(text) {
        Some((table, body)) => {
            let mut fields = BTreeMap::new();
            flatten("", &table, &mut fields);
            (fields, body)
        }
        None => (BTreeMap::new(), text.to_string()),
    }
}

/// Adds the leaves of `table` to `out` by dotted name; lists are leaves.
fn flatten(prefix: &str, table: &Map<String, Value>, out: &mut BTreeMap<String, String>) {
    for (key, value) in table {
        let name = match prefix.is_empty() {
            true => key.clone(),
            false => format!("{prefix}.{key}"),
        };
        match value {
            Value::Object(inner) if !inner.is_empty() => flatten(&name, inner, out),
            // JSON text is also TOML's inline syntax for strings, numbers, booleans and lists.
            other => {
                out.insert(name, other.to_string());
            }
        }
    }
}

/// The fields added, removed or changed, by name.
fn changes(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<FieldChange> {
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| old.get(*n) != new.get(*n))
        .map(|n| FieldChange {
            field: n.clone(),
            old: old.get(n).cloned(),
            new: new.get(n).cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_compared_by_dotted_name() {
        let (a, body_a) = fields_and_body(
            "+++\ntitle = \"A\"\ntags = [\"x\"]\n[extra]\nso_hieu = \"1/QĐ\"\nold = 1\n+++\nBody\n",
        );
        let (b, body_b) =
            fields_and_body("---\ntitle: B\ntags: [x]\nextra:\n  so_hieu: 2/QĐ\n---\nBody\n");
        assert_eq!(body_a, body_b);
        let c = changes(&a, &b);
        let names: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["extra.old", "extra.so_hieu", "title"]);
        assert_eq!(c[0].new, None);
        assert_eq!(c[1].old.as_deref(), Some("\"1/QĐ\""));
        assert_eq!(c[2].new.as_deref(), Some("\"B\""));
    }

    #[test]
    fn text_without_front_matter_is_all_body() {
        let (f, body) = fields_and_body("just text\n");
        assert!(f.is_empty());
        assert_eq!(body, "just text\n");
    }
}
