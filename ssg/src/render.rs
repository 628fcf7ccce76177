//! Rendering the outputs of the build: every job's renderings (see [`crate::renderings`]) go
//! through one path here, which checks the build cache once for every file an output writes,
//! and renders, minifies and writes only what changed; the files copied as they are (bundle
//! and static files, aliases) are written directly, and left alone by [`Staging::write`] when
//! their bytes did not change.

use std::collections::HashMap;
use std::path::PathBuf;

use cms_core::{Diagnostic, Diagnostics, Network};
use serde_json::Value;
use tera::Context;

use crate::assets::standalone;
use crate::context::SiteData;
use crate::cx::{error_chain, Cx};
use crate::deferred::Later;
use crate::error::Error;
use crate::jobs::{Job, JobKind};
use crate::lazy_markdown::MdEnv;
use crate::output::{ManifestEntry, Staging};
use crate::prepare::Templates;
use crate::renderings::{Form, Planner, Rendering};
use crate::theme::Theme;

/// What renders the jobs of one build: the sites' data and everything shared by every output.
pub(crate) struct Renderer<'a, 'b> {
    pub(crate) network: &'a Network,
    pub(crate) datas: &'b HashMap<usize, SiteData<'a>>,
    pub(crate) network_views: &'b HashMap<String, Value>,
    pub(crate) templates: &'b Templates,
    pub(crate) staging: &'b Staging,
    pub(crate) theme: &'b Theme,
    pub(crate) minify: minify_html::Cfg,
    /// The previous build, over which this one renders only what changed.
    pub(crate) previous: Option<&'b crate::build_cache::PreviousBuild>,
    /// The key of every template of each site (see [`crate::build_cache::template_keys`]).
    pub(crate) template_keys: &'b HashMap<usize, HashMap<String, u64>>,
    /// What rendering the pages' Markdown reads.
    pub(crate) md: &'b MdEnv<'b>,
    /// What each job's renderings are made from.
    pub(crate) planner: Planner<'a, 'b>,
    /// The static read API's summaries, by site.
    pub(crate) api: &'b HashMap<usize, crate::api::ApiData>,
}

impl<'a, 'b> Renderer<'a, 'b> {
    /// Renders or copies the output(s) of `job`.
    pub(crate) fn run(&self, job: &Job) -> Result<Vec<ManifestEntry>, Error> {
        let datas: &'b HashMap<usize, SiteData<'a>> = self.datas;
        let d = &datas[&job.site];
        let p = &self.planner;
        let renderings = match &job.kind {
            JobKind::Page { page } => vec![p.page(d, *page)],
            JobKind::Section { section, number } => vec![p.section(d, *section, *number)],
            JobKind::Facet {
                section,
                facet,
                value,
                number,
            } => vec![p.facet(d, *section, *facet, value, *number)],
            JobKind::HtmlSitemap { lang } => vec![p.html_sitemap(d, lang)],
            JobKind::SearchPage { lang } => vec![p.search_page(d, lang)],
            JobKind::TaxonomyList { taxonomy } => vec![p.taxonomy_list(d, *taxonomy)],
            JobKind::Term {
                taxonomy,
                term,
                number,
            } => vec![p.term(d, *taxonomy, term, *number)],
            JobKind::Feed { section } => p.feeds(d, *section),
            JobKind::Sitemap => vec![p.sitemap(d)],
            JobKind::SitemapIndex => vec![p.sitemap_index(d)],
            JobKind::Robots => vec![p.site_file(d, "robots.txt", Form::Text)],
            JobKind::NotFound => vec![p.site_file(d, "404.html", Form::Html)],
            JobKind::Alias { from, to } => return self.alias(d, from, to),
            JobKind::Asset { page, asset } => {
                let cx = crate::images::WriteCx {
                    staging: self.staging,
                    previous: self.previous,
                    root: &self.network.display_root,
                };
                let pg = &d.site.pages[*page];
                if let Some(images) = self.md.images {
                    if let Some(done) = images.write(&cx, (d.site_idx, d.site), pg, *asset) {
                        return done;
                    }
                }
                return self.asset(d, *page, *asset);
            }
            JobKind::Static { file } => return self.static_file(d, *file),
            JobKind::ThemeStatic { file } => return self.theme_file(d, *file),
            JobKind::Api(api) => {
                return match self.api.get(&job.site) {
                    Some(data) => crate::api::run(self, d, data, api),
                    None => Ok(Vec::new()),
                }
            }
        };
        let mut out = Vec::new();
        for r in renderings {
            out.extend(self.emit(d, r)?);
        }
        Ok(out)
    }

    /// Writes a rendering's files, unless the previous build wrote them from the same inputs:
    /// then they are kept as they are.
    fn emit(&self, d: &SiteData<'_>, r: Rendering<'_, '_>) -> Result<Vec<ManifestEntry>, Error> {
        let key = self.key(d, &r.template, &r.cx, &r.later);
        let files: Vec<&str> = r
            .standalone
            .iter()
            .map(|(rel, _)| rel.as_str())
            .chain(std::iter::once(r.file.as_str()))
            .collect();
        if let Some(hits) = self.cached(&files, key) {
            return Ok(hits.into_iter().flatten().collect());
        }
        let out = self.render(d, &r.template, r.cx, &r.later, &r.source)?;
        let mut entries = Vec::with_capacity(files.len());
        match r.form {
            Form::Html => {
                let bytes = self.finish_html(d, &r.lang, out);
                if let Some((saved, permalink)) = &r.standalone {
                    let copy = standalone(&bytes, d, permalink);
                    entries.extend(self.staging.write_served(saved, &copy)?);
                }
                entries.extend(self.staging.write_served(&r.file, &bytes)?);
            }
            Form::Text => {
                let text = match d.partials.get(&r.lang) {
                    Some(p) => p.splice_raw(out),
                    None => out,
                };
                entries.extend(self.staging.write_served(&r.file, text.as_bytes())?);
            }
        }
        // The key is the rendered file's; its variants follow it (see `PreviousBuild::hit`).
        for e in entries.iter_mut().filter(|e| e.encoding.is_none()) {
            e.key = Some(key);
        }
        Ok(entries)
    }

    /// The build cache's one check, for every rendered output: the previous build's entries of
    /// all of `files` when it rendered each from the inputs whose key is `key`.
    pub(crate) fn cached(&self, files: &[&str], key: u64) -> Option<Vec<Vec<ManifestEntry>>> {
        let previous = self.previous?;
        files.iter().map(|rel| previous.hit(rel, key)).collect()
    }

    /// The build cache's key of an output rendered with `template` from `cx` and `later`.
    fn key(&self, d: &SiteData<'_>, template: &str, cx: &Cx, later: &[Later<'_, '_>]) -> u64 {
        let lang = cx.get("lang").and_then(Value::as_str).unwrap_or_default();
        let mut h = crate::build_cache::KeyHasher::new();
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
            crate::context::value(crate::context::assets(&d.fingerprinted)),
        );
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
        let cx = Context::from_value(Value::Object(cx)).map_err(Error::TemplateContext)?;
        self.templates
            .of(d.site_idx)
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

    /// Minifies a rendered page (unless the templates were minified once) and splices in the
    /// site partials.
    fn finish_html(&self, d: &SiteData<'_>, lang: &str, html: String) -> Vec<u8> {
        if self.templates.preminified(d.site_idx) {
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

    /// The redirect of an alias: a file copied, not rendered (see [`Renderer::copy`]).
    fn alias(&self, d: &SiteData<'_>, from: &str, to: &str) -> Result<Vec<ManifestEntry>, Error> {
        let domain = &d.site.config.domain;
        let rel = if from.ends_with(".html") {
            format!("sites/{domain}/{from}")
        } else {
            format!("sites/{domain}/{}/index.html", from.trim_end_matches('/'))
        };
        let to_html = crate::templates::escape(to);
        let default_lang = &self.network.config.default_language;
        let html = format!("<!doctype html><html lang=\"{default_lang}\"><head><meta charset=\"utf-8\"><title>{to_html}</title><link rel=\"canonical\" href=\"{to_html}\"><meta http-equiv=\"refresh\" content=\"0; url={to_html}\"></head><body><p><a href=\"{to_html}\">{to_html}</a></p></body></html>");
        self.copy(&rel, html.as_bytes())
    }

    /// A file of a page bundle, beside the page.
    fn asset(
        &self,
        d: &SiteData<'_>,
        page: usize,
        asset: usize,
    ) -> Result<Vec<ManifestEntry>, Error> {
        let page = &d.site.pages[page];
        let asset = &page.assets[asset];
        let bytes = asset.file.data.read().map_err(|e| Error::Io {
            path: PathBuf::from(format!("{}{}", self.network.display_root, asset.file.rel)),
            source: e,
        })?;
        let domain = &d.site.config.domain;
        self.copy(
            &format!("sites/{domain}{}{}", page.path, asset.name),
            &bytes,
        )
    }

    /// A static file of the site, under its fingerprinted name if it has one.
    fn static_file(&self, d: &SiteData<'_>, file: usize) -> Result<Vec<ManifestEntry>, Error> {
        let f = &d.site.static_files[file];
        let bytes = f.data.read().map_err(|e| Error::Io {
            path: PathBuf::from(&f.rel),
            source: e,
        })?;
        let rel = d.fingerprinted.get(&f.rel).unwrap_or(&f.rel);
        // The stylesheet is served with the site's colours (see `assets::stylesheet`).
        let bytes = match f.rel.as_str() {
            "style.css" => d.inline_css.as_bytes(),
            _ => &bytes[..],
        };
        self.copy(&format!("sites/{}/{rel}", d.site.config.domain), bytes)
    }

    /// A static file of the theme, under its fingerprinted name if it has one.
    fn theme_file(&self, d: &SiteData<'_>, file: usize) -> Result<Vec<ManifestEntry>, Error> {
        let (rel, bytes) = &self.theme.static_files[file];
        let out = d.fingerprinted.get(rel).unwrap_or(rel);
        let bytes = match rel.as_str() {
            "style.css" => d.inline_css.as_bytes(),
            _ => &bytes[..],
        };
        self.copy(&format!("sites/{}/{out}", d.site.config.domain), bytes)
    }

    /// Writes a file that is copied, not rendered. It has no key: [`Staging::write`] leaves
    /// it alone when its bytes did not change.
    fn copy(&self, rel: &str, bytes: &[u8]) -> Result<Vec<ManifestEntry>, Error> {
        self.staging.write_served(rel, bytes)
    }
}
