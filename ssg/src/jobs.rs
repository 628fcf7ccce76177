//! Every output a build makes: one job a file (or a page and its standalone copy), listed
//! from the sites' data before any is rendered.

use std::collections::{HashMap, HashSet};

use crate::context::SiteData;
use crate::theme::Theme;

/// One output to render or copy, of the site `site` (an index into the network's sites).
pub(crate) struct Job {
    /// The site.
    pub site: usize,
    /// What of it.
    pub kind: JobKind,
}

/// What one job makes. Indexes are into the site's lists (`pages`, `sections`, …) or into
/// [`SiteData`]'s (`facets`, `taxonomies`); `number` counts a list's pages from 1.
pub(crate) enum JobKind {
    /// A page, and its standalone copy when it is an article.
    Page { page: usize },
    /// One page of the list of a section's pages with one value of a facet.
    Facet {
        section: usize,
        facet: usize,
        value: String,
        number: usize,
    },
    /// The site map page of a language.
    HtmlSitemap { lang: String },
    /// The search results page's shell, per site and language.
    SearchPage { lang: String },
    /// One page of a section's list.
    Section { section: usize, number: usize },
    /// The list of a taxonomy's terms.
    TaxonomyList { taxonomy: usize },
    /// One page of the list of a term's pages.
    Term {
        taxonomy: usize,
        term: String,
        number: usize,
    },
    /// A section's RSS and Atom feeds.
    Feed { section: usize },
    /// `sitemap.xml`.
    Sitemap,
    /// `robots.txt`.
    Robots,
    /// `404.html`.
    NotFound,
    /// A redirect from the old path `from` to the page at `to`.
    Alias { from: String, to: String },
    /// A file of a page bundle.
    Asset { page: usize, asset: usize },
    /// A static file of the site.
    Static { file: usize },
    /// A static file of the theme the site does not override.
    ThemeStatic { file: usize },
    /// The portal's `sitemap_index.xml`, listing every site's sitemap.
    SitemapIndex,
    /// A file of the static read API.
    Api(crate::api::ApiJob),
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
    for &site_idx in selected {
        let mut push = |kind: JobKind| {
            jobs.push(Job {
                site: site_idx,
                kind,
            })
        };
        let d = &datas[&site_idx];
        let site = d.site;
        for page in 0..site.pages.len() {
            push(JobKind::Page { page });
            for asset in 0..site.pages[page].assets.len() {
                push(JobKind::Asset { page, asset });
            }
            for alias in &site.pages[page].meta.aliases {
                push(JobKind::Alias {
                    from: alias.clone(),
                    to: site.pages[page].path.clone(),
                });
            }
        }
        push(JobKind::Api(crate::api::ApiJob::Index));
        for page in 0..site.pages.len() {
            push(JobKind::Api(crate::api::ApiJob::Page(page)));
        }
        for section in 0..site.sections.len() {
            push(JobKind::Api(crate::api::ApiJob::Section(section)));
        }
        for (section, s) in site.sections.iter().enumerate() {
            let n = if s.dir.is_empty() || s.meta.paginate_by == 0 {
                1
            } else {
                s.pages.len().div_ceil(s.meta.paginate_by).max(1)
            };
            for number in 1..=n {
                push(JobKind::Section { section, number });
            }
            push(JobKind::Feed { section });
        }
        for (&section, facets) in &d.facets {
            for (facet, f) in facets.iter().enumerate() {
                for (slug, (_, pages)) in &f.values {
                    for number in 1..=pages.len().div_ceil(10).max(1) {
                        push(JobKind::Facet {
                            section,
                            facet,
                            value: slug.clone(),
                            number,
                        });
                    }
                }
            }
        }
        for (taxonomy, tax) in d.taxonomies.iter().enumerate() {
            push(JobKind::TaxonomyList { taxonomy });
            for (slug, term) in &tax.terms {
                for number in 1..=term.pages.len().div_ceil(10).max(1) {
                    push(JobKind::Term {
                        taxonomy,
                        term: slug.clone(),
                        number,
                    });
                }
            }
        }
        let site_static: HashSet<&str> = site.static_files.iter().map(|f| f.rel.as_str()).collect();
        for (file, (rel, _)) in theme.static_files.iter().enumerate() {
            if !site_static.contains(rel.as_str()) {
                push(JobKind::ThemeStatic { file });
            }
        }
        for file in 0..site.static_files.len() {
            push(JobKind::Static { file });
        }
        push(JobKind::Sitemap);
        push(JobKind::Robots);
        push(JobKind::NotFound);
        for lang in &site.languages {
            if site.home(lang).is_some() {
                push(JobKind::HtmlSitemap { lang: lang.clone() });
                if search {
                    push(JobKind::SearchPage { lang: lang.clone() });
                }
            }
        }
        if site.is_portal {
            push(JobKind::SitemapIndex);
        }
    }
    jobs
}
