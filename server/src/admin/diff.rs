//! A page's difference as the review and history pages show it: the API's unified diff of the
//! body read back into numbered lines (removed, added, unchanged, and the hunks' headers), so
//! the template can write it as a table where each change is marked in words (`<del>`/`<ins>`
//! with a visually hidden "removed"/"added"), not by colour alone.

use serde::Serialize;

use crate::api::{DiffView, FieldChangeView};

/// One line of a body diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `del`, `ins`, `same` or `hunk` (a hunk's header, `@@ -1,3 +1,4 @@`).
    pub kind: &'static str,
    /// Its number in the older text (for `del` and `same`).
    pub old: Option<usize>,
    /// Its number in the newer text (for `ins` and `same`).
    pub new: Option<usize>,
    /// The line, without its marker.
    pub text: String,
}

/// A diff ready for the templates.
#[derive(Debug, Serialize)]
pub struct Shown {
    /// The older commit.
    pub from: String,
    /// The newer commit.
    pub to: String,
    /// Front matter fields changed.
    pub fields: Vec<FieldChangeView>,
    /// The body's lines.
    pub lines: Vec<DiffLine>,
}

impl From<DiffView> for Shown {
    fn from(d: DiffView) -> Self {
        Shown {
            lines: lines(&d.body),
            from: d.from,
            to: d.to,
            fields: d
                .fields
                .into_iter()
                .map(|f| FieldChangeView {
                    field: f.field,
                    old: f.old.map(plain),
                    new: f.new.map(plain),
                })
                .collect(),
        }
    }
}

/// A field's value as a reader writes it: a JSON string without its quotes and escapes; other
/// values (numbers, lists, dates) as the API wrote them.
fn plain(value: String) -> String {
    serde_json::from_str::<String>(&value).unwrap_or(value)
}

/// The lines of a unified diff (its `---`/`+++` header left out).
pub fn lines(unified: &str) -> Vec<DiffLine> {
    let mut out = Vec::new();
    let (mut old, mut new) = (0usize, 0usize);
    let mut in_hunk = false;
    for line in unified.lines() {
        if let Some((o, n)) = hunk_starts(line) {
            (old, new) = (o, n);
            in_hunk = true;
            out.push(DiffLine {
                kind: "hunk",
                old: None,
                new: None,
                text: line.to_string(),
            });
            continue;
        }
        if !in_hunk {
            continue; // the `--- from` / `+++ to` header
        }
        let (kind, text) = match line.split_at_checked(1) {
            Some(("-", rest)) => ("del", rest),
            Some(("+", rest)) => ("ins", rest),
            Some((" ", rest)) => ("same", rest),
            // "\ No newline at end of file", or an empty context line.
            _ if line.starts_with('\\') => continue,
            _ => ("same", ""),
        };
        let (o, n) = match kind {
            "del" => {
                old += 1;
                (Some(old), None)
            }
            "ins" => {
                new += 1;
                (None, Some(new))
            }
            _ => {
                old += 1;
                new += 1;
                (Some(old), Some(new))
            }
        };
        out.push(DiffLine {
            kind,
            old: o,
            new: n,
            text: text.to_string(),
        });
    }
    out
}

/// The line before the first of each side (`@@ -3,4 +5,6 @@` → (2, 4)).
fn hunk_starts(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("@@ -")?;
    let (old, rest) = rest.split_once(" +")?;
    let (new, _) = rest.split_once(" @@")?;
    let first = |s: &str| -> Option<usize> {
        let n: usize = s.split(',').next()?.parse().ok()?;
        Some(n.saturating_sub(1))
    };
    Some((first(old)?, first(new)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unified_diff_becomes_numbered_lines() {
        let d = "--- a\n+++ b\n@@ -1,3 +1,3 @@\n Một\n-Hai\n+Hai mốt\n Ba\n\\ No newline at end of file\n";
        let l = lines(d);
        let kinds: Vec<&str> = l.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, ["hunk", "same", "del", "ins", "same"]);
        assert_eq!((l[2].old, l[2].new), (Some(2), None));
        assert_eq!(
            (l[3].old, l[3].new, l[3].text.as_str()),
            (None, Some(2), "Hai mốt")
        );
        assert_eq!((l[4].old, l[4].new), (Some(3), Some(3)));
        assert!(lines("").is_empty());
        assert_eq!(plain("\"Cầu \\\"mới\\\"\"".into()), "Cầu \"mới\"");
        assert_eq!(plain("[\"a\"]".into()), "[\"a\"]");
        assert_eq!(hunk_starts("@@ -10 +12,2 @@"), Some((9, 11)));
        assert_eq!(hunk_starts("@@ garbage"), None);
    }
}
