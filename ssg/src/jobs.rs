//! Every output a build makes: one job a file (or a page and its standalone copy), listed
//! from the sites' data before any is rendered.

use std::collections::{HashMap, HashSet};

use crate::context::SiteData;
use crate::theme::Theme;

/// One output to render or copy.
pub(crate) enum Job {
    Page(usize, usize),
    /// Site, section, facet, value slug, page number.
    Facet(usize, usize, usize, String, usize),
    HtmlSitemap(usize, String),
    /// The search results page's shell, per site and language.
    SearchPage(usize, String),
    Section(usize, usize, usize),
    TaxonomyList(usize, usize),
    Term(usize, usize, String, usize),
    Feed(usize, usize),
    Sitemap(usize),
    Robots(usize),
    NotFound(usize),
    Alias(usize, String, String),
    Asset(usize, usize, usize),
    Static(usize, usize),
    ThemeStatic(usize, usize),
    SitemapIndex(usize),
}

/// The outputs of the `selected` sites: pages, their files and aliases, section lists, feeds,
/// facet and taxonomy pages, static files, sitemaps, robots.txt, 404 and, with `search`, the
/// search pages.
pub(crate) fn jobs(
    datas: &HashMap<usize, SiteData<'_>>,
    selected: &[usize],
    theme: &Theme,
    search: bool,
) -> Vec<Job> {
    let mut jobs = Vec::new();
    for &i in selected {
        let d = &datas[&i];
        let site = d.site;
        for p in 0..site.pages.len() {
            jobs.push(Job::Page(i, p));
            for a in 0..site.pages[p].assets.len() {
                jobs.push(Job::Asset(i, p, a));
            }
            for alias in &site.pages[p].meta.aliases {
                jobs.push(Job::Alias(i, alias.clone(), site.pages[p].path.clone()));
            }
        }
        for (c, s) in site.sections.iter().enumerate() {
            let n = if s.dir.is_empty() || s.meta.paginate_by == 0 {
                1
            } else {
                s.pages.len().div_ceil(s.meta.paginate_by).max(1)
            };
            for k in 1..=n {
                jobs.push(Job::Section(i, c, k));
            }
            jobs.push(Job::Feed(i, c));
        }
        for (c, facets) in &d.facets {
            for (f, facet) in facets.iter().enumerate() {
                for (slug, (_, pages)) in &facet.values {
                    for k in 1..=pages.len().div_ceil(10).max(1) {
                        jobs.push(Job::Facet(i, *c, f, slug.clone(), k));
                    }
                }
            }
        }
        for (t, tax) in d.taxonomies.iter().enumerate() {
            jobs.push(Job::TaxonomyList(i, t));
            for (slug, term) in &tax.terms {
                for k in 1..=term.pages.len().div_ceil(10).max(1) {
                    jobs.push(Job::Term(i, t, slug.clone(), k));
                }
            }
        }
        let site_static: HashSet<&str> = site.static_files.iter().map(|f| f.rel.as_str()).collect();
        for (k, (rel, _)) in theme.static_files.iter().enumerate() {
            if !site_static.contains(rel.as_str()) {
                jobs.push(Job::ThemeStatic(i, k));
            }
        }
        for k in 0..site.static_files.len() {
            jobs.push(Job::Static(i, k));
        }
        jobs.extend([Job::Sitemap(i), Job::Robots(i), Job::NotFound(i)]);
        for lang in &site.languages {
            if site.home(lang).is_some() {
                jobs.push(Job::HtmlSitemap(i, lang.clone()));
                if search {
                    jobs.push(Job::SearchPage(i, lang.clone()));
                }
            }
        }
        if site.is_portal {
            jobs.push(Job::SitemapIndex(i));
        }
    }
    jobs
}
