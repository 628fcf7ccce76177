//! `facets` and `facet`: the filters of a section's list (by legal form, by year…), from the
//! `facet` fields of the section's kind.

use std::collections::BTreeMap;

use cms_core::{FieldType, Network, Site};
use serde::Serialize;
use serde_json::Value;

use super::localized;

/// One filter of a section's list: the pages by each value of a field.
#[derive(Debug)]
pub struct Facet {
    /// The field.
    pub field: String,
    /// Its labels: (Vietnamese, English).
    pub label: (String, Option<String>),
    /// URL path of the facet: `/van-ban/hinh-thuc/`.
    pub path: String,
    /// Values by slug: (value as written, pages in the section's order).
    pub values: BTreeMap<String, (String, Vec<usize>)>,
}

/// A value of a facet, in `facets[].values`.
#[derive(Debug, Serialize)]
pub struct FacetValueView<'a> {
    /// The value as written (a date field's year).
    pub value: &'a str,
    /// URL path of its list: `/van-ban/hinh-thuc/nghi-dinh/`.
    pub path: String,
    /// How many pages of the section have it.
    pub count: usize,
}

/// A facet of the section, in `facets`.
#[derive(Debug, Serialize)]
pub struct FacetView<'a> {
    /// The field's name.
    pub field: &'a str,
    /// Its label in the language rendered.
    pub label: &'a str,
    /// URL path of the facet.
    pub path: &'a str,
    /// Its values, by slug.
    pub values: Vec<FacetValueView<'a>>,
}

/// `facet` on a facet value's list: which value it lists.
#[derive(Debug, Serialize)]
pub struct FacetRef<'a> {
    /// The field's name.
    pub field: &'a str,
    /// The value as written.
    pub value: &'a str,
    /// URL path of the value's list.
    pub path: &'a str,
}

/// The facets of section `i`, from the `facet` fields of its kind.
pub fn facets(network: &Network, site: &Site, i: usize) -> Vec<Facet> {
    let s = &site.sections[i];
    let Some(kind) = s.meta.kind.as_ref().and_then(|k| network.schemas.get(k)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for spec in kind.fields.iter().filter(|f| f.facet.is_some()) {
        let mut values: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
        for &p in &s.pages {
            let Some(v) = site.pages[p].fields.get(&spec.name).and_then(Value::as_str) else {
                continue;
            };
            let v = if spec.ty == FieldType::Date {
                v.get(..4).unwrap_or(v).to_string()
            } else {
                v.to_string()
            };
            let slug = cms_core::slugify(&v);
            if slug.is_empty() {
                continue;
            }
            values
                .entry(slug)
                .or_insert_with(|| (v, Vec::new()))
                .1
                .push(p);
        }
        if values.is_empty() {
            continue;
        }
        out.push(Facet {
            field: spec.name.clone(),
            label: (
                spec.label.clone().unwrap_or_else(|| spec.name.clone()),
                spec.label_en.clone(),
            ),
            path: format!("{}{}/", s.path, spec.facet.as_deref().unwrap_or(&spec.name)),
            values,
        });
    }
    out
}

/// The view of a section's facets: labels and values with their page counts and paths.
pub fn facets_view<'a>(facets: &'a [Facet], lang: &str) -> Vec<FacetView<'a>> {
    facets
        .iter()
        .map(|f| FacetView {
            field: &f.field,
            label: localized(lang, &f.label.0, f.label.1.as_ref()),
            path: &f.path,
            values: f
                .values
                .iter()
                .map(|(slug, (v, pages))| FacetValueView {
                    value: v,
                    path: format!("{}{slug}/", f.path),
                    count: pages.len(),
                })
                .collect(),
        })
        .collect()
}

/// `facet` for the list of `value` (as written) of `facet`, whose path is `path`.
pub fn facet_ref<'a>(facet: &'a Facet, value: &'a str, path: &'a str) -> FacetRef<'a> {
    FacetRef {
        field: &facet.field,
        value,
        path,
    }
}
