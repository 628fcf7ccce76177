//! Translations side by side: the page's version in the site's other language (`a.md` ↔
//! `a.en.md`, `index.md` ↔ `index.en.md`), read through the API (the user's draft of it, or
//! its published text), shown read-only beside each field; and a translation not written yet
//! started from it: the shared fields (dates, codes, enumerations, files, numbers) copied, the
//! translated ones left empty with the original beside them. All server-rendered.

use serde::Serialize;

use super::form::{self, Input, Posted};
use crate::admin::cx::Cx;
use crate::admin::page_info::api_path;
use crate::api::{KindsView, PageView};

/// The other version of the page, as the form shows it beside its own fields.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Its language.
    pub lang: String,
    /// "Bản tiếng Việt": the heading of its column.
    pub label: String,
    /// Its language's name: "tiếng Việt".
    pub name: String,
    /// Its path in the site.
    pub path: String,
    /// Its Markdown body.
    pub body: String,
}

/// The other version's text (its draft, else its published text), or `None` when it does
/// not exist or cannot be read.
pub async fn other_text(cx: &Cx, site: &str, path: &str) -> Option<String> {
    cx.api
        .get::<PageView>(&api_path("pages", site, path))
        .await
        .ok()
        .map(|p| p.text)
}

/// The name of `lang` in the UI's language ("tiếng Anh").
pub fn lang_name(cx: &Cx, lang: &str) -> String {
    match lang {
        "vi" | "en" => cx.s(&format!("lang_name_{lang}")),
        other => other.to_string(),
    }
}

/// Shows `theirs` (the other version's inputs, same kind) beside `mine`, field by field.
pub fn fill(mine: &mut [Input], theirs: &[Input]) {
    for i in mine.iter_mut() {
        i.other = theirs
            .iter()
            .find(|t| t.name == i.name)
            .map(|t| t.value.clone());
    }
}

/// The text a new translation starts from: the original's shared fields (those not
/// translated) with their values, the kind it names itself, nothing else.
pub fn start_text(kinds: &KindsView, kind: &str, own_kind: bool, original: &[Input]) -> String {
    let mut posted: Posted = vec![
        ("kind".into(), kind.to_string()),
        ("syntax".into(), "toml".into()),
        (
            "front".into(),
            match own_kind {
                true => format!("kind = {}\n", toml::Value::String(kind.to_string())),
                false => String::new(),
            },
        ),
    ];
    for i in original.iter().filter(|i| !i.translated) {
        if i.value.trim().is_empty() || (i.control == "checkbox" && i.value != "true") {
            continue;
        }
        posted.push((i.name.clone(), i.value.clone()));
    }
    form::text_of(&posted, kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{FieldView, KindView};

    fn field(name: &str, ty: &str, translated: bool) -> FieldView {
        FieldView {
            name: name.into(),
            ty: ty.into(),
            required: false,
            required_with: None,
            values: Vec::new(),
            translated,
            label: name.into(),
            label_en: name.into(),
            help: None,
        }
    }

    #[test]
    fn a_translation_starts_with_the_shared_fields_only() {
        let kinds = KindsView {
            languages: vec!["vi".into(), "en".into()],
            common: vec![
                field("title", "string", true),
                field("date", "datetime", false),
            ],
            kinds: vec![KindView {
                name: "legal".into(),
                label: "Văn bản".into(),
                label_en: "Document".into(),
                translations_required: Vec::new(),
                fields: vec![
                    field("number", "string", false),
                    field("summary", "text", true),
                    field("files", "files", false),
                ],
            }],
            sections: Vec::new(),
        };
        let original = "+++\ntitle = \"Quyết định\"\ndate = 2024-05-01\n[legal]\nnumber = \"1/QĐ\"\nsummary = \"Trích yếu\"\nfiles = [\"a.pdf\", \"b.pdf\"]\n+++\nThân.\n";
        let split = super::super::text::split(original);
        let fields = super::super::text::Fields::parse(&split).unwrap();
        let inputs = form::inputs(&kinds, &kinds.kinds[0], &fields, "vi");
        let text = start_text(&kinds, "legal", false, &inputs);
        assert!(text.contains("date = 2024-05-01"), "{text}");
        assert!(text.contains("number = \"1/QĐ\""), "{text}");
        assert!(text.contains("files = [\"a.pdf\", \"b.pdf\"]"), "{text}");
        assert!(
            !text.contains("title") && !text.contains("summary"),
            "{text}"
        );
        assert!(!text.contains("Thân"), "{text}");
    }
}
