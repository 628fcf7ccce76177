//! Front matter: split from the Markdown body and parsed from TOML (`+++`) or YAML (`---`)
//! into one table of values, whichever the syntax; [`crate::meta`] reads its fields.

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::value::{from_toml, from_yaml, locate_key, type_name, Syntax};

/// The front matter of one file, kept so later stages can point at its lines.
#[derive(Debug, Clone)]
pub(crate) struct FrontMatter {
    pub syntax: Syntax,
    /// The text between the fences.
    pub text: String,
    /// The 1-based line of the first line of `text` in the file.
    pub first_line: usize,
}

impl FrontMatter {
    /// The line [`FrontMatter::locate`] gives for a key that is not there.
    pub(crate) fn start_line(&self) -> usize {
        self.first_line.saturating_sub(1).max(1)
    }

    /// The file line and column of `key` in `table`, or of the front matter's start.
    pub fn locate(&self, table: Option<&str>, key: &str) -> (usize, usize) {
        match locate_key(&self.text, self.syntax, table, key) {
            Some((l, c)) => (l + self.first_line - 1, c),
            None => (self.start_line(), 1),
        }
    }
}

/// Splits `content` into front matter and body. Returns the body and the 1-based line the
/// body starts on.
pub(crate) fn split(path: &str, content: &str) -> Result<(FrontMatter, String, usize), Diagnostic> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let (fence, syntax) = if content.starts_with("+++") {
        ("+++", Syntax::Toml)
    } else if content.starts_with("---") {
        ("---", Syntax::Yaml)
    } else {
        return Err(Diagnostic::error(path, 1, 1, "no front matter").with_hint(
            "start the file with a `+++` line, `title = \"…\"`, and a closing `+++` line (TOML), or the same between `---` lines (YAML)",
        ));
    };
    let mut lines = content.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != fence {
        return Err(Diagnostic::error(
            path,
            1,
            1,
            format!("the opening `{fence}` must be alone on its line"),
        ));
    }
    let mut offset = first.len();
    let mut text_end = None;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if line.trim_end() == fence {
            text_end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((end, body_start)) = text_end else {
        return Err(
            Diagnostic::error(path, 1, 1, "front matter is not closed").with_hint(format!(
                "add a line with `{fence}` after the last front matter field"
            )),
        );
    };
    let fm = FrontMatter {
        syntax,
        text: content[first.len()..end].to_string(),
        first_line: 2,
    };
    Ok((fm, content[body_start..].to_string(), line_no + 1))
}

/// Parses the front matter text into a table.
pub(crate) fn parse(path: &str, fm: &FrontMatter) -> Result<Map<String, Value>, Diagnostic> {
    let value = match fm.syntax {
        Syntax::Toml => match fm.text.parse::<toml::Table>() {
            Ok(t) => from_toml(toml::Value::Table(t)),
            Err(e) => {
                let (line, col) = e
                    .span()
                    .map(|s| line_col(&fm.text, s.start))
                    .unwrap_or((0, 0));
                return Err(Diagnostic::error(
                    path,
                    line + fm.first_line - 1,
                    col,
                    format!("malformed TOML front matter: {}", e.message().trim()),
                )
                .with_hint("check quotes, brackets and `key = value` syntax"));
            }
        },
        Syntax::Yaml => match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&fm.text) {
            Ok(v) => from_yaml(v),
            Err(e) => {
                let (line, col) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((1, 1));
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                return Err(Diagnostic::error(
                    path,
                    line + fm.first_line - 1,
                    col,
                    format!("malformed YAML front matter: {msg}"),
                )
                .with_hint("check indentation and `key: value` syntax"));
            }
        },
    };
    match value {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(Diagnostic::error(
            path,
            fm.first_line,
            1,
            format!(
                "front matter must be a table of fields, not {}",
                type_name(&other)
            ),
        )),
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml() {
        let (fm, body, line) = split("a.md", "+++\ntitle = \"A\"\n+++\n\nBody\n").unwrap();
        assert_eq!(fm.syntax, Syntax::Toml);
        assert_eq!(fm.text, "title = \"A\"\n");
        assert_eq!(body, "\nBody\n");
        assert_eq!(line, 4);
        let (fm, body, _) = split("a.md", "---\ntitle: A\n---\nBody").unwrap();
        assert_eq!(fm.syntax, Syntax::Yaml);
        assert_eq!(body, "Body");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split("a.md", "+++\ntitle = \"A\"\n").unwrap_err();
        assert!(e.message.contains("not closed"), "{e}");
        let e = split("a.md", "# no front matter").unwrap_err();
        assert!(e.message.contains("no front matter"), "{e}");
    }

    #[test]
    fn malformed_toml_names_the_file_line() {
        let (fm, _, _) = split("a.md", "+++\ntitle = \"A\"\ndate = \n+++\n").unwrap();
        let e = parse("a.md", &fm).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("malformed TOML"), "{e}");
    }

    #[test]
    fn malformed_yaml_names_the_file_line() {
        let (fm, _, _) = split("a.md", "---\ntitle: A\n  bad: [\n---\n").unwrap();
        let e = parse("a.md", &fm).unwrap_err();
        assert!(e.message.contains("malformed YAML"), "{e}");
        assert!(e.line >= 2, "{e}");
    }
}
