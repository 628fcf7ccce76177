//! What the build gives the search index: one document per page, and the strings the search
//! pages of `cms serve` show (site names, kind labels, the theme's UI strings).

use std::collections::{BTreeMap, HashMap};

use cms_core::{FieldType, Network, SearchUse};
use search_index::{SearchDoc, SearchUi, UiLanguage, UiSite};
use serde_json::Value;

use crate::context::SiteData;
use crate::lazy_markdown::MdEnv;

/// The search documents of every page of the selected sites, in a stable order, with the
/// (site, page) of each. A document's body is keyed by its page's Markdown key and made by
/// [`body`] only when the index writes the document.
pub(crate) fn documents(
    network: &Network,
    datas: &HashMap<usize, SiteData<'_>>,
) -> (Vec<SearchDoc>, Vec<(usize, usize)>) {
    let mut sites: Vec<&SiteData<'_>> = datas.values().collect();
    sites.sort_by_key(|d| d.site_idx);
    let mut docs = Vec::new();
    let mut of = Vec::new();
    for d in sites {
        let site = d.site;
        for (i, p) in site.pages.iter().enumerate() {
            let mut fields = Vec::new();
            let mut codes = Vec::new();
            if let Some(kind) = network.schemas.get(&p.kind) {
                for spec in &kind.fields {
                    let Some(v) = p.fields.get(&spec.name) else {
                        continue;
                    };
                    let values: Vec<String> = match v {
                        Value::String(s) => vec![s.clone()],
                        Value::Array(a) => a
                            .iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect(),
                        Value::Number(n) if spec.ty == FieldType::Int => vec![n.to_string()],
                        _ => vec![],
                    };
                    match spec.search_use() {
                        SearchUse::Code => codes.extend(values),
                        SearchUse::Text => fields.extend(values),
                        SearchUse::None => {}
                    }
                }
            }
            let taxonomies = p
                .meta
                .taxonomies
                .iter()
                .flat_map(|(tax, terms)| {
                    // The term's name as the taxonomy lists it, so facets agree across pages.
                    let listed = d
                        .taxonomies
                        .iter()
                        .find(|t| &t.name == tax && t.lang == p.lang);
                    terms.iter().map(move |name| {
                        let slug = cms_core::slugify(name);
                        let shown = listed
                            .and_then(|t| t.terms.get(&slug))
                            .map(|t| t.name.clone())
                            .unwrap_or_else(|| name.clone());
                        (tax.clone(), shown)
                    })
                })
                .collect();
            docs.push(SearchDoc {
                site: site.id.clone(),
                domain: site.config.domain.clone(),
                kind: p.kind.clone(),
                lang: p.lang.clone(),
                path: p.path.clone(),
                title: p.meta.title.clone(),
                description: p.meta.description.clone().unwrap_or_default(),
                body: String::new(),
                body_key: d.pages_md.get(i).map(|m| m.key),
                date: p.meta.date.map(|t| t.and_utc().timestamp()),
                taxonomies,
                fields,
                codes,
            });
            of.push((d.site_idx, i));
        }
    }
    (docs, of)
}

/// The text of page `page` of site `site`, for its search document.
pub(crate) fn body<'d>(
    datas: &'d HashMap<usize, SiteData<'_>>,
    env: &MdEnv<'_>,
    (site, page): (usize, usize),
) -> &'d str {
    datas
        .get(&site)
        .and_then(|d| d.pages_md.get(page))
        .map(|m| m.get(env).0.text.as_str())
        .unwrap_or_default()
}

/// `search/ui.json`: what the search pages of `cms serve` show besides results, in each
/// language: the theme's UI strings, the sites' names and domains, the kinds' labels.
pub(crate) fn ui(network: &Network, theme: &crate::theme::Theme) -> SearchUi {
    let languages = network
        .config
        .languages
        .iter()
        .map(|lang| (lang.clone(), ui_language(network, theme, lang)))
        .collect();
    SearchUi {
        default_language: network.config.default_language.clone(),
        languages,
    }
}

/// The strings of `ui.json` in `lang`.
fn ui_language(network: &Network, theme: &crate::theme::Theme, lang: &str) -> UiLanguage {
    let default = &network.config.default_language;
    let strings: BTreeMap<String, String> = theme
        .i18n
        .get(lang)
        .or_else(|| theme.i18n.get(default))
        .cloned()
        .unwrap_or_default();
    let sites = network
        .sites
        .iter()
        .map(|s| {
            let name = if lang == default {
                s.config.name.clone()
            } else {
                s.config
                    .name_en
                    .clone()
                    .unwrap_or_else(|| s.config.name.clone())
            };
            let site = UiSite {
                domain: s.config.domain.clone(),
                name,
                portal: s.is_portal,
            };
            (s.id.clone(), site)
        })
        .collect();
    let kinds = network
        .schemas
        .iter()
        .map(|k| {
            let label = if lang == "en" {
                k.label_en.clone().or_else(|| k.label.clone())
            } else {
                k.label.clone()
            };
            (k.name.clone(), label.unwrap_or_else(|| k.name.clone()))
        })
        .collect();
    let taxonomies = network
        .config
        .taxonomies
        .iter()
        .map(|t| {
            (
                t.clone(),
                strings.get(t).cloned().unwrap_or_else(|| t.clone()),
            )
        })
        .collect();
    UiLanguage {
        kinds,
        sites,
        strings,
        taxonomies,
    }
}
