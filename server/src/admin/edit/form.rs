//! The edit form as data: one input per field of the page's kind (and the fields every page
//! has), each with its value, its control (text, date, select, lines…) and the problems
//! `cms check` found in it; and the page's text made back from a posted form.

use serde::Serialize;

use super::text::{self, Entry, Fields, Key, Split, Syntax};
use crate::api::{FieldProblem, FieldView, KindView, KindsView};

/// One input of the form.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    /// The form field's name: `f.<name>` (top level) or `k.<name>` (the kind's table).
    pub name: String,
    /// The element's id.
    pub id: String,
    /// The field's key in the front matter.
    pub key: String,
    /// Its label in the UI language.
    pub label: String,
    /// `text`, `textarea`, `date`, `number`, `checkbox`, `select`, `lines`, `email`, `url`,
    /// `file` and `files` (the bundle's files to choose from), `page` and `pages` (a
    /// reference to another page, with a search).
    pub control: &'static str,
    /// Its value (lines joined by newlines).
    pub value: String,
    /// The choices of a select.
    pub values: Vec<String>,
    /// Whether it is required.
    pub required: bool,
    /// Whether each translation writes it in its own language.
    pub translated: bool,
    /// Help.
    pub help: Option<String>,
    /// What `cms check` says of it.
    pub errors: Vec<FieldProblem>,
    /// The other language's value, shown beside it (`None` when there is no other version).
    pub other: Option<String>,
    /// A `file`/`files` field's choices: the files of the page's bundle (empty: typed).
    pub choices: Vec<Choice>,
    /// A reference field's search: what was looked for and what was found.
    pub search: Option<super::pick::Search>,
}

/// A file of the bundle offered by a `file`/`files` field.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// The file's name in the bundle.
    pub name: String,
    /// Whether the field names it.
    pub chosen: bool,
}

impl Input {
    /// Offers `files` (the bundle's) to a `file`/`files` field, those it names checked; a
    /// name it has that the bundle lacks is kept as a choice (`cms check` then says why).
    pub fn offer_files(&mut self, files: &[String]) {
        if !matches!(self.control, "file" | "files") || files.is_empty() {
            return;
        }
        let named: Vec<&str> = self.value.lines().map(str::trim).collect();
        let mut names: Vec<String> = files.to_vec();
        for n in &named {
            if !n.is_empty() && !names.iter().any(|f| f == n) {
                names.push(n.to_string());
            }
        }
        self.choices = names
            .into_iter()
            .map(|name| Choice {
                chosen: named.contains(&name.as_str()),
                name,
            })
            .collect();
    }
}

/// The form fields posted, in order (a name may come more than once).
pub type Posted = Vec<(String, String)>;

/// The last value posted under `name`.
pub fn posted<'a>(form: &'a Posted, name: &str) -> Option<&'a str> {
    form.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The kind `name`, else `page`, else an empty one.
pub fn kind_of<'a>(kinds: &'a KindsView, name: &str) -> Option<&'a KindView> {
    kinds
        .kinds
        .iter()
        .find(|k| k.name == name)
        .or_else(|| kinds.kinds.iter().find(|k| k.name == "page"))
}

/// The kind of a page at `path` (`tin-tuc/a.md`) with front matter `fields`: its own `kind`,
/// else that of the nearest section holding it, else `page`.
pub fn page_kind(kinds: &KindsView, path: &str, fields: Option<&Fields>) -> String {
    let own = fields.map(|f| {
        f.get(&Key {
            table: None,
            name: "kind",
        })
    });
    if let Some(k) = own.filter(|k| !k.is_empty()) {
        return k;
    }
    let mut dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    if path.ends_with("/index.md") || path.contains("/index.") {
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
    loop {
        if let Some(s) = kinds.sections.iter().find(|s| s.dir == dir) {
            return s.kind.clone();
        }
        match dir.rsplit_once('/') {
            Some((up, _)) => dir = up,
            None if !dir.is_empty() => dir = "",
            None => return "page".into(),
        }
    }
}

/// The inputs of `kind` (after the common fields), valued from `fields`.
pub fn inputs(kinds: &KindsView, kind: &KindView, fields: &Fields, lang: &str) -> Vec<Input> {
    let common = kinds.common.iter().map(|f| (f, "f", None));
    let own = kind
        .fields
        .iter()
        .map(|f| (f, "k", Some(kind.name.as_str())));
    common
        .chain(own)
        .map(|(f, prefix, table)| {
            let value = fields.get(&Key {
                table,
                name: &f.name,
            });
            input(f, prefix, value, lang)
        })
        .collect()
}

fn input(f: &FieldView, prefix: &str, value: String, lang: &str) -> Input {
    let control = match f.ty.as_str() {
        "text" => "textarea",
        "date" | "datetime" => "date",
        "int" | "number" => "number",
        "bool" => "checkbox",
        "enum" => "select",
        "list" => "lines",
        "file" => "file",
        "files" => "files",
        "page" => "page",
        "pages" => "pages",
        "email" => "email",
        "url" => "url",
        _ => "text",
    };
    Input {
        name: format!("{prefix}.{}", f.name),
        id: format!("{prefix}-{}", f.name),
        key: f.name.clone(),
        label: if lang == "en" {
            f.label_en.clone()
        } else {
            f.label.clone()
        },
        control,
        value,
        values: f.values.clone(),
        required: f.required,
        translated: f.translated,
        help: f.help.clone(),
        errors: Vec::new(),
        other: None,
        choices: Vec::new(),
        search: None,
    }
}

/// Puts each problem beside its field; those of no field of the form are returned (the body's
/// and the file's), with the number of the first line of the body.
pub fn place_errors(inputs: &mut [Input], errors: Vec<FieldProblem>) -> Vec<FieldProblem> {
    let mut rest = Vec::new();
    for e in errors {
        // `cms check` names a kind's field `<kind>.<name>` in its type errors.
        let qualified = e.field.as_deref().and_then(|n| n.split_once('.'));
        let kind_field = qualified.is_some() || e.message.contains("of kind");
        let slot = e.field.as_deref().and_then(|name| {
            let name = qualified.map_or(name, |(_, n)| n);
            let mut matches = inputs.iter().enumerate().filter(|(_, i)| i.key == name);
            let all: Vec<usize> = matches.by_ref().map(|(n, _)| n).collect();
            match all.as_slice() {
                [one] => Some(*one),
                [] => None,
                many => many
                    .iter()
                    .copied()
                    .find(|&n| inputs[n].name.starts_with('k') == kind_field),
            }
        });
        match slot {
            Some(n) => inputs[n].errors.push(e),
            None => rest.push(e),
        }
    }
    rest
}

/// The page's text from a posted form: its front matter as it was (`front`, `syntax`) with
/// the form's values set, and the body.
pub fn text_of(form: &Posted, kinds: &KindsView) -> String {
    let syntax = match posted(form, "syntax") {
        Some("yaml") => Syntax::Yaml,
        _ => Syntax::Toml,
    };
    let split = Split {
        syntax,
        front: posted(form, "front")
            .unwrap_or_default()
            .replace("\r\n", "\n"),
        body: String::new(),
    };
    let before = Fields::parse(&split);
    let mut after = before.clone().unwrap_or_else(|| Fields::empty(syntax));
    let kind_name = posted(form, "kind").unwrap_or("page");
    let kind = kind_of(kinds, kind_name);
    let common = kinds.common.iter().map(|f| (f, "f", None));
    let own = kind.into_iter().flat_map(|k| {
        k.fields
            .iter()
            .map(move |f| (f, "k", Some(k.name.as_str())))
    });
    for (f, prefix, table) in common.chain(own) {
        let raw = posted(form, &format!("{prefix}.{}", f.name));
        let entry = match f.ty.as_str() {
            "bool" => Entry::Bool(raw.is_some()),
            "date" | "datetime" => Entry::Date(raw.unwrap_or_default().to_string()),
            "int" | "number" => Entry::Int(raw.unwrap_or_default().to_string()),
            "files" | "pages" => Entry::List(
                form.iter()
                    .filter(|(k, _)| *k == format!("{prefix}.{}", f.name))
                    .flat_map(|(_, v)| v.lines())
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            "list" => Entry::List(
                raw.unwrap_or_default()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            _ => Entry::Text(
                raw.unwrap_or_default()
                    .replace("\r\n", "\n")
                    .trim()
                    .to_string(),
            ),
        };
        after.set(
            &Key {
                table,
                name: &f.name,
            },
            entry,
        );
    }
    let body = posted(form, "body").unwrap_or_default();
    match before {
        Some(b) => text::join(&split, Some(&b), &after, body),
        // A front matter that does not parse is kept as written (`cms check` says why).
        None => text::join(&split, None, &Fields::empty(syntax), body).replacen(
            &format!("{0}\n{0}\n", delim(syntax)),
            &format!("{0}\n{1}{0}\n", delim(syntax), split.front),
            1,
        ),
    }
}

fn delim(s: Syntax) -> &'static str {
    match s {
        Syntax::Toml => "+++",
        Syntax::Yaml => "---",
    }
}
