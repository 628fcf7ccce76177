//! Writing the static read API in a build: the summaries of a site's items are made once
//! ([`ApiData`]), then each file is a job like a page's ([`ApiJob`]). An item's file is
//! rendered only when its inputs changed (the build cache's key of its JSON without the body,
//! and of its Markdown), like a page; the site's listings are written whole, and left alone by
//! the staging when their bytes did not change.

use std::collections::HashMap;

use cms_core::{format_date_iso, Network, Site};
use serde::Serialize;

use super::{
    item_file, ContentItem, ContentList, ContentSummary, ItemLinks, ItemRef, SectionNode, SiteDoc,
    SiteRef, SitesDoc, TaxonomyDoc, TermDoc, API_DIR, SECTION_KIND,
};
use crate::context::SiteData;
use crate::error::Error;
use crate::output::ManifestEntry;
use crate::render::Renderer;

/// One file (or set of files) of a site's API.
pub(crate) enum ApiJob {
    /// `sites.json`, `site.json` and `content.json`.
    Index,
    /// A page's item.
    Page(usize),
    /// A section's item.
    Section(usize),
}

/// The summaries of a site's items, made once for every job of the site.
pub(crate) struct ApiData {
    /// Of each page, in the site's order.
    pages: Vec<ContentSummary>,
    /// Of each section, in the site's order.
    sections: Vec<ContentSummary>,
    /// Where each path's summary is: (is a section, index).
    by_path: HashMap<String, (bool, usize)>,
}

impl ApiData {
    /// The summaries of `site`'s pages and sections.
    pub fn new(site: &Site) -> ApiData {
        let base = site.base_url();
        let mut by_key: HashMap<&str, Vec<String>> = HashMap::new();
        for p in &site.pages {
            by_key
                .entry(&p.translation_key)
                .or_default()
                .push(p.rel.clone());
        }
        for s in &site.sections {
            by_key
                .entry(&s.translation_key)
                .or_default()
                .push(section_rel(site, s));
        }
        let others = |key: &str, me: &str| -> Vec<String> {
            let mut v: Vec<String> = by_key
                .get(key)
                .map(|all| all.iter().filter(|p| *p != me).cloned().collect())
                .unwrap_or_default();
            v.sort();
            v
        };
        let pages: Vec<ContentSummary> = site
            .pages
            .iter()
            .map(|p| ContentSummary {
                translations: others(&p.translation_key, &p.rel),
                path: p.rel.clone(),
                url: format!("{base}{}", p.path),
                kind: p.kind.clone(),
                section: p.section.map(|s| site.sections[s].dir.clone()),
                lang: p.lang.clone(),
                title: p.meta.title.clone(),
                description: p.meta.description.clone(),
                date: p.meta.date.as_ref().map(format_date_iso),
                updated: p.meta.updated.as_ref().map(format_date_iso),
                taxonomies: p.meta.taxonomies.clone(),
            })
            .collect();
        let sections: Vec<ContentSummary> = site
            .sections
            .iter()
            .map(|s| {
                let rel = section_rel(site, s);
                ContentSummary {
                    translations: others(&s.translation_key, &rel),
                    path: rel,
                    url: format!("{base}{}", s.path),
                    kind: SECTION_KIND.into(),
                    section: s.parent.map(|p| site.sections[p].dir.clone()),
                    lang: s.lang.clone(),
                    title: s.meta.title.clone(),
                    description: s.meta.description.clone(),
                    date: None,
                    updated: None,
                    taxonomies: Default::default(),
                }
            })
            .collect();
        let by_path = (pages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.path.clone(), (false, i))))
        .chain(
            sections
                .iter()
                .enumerate()
                .map(|(i, s)| (s.path.clone(), (true, i))),
        )
        .collect();
        ApiData {
            pages,
            sections,
            by_path,
        }
    }

    fn item_ref(s: &ContentSummary) -> ItemRef {
        ItemRef {
            path: s.path.clone(),
            url: s.url.clone(),
            title: s.title.clone(),
            lang: s.lang.clone(),
        }
    }

    /// The refs of the items at `paths`.
    fn refs(&self, paths: &[String]) -> Vec<ItemRef> {
        paths
            .iter()
            .filter_map(|p| match self.by_path.get(p)? {
                (false, i) => self.pages.get(*i),
                (true, i) => self.sections.get(*i),
            })
            .map(ApiData::item_ref)
            .collect()
    }
}

/// A section's file relative to its site: `tin-tuc/_index.md`.
fn section_rel(site: &Site, s: &cms_core::Section) -> String {
    let prefix = format!("sites/{}/", site.id);
    match s.file.find(&prefix) {
        Some(at) => s.file[at + prefix.len()..].to_string(),
        None => s.file.clone(),
    }
}

fn to_json(rel: &str, v: &impl Serialize) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(v).map_err(|source| Error::Api {
        path: rel.to_string(),
        source,
    })
}

/// Writes the file(s) of `job` of the site of `d`.
pub(crate) fn run(
    r: &Renderer<'_, '_>,
    d: &SiteData<'_>,
    api: &ApiData,
    job: &ApiJob,
) -> Result<Vec<ManifestEntry>, Error> {
    let dir = format!("sites/{}/{API_DIR}", d.site.config.domain);
    match job {
        ApiJob::Index => {
            let mut out = Vec::new();
            let sites = sites_doc(r.network);
            out.extend(write(r, &format!("{dir}/sites.json"), &sites)?);
            let site = site_doc(d);
            out.extend(write(r, &format!("{dir}/site.json"), &site)?);
            let list = content_list(d.site, api);
            out.extend(write(r, &format!("{dir}/content.json"), &list)?);
            Ok(out)
        }
        ApiJob::Page(i) => {
            let p = &d.site.pages[*i];
            let s = &api.pages[*i];
            // Its neighbours in its section's order.
            let (prev, next) = p
                .section
                .map(|sec| {
                    let order = &d.site.sections[sec].pages;
                    let at = order.iter().position(|x| x == i);
                    let near = |j: Option<usize>| {
                        j.and_then(|j| order.get(j))
                            .map(|&j| ApiData::item_ref(&api.pages[j]))
                    };
                    (
                        near(at.and_then(|a| a.checked_sub(1))),
                        near(at.map(|a| a + 1)),
                    )
                })
                .unwrap_or((None, None));
            let item = ContentItem {
                summary: s.clone(),
                fields: p.fields.clone(),
                extra: p.meta.extra.clone(),
                html: String::new(),
                translations_of: api.refs(&s.translations),
                links: ItemLinks {
                    url: s.url.clone(),
                    section: p.section.map(|x| ApiData::item_ref(&api.sections[x])),
                    prev,
                    next,
                },
            };
            item_entries(r, &dir, item, &d.pages_md[*i])
        }
        ApiJob::Section(i) => {
            let sec = &d.site.sections[*i];
            let s = &api.sections[*i];
            let item = ContentItem {
                summary: s.clone(),
                fields: Default::default(),
                extra: sec.meta.extra.clone(),
                html: String::new(),
                translations_of: api.refs(&s.translations),
                links: ItemLinks {
                    url: s.url.clone(),
                    section: sec.parent.map(|x| ApiData::item_ref(&api.sections[x])),
                    prev: None,
                    next: None,
                },
            };
            item_entries(r, &dir, item, &d.sections_md[*i])
        }
    }
}

/// Writes an item's file, with its body, unless the previous build wrote it from the same
/// inputs.
fn item_entries(
    r: &Renderer<'_, '_>,
    dir: &str,
    mut item: ContentItem,
    md: &crate::lazy_markdown::LazyMd<'_>,
) -> Result<Vec<ManifestEntry>, Error> {
    let rel = format!("{dir}/{}", item_file(&item.summary.path));
    let key = {
        let mut h = crate::build_cache::KeyHasher::new();
        h.bytes(&to_json(&rel, &item)?).u64(md.key);
        h.finish()
    };
    if let Some(hits) = r.cached(&[rel.as_str()], key) {
        return Ok(hits.into_iter().flatten().collect());
    }
    item.html.clone_from(&md.html(r.md)?.html);
    let mut entries = r.staging.write_served(&rel, &to_json(&rel, &item)?)?;
    for e in entries.iter_mut().filter(|e| e.encoding.is_none()) {
        e.key = Some(key);
    }
    Ok(entries)
}

fn write(r: &Renderer<'_, '_>, rel: &str, v: &impl Serialize) -> Result<Vec<ManifestEntry>, Error> {
    r.staging.write_served(rel, &to_json(rel, v)?)
}

/// `sites.json`.
fn sites_doc(network: &Network) -> SitesDoc {
    SitesDoc {
        network: network.config.name.clone(),
        sites: network
            .sites
            .iter()
            .map(|s| SiteRef {
                id: s.id.clone(),
                name: s.config.name.clone(),
                domain: s.config.domain.clone(),
                url: format!("{}/", s.base_url()),
            })
            .collect(),
    }
}

/// `site.json`.
fn site_doc(d: &SiteData<'_>) -> SiteDoc {
    let site = d.site;
    let base = site.base_url();
    let sections = site
        .languages
        .iter()
        .filter_map(|lang| {
            let home = site
                .sections
                .iter()
                .position(|s| s.dir.is_empty() && &s.lang == lang)?;
            Some((lang.clone(), section_node(site, &base, home)))
        })
        .collect();
    let taxonomies = d
        .taxonomies
        .iter()
        .map(|t| TaxonomyDoc {
            name: t.name.clone(),
            lang: t.lang.clone(),
            terms: t
                .terms
                .iter()
                .map(|(slug, term)| TermDoc {
                    name: term.name.clone(),
                    slug: slug.clone(),
                    url: format!("{base}{}", term.path),
                    pages: term.pages.len(),
                })
                .collect(),
        })
        .collect();
    SiteDoc {
        id: site.id.clone(),
        name: site.config.name.clone(),
        name_en: site.config.name_en.clone(),
        domain: site.config.domain.clone(),
        url: format!("{base}/"),
        portal: site.is_portal,
        languages: site.languages.clone(),
        sections,
        taxonomies,
    }
}

fn section_node(site: &Site, base: &str, i: usize) -> SectionNode {
    let s = &site.sections[i];
    SectionNode {
        path: section_rel(site, s),
        url: format!("{base}{}", s.path),
        title: s.meta.title.clone(),
        pages: s.pages.len(),
        children: s
            .subsections
            .iter()
            .map(|&c| section_node(site, base, c))
            .collect(),
    }
}

/// `content.json`: newest first, then by path (undated items last).
fn content_list(site: &Site, api: &ApiData) -> ContentList {
    let mut items: Vec<ContentSummary> = api.pages.iter().chain(&api.sections).cloned().collect();
    sort_newest_first(&mut items);
    ContentList {
        site: site.id.clone(),
        items,
    }
}

/// Sorts `items` newest first by `date`, then by path; undated ones last.
pub fn sort_newest_first(items: &mut [ContentSummary]) {
    items.sort_by(|a, b| match (&a.date, &b.date) {
        (Some(x), Some(y)) => y.cmp(x).then_with(|| a.path.cmp(&b.path)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.path.cmp(&b.path),
    });
}
