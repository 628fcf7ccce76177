//! Rendering one output of the build: a page, a list, a feed, a sitemap, a copied file.

use std::collections::HashMap;
use std::path::PathBuf;

use cms_core::{Diagnostic, Diagnostics, Network};
use serde_json::{json, Value};
use tera::{Context, Tera};

use crate::assets::standalone;
use crate::context::{self, html_file, lang_prefix, SiteData};
use crate::deferred::Later;
use crate::error::Error;
use crate::jobs::Job;
use crate::lazy_markdown::MdEnv;
use crate::output::{ManifestEntry, Staging};
use crate::pipeline::{error_chain, Cx, FEED_ITEMS, HOME_ITEMS};
use crate::templates::{page_template, section_template};
use crate::theme::Theme;

pub(crate) struct Renderer<'a, 'b> {
    pub(crate) network: &'a Network,
    pub(crate) datas: &'b HashMap<usize, SiteData<'a>>,
    pub(crate) network_views: &'b HashMap<&'a str, Value>,
    pub(crate) network_news: &'b [Value],
    pub(crate) tera_of: &'b (dyn Fn(usize) -> &'b Tera + Sync),
    pub(crate) staging: &'b Staging,
    pub(crate) theme: &'b Theme,
    pub(crate) selected: &'b [usize],
    pub(crate) minify: minify_html::Cfg,
    pub(crate) preminified: &'b HashMap<usize, bool>,
    pub(crate) today: chrono::NaiveDate,
    /// The previous build, over which this one renders only what changed.
    pub(crate) previous: Option<&'b crate::cache::Previous>,
    /// The key of every template of each site (see [`crate::cache::template_keys`]).
    pub(crate) template_keys: &'b HashMap<usize, HashMap<String, u64>>,
    /// What rendering the pages' Markdown reads.
    pub(crate) md: &'b MdEnv<'b>,
}

impl Renderer<'_, '_> {
    /// The context entries of an output that are its own: its language and path. The entries
    /// every output of the site and language shares are added when it is rendered.
    fn base_context(&self, lang: &str, current_path: &str) -> Cx {
        let mut cx = Cx::new();
        cx.insert("lang".into(), Value::from(lang));
        cx.insert("current_path".into(), Value::from(current_path));
        cx
    }

    /// Adds the entries every output of the site and language shares (`site`, `network`,
    /// `default_language`, `partials`, `assets`): hashed once, in [`SiteData::base_keys`], not
    /// once per output, and made only for the outputs rendered.
    fn add_shared(&self, d: &SiteData<'_>, cx: &mut Cx) {
        let lang = cx
            .get("lang")
            .and_then(Value::as_str)
            .unwrap_or(&self.network.config.default_language)
            .to_string();
        cx.insert("site".into(), d.site_views[&lang].clone());
        cx.insert("network".into(), self.network_views[lang.as_str()].clone());
        cx.insert(
            "default_language".into(),
            Value::from(self.network.config.default_language.as_str()),
        );
        cx.insert(
            "partials".into(),
            Value::Object(d.partials[&lang].markers.clone()),
        );
        cx.insert(
            "assets".into(),
            context::value(context::assets(&d.fingerprinted)),
        );
    }

    /// The build cache's key of an output rendered with `template` from `cx` and `later`.
    fn key(&self, d: &SiteData<'_>, template: &str, cx: &Cx, later: &[Later<'_, '_>]) -> u64 {
        let lang = cx.get("lang").and_then(Value::as_str).unwrap_or_default();
        let mut h = crate::cache::KeyHasher::new();
        h.u64(d.base_keys.get(lang).copied().unwrap_or_default())
            .bytes(template.as_bytes())
            .u64(
                self.template_keys
                    .get(&d.site_idx)
                    .and_then(|t| t.get(template))
                    .copied()
                    .unwrap_or_default(),
            );
        for (k, v) in cx.iter() {
            h.bytes(k.as_bytes()).json(v);
        }
        for l in later {
            l.hash(d, &mut h);
        }
        h.finish()
    }

    /// Renders `template` into the file `rel` (HTML, or text when `text`), unless the previous
    /// build rendered it from the same inputs: then its file is kept as it is.
    #[allow(clippy::too_many_arguments)]
    fn output(
        &self,
        d: &SiteData<'_>,
        lang: &str,
        template: &str,
        cx: Cx,
        later: &[Later<'_, '_>],
        source: &str,
        rel: &str,
        text: bool,
    ) -> Result<ManifestEntry, Error> {
        let key = self.key(d, template, &cx, later);
        if let Some(e) = self.previous.and_then(|p| p.hit(rel, key)) {
            return Ok(e);
        }
        let out = self.render(d, template, cx, later, source)?;
        let mut e = if text {
            self.write_text(d, lang, rel, out)?
        } else {
            self.write_html(d, lang, rel, out)?
        };
        e.key = Some(key);
        Ok(e)
    }

    /// Renders `template` with `cx`, once `later` and the shared entries are added to it.
    fn render(
        &self,
        d: &SiteData<'_>,
        template: &str,
        mut cx: Cx,
        later: &[Later<'_, '_>],
        source: &str,
    ) -> Result<String, Error> {
        for l in later {
            l.fill(d, self.md, &mut cx)?;
        }
        self.add_shared(d, &mut cx);
        // Built as JSON and moved in: Context::insert would deep-copy every value again.
        let cx = Context::from_value(Value::Object(cx)).map_err(|e| Error::Theme(e.to_string()))?;
        (self.tera_of)(d.site_idx)
            .render(template, &cx)
            .map_err(|e| {
                Error::Content(Diagnostics(vec![Diagnostic::error(
                    format!("{}{source}", self.network.display_root),
                    1,
                    1,
                    format!(
                        "rendering with template `{template}` failed: {}",
                        error_chain(&e)
                    ),
                )
                .with_hint("fix the template, or the content it reads")]))
            })
    }

    fn write_html(
        &self,
        d: &SiteData<'_>,
        lang: &str,
        rel: &str,
        html: String,
    ) -> Result<ManifestEntry, Error> {
        let bytes = self.finish_html(d, lang, html);
        self.staging.write(rel, &bytes)
    }

    /// Minifies a rendered page (unless the templates were minified once) and splices in the
    /// site partials.
    fn finish_html(&self, d: &SiteData<'_>, lang: &str, html: String) -> Vec<u8> {
        if self.preminified.get(&d.site_idx).copied().unwrap_or(false) {
            // The templates were minified once; Markdown output is already compact.
            return match d.partials.get(lang) {
                Some(p) => p.splice_minified(html),
                None => html,
            }
            .into_bytes();
        }
        match d.partials.get(lang) {
            Some(p) => p.minify_page(html, |b| minify_html::minify(b, &self.minify)),
            None => minify_html::minify(html.as_bytes(), &self.minify),
        }
    }

    fn write_text(
        &self,
        d: &SiteData<'_>,
        lang: &str,
        rel: &str,
        text: String,
    ) -> Result<ManifestEntry, Error> {
        let text = match d.partials.get(lang) {
            Some(p) => p.splice_raw(text),
            None => text,
        };
        self.staging.write(rel, text.as_bytes())
    }

    pub(crate) fn run(&self, job: &Job) -> Result<Vec<ManifestEntry>, Error> {
        let net = self.network;
        let site_idx = match job {
            Job::Page(s, ..)
            | Job::Facet(s, ..)
            | Job::HtmlSitemap(s, ..)
            | Job::SearchPage(s, ..)
            | Job::Section(s, ..)
            | Job::TaxonomyList(s, ..)
            | Job::Term(s, ..)
            | Job::Feed(s, ..) => *s,
            Job::Sitemap(s)
            | Job::Robots(s)
            | Job::NotFound(s)
            | Job::Alias(s, ..)
            | Job::Asset(s, ..) => *s,
            Job::Static(s, ..) | Job::ThemeStatic(s, ..) | Job::SitemapIndex(s) => *s,
        };
        let d = &self.datas[&site_idx];
        let site = d.site;
        let domain = &site.config.domain;
        let default_lang = net.config.default_language.as_str();
        match job {
            Job::Facet(_, c, f, slug, n) => {
                let s = &site.sections[*c];
                let facet = &d.facets[c][*f];
                let (value, pages) = &facet.values[slug];
                let base = format!("{}{slug}/", facet.path);
                let path = if *n == 1 {
                    base.clone()
                } else {
                    format!("{base}page/{n}/")
                };
                let mut cx = self.base_context(&s.lang, &path);
                cx.insert(
                    "section".into(),
                    context::value(context::section_view(d, *c)),
                );
                let facets = context::facets_view(&d.facets[c], &s.lang);
                cx.insert("facets".into(), context::value(facets));
                let facet_ref = context::facet_ref(facet, value, &base);
                cx.insert("facet".into(), context::value(facet_ref));
                let (paginator, items) = context::paginator(pages, 10, *n, &base);
                cx.insert("paginator".into(), context::value(paginator));
                Ok(vec![self.output(
                    d,
                    &s.lang,
                    "facet.html",
                    cx,
                    &Later::section_list(&d.sections_md[*c], items),
                    &s.file,
                    &html_file(domain, &path),
                    false,
                )?])
            }
            Job::HtmlSitemap(_, lang) => {
                let path = format!("{}/so-do-cong/", lang_prefix(net, lang));
                let mut cx = self.base_context(lang, &path);
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
                Ok(vec![self.output(
                    d,
                    lang,
                    "sitemap.html",
                    cx,
                    &[],
                    &format!("sites/{}", site.id),
                    &html_file(domain, &path),
                    false,
                )?])
            }
            Job::SearchPage(_, lang) => {
                // The shell of the results page: `cms serve` puts the results in <cms-search>.
                let path = format!("{}/search/", lang_prefix(net, lang));
                let cx = self.base_context(lang, &path);
                Ok(vec![self.output(
                    d,
                    lang,
                    "search.html",
                    cx,
                    &[],
                    &format!("sites/{}", site.id),
                    &html_file(domain, &path),
                    false,
                )?])
            }
            Job::Page(_, p) => {
                let page = &site.pages[*p];
                let mut cx = self.base_context(&page.lang, &page.path);
                cx.insert(
                    "page".into(),
                    context::value(context::page_view(net, d, *p, self.today)),
                );
                let tpl = page_template(net, site, page, (self.tera_of)(site_idx));
                let rel = html_file(domain, &page.path);
                // Articles can be saved as one standalone file (Decree 42 Art. 7.1.c).
                let saved = (page.kind != "page")
                    .then(|| format!("sites/{domain}{}{}.html", page.path, page.slug));
                let later = [
                    Later::Summary {
                        entry: "page",
                        page: *p,
                    },
                    Later::Markdown {
                        entry: "page",
                        md: &d.pages_md[*p],
                    },
                ];
                let key = self.key(d, &tpl, &cx, &later);
                if let Some(prev) = self.previous {
                    let hits: Option<Vec<ManifestEntry>> = saved
                        .iter()
                        .chain(std::iter::once(&rel))
                        .map(|r| prev.hit(r, key))
                        .collect();
                    if let Some(hits) = hits {
                        return Ok(hits);
                    }
                }
                let html = self.render(d, &tpl, cx, &later, &page.file)?;
                let bytes = self.finish_html(d, &page.lang, html);
                let mut out = Vec::new();
                if let Some(saved) = saved {
                    let standalone =
                        standalone(&bytes, d, &format!("{}{}", site.base_url(), page.path));
                    out.push(self.staging.write(&saved, &standalone)?);
                }
                out.push(self.staging.write(&rel, &bytes)?);
                for e in &mut out {
                    e.key = Some(key);
                }
                Ok(out)
            }
            Job::Section(_, c, n) => {
                let s = &site.sections[*c];
                let path = if *n == 1 {
                    s.path.clone()
                } else {
                    format!("{}page/{n}/", s.path)
                };
                let mut cx = self.base_context(&s.lang, &path);
                cx.insert(
                    "section".into(),
                    context::value(context::section_view(d, *c)),
                );
                let facets = d.facets.get(c).map(Vec::as_slice).unwrap_or_default();
                let facets = context::facets_view(facets, &s.lang);
                cx.insert("facets".into(), context::value(facets));
                cx.insert(
                    "org_chart".into(),
                    context::value(context::org_chart(site, *c)),
                );
                let (paginator, items) =
                    context::paginator(&s.pages, s.meta.paginate_by, *n, &s.path);
                cx.insert("paginator".into(), context::value(paginator));
                let mut later = Vec::from(Later::section_list(&d.sections_md[*c], items));
                if s.dir.is_empty() {
                    let mut dated: Vec<usize> = (0..site.pages.len())
                        .filter(|&i| {
                            site.pages[i].lang == s.lang && site.pages[i].meta.date.is_some()
                        })
                        .collect();
                    dated.sort_by(|&a, &b| {
                        site.pages[b]
                            .meta
                            .date
                            .cmp(&site.pages[a].meta.date)
                            .then_with(|| site.pages[a].path.cmp(&site.pages[b].path))
                    });
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
                Ok(vec![self.output(
                    d,
                    &s.lang,
                    &section_template(s),
                    cx,
                    &later,
                    &s.file,
                    &html_file(domain, &path),
                    false,
                )?])
            }
            Job::TaxonomyList(_, t) => {
                let tax = &d.taxonomies[*t];
                let mut cx = self.base_context(&tax.lang, &tax.path);
                cx.insert("taxonomy".into(), context::value(tax.view()));
                cx.insert("terms".into(), context::value(tax.terms_view()));
                Ok(vec![self.output(
                    d,
                    &tax.lang,
                    "taxonomy_list.html",
                    cx,
                    &[],
                    &format!("sites/{}", site.id),
                    &html_file(domain, &tax.path),
                    false,
                )?])
            }
            Job::Term(_, t, slug, n) => {
                let tax = &d.taxonomies[*t];
                let term = &tax.terms[slug];
                let path = if *n == 1 {
                    term.path.clone()
                } else {
                    format!("{}page/{n}/", term.path)
                };
                let mut cx = self.base_context(&tax.lang, &path);
                cx.insert("taxonomy".into(), context::value(tax.view()));
                cx.insert("term".into(), context::value(term.view()));
                let (paginator, items) = context::paginator(&term.pages, 10, *n, &term.path);
                cx.insert("paginator".into(), context::value(paginator));
                Ok(vec![self.output(
                    d,
                    &tax.lang,
                    "taxonomy_single.html",
                    cx,
                    &[Later::paginated(items)],
                    &format!("sites/{}", site.id),
                    &html_file(domain, &path),
                    false,
                )?])
            }
            Job::Feed(_, c) => {
                let s = &site.sections[*c];
                let items: Vec<usize> = if s.dir.is_empty() {
                    let mut all: Vec<usize> = (0..site.pages.len())
                        .filter(|&i| {
                            site.pages[i].lang == s.lang && site.pages[i].meta.date.is_some()
                        })
                        .collect();
                    all.sort_by(|&a, &b| {
                        site.pages[b]
                            .meta
                            .date
                            .cmp(&site.pages[a].meta.date)
                            .then_with(|| site.pages[a].path.cmp(&site.pages[b].path))
                    });
                    all
                } else {
                    let mut v: Vec<usize> = s
                        .pages
                        .iter()
                        .copied()
                        .filter(|&i| site.pages[i].meta.date.is_some())
                        .collect();
                    v.sort_by(|&a, &b| {
                        site.pages[b]
                            .meta
                            .date
                            .cmp(&site.pages[a].meta.date)
                            .then_with(|| site.pages[a].path.cmp(&site.pages[b].path))
                    });
                    v
                };
                let items: Vec<usize> = items.into_iter().take(FEED_ITEMS).collect();
                let updated = items
                    .iter()
                    .map(|&i| &d.summaries[i])
                    .filter_map(|v| v["updated"].as_str().or(v["date"].as_str()))
                    .max()
                    .map(str::to_string);
                let mut cx = self.base_context(&s.lang, &s.path);
                cx.insert("section".into(), context::value(context::feed_section(s)));
                cx.insert("updated".into(), json!(updated));
                let later = [Later::Summaries {
                    entry: None,
                    name: "pages",
                    pages: items,
                }];
                let mut out = Vec::new();
                for (tpl, file) in [("rss.xml", "rss.xml"), ("atom.xml", "atom.xml")] {
                    let mut cx = cx.clone();
                    cx.insert(
                        "feed_url".into(),
                        json!(format!("{}{}{file}", site.base_url(), s.path)),
                    );
                    out.push(self.output(
                        d,
                        &s.lang,
                        tpl,
                        cx,
                        &later,
                        &s.file,
                        &format!("sites/{domain}{}{file}", s.path),
                        true,
                    )?);
                }
                Ok(out)
            }
            Job::Sitemap(_) => {
                let mut cx = self.base_context(default_lang, "/sitemap.xml");
                cx.insert(
                    "entries".into(),
                    context::value(context::sitemap_entries(d)),
                );
                Ok(vec![self.output(
                    d,
                    default_lang,
                    "sitemap.xml",
                    cx,
                    &[],
                    &format!("sites/{}", site.id),
                    &format!("sites/{domain}/sitemap.xml"),
                    true,
                )?])
            }
            Job::SitemapIndex(_) => {
                let sitemaps: Vec<String> = self
                    .selected
                    .iter()
                    .map(|&i| format!("{}/sitemap.xml", net.sites[i].base_url()))
                    .collect();
                let mut cx = self.base_context(default_lang, "/sitemap_index.xml");
                cx.insert("sitemaps".into(), json!(sitemaps));
                Ok(vec![self.output(
                    d,
                    default_lang,
                    "sitemap_index.xml",
                    cx,
                    &[],
                    "network.toml",
                    &format!("sites/{domain}/sitemap_index.xml"),
                    true,
                )?])
            }
            Job::Robots(_) => {
                let cx = self.base_context(default_lang, "/robots.txt");
                Ok(vec![self.output(
                    d,
                    default_lang,
                    "robots.txt",
                    cx,
                    &[],
                    &format!("sites/{}", site.id),
                    &format!("sites/{domain}/robots.txt"),
                    true,
                )?])
            }
            Job::NotFound(_) => {
                let cx = self.base_context(default_lang, "/404.html");
                Ok(vec![self.output(
                    d,
                    default_lang,
                    "404.html",
                    cx,
                    &[],
                    &format!("sites/{}", site.id),
                    &format!("sites/{domain}/404.html"),
                    false,
                )?])
            }
            Job::Alias(_, from, to) => {
                let rel = if from.ends_with(".html") {
                    format!("sites/{domain}/{from}")
                } else {
                    format!("sites/{domain}/{}/index.html", from.trim_end_matches('/'))
                };
                let to_html = crate::templates::escape(to);
                let html = format!("<!doctype html><html lang=\"{default_lang}\"><head><meta charset=\"utf-8\"><title>{to_html}</title><link rel=\"canonical\" href=\"{to_html}\"><meta http-equiv=\"refresh\" content=\"0; url={to_html}\"></head><body><p><a href=\"{to_html}\">{to_html}</a></p></body></html>");
                Ok(vec![self.staging.write(&rel, html.as_bytes())?])
            }
            Job::Asset(_, p, a) => {
                let page = &site.pages[*p];
                let asset = &page.assets[*a];
                let bytes = asset.file.data.read().map_err(|e| Error::Io {
                    path: PathBuf::from(format!("{}{}", net.display_root, asset.file.rel)),
                    source: e,
                })?;
                Ok(vec![self.staging.write(
                    &format!("sites/{domain}{}{}", page.path, asset.name),
                    &bytes,
                )?])
            }
            Job::Static(_, k) => {
                let f = &site.static_files[*k];
                let bytes = f.data.read().map_err(|e| Error::Io {
                    path: PathBuf::from(&f.rel),
                    source: e,
                })?;
                let rel = d.fingerprinted.get(&f.rel).unwrap_or(&f.rel);
                Ok(vec![self
                    .staging
                    .write(&format!("sites/{domain}/{rel}"), &bytes)?])
            }
            Job::ThemeStatic(_, k) => {
                let (rel, bytes) = &self.theme.static_files[*k];
                let rel = d.fingerprinted.get(rel).unwrap_or(rel);
                Ok(vec![self
                    .staging
                    .write(&format!("sites/{domain}/{rel}"), bytes)?])
            }
        }
    }
}
