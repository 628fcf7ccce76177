//! A page's file text and the form's fields, both ways: the values of the fields in a page's
//! front matter (TOML `+++` or YAML `---`), and the text rebuilt from the form in the page's
//! own format, every field the form does not show kept as it was.

use toml::Value as Toml;

/// The front matter's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `+++` … `+++`.
    Toml,
    /// `---` … `---`.
    Yaml,
}

/// A page's text cut in two.
#[derive(Debug, Clone)]
pub struct Split {
    /// Its format (TOML for a page without front matter).
    pub syntax: Syntax,
    /// The front matter's text, without its delimiters.
    pub front: String,
    /// The Markdown body.
    pub body: String,
}

/// Cuts `text` into front matter and body.
pub fn split(text: &str) -> Split {
    let text = text.replace("\r\n", "\n");
    for (delim, syntax) in [("+++", Syntax::Toml), ("---", Syntax::Yaml)] {
        let Some(rest) = text.strip_prefix(delim).and_then(|r| r.strip_prefix('\n')) else {
            continue;
        };
        let close = format!("\n{delim}");
        let (front, after) = if let Some(r) = rest.strip_prefix(delim) {
            ("", r)
        } else if let Some(at) = rest.find(&close) {
            (&rest[..at + 1], &rest[at + close.len()..])
        } else {
            continue;
        };
        let body = after.strip_prefix('\n').unwrap_or(after);
        return Split {
            syntax,
            front: front.to_string(),
            body: body.to_string(),
        };
    }
    Split {
        syntax: Syntax::Toml,
        front: String::new(),
        body: text,
    }
}

/// A field's place: the top level, or the `[kind]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<'a> {
    /// The kind's table, or `None` for a top-level field.
    pub table: Option<&'a str>,
    /// The key.
    pub name: &'a str,
}

/// A field's value as the form has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Text (also dates, numbers and enumerations, checked by `cms check` on save).
    Text(String),
    /// A number, written bare when it is one.
    Int(String),
    /// A date or date-time, written as a TOML date when it is one.
    Date(String),
    /// A checkbox.
    Bool(bool),
    /// Lines.
    List(Vec<String>),
}

/// The front matter's fields, parsed (`None` when it does not parse: the form then shows the
/// text as it is and `cms check`'s error).
#[derive(Debug, Clone)]
pub enum Fields {
    /// TOML.
    Toml(toml::Table),
    /// YAML.
    Yaml(serde_yaml_ng::Mapping),
}

impl Fields {
    /// The fields of `split`'s front matter.
    pub fn parse(split: &Split) -> Option<Fields> {
        match split.syntax {
            Syntax::Toml => split.front.parse::<toml::Table>().ok().map(Fields::Toml),
            Syntax::Yaml if split.front.trim().is_empty() => {
                Some(Fields::Yaml(serde_yaml_ng::Mapping::new()))
            }
            Syntax::Yaml => serde_yaml_ng::from_str(&split.front).ok().map(Fields::Yaml),
        }
    }

    /// Empty fields of `syntax`.
    pub fn empty(syntax: Syntax) -> Fields {
        match syntax {
            Syntax::Toml => Fields::Toml(toml::Table::new()),
            Syntax::Yaml => Fields::Yaml(serde_yaml_ng::Mapping::new()),
        }
    }

    /// The value at `key` as the form shows it: text, or one item a line.
    pub fn get(&self, key: &Key<'_>) -> String {
        match self {
            Fields::Toml(t) => {
                let table = match key.table {
                    Some(k) => t.get(k).and_then(Toml::as_table),
                    None => Some(t),
                };
                table
                    .and_then(|t| t.get(key.name))
                    .map(toml_text)
                    .unwrap_or_default()
            }
            Fields::Yaml(m) => {
                let map = match key.table {
                    Some(k) => m.get(k).and_then(|v| v.as_mapping()),
                    None => Some(m),
                };
                map.and_then(|m| m.get(key.name))
                    .map(yaml_text)
                    .unwrap_or_default()
            }
        }
    }

    /// Sets (or removes, when empty) the value at `key`; a kind's table left empty goes.
    pub fn set(&mut self, key: &Key<'_>, entry: Entry) {
        match self {
            Fields::Toml(t) => {
                let v = toml_value(entry);
                let table = match key.table {
                    Some(k) => {
                        let sub = t
                            .entry(k.to_string())
                            .or_insert_with(|| Toml::Table(toml::Table::new()));
                        if !sub.is_table() {
                            *sub = Toml::Table(toml::Table::new());
                        }
                        let Some(sub) = sub.as_table_mut() else {
                            return;
                        };
                        sub
                    }
                    None => t,
                };
                match v {
                    Some(v) => table.insert(key.name.to_string(), v),
                    None => table.remove(key.name),
                };
                if let Some(k) = key.table {
                    if t.get(k)
                        .and_then(Toml::as_table)
                        .is_some_and(|s| s.is_empty())
                    {
                        t.remove(k);
                    }
                }
            }
            Fields::Yaml(m) => {
                use serde_yaml_ng::Value as Y;
                let v = yaml_value(entry);
                let map = match key.table {
                    Some(k) => {
                        let sub = m
                            .entry(Y::String(k.to_string()))
                            .or_insert_with(|| Y::Mapping(Default::default()));
                        if !sub.is_mapping() {
                            *sub = Y::Mapping(Default::default());
                        }
                        let Some(sub) = sub.as_mapping_mut() else {
                            return;
                        };
                        sub
                    }
                    None => m,
                };
                match v {
                    Some(v) => map.insert(Y::String(key.name.to_string()), v),
                    None => map.remove(key.name),
                };
                if let Some(k) = key.table {
                    if m.get(k)
                        .and_then(|v| v.as_mapping())
                        .is_some_and(|s| s.is_empty())
                    {
                        m.remove(k);
                    }
                }
            }
        }
    }

    /// The front matter's text.
    pub fn to_text(&self) -> String {
        match self {
            Fields::Toml(t) => toml::to_string(t).unwrap_or_default(),
            Fields::Yaml(m) if m.is_empty() => String::new(),
            Fields::Yaml(m) => serde_yaml_ng::to_string(m).unwrap_or_default(),
        }
    }

    /// Whether the two hold the same values.
    pub fn same(&self, other: &Fields) -> bool {
        match (self, other) {
            (Fields::Toml(a), Fields::Toml(b)) => a == b,
            (Fields::Yaml(a), Fields::Yaml(b)) => a == b,
            _ => false,
        }
    }
}

/// The whole file: front matter (kept as written when no value changed) and body.
pub fn join(split: &Split, before: Option<&Fields>, after: &Fields, body: &str) -> String {
    let front = match before {
        Some(b) if b.same(after) => split.front.clone(),
        _ => after.to_text(),
    };
    let delim = match split.syntax {
        Syntax::Toml => "+++",
        Syntax::Yaml => "---",
    };
    let body = body.replace("\r\n", "\n");
    let nl = if front.is_empty() || front.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{delim}\n{front}{nl}{delim}\n{body}")
}

fn toml_text(v: &Toml) -> String {
    match v {
        Toml::String(s) => s.clone(),
        Toml::Array(a) => a.iter().map(toml_text).collect::<Vec<_>>().join("\n"),
        Toml::Datetime(d) => d.to_string(),
        Toml::Table(_) => String::new(),
        other => other.to_string(),
    }
}

fn yaml_text(v: &serde_yaml_ng::Value) -> String {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::String(s) => s.clone(),
        Y::Number(n) => n.to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Sequence(s) => s.iter().map(yaml_text).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// A date-time input's `2026-12-07T08:00` with the seconds `cms check` reads.
fn full_time(s: &str) -> String {
    let s = s.trim();
    if s.len() == 16 && s.as_bytes().get(10) == Some(&b'T') {
        format!("{s}:00")
    } else {
        s.to_string()
    }
}

fn toml_value(e: Entry) -> Option<Toml> {
    match e {
        Entry::Text(s) if s.trim().is_empty() => None,
        Entry::Text(s) => Some(Toml::String(s)),
        Entry::Int(s) if s.trim().is_empty() => None,
        Entry::Int(s) => Some(
            s.trim()
                .parse::<i64>()
                .map_or(Toml::String(s), Toml::Integer),
        ),
        Entry::Date(s) if s.trim().is_empty() => None,
        Entry::Date(s) => {
            let s = full_time(&s);
            Some(
                s.parse::<toml::value::Datetime>()
                    .map_or(Toml::String(s), Toml::Datetime),
            )
        }
        Entry::Bool(false) => None,
        Entry::Bool(true) => Some(Toml::Boolean(true)),
        Entry::List(l) if l.is_empty() => None,
        Entry::List(l) => Some(Toml::Array(l.into_iter().map(Toml::String).collect())),
    }
}

fn yaml_value(e: Entry) -> Option<serde_yaml_ng::Value> {
    use serde_yaml_ng::Value as Y;
    match e {
        Entry::Text(s) | Entry::Date(s) | Entry::Int(s) if s.trim().is_empty() => None,
        Entry::Text(s) => Some(Y::String(s)),
        Entry::Date(s) => Some(Y::String(full_time(&s))),
        Entry::Int(s) => Some(
            s.trim()
                .parse::<i64>()
                .map_or(Y::String(s), |n| Y::Number(n.into())),
        ),
        Entry::Bool(false) => None,
        Entry::Bool(true) => Some(Y::Bool(true)),
        Entry::List(l) if l.is_empty() => None,
        Entry::List(l) => Some(Y::Sequence(l.into_iter().map(Y::String).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, key: Key<'_>, e: Entry) -> String {
        let s = split(text);
        let before = Fields::parse(&s).unwrap();
        let mut after = before.clone();
        after.set(&key, e);
        join(&s, Some(&before), &after, &s.body)
    }

    #[test]
    fn toml_keeps_unknown_fields_and_writes_dates_bare() {
        let text = "+++\ntitle = \"A\"\n[extra]\nx = 1\n+++\nBody\n";
        let key = Key {
            table: None,
            name: "date",
        };
        let out = edit(text, key, Entry::Date("2026-12-07T08:00".into()));
        assert!(out.contains("date = 2026-12-07T08:00:00\n"), "{out}");
        assert!(out.contains("[extra]\nx = 1\n"), "{out}");
        assert!(out.ends_with("+++\nBody\n"), "{out}");
        let legal = Key {
            table: Some("legal"),
            name: "number",
        };
        let out = edit(text, legal.clone(), Entry::Text("12/2024/TT".into()));
        assert!(out.contains("[legal]\nnumber = \"12/2024/TT\""), "{out}");
        let back = edit(&out, legal, Entry::Text(String::new()));
        assert!(!back.contains("[legal]"), "{back}");
    }

    #[test]
    fn unchanged_front_matter_is_kept_as_written() {
        let text = "---\ntitle:   A   # c\n---\nB\n";
        let key = Key {
            table: None,
            name: "title",
        };
        assert_eq!(edit(text, key, Entry::Text("A".into())), text);
        let text = "---\ntitle: A\n---\nB\n";
        let out = edit(
            text,
            Key {
                table: None,
                name: "weight",
            },
            Entry::Int("3".into()),
        );
        assert_eq!(out, "---\ntitle: A\nweight: 3\n---\nB\n");
    }

    #[test]
    fn a_text_without_front_matter_is_all_body() {
        let s = split("Chỉ thân bài.\n");
        assert_eq!((s.syntax, s.front.as_str()), (Syntax::Toml, ""));
        assert_eq!(s.body, "Chỉ thân bài.\n");
        let s = split("+++\n+++\nB");
        assert_eq!((s.front.as_str(), s.body.as_str()), ("", "B"));
    }
}
