//! Content kinds as data: one schema per kind, built in (`cms-core/schema/*.toml`) and
//! extended or overridden by `schema/<kind>.toml` in the content repository.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::frontmatter::{line_col, FrontMatter};
use crate::reference::{check_reference, PageNames};
use crate::text::safe_relative_path;
use crate::value::{format_date_iso, parse_date, type_name};

/// The built-in pack: what Decree 42 Art. 4 and Circular 32 make agencies publish.
const BUILTIN: &[(&str, &str)] = &[
    ("page", include_str!("../schema/page.toml")),
    ("news", include_str!("../schema/news.toml")),
    ("legal", include_str!("../schema/legal.toml")),
    ("procedure", include_str!("../schema/procedure.toml")),
    ("consultation", include_str!("../schema/consultation.toml")),
    ("faq", include_str!("../schema/faq.toml")),
    ("plan", include_str!("../schema/plan.toml")),
    ("report", include_str!("../schema/report.toml")),
    ("unit", include_str!("../schema/unit.toml")),
    ("person", include_str!("../schema/person.toml")),
    ("dataset", include_str!("../schema/dataset.toml")),
];

/// The type of a typed field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// One line of text.
    String,
    /// Longer text (may hold Markdown).
    Text,
    /// An integer.
    Int,
    /// true or false.
    Bool,
    /// A date, `2022-11-25` or with a time.
    Date,
    /// One of `values`.
    Enum,
    /// An `http(s)://` address.
    Url,
    /// An e-mail address.
    Email,
    /// A file in the page bundle.
    File,
    /// A list of files in the page bundle.
    Files,
    /// A list of strings.
    List,
    /// A reference to another page of the network, written as links are: `@/<site>/<path>.md`.
    Page,
    /// A list of references to other pages.
    Pages,
}

/// One typed field of a kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The key in the `[kind]` table.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Whether a page must have it.
    #[serde(default)]
    pub required: bool,
    /// Required when this other field is present (e.g. `image_alt` with `image`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_with: Option<String>,
    /// The allowed values of an `enum`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Vietnamese label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// English label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// Lists of this kind can be filtered by this field, on static pages under
    /// `<section>/<facet>/<value>/` (a date field filters by year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facet: Option<String>,
    /// How the search index uses the field: `text` (searched as words, the default for text
    /// fields), `code` (an identifier people paste whole, such as a document number: matched
    /// exactly and ranked first) or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchUse>,
}

/// How the search index uses a typed field (see [`FieldSpec::search`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchUse {
    /// Searched as words.
    Text,
    /// An identifier: matched whole and as words, ranked first.
    Code,
    /// Not searched.
    None,
}

impl FieldSpec {
    /// How the search index uses this field: as declared, else `text` for the types that hold
    /// words (string, text, enum, list) and `none` for the others.
    pub fn search_use(&self) -> SearchUse {
        self.search.unwrap_or(match self.ty {
            FieldType::String | FieldType::Text | FieldType::Enum | FieldType::List => {
                SearchUse::Text
            }
            _ => SearchUse::None,
        })
    }
}

/// A content kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindSchema {
    /// Its name, also the name of the front-matter table holding its fields.
    pub name: String,
    /// Vietnamese label.
    #[serde(default)]
    pub label: Option<String>,
    /// English label.
    #[serde(default)]
    pub label_en: Option<String>,
    /// The template for its pages (default `<name>.html` when the theme has it, else `page.html`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Languages every page of this kind must also exist in (Decree 42 Art. 7.2 asks for the
    /// organisation and contacts in English); the build warns for each page without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations_required: Vec<String>,
    /// In a repository schema: replace the built-in kind of the same name instead of extending it.
    #[serde(default, skip_serializing)]
    pub replace: bool,
    /// Its fields, in display order.
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldSpec>,
}

impl KindSchema {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// All kinds known to a network.
#[derive(Debug, Clone)]
pub struct Schemas {
    kinds: BTreeMap<String, KindSchema>,
}

/// What validating a page's typed fields needs to know about the page.
pub(crate) struct FieldContext<'a> {
    pub path: &'a str,
    pub fm: &'a FrontMatter,
    /// Files of the page bundle, relative to it; `None` when the page is not a bundle.
    pub bundle_files: Option<&'a BTreeSet<String>>,
    /// The pages and sections of the network references may name; `None` checks only their
    /// form.
    pub pages: Option<&'a PageNames<'a>>,
}

impl Schemas {
    /// The built-in pack.
    pub fn builtin() -> Self {
        let kinds = BUILTIN
            .iter()
            .map(|(name, text)| {
                // ok: the built-in schemas are tested below to parse.
                let k: KindSchema = toml::from_str(text).expect("built-in schema parses"); // ok: tested below
                (name.to_string(), k)
            })
            .collect();
        Schemas { kinds }
    }

    /// The kind called `name`.
    pub fn get(&self, name: &str) -> Option<&KindSchema> {
        self.kinds.get(name)
    }

    /// Every kind, by name.
    pub fn iter(&self) -> impl Iterator<Item = &KindSchema> {
        self.kinds.values()
    }

    /// The names of every kind, comma-separated, for hints.
    pub fn names(&self) -> String {
        self.kinds.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// Adds a repository schema file: a new kind, or fields added to or changed in a built-in one.
    pub(crate) fn add_file(
        &mut self,
        path: &str,
        file_stem: &str,
        text: &str,
    ) -> Result<(), Diagnostic> {
        let k: KindSchema = toml::from_str(text).map_err(|e| {
            let (l, c) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            Diagnostic::error(
                path,
                l,
                c,
                format!("invalid kind schema: {}", e.message().trim()),
            )
            .with_hint("see docs/content-format.md, \"Content kinds\"")
        })?;
        if k.name != file_stem {
            return Err(Diagnostic::error(
                path,
                1,
                1,
                format!("schema name `{}` differs from the file name", k.name),
            )
            .with_hint(format!(
                "name the file schema/{}.toml or set name = \"{file_stem}\"",
                k.name
            )));
        }
        for f in &k.fields {
            if f.ty == FieldType::Enum && f.values.is_empty() {
                let (l, c) = crate::value::locate_key(
                    text,
                    crate::value::Syntax::Toml,
                    Some("field"),
                    "values",
                )
                .unwrap_or((1, 1));
                return Err(Diagnostic::error(
                    path,
                    l,
                    c,
                    format!("enum field `{}` has no values", f.name),
                )
                .with_hint("add values = [\"…\", \"…\"]"));
            }
        }
        match self.kinds.get_mut(&k.name) {
            Some(existing) if !k.replace => {
                if k.label.is_some() {
                    existing.label = k.label;
                }
                if k.label_en.is_some() {
                    existing.label_en = k.label_en;
                }
                if k.template.is_some() {
                    existing.template = k.template;
                }
                if !k.translations_required.is_empty() {
                    existing.translations_required = k.translations_required;
                }
                for f in k.fields {
                    match existing.fields.iter_mut().find(|e| e.name == f.name) {
                        Some(e) => *e = f,
                        None => existing.fields.push(f),
                    }
                }
            }
            _ => {
                self.kinds.insert(k.name.clone(), k);
            }
        }
        Ok(())
    }

    /// Validates the `[kind]` table of a page and returns it normalized (dates as ISO text,
    /// file paths cleaned), with every problem found.
    pub(crate) fn validate(
        &self,
        kind: &KindSchema,
        table: Option<Value>,
        cx: &FieldContext<'_>,
    ) -> (Map<String, Value>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut out = Map::new();
        let table = match table {
            None => Map::new(),
            Some(Value::Object(m)) => m,
            Some(other) => {
                let (l, c) = cx.fm.locate(None, &kind.name);
                diags.push(
                    Diagnostic::error(
                        cx.path,
                        l,
                        c,
                        format!(
                            "`{}` must be a table of fields, not {}",
                            kind.name,
                            type_name(&other)
                        ),
                    )
                    .with_hint(format!("write the fields under a [{}] line", kind.name)),
                );
                return (out, diags);
            }
        };
        let at = |key: &str| cx.fm.locate(Some(&kind.name), key);
        for (key, _) in table.iter() {
            if kind.field(key).is_none() {
                let (l, c) = at(key);
                let known: Vec<&str> = kind.fields.iter().map(|f| f.name.as_str()).collect();
                diags.push(
                    Diagnostic::error(
                        cx.path,
                        l,
                        c,
                        format!("unknown field `{key}` for kind `{}`", kind.name),
                    )
                    .with_hint(if known.is_empty() {
                        format!(
                            "kind `{}` has no typed fields; put free-form data in [extra]",
                            kind.name
                        )
                    } else {
                        format!(
                            "known fields: {}; put free-form data in [extra]",
                            known.join(", ")
                        )
                    }),
                );
            }
        }
        for spec in &kind.fields {
            let value = table.get(&spec.name);
            let required = spec.required
                || spec
                    .required_with
                    .as_ref()
                    .is_some_and(|o| table.contains_key(o));
            let Some(value) = value else {
                if required {
                    let (l, c) = at(&spec.name);
                    diags.push(
                        Diagnostic::error(
                            cx.path,
                            l,
                            c,
                            format!(
                                "missing required field `{}` of kind `{}`",
                                spec.name, kind.name
                            ),
                        )
                        .with_hint(format!("add `{} = …` under [{}]", spec.name, kind.name)),
                    );
                }
                continue;
            };
            match check_value(spec, value, cx) {
                Ok(v) => {
                    out.insert(spec.name.clone(), v);
                }
                Err(problems) => {
                    let (l, c) = at(&spec.name);
                    for (msg, hint) in problems {
                        diags.push(
                            Diagnostic::error(
                                cx.path,
                                l,
                                c,
                                format!("field `{}.{}`: {msg}", kind.name, spec.name),
                            )
                            .with_hint(hint),
                        );
                    }
                }
            }
        }
        (out, diags)
    }
}

type Problem = (String, String);

fn check_value(
    spec: &FieldSpec,
    value: &Value,
    cx: &FieldContext<'_>,
) -> Result<Value, Vec<Problem>> {
    if matches!(spec.ty, FieldType::Files | FieldType::Pages) {
        if let Value::Array(a) = value {
            if a.iter().all(Value::is_string) {
                let one = |s: &str| match spec.ty {
                    FieldType::Pages => check_reference(s, cx.pages),
                    _ => check_file(s, cx),
                };
                let (ok, bad): (Vec<_>, Vec<_>) = a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(one)
                    .partition(Result::is_ok);
                return if bad.is_empty() {
                    Ok(Value::Array(
                        ok.into_iter()
                            .filter_map(Result::ok)
                            .map(Value::String)
                            .collect(),
                    ))
                } else {
                    Err(bad.into_iter().filter_map(Result::err).collect())
                };
            }
        }
    }
    check_one(spec, value, cx).map_err(|p| vec![p])
}

fn check_one(spec: &FieldSpec, value: &Value, cx: &FieldContext<'_>) -> Result<Value, Problem> {
    let wrong = |expected: &str, example: &str| {
        Err((
            format!("must be {expected}, not {}", type_name(value)),
            format!("write it as {} = {example}", spec.name),
        ))
    };
    match spec.ty {
        FieldType::String | FieldType::Text => match value {
            Value::String(s) if spec.required && s.trim().is_empty() => {
                Err(("is empty".into(), "write some text".into()))
            }
            Value::String(_) => Ok(value.clone()),
            _ => wrong("text", "\"…\""),
        },
        FieldType::Int => match value {
            Value::Number(n) if n.is_i64() => Ok(value.clone()),
            _ => wrong("an integer", "10"),
        },
        FieldType::Bool => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => wrong("true or false", "true"),
        },
        FieldType::Date => match value {
            Value::String(s) => match parse_date(s) {
                Some(d) => Ok(Value::String(format_date_iso(&d))),
                None => Err((
                    format!("`{s}` is not a date"),
                    "write dates as 2022-11-25".into(),
                )),
            },
            _ => wrong("a date", "2022-11-25"),
        },
        FieldType::Enum => match value {
            Value::String(s) if spec.values.iter().any(|v| v == s) => Ok(value.clone()),
            Value::String(s) => Err((
                format!("`{s}` is not one of the allowed values"),
                format!("use one of: {}", spec.values.join(", ")),
            )),
            _ => wrong(
                "one of the allowed values",
                &format!(
                    "\"{}\"",
                    spec.values.first().map(String::as_str).unwrap_or("")
                ),
            ),
        },
        FieldType::Url => match value {
            Value::String(s) if is_url(s) => Ok(value.clone()),
            Value::String(s) => Err((
                format!("`{s}` is not a web address"),
                "write a full address starting with https://".into(),
            )),
            _ => wrong("a web address", "\"https://…\""),
        },
        FieldType::Email => match value {
            Value::String(s) if is_email(s) => Ok(value.clone()),
            Value::String(s) => Err((
                format!("`{s}` is not an e-mail address"),
                "write it as name@example.gov.vn".into(),
            )),
            _ => wrong("an e-mail address", "\"name@mt.gov.vn\""),
        },
        FieldType::List => match value {
            Value::Array(a) if a.iter().all(Value::is_string) => Ok(value.clone()),
            _ => wrong("a list of strings", "[\"…\", \"…\"]"),
        },
        FieldType::File => match value {
            Value::String(s) => check_file(s, cx).map(Value::String),
            _ => wrong("a file name", "\"van-ban.pdf\""),
        },
        FieldType::Files => match value {
            Value::String(s) => check_file(s, cx).map(|f| Value::Array(vec![Value::String(f)])),
            _ => wrong("a list of file names", "[\"van-ban.pdf\"]"),
        },
        FieldType::Page => match value {
            Value::String(s) => check_reference(s, cx.pages).map(Value::String),
            _ => wrong("a reference to a page", "\"@/mt/van-ban/nd-42.md\""),
        },
        FieldType::Pages => match value {
            Value::String(s) => {
                check_reference(s, cx.pages).map(|r| Value::Array(vec![Value::String(r)]))
            }
            _ => wrong(
                "a list of references to pages",
                "[\"@/mt/van-ban/nd-42.md\"]",
            ),
        },
    }
}

fn check_file(name: &str, cx: &FieldContext<'_>) -> Result<String, Problem> {
    let Some(clean) = safe_relative_path(name) else {
        return Err((
            format!("`{name}` leaves the page bundle"),
            "name a file inside the page's folder, without `..` or a leading `/`".into(),
        ));
    };
    let Some(files) = cx.bundle_files else {
        return Err((
            format!("`{name}` needs a page bundle"),
            "move the page to <slug>/index.md and put the file beside it".into(),
        ));
    };
    if files.contains(&clean) {
        Ok(clean)
    } else {
        Err((
            format!("file `{clean}` is not in the page bundle"),
            "add the file beside index.md, or fix the name (names are case-sensitive)".into(),
        ))
    }
}

fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !s.chars().any(char::is_whitespace)
    })
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Syntax;

    fn fm(text: &str) -> FrontMatter {
        FrontMatter {
            syntax: Syntax::Toml,
            text: text.to_string(),
            first_line: 2,
        }
    }

    #[test]
    fn builtin_pack_has_every_kind() {
        let s = Schemas::builtin();
        for k in [
            "page",
            "news",
            "legal",
            "procedure",
            "consultation",
            "faq",
            "plan",
            "report",
            "unit",
            "person",
            "dataset",
        ] {
            assert!(s.get(k).is_some(), "missing kind {k}");
        }
    }

    #[test]
    fn validates_types_and_required_fields() {
        let s = Schemas::builtin();
        let legal = s.get("legal").unwrap();
        let text =
            "title = \"x\"\n[legal]\ndoc_type = \"Sắc lệnh\"\nnumber = 5\nissued = \"hôm nay\"\n";
        let f = fm(text);
        let files = BTreeSet::new();
        let cx = FieldContext {
            path: "a.md",
            fm: &f,
            bundle_files: Some(&files),
            pages: None,
        };
        let table: toml::Table = text.parse().unwrap();
        let v = crate::value::from_toml(toml::Value::Table(table));
        let (_, diags) = s.validate(legal, v.get("legal").cloned(), &cx);
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("doc_type") && m.contains("not one of")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("number") && m.contains("must be text")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("issued") && m.contains("not a date")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("missing required field `issuer`")),
            "{msgs:#?}"
        );
        // `number` is on line 4 of the front matter, line 5 of the file.
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("a.md:5:1:") && m.contains("number")),
            "{msgs:#?}"
        );
    }

    #[test]
    fn files_must_be_in_the_bundle() {
        let s = Schemas::builtin();
        let report = s.get("report").unwrap();
        let f = fm("");
        let files: BTreeSet<String> = ["bc.pdf".to_string()].into();
        let cx = FieldContext {
            path: "a.md",
            fm: &f,
            bundle_files: Some(&files),
            pages: None,
        };
        let table = serde_json::json!({"period": "2022", "files": ["bc.pdf", "../../etc/passwd", "khac.pdf"]});
        let (_, diags) = s.validate(report, Some(table), &cx);
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(diags[0].message.contains("leaves the page bundle"));
        let table = serde_json::json!({"period": "2022", "files": ["bc.pdf"]});
        let (out, diags) = s.validate(report, Some(table), &cx);
        assert!(diags.is_empty());
        assert_eq!(out["files"], serde_json::json!(["bc.pdf"]));
    }

    #[test]
    fn repository_schema_extends_a_builtin_kind() {
        let mut s = Schemas::builtin();
        s.add_file("schema/news.toml", "news", "name = \"news\"\n[[field]]\nname = \"region\"\ntype = \"enum\"\nvalues = [\"Bắc\", \"Nam\"]\n").unwrap();
        let news = s.get("news").unwrap();
        assert!(news.field("image").is_some());
        assert!(news.field("region").is_some());
        let e = s
            .add_file("schema/x.toml", "x", "name = \"y\"\n")
            .unwrap_err();
        assert!(e.message.contains("differs"));
        let e = s
            .add_file("schema/x.toml", "x", "name = \"x\"\nlabel = 3\n")
            .unwrap_err();
        assert!(e.message.contains("invalid kind schema"), "{e}");
    }

    #[test]
    fn urls_and_emails() {
        assert!(is_url("https://dichvucong.gov.vn/p/home"));
        assert!(!is_url("dichvucong.gov.vn"));
        assert!(!is_url("javascript:alert(1)"));
        assert!(is_email("vanphong@mt.gov.vn"));
        assert!(!is_email("vanphong@mt"));
        assert!(!is_email("a b@mt.gov.vn"));
    }
}
