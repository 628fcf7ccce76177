//! What each rendered job is: its template, its context, the parts of the context made only
//! when it is rendered, and the file it is written to. The renderer does the rest, the same
//! way for every output (cache check, render, minify, write; see [`crate::render`]).

use cms_core::Network;
use serde_json::{json, Value};

use crate::context::{self, html_file, lang_prefix, SiteData};
use crate::cx::{Cx, FEED_ITEMS, HOME_ITEMS};
use crate::deferred::Later;
use crate::prepare::Templates;
use crate::templates::{page_template, section_template};

/// One rendering of a template, and the files it is written to: what every rendered output
/// is, whatever its job.
pub(crate) struct Rendering<'m, 'a> {
    /// Its language: the site partials spliced in are this language's.
    pub lang: String,
    /// The template.
    pub template: String,
    /// The context's own entries (see [`base_context`]).
    pub cx: Cx,
    /// The parts of the context made only if it is rendered.
    pub later: Vec<Later<'m, 'a>>,
    /// The content file a template error is reported at.
    pub source: String,
    /// Minified HTML or text as rendered.
    pub form: Form,
    /// The file it is written to.
    pub file: String,
    /// For an article: where its standalone copy is written, and its permalink.
    pub standalone: Option<(String, String)>,
}

/// How a rendering is finished before it is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// An HTML page: minified (unless its templates were), with the minified partials.
    Html,
    /// Text (feeds, sitemaps, robots.txt): as rendered, with the partials as they are.
    Text,
}

/// What the renderings of jobs are made from, besides each site's data.
pub(crate) struct Planner<'a, 'b> {
    /// The network built.
    pub network: &'a Network,
    /// The agencies' newest news, for the portal's home.
    pub network_news: &'b [Value],
    /// The templates of each site (for a page's template name).
    pub templates: &'b Templates,
    /// The date statuses are computed against.
    pub today: chrono::NaiveDate,
    /// The sites built (for the portal's sitemap index).
    pub selected: &'b [usize],
}

/// The context entries of an output that are its own: its language and path. The entries
/// every output of the site and language shares are added when it is rendered.
pub(crate) fn base_context(lang: &str, current_path: &str) -> Cx {
    let mut cx = Cx::new();
    cx.insert("lang".into(), Value::from(lang));
    cx.insert("current_path".into(), Value::from(current_path));
    cx
}

/// Sorts pages newest first (by date; by path when two have the same date).
fn newest_first(site: &cms_core::Site, pages: &mut [usize]) {
    pages.sort_by(|&a, &b| {
        site.pages[b]
            .meta
            .date
            .cmp(&site.pages[a].meta.date)
            .then_with(|| site.pages[a].path.cmp(&site.pages[b].path))
    });
}

/// `base` for the first page of a list, `base` + `page/<n>/` for the others.
fn list_page_path(base: &str, n: usize) -> String {
    if n == 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

impl<'a, 'b> Planner<'a, 'b> {
    /// A page, with its standalone copy when it is an article (Decree 42 Art. 7.1.c: articles
    /// can be saved as one file).
    pub(crate) fn page(&self, d: &'b SiteData<'a>, p: usize) -> Rendering<'b, 'a> {
        let net = self.network;
        let site = d.site;
        let domain = &site.config.domain;
        let page = &site.pages[p];
        let mut cx = base_context(&page.lang, &page.path);
        cx.insert(
            "page".into(),
            context::value(context::page_view(net, d, p, self.today)),
        );
        let standalone = (page.kind != "page").then(|| {
            (
                format!("sites/{domain}{}{}.html", page.path, page.slug),
                format!("{}{}", site.base_url(), page.path),
            )
        });
        Rendering {
            lang: page.lang.clone(),
            template: page_template(net, site, page, self.templates.of(d.site_idx)),
            cx,
            later: vec![
                Later::Summary {
                    entry: "page",
                    page: p,
                },
                Later::Markdown {
                    entry: "page",
                    md: &d.pages_md[p],
                },
            ],
            source: page.file.clone(),
            form: Form::Html,
            file: html_file(domain, &page.path),
            standalone,
        }
    }

    /// Page `n` of a section's list; a site's home adds its newest pages and, on the portal,
    /// the agencies' news.
    pub(crate) fn section(&self, d: &'b SiteData<'a>, c: usize, n: usize) -> Rendering<'b, 'a> {
        let site = d.site;
        let s = &site.sections[c];
        let path = list_page_path(&s.path, n);
        let mut cx = base_context(&s.lang, &path);
        cx.insert(
            "section".into(),
            context::value(context::section_view(d, c)),
        );
        let facets = d.facets.get(&c).map(Vec::as_slice).unwrap_or_default();
        let facets = context::facets_view(facets, &s.lang);
        cx.insert("facets".into(), context::value(facets));
        cx.insert(
            "org_chart".into(),
            context::value(context::org_chart(site, c)),
        );
        let (paginator, items) = context::paginator(&s.pages, s.meta.paginate_by, n, &s.path);
        cx.insert("paginator".into(), context::value(paginator));
        let mut later = Vec::from(Later::section_list(&d.sections_md[c], items));
        if s.dir.is_empty() {
            let mut dated: Vec<usize> = (0..site.pages.len())
                .filter(|&i| site.pages[i].lang == s.lang && site.pages[i].meta.date.is_some())
                .collect();
            newest_first(site, &mut dated);
            let news: Vec<usize> = dated
                .iter()
                .copied()
                .filter(|&i| site.pages[i].kind == "news")
                .take(HOME_ITEMS)
                .collect();
            let latest: Vec<usize> = dated.iter().copied().take(HOME_ITEMS).collect();
            later.push(Later::Summaries {
                entry: None,
                name: "latest_news",
                pages: news,
            });
            later.push(Later::Summaries {
                entry: None,
                name: "latest",
                pages: latest,
            });
            cx.insert(
                "network_news".into(),
                json!(if site.is_portal {
                    self.network_news
                } else {
                    &[]
                }),
            );
        }
        Rendering {
            lang: s.lang.clone(),
            template: section_template(s),
            cx,
            later,
            source: s.file.clone(),
            form: Form::Html,
            file: html_file(&site.config.domain, &path),
            standalone: None,
        }
    }

    /// Page `n` of the list of section `c`'s pages whose facet `f` has the value `slug`.
    pub(crate) fn facet(
        &self,
        d: &'b SiteData<'a>,
        c: usize,
        f: usize,
        slug: &str,
        n: usize,
    ) -> Rendering<'b, 'a> {
        let s = &d.site.sections[c];
        let facet = &d.facets[&c][f];
        let (value, pages) = &facet.values[slug];
        let base = format!("{}{slug}/", facet.path);
        let path = list_page_path(&base, n);
        let mut cx = base_context(&s.lang, &path);
        cx.insert(
            "section".into(),
            context::value(context::section_view(d, c)),
        );
        let facets = context::facets_view(&d.facets[&c], &s.lang);
        cx.insert("facets".into(), context::value(facets));
        let facet_ref = context::facet_ref(facet, value, &base);
        cx.insert("facet".into(), context::value(facet_ref));
        let (paginator, items) = context::paginator(pages, 10, n, &base);
        cx.insert("paginator".into(), context::value(paginator));
        Rendering {
            lang: s.lang.clone(),
            template: "facet.html".into(),
            cx,
            later: Vec::from(Later::section_list(&d.sections_md[c], items)),
            source: s.file.clone(),
            form: Form::Html,
            file: html_file(&d.site.config.domain, &path),
            standalone: None,
        }
    }

    /// The site map page of a language: the tree of its sections.
    pub(crate) fn html_sitemap(&self, d: &'b SiteData<'a>, lang: &str) -> Rendering<'b, 'a> {
        let site = d.site;
        let path = format!("{}/so-do-cong/", lang_prefix(self.network, lang));
        let mut cx = base_context(lang, &path);
        let tree = site.home(lang).map(|h| {
            context::section_tree(
                d,
                site.sections
                    .iter()
                    .position(|s| std::ptr::eq(s, h))
                    .unwrap_or(0),
            )
        });
        cx.insert("tree".into(), context::value(tree));
        self.site_page(d, lang, "sitemap.html", cx, &path)
    }

    /// The shell of the search results page: `cms serve` puts the results in <cms-search>.
    pub(crate) fn search_page(&self, d: &'b SiteData<'a>, lang: &str) -> Rendering<'b, 'a> {
        let path = format!("{}/search/", lang_prefix(self.network, lang));
        let cx = base_context(lang, &path);
        self.site_page(d, lang, "search.html", cx, &path)
    }

    /// The list of a taxonomy's terms.
    pub(crate) fn taxonomy_list(&self, d: &'b SiteData<'a>, t: usize) -> Rendering<'b, 'a> {
        let tax = &d.taxonomies[t];
        let mut cx = base_context(&tax.lang, &tax.path);
        cx.insert("taxonomy".into(), context::value(tax.view()));
        cx.insert("terms".into(), context::value(tax.terms_view()));
        self.site_page(d, &tax.lang, "taxonomy_list.html", cx, &tax.path)
    }

    /// Page `n` of the list of a term's pages.
    pub(crate) fn term(
        &self,
        d: &'b SiteData<'a>,
        t: usize,
        slug: &str,
        n: usize,
    ) -> Rendering<'b, 'a> {
        let tax = &d.taxonomies[t];
        let term = &tax.terms[slug];
        let path = list_page_path(&term.path, n);
        let mut cx = base_context(&tax.lang, &path);
        cx.insert("taxonomy".into(), context::value(tax.view()));
        cx.insert("term".into(), context::value(term.view()));
        let (paginator, items) = context::paginator(&term.pages, 10, n, &term.path);
        cx.insert("paginator".into(), context::value(paginator));
        let mut r = self.site_page(d, &tax.lang, "taxonomy_single.html", cx, &path);
        r.later = vec![Later::paginated(items)];
        r
    }

    /// A section's RSS and Atom feeds: its newest pages (a home's: the whole site's).
    pub(crate) fn feeds(&self, d: &'b SiteData<'a>, c: usize) -> Vec<Rendering<'b, 'a>> {
        let site = d.site;
        let s = &site.sections[c];
        let mut items: Vec<usize> = if s.dir.is_empty() {
            (0..site.pages.len())
                .filter(|&i| site.pages[i].lang == s.lang && site.pages[i].meta.date.is_some())
                .collect()
        } else {
            s.pages
                .iter()
                .copied()
                .filter(|&i| site.pages[i].meta.date.is_some())
                .collect()
        };
        newest_first(site, &mut items);
        items.truncate(FEED_ITEMS);
        let updated = items
            .iter()
            .map(|&i| &d.summaries[i])
            .filter_map(|v| v["updated"].as_str().or(v["date"].as_str()))
            .max()
            .map(str::to_string);
        let mut cx = base_context(&s.lang, &s.path);
        cx.insert("section".into(), context::value(context::feed_section(s)));
        cx.insert("updated".into(), json!(updated));
        ["rss.xml", "atom.xml"]
            .into_iter()
            .map(|file| {
                let mut cx = cx.clone();
                cx.insert(
                    "feed_url".into(),
                    json!(format!("{}{}{file}", site.base_url(), s.path)),
                );
                Rendering {
                    lang: s.lang.clone(),
                    template: file.into(),
                    cx,
                    later: vec![Later::Summaries {
                        entry: None,
                        name: "pages",
                        pages: items.clone(),
                    }],
                    source: s.file.clone(),
                    form: Form::Text,
                    file: format!("sites/{}{}{file}", site.config.domain, s.path),
                    standalone: None,
                }
            })
            .collect()
    }

    /// `sitemap.xml`: every page, section, taxonomy and term of the site.
    pub(crate) fn sitemap(&self, d: &'b SiteData<'a>) -> Rendering<'b, 'a> {
        let mut r = self.site_file(d, "sitemap.xml", Form::Text);
        r.cx.insert(
            "entries".into(),
            context::value(context::sitemap_entries(d)),
        );
        r
    }

    /// The portal's `sitemap_index.xml`: the sitemap of every site built.
    pub(crate) fn sitemap_index(&self, d: &'b SiteData<'a>) -> Rendering<'b, 'a> {
        let sitemaps: Vec<String> = self
            .selected
            .iter()
            .map(|&i| format!("{}/sitemap.xml", self.network.sites[i].base_url()))
            .collect();
        let mut r = self.site_file(d, "sitemap_index.xml", Form::Text);
        r.cx.insert("sitemaps".into(), json!(sitemaps));
        r.source = "network.toml".into();
        r
    }

    /// A file at the root of the site, in the default language, rendered with the template
    /// of its name (`robots.txt`, `404.html`, `sitemap.xml`).
    pub(crate) fn site_file(
        &self,
        d: &'b SiteData<'a>,
        name: &str,
        form: Form,
    ) -> Rendering<'b, 'a> {
        let lang = self.network.config.default_language.as_str();
        Rendering {
            lang: lang.to_string(),
            template: name.to_string(),
            cx: base_context(lang, &format!("/{name}")),
            later: Vec::new(),
            source: format!("sites/{}", d.site.id),
            form,
            file: format!("sites/{}/{name}", d.site.config.domain),
            standalone: None,
        }
    }

    /// An HTML page of the site at `path` made from `cx` alone, whose problems are reported at
    /// the site.
    fn site_page(
        &self,
        d: &'b SiteData<'a>,
        lang: &str,
        template: &str,
        cx: Cx,
        path: &str,
    ) -> Rendering<'b, 'a> {
        Rendering {
            lang: lang.to_string(),
            template: template.to_string(),
            cx,
            later: Vec::new(),
            source: format!("sites/{}", d.site.id),
            form: Form::Html,
            file: html_file(&d.site.config.domain, path),
            standalone: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_page_of_a_list_is_its_base_path() {
        assert_eq!(list_page_path("/tin-tuc/", 1), "/tin-tuc/");
        assert_eq!(list_page_path("/tin-tuc/", 3), "/tin-tuc/page/3/");
    }
}
