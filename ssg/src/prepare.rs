//! The stages of a build before any output is rendered, each taking what the one before made
//! and returning what the next needs: the sites to build, their templates, their Markdown
//! (hashed now, rendered when an output needs it), the checks that need the whole site, and
//! the data every output of a site is rendered from (views, lists, partials, cache keys).

use std::collections::{HashMap, HashSet};

use cms_core::{Diagnostic, Diagnostics, Network};
use rayon::prelude::*;
use serde_json::{json, Value};
use tera::{Context, Tera};

use crate::assets::{fingerprints, stylesheet};
use crate::build_cache::KeyHasher;
use crate::context::{self, SiteData};
use crate::cx::{error_chain, Cx};
use crate::error::Error;
use crate::lazy_markdown::{LazyMd, MdEnv};
use crate::links::LinkIndex;
use crate::partials::Partials;
use crate::templates::make_tera;
use crate::theme::Theme;

/// Fails with the errors of `diags`, sorted, if it has any.
pub(crate) fn stop_on_errors(diags: &mut Diagnostics) -> Result<(), Error> {
    if diags.has_errors() {
        diags.sort();
        return Err(Error::Content(std::mem::take(diags)));
    }
    Ok(())
}

/// The sites to build: those `sites` names (all when empty) that `keep` accepts; an error
/// for a name that is not a site.
pub(crate) fn select_sites(
    network: &Network,
    sites: &[String],
    keep: impl Fn(usize) -> bool,
) -> Result<Vec<usize>, Error> {
    let root = &network.display_root;
    let mut diags = Diagnostics::default();
    for id in sites {
        if network.site(id).is_none() {
            let known: Vec<&str> = network.sites.iter().map(|s| s.id.as_str()).collect();
            diags.push(
                Diagnostic::error(format!("{root}sites/{id}"), 0, 0, format!("no site `{id}`"))
                    .with_hint(format!("sites are: {}", known.join(", "))),
            );
        }
    }
    if diags.has_errors() {
        return Err(Error::Content(diags));
    }
    Ok((0..network.sites.len())
        .filter(|&i| sites.is_empty() || sites.contains(&network.sites[i].id))
        .filter(|&i| keep(i))
        .collect())
}

/// The templates of a build: the theme's, and for each site with overrides its own.
pub(crate) struct Templates {
    theme: Tera,
    theme_preminified: bool,
    sites: HashMap<usize, (Tera, bool)>,
}

impl Templates {
    /// Loads the theme's templates (an error fails the build) and each selected site's
    /// overrides (errors go to `diags`). They are minified once unless `minify_each_page`.
    pub fn load(
        network: &Network,
        theme: &Theme,
        minify_each_page: bool,
        selected: &[usize],
        diags: &mut Diagnostics,
    ) -> Result<Templates, Error> {
        let preminify = !minify_each_page;
        let (tera, theme_preminified) = make_tera(theme, &[], preminify).map_err(|e| {
            Error::Content(Diagnostics(vec![Diagnostic::error(
                format!("{}/templates", theme.origin),
                0,
                0,
                format!("template error: {}", error_chain(&e)),
            )
            .with_hint("fix the template syntax")]))
        })?;
        let mut sites = HashMap::new();
        for &i in selected {
            let site = &network.sites[i];
            if site.templates.is_empty() {
                continue;
            }
            match make_tera(theme, &site.templates, preminify) {
                Ok(t) => {
                    sites.insert(i, t);
                }
                Err(e) => diags.push(
                    Diagnostic::error(
                        format!("{}sites/{}/templates", network.display_root, site.id),
                        0,
                        0,
                        format!("template error: {}", error_chain(&e)),
                    )
                    .with_hint("fix the template syntax"),
                ),
            }
        }
        Ok(Templates {
            theme: tera,
            theme_preminified,
            sites,
        })
    }

    /// The templates site `site` renders with.
    pub fn of(&self, site: usize) -> &Tera {
        self.sites.get(&site).map(|t| &t.0).unwrap_or(&self.theme)
    }

    /// Whether the templates of site `site` were minified once (then its pages are not).
    pub fn preminified(&self, site: usize) -> bool {
        let pre = self.sites.get(&site).map(|t| t.1);
        pre.unwrap_or(self.theme_preminified)
    }
}

/// The key of the settings of the whole build (tool version, theme, minification,
/// precompression, UI strings): another value invalidates every key of the build cache.
pub(crate) fn global_key(
    tool_version: &str,
    theme: &Theme,
    minify_each_page: bool,
    precompress: bool,
) -> u64 {
    let mut h = KeyHasher::new();
    h.bytes(tool_version.as_bytes())
        .bytes(theme.name.as_bytes())
        .u64(u64::from(minify_each_page))
        .u64(u64::from(precompress));
    for (lang, strings) in &theme.i18n {
        h.bytes(lang.as_bytes());
        for (k, v) in strings {
            h.bytes(k.as_bytes()).bytes(v.as_bytes());
        }
    }
    h.finish()
}

/// The Markdown of each page and section of a site, in their order.
pub(crate) type SiteMarkdown<'a> = (Vec<LazyMd<'a>>, Vec<LazyMd<'a>>);

/// The Markdown of every page and section of the selected sites: its key now, its HTML when
/// an output needs it.
pub(crate) fn markdown<'a>(
    network: &'a Network,
    env: &MdEnv<'_>,
    selected: &[usize],
) -> HashMap<usize, SiteMarkdown<'a>> {
    selected
        .iter()
        .map(|&s| {
            let site = &network.sites[s];
            // Hashing every text: in parallel.
            let pages = site
                .pages
                .par_iter()
                .map(|p| LazyMd::new(env, s, &p.body, &p.path, &p.lang, &p.file, p.body_line));
            let sections = site
                .sections
                .par_iter()
                .map(|c| LazyMd::new(env, s, &c.body, &c.path, &c.lang, &c.file, c.body_line));
            (s, (pages.collect(), sections.collect()))
        })
        .collect()
}

/// Renders all the Markdown at once, in parallel, and returns every problem: what a build
/// with no previous output does first, as every output needs every page's HTML.
pub(crate) fn markdown_problems(
    mds: &HashMap<usize, SiteMarkdown<'_>>,
    env: &MdEnv<'_>,
) -> Vec<Diagnostic> {
    let all: Vec<&LazyMd<'_>> = mds.values().flat_map(|(p, c)| p.iter().chain(c)).collect();
    let problems: Vec<Vec<Diagnostic>> = all.par_iter().map(|m| m.diagnostics(env)).collect();
    problems.into_iter().flatten().collect()
}

/// The checks that need the templates and the whole site (translations, template names).
pub(crate) fn check_sites(
    network: &Network,
    theme: &Theme,
    selected: &[usize],
    templates: &Templates,
    diags: &mut Diagnostics,
) -> Result<(), Error> {
    let tera_of = |i: usize| templates.of(i);
    crate::checks::missing_translations(network, selected, diags);
    crate::checks::missing_templates(network, selected, &tera_of, &theme.name, diags);
    stop_on_errors(diags)
}

/// What every output of the selected sites is rendered from, besides the templates.
pub(crate) struct SiteInputs<'a> {
    /// Each selected site's data.
    pub datas: HashMap<usize, SiteData<'a>>,
    /// The network's view in each language.
    pub network_views: HashMap<String, Value>,
    /// The agencies' newest news, for the portal's home.
    pub network_news: Vec<Value>,
    /// The key of every template of each site (see [`crate::build_cache::template_keys`]).
    pub template_keys: HashMap<usize, HashMap<String, u64>>,
}

/// The network's view in each of its languages.
pub(crate) fn network_views(network: &Network) -> HashMap<String, Value> {
    network
        .config
        .languages
        .iter()
        .map(|l| {
            let view = context::network_view(network, l, false);
            (l.clone(), context::value(view))
        })
        .collect()
}

/// Makes each selected site's data, its partials and the keys of what its outputs share.
pub(crate) fn site_inputs<'a>(
    network: &'a Network,
    theme: &Theme,
    selected: &[usize],
    mut mds: HashMap<usize, SiteMarkdown<'a>>,
    env: &MdEnv<'_>,
    templates: &Templates,
    diags: &mut Diagnostics,
) -> Result<SiteInputs<'a>, Error> {
    let (links, images) = (env.links, env.images);
    let mut datas = HashMap::new();
    for &i in selected {
        let md = mds.remove(&i).unwrap_or_default();
        datas.insert(i, site_data(network, theme, i, md, links, images)?);
    }
    let network_views = network_views(network);
    let network_news = crate::lists::network_news(network);
    render_partials(network, templates, &mut datas, selected, diags)?;
    stop_on_errors(diags)?;
    hash_shared(network, &mut datas, &network_views);
    let template_keys = selected
        .iter()
        .map(|&i| {
            (
                i,
                crate::build_cache::template_keys(&theme.templates, &network.sites[i].templates),
            )
        })
        .collect();
    Ok(SiteInputs {
        datas,
        network_views,
        network_news,
        template_keys,
    })
}

/// The data of site `i` every render reads: views, summaries, lists, facets, assets. The
/// partials and the shared keys are added by the next stages.
fn site_data<'a>(
    network: &'a Network,
    theme: &Theme,
    i: usize,
    (pages_md, sections_md): SiteMarkdown<'a>,
    links: &LinkIndex,
    images: Option<&crate::images::Images>,
) -> Result<SiteData<'a>, Error> {
    let site = &network.sites[i];
    let known_paths: HashSet<&str> = site
        .pages
        .iter()
        .map(|p| p.path.as_str())
        .chain(site.sections.iter().map(|s| s.path.as_str()))
        .collect();
    let summaries: Vec<Value> = site
        .pages
        .par_iter()
        .map(|p| summary(network, site, i, p, images))
        .collect();
    let summary_keys = summaries
        .par_iter()
        .map(|v| KeyHasher::new().json(v).finish())
        .collect();
    let mut translations: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for p in &site.pages {
        translations
            .entry(p.translation_key.clone())
            .or_default()
            .push((p.lang.clone(), p.path.clone()));
    }
    for s in &site.sections {
        translations
            .entry(s.translation_key.clone())
            .or_default()
            .push((s.lang.clone(), s.path.clone()));
    }
    for v in translations.values_mut() {
        v.sort();
    }
    let site_views = site
        .languages
        .iter()
        .map(|l| {
            (
                l.clone(),
                context::value(context::site_view(network, site, i, l, links, &known_paths)),
            )
        })
        .collect();
    Ok(SiteData {
        site_idx: i,
        site,
        pages_md,
        sections_md,
        summaries,
        summary_keys,
        site_views,
        taxonomies: crate::lists::taxonomies(network, site),
        translations,
        partials: HashMap::new(),
        facets: (0..site.sections.len())
            .map(|c| (c, context::facets(network, site, c)))
            .filter(|(_, f)| !f.is_empty())
            .collect(),
        fingerprinted: fingerprints(site, theme, &network.display_root)?,
        base_keys: HashMap::new(),
        inline_css: stylesheet(site, theme, &network.display_root)?,
        image_urls: images.map(|im| im.urls(i, site)).unwrap_or_default(),
    })
}

/// The summary of page `p` of `site` (index `i`), with its lead image, as lists show it.
pub(crate) fn summary(
    network: &Network,
    site: &cms_core::Site,
    i: usize,
    p: &cms_core::Page,
    images: Option<&crate::images::Images>,
) -> Value {
    let mut summary = context::page_summary(network, site, p);
    summary.image = images.and_then(|im| im.lead(i, p));
    context::value(summary)
}

/// How pages and partials are minified. Closing tags and <html>/<head> are kept: smaller
/// gains, but markup every validator and older browser reads the same way.
pub(crate) fn minify_cfg() -> minify_html::Cfg {
    minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        minify_css: true,
        ..minify_html::Cfg::new()
    }
}

/// Site partials: parts of every page that depend only on the site and language (the footer
/// with the network's sites) are rendered once, not once per page.
fn render_partials(
    network: &Network,
    templates: &Templates,
    datas: &mut HashMap<usize, SiteData<'_>>,
    selected: &[usize],
    diags: &mut Diagnostics,
) -> Result<(), Error> {
    let minify_cfg = minify_cfg();
    for &i in selected {
        let tera = templates.of(i);
        let names: Vec<String> = tera
            .get_template_names()
            .filter(|n| n.starts_with("site/") && n.ends_with(".html"))
            .map(str::to_string)
            .collect();
        let Some(d) = datas.get_mut(&i) else { continue };
        for lang in &d.site.languages {
            let mut cx = Cx::new();
            cx.insert("lang".into(), json!(lang));
            cx.insert("site".into(), json!(d.site_views[lang]));
            let view = context::network_view(network, lang, true);
            cx.insert("network".into(), context::value(view));
            cx.insert(
                "default_language".into(),
                json!(network.config.default_language),
            );
            let cx = Context::from_value(Value::Object(cx)).map_err(Error::TemplateContext)?;
            let mut parts = Partials::default();
            for name in &names {
                match tera.render(name, &cx) {
                    Ok(html) => {
                        let key = name
                            .trim_start_matches("site/")
                            .trim_end_matches(".html")
                            .to_string();
                        let marker = format!("<cms-partial data-name=\"{key}\"></cms-partial>");
                        let min_marker = String::from_utf8_lossy(&minify_html::minify(
                            marker.as_bytes(),
                            &minify_cfg,
                        ))
                        .into_owned();
                        let min_html = String::from_utf8_lossy(&minify_html::minify(
                            html.as_bytes(),
                            &minify_cfg,
                        ))
                        .into_owned();
                        parts.markers.insert(key, Value::String(marker.clone()));
                        parts.parts.push((marker, min_marker, html, min_html));
                    }
                    Err(e) => diags.push(
                        Diagnostic::error(
                            format!("{}sites/{}/site.toml", network.display_root, d.site.id),
                            1,
                            1,
                            format!("rendering `{name}` failed: {}", error_chain(&e)),
                        )
                        .with_hint("fix the template, or the site settings it reads"),
                    ),
                }
            }
            d.partials.insert(lang.clone(), parts);
        }
    }
    Ok(())
}

/// What every output of a site and language shares, hashed once for the build cache.
fn hash_shared(
    network: &Network,
    datas: &mut HashMap<usize, SiteData<'_>>,
    network_views: &HashMap<String, Value>,
) {
    for d in datas.values_mut() {
        for lang in &d.site.languages {
            let mut h = KeyHasher::new();
            h.bytes(lang.as_bytes())
                .json(&d.site_views[lang])
                .json(&network_views[lang.as_str()])
                .bytes(network.config.default_language.as_bytes())
                .bytes(d.inline_css.as_bytes());
            for (k, v) in &d.fingerprinted {
                h.bytes(k.as_bytes()).bytes(v.as_bytes());
            }
            if let Some(p) = d.partials.get(lang) {
                for (marker, _, html, _) in &p.parts {
                    h.bytes(marker.as_bytes()).bytes(html.as_bytes());
                }
            }
            let key = h.finish();
            d.base_keys.insert(lang.clone(), key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Network {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        cms_core::load(&cms_core::Source::Dir(content)).expect("the demo network loads")
    }

    #[test]
    fn the_global_key_changes_with_each_setting_of_the_build() {
        let theme = Theme::embedded().unwrap();
        let key = global_key("cms 1", &theme, false, true);
        assert_eq!(key, global_key("cms 1", &theme, false, true));
        assert_ne!(
            key,
            global_key("cms 2", &theme, false, true),
            "another binary"
        );
        assert_ne!(
            key,
            global_key("cms 1", &theme, true, true),
            "minify each page"
        );
        assert_ne!(
            key,
            global_key("cms 1", &theme, false, false),
            "no precompression"
        );
        let mut renamed = Theme::embedded().unwrap();
        renamed.name = "other".into();
        assert_ne!(
            key,
            global_key("cms 1", &renamed, false, true),
            "another theme"
        );
        let mut strings = Theme::embedded().unwrap();
        let (_, first) = strings.i18n.iter_mut().next().expect("UI strings");
        first.insert("zz_new".into(), "x".into());
        assert_ne!(
            key,
            global_key("cms 1", &strings, false, true),
            "a UI string"
        );
    }

    #[test]
    fn sites_are_selected_by_id_and_an_unknown_id_is_an_error() {
        let network = demo();
        let all = select_sites(&network, &[], |_| true).unwrap();
        assert_eq!(all, (0..network.sites.len()).collect::<Vec<_>>());
        let id = network.sites[1].id.clone();
        assert_eq!(select_sites(&network, &[id], |_| true).unwrap(), vec![1]);
        assert_eq!(select_sites(&network, &[], |i| i == 0).unwrap(), vec![0]);
        match select_sites(&network, &["khong-co".into()], |_| true) {
            Err(Error::Content(ds)) => {
                assert!(ds.0[0].to_string().contains("no site `khong-co`"), "{ds}")
            }
            other => panic!("expected a content error, got {other:?}"),
        }
    }
}
