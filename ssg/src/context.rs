//! What templates see: serializable views of the network, a site, sections and pages, built
//! once per build and shared by every render.

use std::collections::{BTreeMap, HashMap, HashSet};

use cms_core::{format_date_iso, FieldType, Network, Page, Schemas, Section, Site};
use serde_json::{json, Value};

use crate::lazy_markdown::LazyMd;
use crate::links::LinkIndex;

/// A taxonomy term of one site and language.
#[derive(Debug)]
pub struct Term {
    /// As written by editors.
    pub name: String,
    /// URL path of its first page.
    pub path: String,
    /// Its pages, newest first.
    pub pages: Vec<usize>,
}

/// A taxonomy of one site and language.
#[derive(Debug)]
pub struct Taxonomy {
    /// Its name in `network.toml`.
    pub name: String,
    /// Language.
    pub lang: String,
    /// URL path of the term list.
    pub path: String,
    /// Terms by slug.
    pub terms: BTreeMap<String, Term>,
}

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
    pub values: std::collections::BTreeMap<String, (String, Vec<usize>)>,
}

/// The facets of section `i`, from the `facet` fields of its kind.
pub fn facets(network: &Network, site: &Site, i: usize) -> Vec<Facet> {
    let s = &site.sections[i];
    let Some(kind) = s.meta.kind.as_ref().and_then(|k| network.schemas.get(k)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for spec in kind.fields.iter().filter(|f| f.facet.is_some()) {
        let mut values: std::collections::BTreeMap<String, (String, Vec<usize>)> =
            Default::default();
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
pub fn facets_view(facets: &[Facet], lang: &str) -> Value {
    Value::Array(
        facets
            .iter()
            .map(|f| {
                let values: Vec<Value> = f
                    .values
                    .iter()
                    .map(|(slug, (v, pages))| json!({"value": v, "path": format!("{}{slug}/", f.path), "count": pages.len()}))
                    .collect();
                json!({"field": f.field, "label": localized(lang, &f.label.0, f.label.1.as_ref()), "path": f.path, "values": values})
            })
            .collect(),
    )
}

/// Everything rendering a site needs, computed once.
pub struct SiteData<'a> {
    /// Index of the site in the network.
    pub site_idx: usize,
    /// The site.
    pub site: &'a Site,
    /// The Markdown of each page, rendered when an output needs it.
    pub pages_md: Vec<LazyMd<'a>>,
    /// The Markdown of each section, rendered when an output needs it.
    pub sections_md: Vec<LazyMd<'a>>,
    /// Summary view of each page, for lists and feeds.
    pub summaries: Vec<Value>,
    /// The build cache's key of each summary (see [`crate::deferred`]).
    pub summary_keys: Vec<u64>,
    /// Site view per language.
    pub site_views: HashMap<String, Value>,
    /// Taxonomies per language.
    pub taxonomies: Vec<Taxonomy>,
    /// Translations by translation key: (lang, path).
    pub translations: HashMap<String, Vec<(String, String)>>,
    /// Site partials (`templates/site/<name>.html`), rendered and minified once per language.
    pub partials: HashMap<String, crate::partials::Partials>,
    /// Facets of each section that has some.
    pub facets: HashMap<usize, Vec<Facet>>,
    /// The stylesheet, inlined in standalone copies of articles.
    pub inline_css: String,
    /// CSS and JS files by name, with the fingerprinted name they are written under.
    pub fingerprinted: std::collections::BTreeMap<String, String>,
    /// Per language, the build cache's key of what every output of the site shares (see
    /// [`crate::cache`]).
    pub base_keys: HashMap<String, u64>,
}

/// `/tin-tuc/a/` → `sites/<domain>/tin-tuc/a/index.html`.
pub fn html_file(domain: &str, path: &str) -> String {
    format!("sites/{domain}{path}index.html")
}

/// The language prefix of URL paths: `` for the default language, `/en` otherwise.
pub fn lang_prefix(network: &Network, lang: &str) -> String {
    if lang == network.config.default_language {
        String::new()
    } else {
        format!("/{lang}")
    }
}

fn localized<'a>(lang: &str, vi: &'a str, en: Option<&'a String>) -> &'a str {
    match (lang, en) {
        ("en", Some(e)) if !e.is_empty() => e,
        _ => vi,
    }
}

/// The network view: its name, and its sites when `with_sites` (site partials get them; pages
/// do not, since copying the list into every page's context is the most expensive part of it).
pub fn network_view(network: &Network, lang: &str, with_sites: bool) -> Value {
    let c = &network.config;
    let portal_url = network.portal().map(|s| s.base_url()).unwrap_or_default();
    let sites: Vec<Value> = network
        .sites
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "name": localized(lang, &s.config.name, s.config.name_en.as_ref()),
                "short_name": s.config.short_name,
                "url": format!("{}/", s.base_url()),
                "is_portal": s.is_portal,
            })
        })
        .collect();
    json!({
        "name": localized(lang, &c.name, c.name_en.as_ref()),
        "base_domain": c.base_domain,
        "portal_url": format!("{portal_url}/"),
        "default_language": c.default_language,
        "sites": if with_sites { Value::Array(sites) } else { Value::Array(Vec::new()) },
    })
}

/// The site view for `lang`, with its menu resolved.
pub fn site_view(
    network: &Network,
    site: &Site,
    idx: usize,
    lang: &str,
    links: &LinkIndex,
    known_paths: &HashSet<&str>,
) -> Value {
    let c = &site.config;
    let prefix = lang_prefix(network, lang);
    let menu: Vec<Value> = if c.menu.is_empty() {
        let home = site
            .home(lang)
            .or_else(|| site.home(&network.config.default_language));
        let mut items = vec![
            json!({"name": if lang == "en" { "Home" } else { "Trang chủ" }, "url": format!("{prefix}/")}),
        ];
        if let Some(h) = home {
            for &s in &h.subsections {
                let sec = &site.sections[s];
                items.push(json!({"name": sec.meta.title, "url": sec.path}));
            }
        }
        items.push(json!({"name": if lang == "en" { "Site map" } else { "Sơ đồ cổng" }, "url": format!("{prefix}/so-do-cong/")}));
        items
    } else {
        c.menu
            .iter()
            .map(|m| {
                let url = if m.url.starts_with("@/") {
                    links.resolve(idx, &m.url).unwrap_or_else(|_| m.url.clone())
                } else {
                    m.url.clone()
                };
                // On a translated site, point to the translated page when there is one.
                let url = if !prefix.is_empty()
                    && url.starts_with('/')
                    && known_paths.contains(format!("{prefix}{url}").as_str())
                {
                    format!("{prefix}{url}")
                } else {
                    url
                };
                json!({"name": localized(lang, &m.name, m.name_en.as_ref()), "url": url})
            })
            .collect()
    };
    let contact = &c.contact;
    json!({
        "id": site.id,
        "name": localized(lang, &c.name, c.name_en.as_ref()),
        "name_vi": c.name,
        "name_en": c.name_en,
        "short_name": c.short_name,
        "domain": c.domain,
        "aliases": c.aliases,
        "url": site.base_url(),
        "is_portal": site.is_portal,
        "languages": site.languages,
        "description": localized(lang, c.description.as_deref().unwrap_or(""), c.description_en.as_ref()),
        "contact": {
            "address": localized(lang, contact.address.as_deref().unwrap_or(""), contact.address_en.as_ref()),
            "phone": contact.phone,
            "fax": contact.fax,
            "email": contact.email,
        },
        "responsible": c.responsible.as_ref().map(|r| json!({
            "name": r.name,
            "title": localized(lang, r.title.as_deref().unwrap_or(""), r.title_en.as_ref()),
        })),
        "theme": c.theme,
        "extra": c.extra,
        "menu": menu,
        "channels": c.channels.iter().map(|m| json!({"name": localized(lang, &m.name, m.name_en.as_ref()), "url": m.url})).collect::<Vec<_>>(),
        "home": format!("{prefix}/"),
    })
}

fn date_value(d: &Option<chrono::NaiveDateTime>) -> Value {
    d.as_ref()
        .map(|d| Value::String(format_date_iso(d)))
        .unwrap_or(Value::Null)
}

/// The label of a kind in `lang`.
pub fn kind_label(schemas: &Schemas, kind: &str, lang: &str) -> String {
    schemas
        .get(kind)
        .map(|k| {
            localized(
                lang,
                k.label.as_deref().unwrap_or(kind),
                k.label_en.as_ref(),
            )
            .to_string()
        })
        .unwrap_or_else(|| kind.to_string())
}

/// The short view of a page used in lists and feeds.
pub fn page_summary(network: &Network, site: &Site, page: &Page) -> Value {
    json!({
        "title": page.meta.title,
        "description": page.meta.description,
        "date": date_value(&page.meta.date),
        "updated": date_value(&page.meta.updated),
        "path": page.path,
        "permalink": format!("{}{}", site.base_url(), page.path),
        "kind": page.kind,
        "kind_label": kind_label(&network.schemas, &page.kind, &page.lang),
        "lang": page.lang,
        "fields": page.fields,
        "site": {"id": site.id, "name": site.config.name, "url": format!("{}/", site.base_url())},
    })
}

/// Breadcrumbs from the home page to `section` (included).
pub fn breadcrumbs(site: &Site, section: Option<usize>) -> Vec<Value> {
    let mut chain = Vec::new();
    let mut cur = section;
    while let Some(i) = cur {
        let s: &Section = &site.sections[i];
        chain.push(json!({"title": s.meta.title, "path": s.path}));
        cur = s.parent;
    }
    chain.reverse();
    chain
}

/// A page's status on `today`, computed from its dates: a legal document in force or not, a
/// consultation open or closed. `None` for kinds without one.
pub fn status(page: &Page, today: chrono::NaiveDate) -> Option<&'static str> {
    let date = |k: &str| {
        page.fields
            .get(k)
            .and_then(Value::as_str)
            .and_then(cms_core::parse_date)
            .map(|d| d.date())
    };
    match page.kind.as_str() {
        "legal" => Some(
            match (date("effective").or(date("issued")), date("expires")) {
                (_, Some(e)) if e <= today => "expired",
                (Some(s), _) if s > today => "not_yet",
                _ => "in_force",
            },
        ),
        "consultation" => Some(match (date("opens"), date("closes")) {
            (Some(o), _) if today < o => "upcoming",
            (_, Some(c)) if today > c => "closed",
            _ => "open",
        }),
        _ => None,
    }
}

/// The organisation chart of a section of `unit` pages, as a nested list: each unit under the
/// unit its `parent` field names (by title); units whose parent is not a page of the section
/// are grouped under that parent's name.
pub fn org_chart(site: &Site, i: usize) -> Value {
    let s = &site.sections[i];
    let units: Vec<&Page> = s
        .pages
        .iter()
        .map(|&p| &site.pages[p])
        .filter(|p| p.kind == "unit")
        .collect();
    if units.is_empty() {
        return Value::Null;
    }
    let parent_of = |p: &Page| {
        p.fields
            .get("parent")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let titles: HashSet<&str> = units.iter().map(|p| p.meta.title.as_str()).collect();
    fn node(p: &Page, units: &[&Page], parent_of: &dyn Fn(&Page) -> String, depth: usize) -> Value {
        let children: Vec<Value> = if depth < 6 {
            units
                .iter()
                .filter(|c| parent_of(c) == p.meta.title)
                .map(|c| node(c, units, parent_of, depth + 1))
                .collect()
        } else {
            Vec::new()
        };
        json!({"title": p.meta.title, "path": p.path, "children": children})
    }
    let mut roots: Vec<String> = units
        .iter()
        .map(|p| parent_of(p))
        .filter(|r| !titles.contains(r.as_str()))
        .collect();
    roots.sort();
    roots.dedup();
    Value::Array(
        roots
            .into_iter()
            .map(|r| {
                let children: Vec<Value> =
                    units.iter().filter(|p| parent_of(p) == r).map(|p| node(p, &units, &parent_of, 1)).collect();
                json!({"title": if r.is_empty() { s.meta.title.clone() } else { r }, "path": Value::Null, "children": children})
            })
            .collect(),
    )
}

/// The tree of sections under section `i`, with the pages of small sections, for the HTML
/// sitemap (Circular 32 "Sơ đồ cổng").
pub fn section_tree(data: &SiteData<'_>, i: usize) -> Value {
    const LIST_PAGES_UP_TO: usize = 30;
    let site = data.site;
    let s = &site.sections[i];
    let pages: Vec<Value> = if s.pages.len() <= LIST_PAGES_UP_TO {
        s.pages
            .iter()
            .map(|&p| json!({"title": site.pages[p].meta.title, "path": site.pages[p].path}))
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "title": s.meta.title,
        "path": s.path,
        "page_count": s.pages.len(),
        "pages": pages,
        "children": s.subsections.iter().map(|&c| section_tree(data, c)).collect::<Vec<_>>(),
    })
}

/// What the full view of a page adds to its summary, but for its Markdown (`content` and
/// `toc`): the renderer adds those two only when the page is rendered (see [`crate::deferred`]).
pub fn page_view(
    network: &Network,
    data: &SiteData<'_>,
    i: usize,
    today: chrono::NaiveDate,
) -> Value {
    let site = data.site;
    let page = &site.pages[i];
    let lang = &page.lang;
    let mut field_list = Vec::new();
    let mut files = Vec::new();
    let sizes: HashMap<&str, u64> = page
        .assets
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.file.data.read().map(|b| b.len() as u64).unwrap_or(0),
            )
        })
        .collect();
    let file_view = |name: &str| {
        json!({
            "name": name,
            "url": format!("{}{}", page.path, name),
            "size": sizes.get(name).copied().unwrap_or(0),
            "ext": name.rsplit_once('.').map(|(_, e)| e.to_ascii_uppercase()).unwrap_or_default(),
        })
    };
    if let Some(kind) = network.schemas.get(&page.kind) {
        for spec in &kind.fields {
            let Some(value) = page.fields.get(&spec.name) else {
                continue;
            };
            let label = localized(
                lang,
                spec.label.as_deref().unwrap_or(&spec.name),
                spec.label_en.as_ref(),
            );
            let ty = serde_json::to_value(spec.ty).unwrap_or(Value::Null);
            let value = match spec.ty {
                FieldType::File => value.as_str().map(file_view).unwrap_or(Value::Null),
                FieldType::Files => Value::Array(
                    value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(file_view)
                        .collect(),
                ),
                _ => value.clone(),
            };
            if matches!(spec.ty, FieldType::File | FieldType::Files) {
                match &value {
                    Value::Array(a) => files.extend(a.iter().cloned()),
                    Value::Null => {}
                    v => files.push(v.clone()),
                }
            }
            field_list.push(json!({"name": spec.name, "label": label, "type": ty, "value": value}));
        }
    }
    let taxonomies: Vec<Value> = page
        .meta
        .taxonomies
        .iter()
        .map(|(tax, terms)| {
            let t = data
                .taxonomies
                .iter()
                .find(|t| &t.name == tax && &t.lang == lang);
            let terms: Vec<Value> = terms
                .iter()
                .map(|name| {
                    let slug = cms_core::slugify(name);
                    let path = t
                        .and_then(|t| t.terms.get(&slug))
                        .map(|t| t.path.clone())
                        .unwrap_or_default();
                    json!({"name": name, "path": path})
                })
                .collect();
            json!({"name": tax, "terms": terms})
        })
        .collect();
    let section = page.section.map(|s| &site.sections[s]);
    let mut crumbs = breadcrumbs(site, page.section);
    crumbs.push(json!({"title": page.meta.title, "path": page.path}));
    // The full view is the summary lists already use (added when the page is rendered, see
    // `deferred::Later::Summary`), plus what only the page itself shows.
    json!({
        "slug": page.slug,
        "extra": page.meta.extra,
        "field_list": field_list,
        "files": files,
        "assets": page.assets.iter().map(|a| file_view(&a.name)).collect::<Vec<_>>(),
        "taxonomies": taxonomies,
        "section": section.map(|s| json!({"title": s.meta.title, "path": s.path})),
        "breadcrumbs": crumbs,
        "translations": translations_of(data, &page.translation_key, lang),
        "status": status(page, today),
        "source": page.file,
    })
}

/// The other-language versions of a page or section.
pub fn translations_of(data: &SiteData<'_>, key: &str, lang: &str) -> Vec<Value> {
    data.translations
        .get(key)
        .map(|v| {
            v.iter()
                .filter(|(l, _)| l != lang)
                .map(|(l, p)| json!({"lang": l, "path": p}))
                .collect()
        })
        .unwrap_or_default()
}

/// The view of a section, without its page list, and without its Markdown (`content` and
/// `toc`), which the renderer adds only when the output is rendered.
pub fn section_view(data: &SiteData<'_>, i: usize) -> Value {
    let site = data.site;
    let s = &site.sections[i];
    let subsections: Vec<Value> = s
        .subsections
        .iter()
        .map(|&j| {
            let sub = &site.sections[j];
            json!({"title": sub.meta.title, "description": sub.meta.description, "path": sub.path, "page_count": sub.pages.len()})
        })
        .collect();
    json!({
        "title": s.meta.title,
        "description": s.meta.description,
        "path": s.path,
        "permalink": format!("{}{}", site.base_url(), s.path),
        "lang": s.lang,
        "kind": s.meta.kind,
        "extra": s.meta.extra,
        "subsections": subsections,
        "page_count": s.pages.len(),
        "breadcrumbs": breadcrumbs(site, Some(i)),
        "translations": translations_of(data, &s.translation_key, &s.lang),
        "source": s.file,
    })
}

/// A paginator over `items`: page `n` (1-based) of `per_page`, under `base` (`/tin-tuc/`),
/// and the items on that page, whose summaries are its `pages` (see [`crate::deferred`]).
pub fn paginator(items: &[usize], per_page: usize, n: usize, base: &str) -> (Value, Vec<usize>) {
    let per = if per_page == 0 {
        items.len().max(1)
    } else {
        per_page
    };
    let total = items.len().div_ceil(per).max(1);
    let url = |k: usize| {
        if k == 1 {
            base.to_string()
        } else {
            format!("{base}page/{k}/")
        }
    };
    let pages: Vec<usize> = items
        .iter()
        .skip((n - 1) * per)
        .take(per)
        .copied()
        .collect();
    let view = json!({
        "current_index": n,
        "total_pages": total,
        "total_items": items.len(),
        "paginate_by": per,
        "first": url(1),
        "last": url(total),
        "previous": if n > 1 { Value::String(url(n - 1)) } else { Value::Null },
        "next": if n < total { Value::String(url(n + 1)) } else { Value::Null },
        // A window around the current page keeps long lists light.
        "pagers": (n.saturating_sub(3).max(1)..=(n + 3).min(total)).map(|k| json!({"index": k, "path": url(k)})).collect::<Vec<_>>(),
    });
    (view, pages)
}
