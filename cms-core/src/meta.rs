//! Page and section metadata with Zola's field names, read from a front-matter table by
//! serde (the `*Fields` structs say which fields there are and their types), then checked:
//! every mistake is reported at its line, naming the field and saying what to write.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::field::{Checker, DateText, Field};
use crate::frontmatter::FrontMatter;
use crate::value::parse_date;

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
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
    /// Left out of the build before this time (Vietnam time): scheduled publishing.
    pub publish_at: Option<NaiveDateTime>,
    /// Left out of the build from this time on (Vietnam time): scheduled unpublishing.
    pub unpublish_at: Option<NaiveDateTime>,
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

/// The fields of a page's front matter, as written.
#[derive(Default, Deserialize)]
#[serde(default)]
struct PageFields {
    title: Field<String>,
    description: Field<String>,
    date: Field<DateText>,
    updated: Field<DateText>,
    slug: Field<String>,
    draft: Field<bool>,
    publish_at: Field<DateText>,
    unpublish_at: Field<DateText>,
    weight: Field<i64>,
    aliases: Field<Vec<String>>,
    template: Field<String>,
    kind: Field<String>,
    taxonomies: Field<BTreeMap<String, Field<Vec<String>>>>,
    extra: Field<Map<String, Value>>,
    /// Every other key: the table of the page's kind, or mistakes, which assembly tells
    /// apart once it knows the kind.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// The fields of a section's front matter, as written.
#[derive(Default, Deserialize)]
#[serde(default)]
struct SectionFields {
    title: Field<String>,
    description: Field<String>,
    draft: Field<bool>,
    weight: Field<i64>,
    template: Field<String>,
    page_template: Field<String>,
    sort_by: Field<String>,
    paginate_by: Field<i64>,
    kind: Field<String>,
    extra: Field<Map<String, Value>>,
    // Zola fields this tool accepts but does not need.
    #[allow(dead_code)]
    insert_anchor_links: IgnoredAny,
    #[allow(dead_code)]
    render: IgnoredAny,
    #[allow(dead_code)]
    in_search_index: IgnoredAny,
    #[allow(dead_code)]
    generate_feeds: IgnoredAny,
    #[allow(dead_code)]
    transparent: IgnoredAny,
    /// Every other key: a mistake.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// Deserializes a front-matter table into `T`. The fields of `T` read any value, so this
/// fails only if serde itself does; that is reported at the front matter's start.
fn fields_of<T: serde::de::DeserializeOwned>(
    map: Map<String, Value>,
    ck: &Checker<'_>,
) -> Result<T, Vec<Diagnostic>> {
    T::deserialize(Value::Object(map)).map_err(|e| {
        let line = ck.fm.start_line();
        vec![Diagnostic::error(
            ck.path,
            line,
            1,
            format!("front matter: {e}"),
        )]
    })
}

/// A date field: its text read as a date, or an error naming the field.
fn date(ck: &mut Checker<'_>, key: &str, field: Field<DateText>) -> Option<NaiveDateTime> {
    let DateText(s) = ck.get(key, field)?;
    let d = parse_date(&s);
    if d.is_none() {
        ck.error_at(
            key,
            format!("field `{key}`: `{s}` is not a date"),
            "write dates as 2022-11-25 or 2022-11-25T15:45:00",
        );
    }
    d
}

/// Reports an `unpublish_at` that is not after `publish_at`: the page would never be shown.
fn check_window(ck: &mut Checker<'_>, meta: &PageMeta) {
    if let (Some(from), Some(to)) = (meta.publish_at, meta.unpublish_at) {
        if to <= from {
            ck.error_at(
                "unpublish_at",
                format!(
                    "field `unpublish_at` ({}) must be after `publish_at` ({})",
                    crate::value::format_date_iso(&to),
                    crate::value::format_date_iso(&from)
                ),
                "the page is shown from publish_at until unpublish_at; remove one or change the dates",
            );
        }
    }
}

impl PageMeta {
    /// Whether the page is inside its publishing window at `now` (Vietnam time): not before
    /// `publish_at`, not at or after `unpublish_at`. Drafts are another matter.
    pub fn visible_at(&self, now: NaiveDateTime) -> bool {
        self.publish_at.is_none_or(|t| t <= now) && self.unpublish_at.is_none_or(|t| now < t)
    }
}

/// A free-form table, empty when not written.
fn table(ck: &mut Checker<'_>, key: &str, field: Field<Map<String, Value>>) -> Value {
    Value::Object(ck.get(key, field).unwrap_or_default())
}

/// The taxonomies of a page: each a list of terms, or an error at its line.
fn taxonomies(
    ck: &mut Checker<'_>,
    field: Field<BTreeMap<String, Field<Vec<String>>>>,
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (name, terms) in ck.get("taxonomies", field).unwrap_or_default() {
        match terms {
            Field::Ok(terms) => {
                out.insert(name, terms);
            }
            Field::Wrong(other) => {
                let (l, c) = ck.fm.locate(Some("taxonomies"), &name);
                ck.diags.push(
                    Diagnostic::error(
                        ck.path,
                        l,
                        c,
                        format!("taxonomy `{name}` must be a list of terms, not {other}"),
                    )
                    .with_hint(format!("write it as {name} = [\"chuyển đổi số\"]")),
                );
            }
            Field::Absent => {}
        }
    }
    out
}

/// Reads a page's metadata from its front-matter table, with every mistake in it. The keys
/// that are not page fields are returned beside it: the kind table, or unknown fields.
pub(crate) fn read_page_meta(
    map: Map<String, Value>,
    fm: &FrontMatter,
    path: &str,
) -> Result<(PageMeta, Map<String, Value>), Vec<Diagnostic>> {
    let mut ck = Checker::new(fm, path);
    let f: PageFields = fields_of(map, &ck)?;
    let meta = PageMeta {
        title: ck.required("title", f.title),
        description: ck.get("description", f.description),
        date: date(&mut ck, "date", f.date),
        updated: date(&mut ck, "updated", f.updated),
        slug: ck.get("slug", f.slug),
        draft: ck.get("draft", f.draft).unwrap_or(false),
        publish_at: date(&mut ck, "publish_at", f.publish_at),
        unpublish_at: date(&mut ck, "unpublish_at", f.unpublish_at),
        weight: ck.get("weight", f.weight),
        aliases: ck.get("aliases", f.aliases).unwrap_or_default(),
        template_line: ck.line_of("template", f.template.is_present()),
        template: ck.get("template", f.template),
        kind: ck.get("kind", f.kind),
        taxonomies: taxonomies(&mut ck, f.taxonomies),
        extra: table(&mut ck, "extra", f.extra),
    };
    check_window(&mut ck, &meta);
    match ck.diags.is_empty() {
        true => Ok((meta, f.rest)),
        false => Err(ck.diags),
    }
}

/// Reads a section's metadata from its front-matter table, with every mistake in it,
/// unknown fields included.
pub(crate) fn read_section_meta(
    map: Map<String, Value>,
    fm: &FrontMatter,
    path: &str,
) -> Result<SectionMeta, Vec<Diagnostic>> {
    let mut ck = Checker::new(fm, path);
    let f: SectionFields = fields_of(map, &ck)?;
    let template_line = match f.template.is_present() {
        true => ck.line_of("template", true),
        false => ck.line_of("page_template", f.page_template.is_present()),
    };
    let meta = SectionMeta {
        title: ck.required("title", f.title),
        description: ck.get("description", f.description),
        draft: ck.get("draft", f.draft).unwrap_or(false),
        weight: ck.get("weight", f.weight),
        template: ck.get("template", f.template),
        template_line,
        page_template: ck.get("page_template", f.page_template),
        sort_by: sort_by(&mut ck, f.sort_by),
        paginate_by: paginate_by(&mut ck, f.paginate_by),
        kind: ck.get("kind", f.kind),
        extra: table(&mut ck, "extra", f.extra),
    };
    for key in f.rest.keys() {
        ck.error_at(
            key,
            format!("unknown field `{key}` in a section"),
            "section fields are title, description, sort_by, paginate_by, kind, template, page_template, weight, draft, [extra]",
        );
    }
    match ck.diags.is_empty() {
        true => Ok(meta),
        false => Err(ck.diags),
    }
}

/// A section's order: by date unless it says otherwise.
fn sort_by(ck: &mut Checker<'_>, field: Field<String>) -> SortBy {
    let Some(s) = ck.get("sort_by", field) else {
        return SortBy::Date;
    };
    match SortBy::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(&s))
    {
        Ok(by) => by,
        Err(_) => {
            ck.error_at(
                "sort_by",
                format!("field `sort_by`: unknown order `{s}`"),
                "use one of: date, weight, title, none",
            );
            SortBy::Date
        }
    }
}

/// A section's pages per list page: 10 unless it says otherwise, at most 10,000.
fn paginate_by(ck: &mut Checker<'_>, field: Field<i64>) -> usize {
    match ck.get("paginate_by", field) {
        None => 10,
        Some(n) if (0..=10_000).contains(&n) => n as usize,
        Some(n) => {
            ck.error_at(
                "paginate_by",
                format!("field `paginate_by`: {n} is out of range"),
                "use 0 (no pagination) to 10000",
            );
            10
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::{parse, split};

    fn page(text: &str) -> Result<(PageMeta, Map<String, Value>), Vec<Diagnostic>> {
        let (fm, _, _) = split("a.md", text).unwrap();
        read_page_meta(parse("a.md", &fm).unwrap(), &fm, "a.md")
    }

    fn section(text: &str) -> Result<SectionMeta, Vec<Diagnostic>> {
        let (fm, _, _) = split("a.md", text).unwrap();
        read_section_meta(parse("a.md", &fm).unwrap(), &fm, "a.md")
    }

    #[test]
    fn wrong_types_are_reported_at_their_line() {
        let diags =
            page("+++\ntitle = \"A\"\ndraft = \"yes\"\ndate = \"hôm qua\"\n+++\n").unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:?}");
        let draft = diags
            .iter()
            .find(|d| d.message == "field `draft` must be true or false, not a string")
            .unwrap();
        assert_eq!((draft.line, draft.col), (3, 1));
        assert_eq!(draft.hint.as_deref(), Some("write it as draft = true"));
        let date = diags
            .iter()
            .find(|d| d.message == "field `date`: `hôm qua` is not a date")
            .unwrap();
        assert_eq!(date.line, 4);
    }

    #[test]
    fn missing_title_is_reported() {
        let diags = page("+++\ndate = 2022-01-01\n+++\n").unwrap_err();
        assert_eq!(diags[0].message, "missing required field `title`");
        assert_eq!(diags[0].line, 1);
    }

    #[test]
    fn every_field_is_read_in_both_syntaxes() {
        let toml = "+++\ntitle = \"A\"\ndescription = \"D\"\ndate = 2022-11-25T15:45:00\nupdated = \"2022-11-26\"\nslug = \"s\"\ndraft = true\nweight = 3\naliases = [\"/x/\"]\ntemplate = \"t.html\"\nkind = \"legal\"\n\n[taxonomies]\ntopics = [\"a\", \"b\"]\n\n[extra]\nk = 1\n\n[legal]\nnumber = \"1\"\n+++\n";
        let yaml = "---\ntitle: A\ndescription: D\ndate: 2022-11-25T15:45:00\nupdated: \"2022-11-26\"\nslug: s\ndraft: true\nweight: 3\naliases: [\"/x/\"]\ntemplate: t.html\nkind: legal\ntaxonomies:\n  topics: [a, b]\nextra:\n  k: 1\nlegal:\n  number: \"1\"\n---\n";
        for text in [toml, yaml] {
            let (m, rest) = page(text).unwrap();
            assert_eq!(m.title, "A");
            assert_eq!(m.description.as_deref(), Some("D"));
            assert_eq!(m.date, parse_date("2022-11-25T15:45:00"));
            assert_eq!(m.updated, parse_date("2022-11-26"));
            assert_eq!(m.slug.as_deref(), Some("s"));
            assert!(m.draft);
            assert_eq!(m.weight, Some(3));
            assert_eq!(m.aliases, ["/x/"]);
            assert_eq!(m.template.as_deref(), Some("t.html"));
            assert_eq!(m.template_line, 10, "{text}");
            assert_eq!(m.kind.as_deref(), Some("legal"));
            assert_eq!(m.taxonomies["topics"], ["a", "b"]);
            assert_eq!(m.extra, serde_json::json!({"k": 1}));
            assert_eq!(rest.keys().collect::<Vec<_>>(), ["legal"]);
        }
    }

    #[test]
    fn taxonomy_terms_must_be_lists() {
        let diags = page("+++\ntitle = \"A\"\n[taxonomies]\ntopics = \"a\"\n+++\n").unwrap_err();
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].message,
            "taxonomy `topics` must be a list of terms, not a string"
        );
        assert_eq!(diags[0].line, 4);
    }

    #[test]
    fn sections_reject_unknown_fields_and_bad_orders() {
        let s = section(
            "+++\ntitle = \"S\"\nsort_by = \"weight\"\npaginate_by = 0\ntransparent = true\n+++\n",
        )
        .unwrap();
        assert_eq!((s.sort_by, s.paginate_by), (SortBy::Weight, 0));
        let diags = section(
            "+++\ntitle = \"S\"\nsort_by = \"size\"\npaginate_by = 99999\ncolour = \"red\"\n+++\n",
        )
        .unwrap_err();
        let mut msgs: Vec<_> = diags.iter().map(|d| (d.line, d.message.as_str())).collect();
        msgs.sort();
        assert_eq!(
            msgs,
            [
                (3, "field `sort_by`: unknown order `size`"),
                (4, "field `paginate_by`: 99999 is out of range"),
                (5, "unknown field `colour` in a section"),
            ]
        );
    }
}
