//! `entries` of `sitemap.xml`: every URL of a site.

use cms_core::Site;
use serde::Serialize;

use super::SiteData;

/// A URL of `sitemap.xml`.
#[derive(Debug, Serialize)]
pub struct SitemapEntry {
    /// The full URL.
    pub loc: String,
    /// When a page was last changed (`updated`, else `date`: `2024-05-01`), or null
    /// (lists).
    pub lastmod: Option<String>,
}

/// Every page, section, taxonomy and term of the site, sorted by path.
pub fn sitemap_entries(data: &SiteData<'_>) -> Vec<SitemapEntry> {
    let site: &Site = data.site;
    let mut urls: Vec<(&str, Option<String>)> = Vec::new();
    for p in &site.pages {
        urls.push((
            &p.path,
            p.meta
                .updated
                .or(p.meta.date)
                .map(|d| cms_core::format_date_iso(&d)),
        ));
    }
    for s in &site.sections {
        urls.push((&s.path, None));
    }
    for t in &data.taxonomies {
        urls.push((&t.path, None));
        urls.extend(t.terms.values().map(|term| (term.path.as_str(), None)));
    }
    urls.sort();
    let base = site.base_url();
    urls.into_iter()
        .map(|(p, lastmod)| SitemapEntry {
            loc: format!("{base}{p}"),
            lastmod,
        })
        .collect()
}
