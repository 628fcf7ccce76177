//! Front matter: split from the Markdown body, parsed from TOML (`+++`) or YAML (`---`), and
//! read into typed page and section metadata with Zola's field names.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::value::{from_toml, from_yaml, locate_key, parse_date, type_name, Syntax};

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
    fn start_line(&self) -> usize {
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

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first.
    Date,
    /// Lightest first.
    Weight,
    /// Alphabetically by title.
    Title,
    /// By file name.
    None,
}

/// The front matter of a page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PageMeta {
    /// Required.
    pub title: String,
    /// Summary for lists, feeds and meta tags.
    pub description: Option<String>,
    /// Publication date.
    pub date: Option<NaiveDateTime>,
    /// Last update.
    pub updated: Option<NaiveDateTime>,
    /// Overrides the slug from the file name.
    pub slug: Option<String>,
    /// Left out of the build when true.
    pub draft: bool,
    /// Order when sorting by weight.
    pub weight: Option<i64>,
    /// Old paths that redirect here.
    pub aliases: Vec<String>,
    /// A template other than the kind's.
    pub template: Option<String>,
    /// The line of `template`, for messages.
    #[serde(skip)]
    pub template_line: usize,
    /// The content kind, when not the section's.
    pub kind: Option<String>,
    /// Taxonomy terms, by taxonomy.
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// Free-form data for templates.
    pub extra: Value,
}

/// The front matter of a section (`_index.md`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SectionMeta {
    /// Required.
    pub title: String,
    /// Summary.
    pub description: Option<String>,
    /// Left out of the build when true.
    pub draft: bool,
    /// Order among sibling sections.
    pub weight: Option<i64>,
    /// Template for the section list.
    pub template: Option<String>,
    /// The line of `template` (or `page_template`), for messages.
    #[serde(skip)]
    pub template_line: usize,
    /// Template for its pages.
    pub page_template: Option<String>,
    /// How pages are ordered.
    pub sort_by: SortBy,
    /// Pages per list page (0: all on one).
    pub paginate_by: usize,
    /// The kind of its pages.
    pub kind: Option<String>,
    /// Free-form data for templates.
    pub extra: Value,
}

/// Reads typed fields out of a front-matter table, collecting errors with their lines.
pub(crate) struct Reader<'a> {
    pub map: Map<String, Value>,
    pub fm: &'a FrontMatter,
    pub path: &'a str,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    pub fn new(map: Map<String, Value>, fm: &'a FrontMatter, path: &'a str) -> Self {
        Reader {
            map,
            fm,
            path,
            diags: Vec::new(),
        }
    }

    /// The file line of the top-level `key`; looked for only when it is there.
    fn line_of(&self, key: &str) -> usize {
        if self.map.contains_key(key) {
            self.fm.locate(None, key).0
        } else {
            self.fm.start_line()
        }
    }

    fn wrong_type(&mut self, key: &str, expected: &str, got: &Value, example: &str) {
        let (l, c) = self.fm.locate(None, key);
        self.diags.push(
            Diagnostic::error(
                self.path,
                l,
                c,
                format!("field `{key}` must be {expected}, not {}", type_name(got)),
            )
            .with_hint(format!("write it as {example}")),
        );
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.map.remove(key)? {
            Value::String(s) => Some(s),
            other => {
                self.wrong_type(key, "a string", &other, &format!("{key} = \"…\""));
                None
            }
        }
    }

    pub fn required_string(&mut self, key: &str) -> String {
        if !self.map.contains_key(key) {
            let line = self.fm.first_line.saturating_sub(1).max(1);
            self.diags.push(
                Diagnostic::error(
                    self.path,
                    line,
                    1,
                    format!("missing required field `{key}`"),
                )
                .with_hint(format!("add `{key} = \"…\"` to the front matter")),
            );
            return String::new();
        }
        match self.string(key) {
            Some(s) if !s.trim().is_empty() => s,
            Some(_) => {
                let (l, c) = self.fm.locate(None, key);
                self.diags.push(
                    Diagnostic::error(self.path, l, c, format!("field `{key}` is empty"))
                        .with_hint("write some text"),
                );
                String::new()
            }
            // A wrong type was reported already.
            None => String::new(),
        }
    }

    pub fn bool(&mut self, key: &str) -> bool {
        match self.map.remove(key) {
            None => false,
            Some(Value::Bool(b)) => b,
            Some(other) => {
                self.wrong_type(key, "true or false", &other, &format!("{key} = true"));
                false
            }
        }
    }

    pub fn int(&mut self, key: &str) -> Option<i64> {
        match self.map.remove(key)? {
            Value::Number(n) if n.is_i64() => n.as_i64(),
            other => {
                self.wrong_type(key, "an integer", &other, &format!("{key} = 10"));
                None
            }
        }
    }

    pub fn date(&mut self, key: &str) -> Option<NaiveDateTime> {
        match self.map.remove(key)? {
            Value::String(s) => match parse_date(&s) {
                Some(d) => Some(d),
                None => {
                    let (l, c) = self.fm.locate(None, key);
                    self.diags.push(
                        Diagnostic::error(
                            self.path,
                            l,
                            c,
                            format!("field `{key}`: `{s}` is not a date"),
                        )
                        .with_hint("write dates as 2022-11-25 or 2022-11-25T15:45:00"),
                    );
                    None
                }
            },
            other => {
                self.wrong_type(key, "a date", &other, &format!("{key} = 2022-11-25"));
                None
            }
        }
    }

    pub fn strings(&mut self, key: &str) -> Vec<String> {
        match self.map.remove(key) {
            None => Vec::new(),
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(other) => {
                self.wrong_type(
                    key,
                    "a list of strings",
                    &other,
                    &format!("{key} = [\"…\", \"…\"]"),
                );
                Vec::new()
            }
        }
    }

    pub fn table(&mut self, key: &str) -> Value {
        match self.map.remove(key) {
            None => Value::Object(Map::new()),
            Some(v @ Value::Object(_)) => v,
            Some(other) => {
                self.wrong_type(key, "a table", &other, &format!("[{key}]"));
                Value::Object(Map::new())
            }
        }
    }

    /// Reports every key left in the table as unknown.
    pub fn reject_rest(&mut self, what: &str, hint: &str) {
        let keys: Vec<String> = self.map.keys().cloned().collect();
        for key in keys {
            let (l, c) = self.fm.locate(None, &key);
            self.diags.push(
                Diagnostic::error(self.path, l, c, format!("unknown field `{key}` in {what}"))
                    .with_hint(hint.to_string()),
            );
        }
    }
}

/// Reads a page's metadata. Keys left in `reader.map` afterwards are candidate kind tables.
pub(crate) fn read_page_meta(r: &mut Reader<'_>) -> PageMeta {
    let title = r.required_string("title");
    let description = r.string("description");
    let date = r.date("date");
    let updated = r.date("updated");
    let slug = r.string("slug");
    let draft = r.bool("draft");
    let weight = r.int("weight");
    let aliases = r.strings("aliases");
    let template_line = r.line_of("template");
    let template = r.string("template");
    let kind = r.string("kind");
    let mut taxonomies = BTreeMap::new();
    if let Value::Object(t) = r.table("taxonomies") {
        for (name, terms) in t {
            match terms {
                Value::Array(a) if a.iter().all(Value::is_string) => {
                    let terms = a
                        .into_iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    taxonomies.insert(name, terms);
                }
                other => {
                    let (l, c) = r.fm.locate(Some("taxonomies"), &name);
                    r.diags.push(
                        Diagnostic::error(
                            r.path,
                            l,
                            c,
                            format!(
                                "taxonomy `{name}` must be a list of terms, not {}",
                                type_name(&other)
                            ),
                        )
                        .with_hint(format!("write it as {name} = [\"chuyển đổi số\"]")),
                    );
                }
            }
        }
    }
    let extra = r.table("extra");
    PageMeta {
        title,
        description,
        date,
        updated,
        slug,
        draft,
        weight,
        aliases,
        template,
        template_line,
        kind,
        taxonomies,
        extra,
    }
}

/// Reads a section's metadata and reports unknown keys.
pub(crate) fn read_section_meta(r: &mut Reader<'_>) -> SectionMeta {
    let title = r.required_string("title");
    let description = r.string("description");
    let draft = r.bool("draft");
    let weight = r.int("weight");
    let template_line = match r.map.contains_key("template") {
        true => r.line_of("template"),
        false => r.line_of("page_template"),
    };
    let template = r.string("template");
    let page_template = r.string("page_template");
    let sort_by = match r.string("sort_by").as_deref() {
        None | Some("date") => SortBy::Date,
        Some("weight") => SortBy::Weight,
        Some("title") => SortBy::Title,
        Some("none") => SortBy::None,
        Some(other) => {
            let (l, c) = r.fm.locate(None, "sort_by");
            r.diags.push(
                Diagnostic::error(
                    r.path,
                    l,
                    c,
                    format!("field `sort_by`: unknown order `{other}`"),
                )
                .with_hint("use one of: date, weight, title, none"),
            );
            SortBy::Date
        }
    };
    let paginate_by = match r.int("paginate_by") {
        None => 10,
        Some(n) if (0..=10_000).contains(&n) => n as usize,
        Some(n) => {
            let (l, c) = r.fm.locate(None, "paginate_by");
            r.diags.push(
                Diagnostic::error(
                    r.path,
                    l,
                    c,
                    format!("field `paginate_by`: {n} is out of range"),
                )
                .with_hint("use 0 (no pagination) to 10000"),
            );
            10
        }
    };
    let kind = r.string("kind");
    let extra = r.table("extra");
    // Zola fields this tool accepts but does not need.
    for ignored in [
        "insert_anchor_links",
        "render",
        "in_search_index",
        "generate_feeds",
        "transparent",
    ] {
        r.map.remove(ignored);
    }
    r.reject_rest(
        "a section",
        "section fields are title, description, sort_by, paginate_by, kind, template, page_template, weight, draft, [extra]",
    );
    SectionMeta {
        title,
        description,
        draft,
        weight,
        template,
        template_line,
        page_template,
        sort_by,
        paginate_by,
        kind,
        extra,
    }
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

    #[test]
    fn wrong_types_are_reported_at_their_line() {
        let (fm, _, _) = split(
            "a.md",
            "+++\ntitle = \"A\"\ndraft = \"yes\"\ndate = \"hôm qua\"\n+++\n",
        )
        .unwrap();
        let map = parse("a.md", &fm).unwrap();
        let mut r = Reader::new(map, &fm, "a.md");
        let meta = read_page_meta(&mut r);
        assert_eq!(meta.title, "A");
        assert_eq!(r.diags.len(), 2, "{:?}", r.diags);
        let draft = r
            .diags
            .iter()
            .find(|d| d.message.contains("`draft` must be true or false"))
            .unwrap();
        assert_eq!(draft.line, 3);
        let date = r
            .diags
            .iter()
            .find(|d| d.message.contains("`date`"))
            .unwrap();
        assert_eq!(date.line, 4);
    }

    #[test]
    fn missing_title_is_reported() {
        let (fm, _, _) = split("a.md", "+++\ndate = 2022-01-01\n+++\n").unwrap();
        let map = parse("a.md", &fm).unwrap();
        let mut r = Reader::new(map, &fm, "a.md");
        read_page_meta(&mut r);
        assert!(r.diags[0]
            .message
            .contains("missing required field `title`"));
    }
}
