//! A page's text as the store sees it: its front matter table and body, its title for commit
//! messages, and unified diffs between two texts.

use serde_json::{Map, Value};

use crate::frontmatter;

/// A page's front matter table and body; `None` when the front matter is missing or broken
/// (the store keeps any text: validation is the caller's).
pub(super) fn split(text: &str) -> Option<(Map<String, Value>, String)> {
    let (fm, body, _) = frontmatter::split("", text).ok()?;
    let table = frontmatter::parse("", &fm).ok()?;
    Some((table, body))
}

/// The page's title for a commit message: its front matter `title` on one line, else
/// `fallback` (the path).
pub(super) fn title(text: &str, fallback: &str) -> String {
    let title = split(text).and_then(|(t, _)| match t.get("title") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    });
    let one_line: String = title
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match one_line.is_empty() {
        true => fallback.to_string(),
        false => one_line,
    }
}

/// A unified diff from `old` to `new` (empty when they are the same), with 3 lines of context.
pub(super) fn unified(old: &str, new: &str, from: &str, to: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(from, to)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_either_syntax_or_the_path() {
        assert_eq!(title("+++\ntitle = \"Cao tốc\"\n+++\nx", "a.md"), "Cao tốc");
        assert_eq!(title("---\ntitle: Cầu\n---\nx", "a.md"), "Cầu");
        assert_eq!(title("---\ntitle: \"A\\nB\"\n---\n", "a.md"), "A B");
        assert_eq!(title("no front matter", "a.md"), "a.md");
        assert_eq!(title("+++\ntitle = 3\n+++\n", "a.md"), "a.md");
        assert_eq!(title("+++\ntitle = \n+++\n", "a.md"), "a.md");
    }

    #[test]
    fn diffs_are_unified_and_empty_when_equal() {
        assert_eq!(unified("a\n", "a\n", "x", "y"), "");
        let d = unified("a\nb\n", "a\nc\n", "current", "yours");
        assert!(d.starts_with("--- current\n+++ yours\n"), "{d}");
        assert!(d.contains("-b\n+c\n"), "{d}");
    }
}
