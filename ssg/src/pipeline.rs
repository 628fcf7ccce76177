//! The build: Markdown of every page of every site in parallel, then every output file in
//! parallel, written to a new build folder that becomes the output at the end.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use cms_core::{Diagnostic, Diagnostics, Network};
use rayon::prelude::*;
use serde_json::{json, Value};
use tera::{Context, Tera};

/// A template context being built: moved into Tera without copying.
pub(crate) type Cx = serde_json::Map<String, Value>;

use crate::assets::{fingerprints, stylesheet};
use crate::context::{self, SiteData};
use crate::error::Error;
use crate::lazy_markdown::{LazyMd, MdEnv};
use crate::links::LinkIndex;
use crate::output::{ManifestEntry, Staging, WriteStats};
use crate::partials::Partials;
use crate::render::Renderer;
use crate::templates::make_tera;
use crate::theme::Theme;

/// How many items a feed holds.
pub(crate) const FEED_ITEMS: usize = 20;
/// How many items the home pages list.
pub(crate) const HOME_ITEMS: usize = 10;

/// Progress of a build, for a progress bar.
pub trait Progress: Sync {
    /// The build has `total` outputs to render.
    fn start(&self, total: u64);
    /// `n` more are done.
    fn advance(&self, n: u64);
}

/// What to build and where.
pub struct BuildOptions<'a> {
    /// The output folder (`public`).
    pub out: PathBuf,
    /// Build only these site ids (empty: all).
    pub sites: Vec<String>,
    /// Render everything but write nothing (`cms check`).
    pub dry_run: bool,
    /// The theme.
    pub theme: &'a Theme,
    /// Where to report progress.
    pub progress: Option<&'a dyn Progress>,
    /// Minify every page with minify-html instead of minifying the templates once (which is
    /// done when every template allows it, see `preminify_template`); slower, same pages.
    pub minify_each_page: bool,
    /// The date statuses are computed against (a legal document in force, a consultation
    /// open): the build's date, or SOURCE_DATE_EPOCH's for a reproducible build.
    pub today: chrono::NaiveDate,
    /// Whether to write the search index (`search/`) and the search pages.
    pub search: bool,
    /// The build tool's version: an index written by another version is not reused.
    pub tool_version: String,
    /// What earlier builds of this process keep for the next (`cms dev`).
    pub memo: Option<&'a crate::memo::BuildMemo>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Sites built.
    pub sites: usize,
    /// Pages rendered (all languages).
    pub pages: usize,
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
    /// Time spent in each stage, in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// What the search index got, when it was written.
    pub search: Option<search_index::IndexStats>,
    /// Outputs rendered (their inputs changed, or there was no previous build).
    pub rendered: usize,
    /// Outputs kept from the previous build, whose inputs did not change.
    pub reused: usize,
    /// Whether this build updated a previous output.
    pub incremental: bool,
    /// What was written to and deleted from the output folder.
    pub written: WriteStats,
}

/// Builds `network` into `opts.out`: all or nothing.
pub fn build(network: &Network, opts: &BuildOptions<'_>) -> Result<BuildReport, Error> {
    build_some(network, opts, None)
}

/// Renders the pages whose source files (as [`cms_core::Page::file`] names them) are `files`,
/// and only them, into the existing output `opts.out`, for `cms dev` to show an edit at once:
/// nothing else is written (no list, feed, index, manifest or build cache), so a full build
/// must follow. Right when only the pages' bodies changed since the output was built (see
/// [`cms_core::LoadCache::patch_body`]): nothing else shows a page's body.
pub fn preview_pages(
    network: &Network,
    opts: &BuildOptions<'_>,
    files: &[String],
) -> Result<BuildReport, Error> {
    build_some(network, opts, Some(files))
}

fn build_some(
    network: &Network,
    opts: &BuildOptions<'_>,
    focus: Option<&[String]>,
) -> Result<BuildReport, Error> {
    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        let now = std::time::Instant::now();
        timings.push((name, now - clock));
        clock = now;
    };
    let root = &network.display_root;
    let mut diags = Diagnostics::default();
    for id in &opts.sites {
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
    // The pages to preview, by (site, page); their sites are the only ones built.
    let focused: HashSet<(usize, usize)> = focus
        .map(|files| {
            network
                .sites
                .iter()
                .enumerate()
                .flat_map(|(s, site)| {
                    site.pages
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| files.contains(&p.file))
                        .map(move |(i, _)| (s, i))
                })
                .collect()
        })
        .unwrap_or_default();
    let selected: Vec<usize> = (0..network.sites.len())
        .filter(|&i| opts.sites.is_empty() || opts.sites.contains(&network.sites[i].id))
        .filter(|&i| focus.is_none() || focused.iter().any(|&(s, _)| s == i))
        .collect();

    // Templates: the theme's, with each site's overrides.
    let preminify = !opts.minify_each_page;
    let (theme_tera, theme_preminified) = make_tera(opts.theme, &[], preminify).map_err(|e| {
        Error::Content(Diagnostics(vec![Diagnostic::error(
            format!("{}/templates", opts.theme.origin),
            0,
            0,
            format!("template error: {}", error_chain(&e)),
        )
        .with_hint("fix the template syntax")]))
    })?;
    let mut site_teras: HashMap<usize, (Tera, bool)> = HashMap::new();
    for &i in &selected {
        let site = &network.sites[i];
        if site.templates.is_empty() {
            continue;
        }
        match make_tera(opts.theme, &site.templates, preminify) {
            Ok(t) => {
                site_teras.insert(i, t);
            }
            Err(e) => diags.push(
                Diagnostic::error(
                    format!("{root}sites/{}/templates", site.id),
                    0,
                    0,
                    format!("template error: {}", error_chain(&e)),
                )
                .with_hint("fix the template syntax"),
            ),
        }
    }
    let tera_of = |i: usize| site_teras.get(&i).map(|t| &t.0).unwrap_or(&theme_tera);
    let preminified: HashMap<usize, bool> = selected
        .iter()
        .map(|&i| {
            (
                i,
                site_teras.get(&i).map(|t| t.1).unwrap_or(theme_preminified),
            )
        })
        .collect();

    // Over a previous output: render only what changed, rewrite only what differs.
    let global_key = {
        let mut h = crate::cache::KeyHasher::new();
        h.bytes(opts.tool_version.as_bytes())
            .bytes(opts.theme.name.as_bytes())
            .u64(u64::from(opts.minify_each_page));
        for (lang, strings) in &opts.theme.i18n {
            h.bytes(lang.as_bytes());
            for (k, v) in strings {
                h.bytes(k.as_bytes()).bytes(v.as_bytes());
            }
        }
        h.finish()
    };
    let previous = (!opts.dry_run && focus.is_none())
        .then(|| crate::cache::Previous::load(&opts.out, global_key))
        .flatten();

    // Markdown: the key of each page's and section's now, its HTML when an output needs it.
    // With no previous output every output needs it: all is rendered at once, in parallel, and
    // every problem reported before anything else.
    let links = LinkIndex::new(network);
    let env = MdEnv {
        links: &links,
        links_key: links.fingerprint(),
        memo: opts.memo,
        root,
    };
    let mut mds: HashMap<usize, (Vec<LazyMd<'_>>, Vec<LazyMd<'_>>)> = selected
        .iter()
        .map(|&s| {
            let site = &network.sites[s];
            // Hashing every text: in parallel.
            let pages = site
                .pages
                .par_iter()
                .map(|p| LazyMd::new(&env, s, &p.body, &p.path, &p.lang, &p.file, p.body_line));
            let sections = site
                .sections
                .par_iter()
                .map(|c| LazyMd::new(&env, s, &c.body, &c.path, &c.lang, &c.file, c.body_line));
            (s, (pages.collect(), sections.collect()))
        })
        .collect();
    if previous.is_none() && focus.is_none() {
        let all: Vec<&LazyMd<'_>> = mds.values().flat_map(|(p, c)| p.iter().chain(c)).collect();
        let problems: Vec<Vec<Diagnostic>> = all.par_iter().map(|m| m.diagnostics(&env)).collect();
        diags.extend(problems.into_iter().flatten());
    }
    lap("templates and markdown");

    crate::checks::missing_translations(network, &selected, &mut diags);
    crate::checks::missing_templates(network, &selected, &tera_of, &opts.theme.name, &mut diags);
    if diags.has_errors() {
        diags.sort();
        return Err(Error::Content(diags));
    }

    // Per-site data shared by every render.
    let known_paths: HashMap<usize, HashSet<&str>> = selected
        .iter()
        .map(|&i| {
            let site = &network.sites[i];
            (
                i,
                site.pages
                    .iter()
                    .map(|p| p.path.as_str())
                    .chain(site.sections.iter().map(|s| s.path.as_str()))
                    .collect(),
            )
        })
        .collect();
    let mut datas: HashMap<usize, SiteData<'_>> = HashMap::new();
    for &i in &selected {
        let site = &network.sites[i];
        let summaries: Vec<Value> = site
            .pages
            .par_iter()
            .map(|p| context::page_summary(network, site, p))
            .collect();
        let summary_keys = summaries
            .par_iter()
            .map(|v| crate::cache::KeyHasher::new().json(v).finish())
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
                    context::site_view(network, site, i, l, &links, &known_paths[&i]),
                )
            })
            .collect();
        datas.insert(
            i,
            SiteData {
                site_idx: i,
                site,
                pages_md: std::mem::take(&mut mds.entry(i).or_default().0),
                sections_md: std::mem::take(&mut mds.entry(i).or_default().1),
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
                fingerprinted: fingerprints(site, opts.theme)?,
                base_keys: HashMap::new(),
                inline_css: stylesheet(site, opts.theme)?,
            },
        );
    }
    let network_views: HashMap<&str, Value> = network
        .config
        .languages
        .iter()
        .map(|l| (l.as_str(), context::network_view(network, l, false)))
        .collect();
    let network_news = crate::lists::network_news(network);

    // Closing tags and <html>/<head> are kept: smaller gains, but markup every validator and
    // older browser reads the same way.
    let minify_cfg = minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        minify_css: true,
        ..minify_html::Cfg::new()
    };
    // Site partials: parts of every page that depend only on the site and language (the footer
    // with the network's sites) are rendered once, not once per page.
    for &i in &selected {
        let tera = tera_of(i);
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
            cx.insert("network".into(), context::network_view(network, lang, true));
            cx.insert(
                "default_language".into(),
                json!(network.config.default_language),
            );
            let cx =
                Context::from_value(Value::Object(cx)).map_err(|e| Error::Theme(e.to_string()))?;
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
                            format!("{root}sites/{}/site.toml", d.site.id),
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
    if diags.has_errors() {
        diags.sort();
        return Err(Error::Content(diags));
    }
    // What every output of a site and language shares, hashed once for the build cache.
    for d in datas.values_mut() {
        for lang in &d.site.languages {
            let mut h = crate::cache::KeyHasher::new();
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
    let template_keys: HashMap<usize, HashMap<String, u64>> = selected
        .iter()
        .map(|&i| {
            (
                i,
                crate::cache::template_keys(&opts.theme.templates, &network.sites[i].templates),
            )
        })
        .collect();

    lap("site data");
    // Every output of every selected site.
    let mut jobs = crate::jobs::jobs(&datas, &selected, opts.theme, opts.search);
    if focus.is_some() {
        jobs.retain(|j| matches!(j, crate::jobs::Job::Page(s, p) if focused.contains(&(*s, *p))));
    }

    let staging = match (&previous, opts.dry_run) {
        (_, true) => Staging::dry_run(),
        // A preview writes its pages over the output, whatever it holds.
        (None, false) if focus.is_some() => Staging::preview(&opts.out)?,
        (Some(p), false) => Staging::over(
            &opts.out,
            p.files
                .iter()
                .map(|(k, e)| (k.clone(), e.hash.clone()))
                .collect(),
        )?,
        (None, false) => Staging::new(&opts.out)?,
    };
    if let Some(p) = opts.progress {
        p.start(jobs.len() as u64);
    }
    // The search index is written while the pages render: it needs only the page texts. A
    // preview writes none.
    let index_dir = staging
        .dir()
        .filter(|_| opts.search && focus.is_none())
        .map(|d| d.join("search/index"));
    let r = Renderer {
        network,
        datas: &datas,
        network_views: &network_views,
        network_news: &network_news,
        tera_of: &tera_of,
        staging: &staging,
        theme: opts.theme,
        selected: &selected,
        minify: minify_cfg,
        preminified: &preminified,
        today: opts.today,
        previous: previous.as_ref(),
        template_keys: &template_keys,
        md: &env,
    };
    // The index is written on a thread of its own, not a rayon worker: a worker blocked on
    // the index writer would leave the pages one core fewer.
    let (results, indexed) = std::thread::scope(|scope| {
        let indexer = std::thread::Builder::new()
            .name("cms-index".into())
            .spawn_scoped(scope, || match &index_dir {
                Some(dir) => {
                    // Made here, not before the pages start: a core is free for it then.
                    let (search_docs, doc_pages) = crate::search::documents(network, &datas);
                    let previous = opts.out.join("search/index");
                    search_index::write_index_with(
                        dir,
                        &search_docs,
                        previous.is_dir().then_some(previous.as_path()),
                        &opts.tool_version,
                        &|i| crate::search::body(&datas, &env, doc_pages[i]),
                    )
                    .map(Some)
                    .map_err(|e| Error::Search(e.to_string()))
                }
                None => Ok(None),
            });
        let results: Vec<Result<Vec<ManifestEntry>, Error>> = jobs
            .par_iter()
            .map(|job| {
                let out = r.run(job);
                if let Some(p) = opts.progress {
                    p.advance(1);
                }
                out
            })
            .collect();
        let indexed = match indexer {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(Error::Search("the search indexer stopped".into()))),
            Err(e) => Err(Error::Search(format!(
                "the search indexer could not start: {e}"
            ))),
        };
        (results, indexed)
    });
    let search_stats = indexed?;
    if search_stats.is_some() {
        let ui = serde_json::to_vec_pretty(&crate::search::ui(network, opts.theme))
            .map_err(|e| Error::Theme(e.to_string()))?;
        staging.write("search/ui.json", &ui)?;
    }
    if let (Some(memo), None) = (opts.memo, focus) {
        // What this build rendered, and what it did not need but a later build may.
        let kept = datas
            .values()
            .flat_map(|d| d.pages_md.iter().chain(&d.sections_md))
            .filter_map(|m| {
                let done = m.rendered().cloned().or_else(|| memo.markdown(m.key));
                done.map(|r| (m.key, r))
            })
            .collect();
        memo.keep_markdown(kept);
    }
    lap("render, write and index");
    let mut entries = Vec::new();
    for res in results {
        match res {
            Ok(e) => entries.extend(e),
            Err(Error::Content(ds)) => diags.extend(ds.0),
            Err(e) => return Err(e),
        }
    }
    entries.sort();
    for w in entries.windows(2) {
        if w[0].path == w[1].path {
            diags.push(
                Diagnostic::error(format!("{root}sites"), 0, 0, format!("two outputs write {}", w[0].path))
                    .with_hint("a static file, an alias or a page bundle file has the same path as a generated page; rename one"),
            );
        }
    }
    if diags.has_errors() {
        diags.sort();
        return Err(Error::Content(diags));
    }
    if focus.is_some() {
        let files = entries.len();
        let written = if opts.dry_run {
            WriteStats::default()
        } else {
            staging.commit(&[])?
        };
        lap("manifest and swap");
        return Ok(BuildReport {
            sites: selected.len(),
            pages: focused.len(),
            files,
            bytes: entries.iter().map(|e| e.size).sum(),
            warnings: diags.warnings().cloned().collect(),
            timings,
            search: None,
            rendered: files,
            reused: 0,
            incremental: true,
            written,
        });
    }
    let manifest = json!({
        "version": 1,
        "network": network.config.name,
        "sites": selected.iter().map(|&i| {
            let s = &network.sites[i];
            json!({"id": s.id, "domain": s.config.domain, "aliases": s.config.aliases, "languages": s.languages, "portal": s.is_portal, "root": format!("sites/{}/", s.config.domain)})
        }).collect::<Vec<_>>(),
        "files": entries,
    });
    let manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Theme(e.to_string()))?;
    let cache_bytes = crate::cache::cache_file(global_key, &manifest_bytes, &entries);
    staging.write(crate::cache::CACHE_FILE, &cache_bytes)?;
    staging.write("manifest.json", &manifest_bytes)?;
    let rendered = entries.iter().filter(|e| e.key.is_some()).count();
    let reused = previous
        .as_ref()
        .map(|p| {
            entries
                .iter()
                .filter(|e| e.key.is_some() && p.keys.get(&e.path) == e.key.as_ref())
                .count()
        })
        .unwrap_or(0);
    let gone: Vec<String> = match &previous {
        Some(p) => {
            let now: HashSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
            let mut g: Vec<String> = p
                .files
                .keys()
                .filter(|k| !now.contains(k.as_str()))
                .cloned()
                .collect();
            g.sort();
            g
        }
        None => Vec::new(),
    };
    let bytes = entries.iter().map(|e| e.size).sum::<u64>() + manifest_bytes.len() as u64;
    let report = BuildReport {
        sites: selected.len(),
        pages: selected.iter().map(|&i| network.sites[i].pages.len()).sum(),
        files: entries.len() + 1,
        bytes,
        warnings: diags.warnings().cloned().collect(),
        timings: Vec::new(),
        search: search_stats,
        rendered: rendered - reused,
        reused,
        incremental: previous.is_some(),
        written: WriteStats::default(),
    };
    let mut written = WriteStats::default();
    if !opts.dry_run {
        written = staging.commit(&gone)?;
    }
    let report = BuildReport { written, ..report };
    lap("manifest and swap");
    Ok(BuildReport { timings, ..report })
}

pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        cur = s.source();
    }
    msg
}
