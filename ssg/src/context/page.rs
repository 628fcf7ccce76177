//! `page` and the pages in lists: [`PageSummary`], what lists and feeds show of a page, and
//! [`PageView`], what only the page's own template adds to it.
//!
//! A page template's `page` is one map: the summary's fields, the view's, and `content` and
//! `toc`, which the renderer adds when the page is rendered (see [`crate::deferred`]).

use std::collections::HashMap;

use cms_core::{format_date_iso, FieldType, Network, Page, Schemas, Site};
use serde::Serialize;
use serde_json::{Map, Value};

use super::section::{breadcrumbs, translations_of, Link, Translation};
use super::{localized, SiteData};

/// The site a page belongs to, as its summary names it (the portal lists other sites' news).
#[derive(Debug, Serialize)]
pub struct SiteRef<'a> {
    /// The site's id (`bo-gtvt`).
    pub id: &'a str,
    /// Its name, in Vietnamese.
    pub name: &'a str,
    /// Its home: `https://<domain>/`.
    pub url: String,
}

/// What lists, feeds and the page itself show of a page: every entry of `paginator.pages`,
/// `latest`, `latest_news`, `network_news` and a feed's `pages`, and the first fields of a
/// page template's `page`.
#[derive(Debug, Serialize)]
pub struct PageSummary<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its description (front matter `description`), or null.
    pub description: Option<&'a str>,
    /// Its date, `2024-05-01` or `2024-05-01T08:30:00`, or null.
    pub date: Option<String>,
    /// When it was last updated, same form, or null.
    pub updated: Option<String>,
    /// Its URL path: `/tin-tuc/a/`.
    pub path: &'a str,
    /// Its full URL: `https://<domain>/tin-tuc/a/`.
    pub permalink: String,
    /// Its kind (`news`, `legal`, `page`…; see `schemas/`).
    pub kind: &'a str,
    /// The kind's label in the page's language.
    pub kind_label: &'a str,
    /// Its language (`vi`, `en`).
    pub lang: &'a str,
    /// Its kind's fields as written in the front matter, by name (dates as text).
    pub fields: &'a Map<String, Value>,
    /// The site it belongs to.
    pub site: SiteRef<'a>,
    /// Its image (the `image` field, with `image_alt`, `image_credit`, `image_license`) as
    /// resized variants, when it names a JPEG or PNG of its bundle; else null. Its URLs are
    /// paths on the page's own site: lists of other sites' pages (`network_news`) have none.
    pub image: Option<crate::images::Picture>,
}

/// A file attached to a page (a bundle file), as a `file`/`files` field or in `page.assets`.
#[derive(Debug, Clone, Serialize)]
pub struct FileView<'a> {
    /// File name: `quyet-dinh.pdf`.
    pub name: &'a str,
    /// URL path: `/van-ban/qd-1/quyet-dinh.pdf`.
    pub url: String,
    /// Size in bytes (0 when the page has no such file); see the `filesize` filter.
    pub size: u64,
    /// Extension in capitals: `PDF`, or empty.
    pub ext: String,
}

/// The value of a field in `page.field_list`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum FieldValue<'a> {
    /// A `file` field: the file, or null when the value is not a file name.
    File(Option<FileView<'a>>),
    /// A `files` field: the files.
    Files(Vec<FileView<'a>>),
    /// A `page` field: the page it names (`{title, url}`), or null when it names none.
    Page(Option<PageLinkView<'a>>),
    /// A `pages` field: the pages it names.
    Pages(Vec<PageLinkView<'a>>),
    /// Any other field: the value as written in the front matter.
    Other(&'a Value),
}

/// A page named by a `page`/`pages` field (`@/<site>/<path>.md`).
#[derive(Debug, Clone, Serialize)]
pub struct PageLinkView<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its URL: a path on the same site, a full URL on another.
    pub url: String,
}

/// The page or section that the reference `r` (`@/mt/van-ban/nd-42.md`) names, linked from
/// the site `from` (`cms check` makes sure it exists).
fn page_link<'a>(network: &'a Network, from: &str, r: &str) -> Option<PageLinkView<'a>> {
    let (id, rel) = r.strip_prefix("@/")?.split_once('/')?;
    let site = network.site(id)?;
    let file = format!("sites/{id}/{rel}");
    let (title, path) = site
        .pages
        .iter()
        .find(|p| p.rel == rel)
        .map(|p| (p.meta.title.as_str(), p.path.as_str()))
        .or_else(|| {
            site.sections
                .iter()
                .find(|s| s.file == file)
                .map(|s| (s.meta.title.as_str(), s.path.as_str()))
        })?;
    let url = match id == from {
        true => path.to_string(),
        false => format!("{}{path}", site.base_url()),
    };
    Some(PageLinkView { title, url })
}

/// One field of the page's kind that the page sets, in the kind's order: `page.field_list`.
#[derive(Debug, Serialize)]
pub struct FieldView<'a> {
    /// Its name in the kind's schema.
    pub name: &'a str,
    /// Its label in the page's language.
    pub label: &'a str,
    /// Its type, as in the schema: `string`, `text`, `int`, `bool`, `date`, `enum`, `url`,
    /// `email`, `file`, `files`, `list`, `page`, `pages`.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Its value.
    pub value: FieldValue<'a>,
}

/// A taxonomy of the page with its terms: `page.taxonomies`.
#[derive(Debug, Serialize)]
pub struct PageTaxonomy<'a> {
    /// The taxonomy's name in `network.toml` (`topics`).
    pub name: &'a str,
    /// The page's terms in it.
    pub terms: Vec<TermLink<'a>>,
}

/// A term of a page's taxonomy.
#[derive(Debug, Serialize)]
pub struct TermLink<'a> {
    /// As written by editors.
    pub name: &'a str,
    /// URL path of the term's page (empty if it has none).
    pub path: &'a str,
}

/// What a page template's `page` adds to the page's [`PageSummary`], but for `content` (the
/// HTML of its Markdown) and `toc` (its headings: `level`, `id`, `title`), which the
/// renderer adds when the page is rendered (see [`crate::deferred`]).
#[derive(Debug, Serialize)]
pub struct PageView<'a> {
    /// The last part of its path.
    pub slug: &'a str,
    /// Front matter `[extra]`, as written.
    pub extra: &'a Value,
    /// The fields of its kind it sets, in the kind's order, with labels and types.
    pub field_list: Vec<FieldView<'a>>,
    /// Every file of its `file` and `files` fields, in order.
    pub files: Vec<FileView<'a>>,
    /// Every file of its bundle.
    pub assets: Vec<FileView<'a>>,
    /// Its taxonomies and terms.
    pub taxonomies: Vec<PageTaxonomy<'a>>,
    /// Its section (`title`, `path`), or null.
    pub section: Option<Link<'a>>,
    /// The chain from the home page to the page itself (included), each `title` and `path`.
    pub breadcrumbs: Vec<Link<'a>>,
    /// The page in other languages.
    pub translations: Vec<Translation<'a>>,
    /// Its status on the build's date: `in_force`, `expired`, `not_yet` (legal documents),
    /// `upcoming`, `open`, `closed` (consultations), null for other kinds.
    pub status: Option<&'static str>,
    /// Its source file, relative to the content root.
    pub source: &'a str,
}

/// The label of a kind in `lang`: the kind's name when it has none.
pub fn kind_label<'a>(schemas: &'a Schemas, kind: &'a str, lang: &str) -> &'a str {
    schemas
        .get(kind)
        .map(|k| {
            localized(
                lang,
                k.label.as_deref().unwrap_or(kind),
                k.label_en.as_ref(),
            )
        })
        .unwrap_or(kind)
}

/// The short view of a page used in lists and feeds.
pub fn page_summary<'a>(network: &'a Network, site: &'a Site, page: &'a Page) -> PageSummary<'a> {
    PageSummary {
        title: &page.meta.title,
        description: page.meta.description.as_deref(),
        date: page.meta.date.as_ref().map(format_date_iso),
        updated: page.meta.updated.as_ref().map(format_date_iso),
        path: &page.path,
        permalink: format!("{}{}", site.base_url(), page.path),
        kind: &page.kind,
        kind_label: kind_label(&network.schemas, &page.kind, &page.lang),
        lang: &page.lang,
        fields: &page.fields,
        site: SiteRef {
            id: &site.id,
            name: &site.config.name,
            url: format!("{}/", site.base_url()),
        },
        image: None,
    }
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

/// The bundle files of `page`, by name, with their sizes.
struct Files<'a> {
    page: &'a Page,
    sizes: HashMap<&'a str, u64>,
    image_urls: &'a HashMap<String, String>,
}

impl<'a> Files<'a> {
    fn new(page: &'a Page, image_urls: &'a HashMap<String, String>) -> Self {
        let sizes = page
            .assets
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.file.data.read().map(|b| b.len() as u64).unwrap_or(0),
                )
            })
            .collect();
        Files {
            page,
            sizes,
            image_urls,
        }
    }

    /// The view of the file `name` (which a field may name without the bundle holding it).
    fn view(&self, name: &'a str) -> FileView<'a> {
        FileView {
            name,
            url: {
                let url = format!("{}{}", self.page.path, name);
                self.image_urls.get(&url).cloned().unwrap_or(url)
            },
            size: self.sizes.get(name).copied().unwrap_or(0),
            ext: name
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_uppercase())
                .unwrap_or_default(),
        }
    }
}

/// The files of `named` but the page's `image` when it is a processed image: the page shows
/// it as `page.image`, not as a file to download.
fn without_lead_image<'a>(
    named: Vec<FileView<'a>>,
    page: &Page,
    image_urls: &HashMap<String, String>,
) -> Vec<FileView<'a>> {
    let lead = page
        .fields
        .get("image")
        .and_then(Value::as_str)
        .filter(|name| image_urls.contains_key(&format!("{}{name}", page.path)));
    named.into_iter().filter(|f| Some(f.name) != lead).collect()
}

/// The fields of the page's kind that it sets (`page.field_list`) and the files they name
/// (`page.files`).
fn field_list<'a>(
    network: &'a Network,
    site: &str,
    page: &'a Page,
    files: &Files<'a>,
) -> (Vec<FieldView<'a>>, Vec<FileView<'a>>) {
    let mut list = Vec::new();
    let mut named = Vec::new();
    let Some(kind) = network.schemas.get(&page.kind) else {
        return (list, named);
    };
    for spec in &kind.fields {
        let Some(value) = page.fields.get(&spec.name) else {
            continue;
        };
        let value = match spec.ty {
            FieldType::File => {
                let file = value.as_str().map(|n| files.view(n));
                named.extend(file.iter().cloned());
                FieldValue::File(file)
            }
            FieldType::Files => {
                let list: Vec<FileView<'a>> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|n| files.view(n))
                    .collect();
                named.extend(list.iter().cloned());
                FieldValue::Files(list)
            }
            FieldType::Page => {
                FieldValue::Page(value.as_str().and_then(|r| page_link(network, site, r)))
            }
            FieldType::Pages => FieldValue::Pages(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter_map(|r| page_link(network, site, r))
                    .collect(),
            ),
            _ => FieldValue::Other(value),
        };
        list.push(FieldView {
            name: &spec.name,
            label: localized(
                &page.lang,
                spec.label.as_deref().unwrap_or(&spec.name),
                spec.label_en.as_ref(),
            ),
            ty: spec.ty,
            value,
        });
    }
    (list, named)
}

/// The page's taxonomies, each term with the path of its page in the page's language.
fn page_taxonomies<'a>(data: &'a SiteData<'_>, page: &'a Page) -> Vec<PageTaxonomy<'a>> {
    page.meta
        .taxonomies
        .iter()
        .map(|(tax, terms)| {
            let t = data
                .taxonomies
                .iter()
                .find(|t| &t.name == tax && t.lang == page.lang);
            let terms = terms
                .iter()
                .map(|name| TermLink {
                    name,
                    path: t
                        .and_then(|t| t.terms.get(&cms_core::slugify(name)))
                        .map(|t| t.path.as_str())
                        .unwrap_or_default(),
                })
                .collect();
            PageTaxonomy { name: tax, terms }
        })
        .collect()
}

/// What the full view of a page adds to its summary, but for its Markdown (`content` and
/// `toc`): the renderer adds those two only when the page is rendered (see [`crate::deferred`]).
pub fn page_view<'a>(
    network: &'a Network,
    data: &'a SiteData<'_>,
    i: usize,
    today: chrono::NaiveDate,
) -> PageView<'a> {
    let site = data.site;
    let page = &site.pages[i];
    let files = Files::new(page, &data.image_urls);
    let (field_list, named) = field_list(network, &site.id, page, &files);
    let mut crumbs = breadcrumbs(site, page.section);
    crumbs.push(Link {
        title: &page.meta.title,
        path: &page.path,
    });
    PageView {
        slug: &page.slug,
        extra: &page.meta.extra,
        field_list,
        files: without_lead_image(named, page, &data.image_urls),
        assets: page.assets.iter().map(|a| files.view(&a.name)).collect(),
        taxonomies: page_taxonomies(data, page),
        section: page.section.map(|s| Link::section(&site.sections[s])),
        breadcrumbs: crumbs,
        translations: translations_of(data, &page.translation_key, &page.lang),
        status: status(page, today),
        source: &page.file,
    }
}
