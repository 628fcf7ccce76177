//! What the examples share: the Markdown files of a content folder.

use std::path::PathBuf;

/// The text of every Markdown file under `root`, in no particular order.
pub fn markdown_texts(root: &str) -> std::io::Result<Vec<String>> {
    let mut texts = Vec::new();
    let mut stack = vec![PathBuf::from(root)];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                texts.push(std::fs::read_to_string(&p)?);
            }
        }
    }
    Ok(texts)
}
