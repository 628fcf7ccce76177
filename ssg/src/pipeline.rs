//! The build, as a row of stages: the sites and their templates, the previous build to update
//! (what changed), the Markdown, the checks, the sites' data (see [`crate::prepare`]); then
//! every output rendered (see [`crate::render`]) while the search index is written; then the
//! manifest and build cache, and the switch to the new build folder (see [`crate::builds`]).
//! A preview of a few pages ([`preview_pages`]) is its own, shorter row of the same stages.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use cms_core::{Diagnostic, Diagnostics, Network};
use rayon::prelude::*;
use serde_json::json;

use crate::context::SiteData;
use crate::error::Error;
use crate::images::Images;
use crate::lazy_markdown::MdEnv;
use crate::links::LinkIndex;
use crate::output::{ManifestEntry, Staging, WriteStats};
use crate::prepare::{
    self, global_key, select_sites, site_inputs, stop_on_errors, SiteInputs, Templates,
};
use crate::render::Renderer;
use crate::renderings::Planner;
use crate::theme::Theme;

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
    /// The Markdown earlier builds of this process rendered, kept for the next (`cms dev`).
    pub markdown_cache: Option<&'a crate::markdown_cache::MarkdownCache>,
    /// Flush the new build to disk before it is made live, so a power loss finds it whole
    /// (`cms build`). `cms dev` turns it off: its output is a local preview, and a flush of a
    /// busy disk can take seconds.
    pub durable: bool,
    /// Write precompressed `.br`/`.gz` variants beside the text files a host serves (`cms
    /// build`; `--no-precompress` and `cms dev`, which serves pages uncompressed, turn it off).
    pub precompress: bool,
}

impl<'a> BuildOptions<'a> {
    /// The options of a render that writes nothing (the editor's preview): `theme`, statuses
    /// computed against `today`, no search index, no progress, no cache.
    pub fn in_memory(theme: &'a Theme, today: chrono::NaiveDate) -> Self {
        BuildOptions {
            out: PathBuf::new(),
            sites: Vec::new(),
            dry_run: true,
            theme,
            progress: None,
            minify_each_page: false,
            today,
            search: false,
            tool_version: String::new(),
            markdown_cache: None,
            durable: false,
            precompress: false,
        }
    }
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
    /// Images encoded, and kept from the previous build.
    pub images: crate::images::ImageStats,
}

/// Builds `network` into `opts.out`: all or nothing.
///
/// The stages, each taking what the one before made: the sites, the previous build to update
/// (what changed), then their templates, Markdown, checks and data ([`prepare_sites`]); then
/// every output rendered while the search index is written, the manifest and build cache,
/// and the switch to the new build folder, in one step.
pub fn build(network: &Network, opts: &BuildOptions<'_>) -> Result<BuildReport, Error> {
    let mut laps = Laps::start();
    let selected = select_sites(network, &opts.sites, |_| true)?;
    // Over a previous output: render only what changed, rewrite only what differs.
    let global_key = global_key(
        &opts.tool_version,
        opts.theme,
        opts.minify_each_page,
        opts.precompress,
    );
    let previous = (!opts.dry_run)
        .then(|| crate::build_cache::PreviousBuild::load(&opts.out, global_key))
        .flatten();
    let links = LinkIndex::new(network);
    let mut diags = Diagnostics::default();
    let images = Images::probe(network, &selected, |_, _| true, &mut diags);
    laps.lap("image headers");
    let env = md_env(network, opts, &links, &images);
    // With no previous output every output needs every page's HTML: all is rendered at once,
    // in parallel, and every problem reported before anything else.
    let check_markdown = previous.is_none();
    let (templates, inputs) = prepare_sites(
        network,
        opts,
        &selected,
        &env,
        check_markdown,
        &mut laps,
        &mut diags,
    )?;

    let jobs = crate::jobs::jobs(&inputs.datas, &selected, opts.theme, opts.search);
    let staging = match (&previous, opts.dry_run) {
        (_, true) => Staging::dry_run(),
        (Some(p), false) => Staging::over(&opts.out, p.files.clone())?,
        (None, false) => Staging::new(&opts.out)?,
    }
    .durable(opts.durable)
    .precompress(opts.precompress);
    // The search index is written while the pages render: it needs only the page texts.
    let index = staging.dir().filter(|_| opts.search).map(|d| Indexing {
        dir: d.join("search/index"),
        previous: opts.out.join("search/index"),
        tool_version: &opts.tool_version,
    });
    let api = api_data(network, &selected);
    let r = Renderer {
        previous: previous.as_ref(),
        api: &api,
        ..renderer(
            network, opts, &inputs, &templates, &staging, &env, &selected,
        )
    };
    let (results, indexed) = render_and_index(&r, &jobs, index, opts.progress);
    let search_stats = indexed?;
    if search_stats.is_some() {
        let ui = serde_json::to_vec_pretty(&crate::search::ui(network, opts.theme))
            .map_err(Error::SearchUi)?;
        staging.write("search/ui.json", &ui)?;
    }
    if let Some(cache) = opts.markdown_cache {
        keep_markdown(cache, &inputs.datas);
    }
    laps.lap("render, write and index");
    let mut entries = collect_entries(network, results, &mut diags)?;
    let (_, host_files) = crate::hosting::files::write_host_files(
        network,
        &selected,
        &entries,
        &|i| inputs.datas.get(&i).map(|d| d.inline_css.clone()),
        &staging,
    )?;
    entries.extend(host_files);
    entries.sort();
    let manifest = write_manifest(network, &selected, &entries, global_key, &staging)?;
    let report = report(
        network,
        &selected,
        &entries,
        &manifest,
        previous.as_ref(),
        diags,
    );
    let gone = gone(previous.as_ref(), &entries);
    let written = commit(staging, opts, &gone)?;
    laps.lap("manifest and swap");
    Ok(BuildReport {
        written,
        images: images.stats(),
        search: search_stats,
        timings: laps.timings,
        ..report
    })
}

/// Renders the pages whose source files (as [`cms_core::Page::file`] names them) are `files`,
/// and only them, into the existing output `opts.out`, for `cms dev` to show an edit at once:
/// nothing else is written (no list, feed, index, manifest or build cache), so a full build
/// must follow. Right when only the pages' bodies changed since the output was built (see
/// [`cms_core::LoadCache::patch_body`]): nothing else shows a page's body.
///
/// The same stages as [`build`], less those a preview skips: it reads no previous build,
/// checks only the Markdown it renders, and writes its pages over the output as they are.
pub fn preview_pages(
    network: &Network,
    opts: &BuildOptions<'_>,
    files: &[String],
) -> Result<BuildReport, Error> {
    let mut laps = Laps::start();
    // The pages to preview, by (site, page); their sites are the only ones built.
    let focused: HashSet<(usize, usize)> = network
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
        .collect();
    let selected = select_sites(network, &opts.sites, |i| {
        focused.iter().any(|&(s, _)| s == i)
    })?;
    let links = LinkIndex::new(network);
    let mut diags = Diagnostics::default();
    // Only the previewed pages' images: their variants are in the output already.
    let images = Images::probe(
        network,
        &selected,
        |s, p| focused.contains(&(s, p)),
        &mut diags,
    );
    let env = md_env(network, opts, &links, &images);
    let (templates, inputs) =
        prepare_sites(network, opts, &selected, &env, false, &mut laps, &mut diags)?;

    let mut jobs = crate::jobs::jobs(&inputs.datas, &selected, opts.theme, opts.search);
    jobs.retain(|j| {
        matches!(j.kind, crate::jobs::JobKind::Page { page } if focused.contains(&(j.site, page)))
    });
    // A preview writes its pages over the output, whatever it holds.
    let staging = match opts.dry_run {
        true => Staging::dry_run(),
        false => Staging::preview(&opts.out)?,
    }
    .precompress(opts.precompress);
    // A preview writes pages only: no API file (the full rebuild that follows writes them).
    let r = renderer(
        network, opts, &inputs, &templates, &staging, &env, &selected,
    );
    let (results, _) = render_and_index(&r, &jobs, None, opts.progress);
    laps.lap("render, write and index");
    let entries = collect_entries(network, results, &mut diags)?;
    let files = entries.len();
    let written = if opts.dry_run {
        WriteStats::default()
    } else {
        staging.commit(&[])?
    };
    laps.lap("manifest and swap");
    Ok(BuildReport {
        sites: selected.len(),
        pages: focused.len(),
        files,
        bytes: entries.iter().map(|e| e.size).sum(),
        warnings: diags.warnings().cloned().collect(),
        timings: laps.timings,
        search: None,
        rendered: files,
        reused: 0,
        incremental: true,
        written,
        images: images.stats(),
    })
}

/// The stages before any output is rendered (see [`crate::prepare`]): the templates, the
/// Markdown (every text rendered and checked now when `check_markdown`), the checks of whole
/// sites, and the sites' data. Warnings are left in `diags`.
pub(crate) fn prepare_sites<'a>(
    network: &'a Network,
    opts: &BuildOptions<'_>,
    selected: &[usize],
    env: &MdEnv<'_>,
    check_markdown: bool,
    laps: &mut Laps,
    diags: &mut Diagnostics,
) -> Result<(Templates, SiteInputs<'a>), Error> {
    let templates = Templates::load(network, opts.theme, opts.minify_each_page, selected, diags)?;
    let mds = prepare::markdown(network, env, selected);
    if check_markdown {
        diags.extend(prepare::markdown_problems(&mds, env));
    }
    laps.lap("templates and markdown");
    prepare::check_sites(network, opts.theme, selected, &templates, diags)?;
    let inputs = site_inputs(network, opts.theme, selected, mds, env, &templates, diags)?;
    laps.lap("site data");
    Ok((templates, inputs))
}

/// The time each stage took, in order.
pub(crate) struct Laps {
    pub(crate) timings: Vec<(&'static str, std::time::Duration)>,
    clock: std::time::Instant,
}

impl Laps {
    pub(crate) fn start() -> Laps {
        Laps {
            timings: Vec::new(),
            clock: std::time::Instant::now(),
        }
    }

    /// The stage `name` ends now.
    pub(crate) fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.timings.push((name, now - self.clock));
        self.clock = now;
    }
}

/// What rendering Markdown reads besides the text: the network's links, and the Markdown of
/// earlier builds of this process.
pub(crate) fn md_env<'a>(
    network: &'a Network,
    opts: &BuildOptions<'a>,
    links: &'a LinkIndex,
    images: &'a Images,
) -> MdEnv<'a> {
    MdEnv {
        links,
        links_key: links.fingerprint(),
        markdown_cache: opts.markdown_cache,
        root: &network.display_root,
        images: Some(images),
        raw_html: network
            .sites
            .iter()
            .map(|s| network.config.allows_raw_html(&s.id))
            .collect(),
    }
}

/// No site's read API summaries: a renderer that writes no API file.
static NO_API: std::sync::LazyLock<HashMap<usize, crate::api::ApiData>> =
    std::sync::LazyLock::new(HashMap::new);

/// A renderer of the outputs of the `selected` sites from `inputs`, over no previous build
/// and writing no API file (a build sets `previous` and `api`).
pub(crate) fn renderer<'a, 'b>(
    network: &'a Network,
    opts: &'b BuildOptions<'_>,
    inputs: &'b SiteInputs<'a>,
    templates: &'b Templates,
    staging: &'b Staging,
    env: &'b MdEnv<'b>,
    selected: &'b [usize],
) -> Renderer<'a, 'b> {
    Renderer {
        network,
        datas: &inputs.datas,
        network_views: &inputs.network_views,
        templates,
        staging,
        theme: opts.theme,
        minify: prepare::minify_cfg(),
        previous: None,
        template_keys: &inputs.template_keys,
        md: env,
        api: &NO_API,
        planner: Planner {
            network,
            network_news: &inputs.network_news,
            templates,
            today: opts.today,
            selected,
        },
    }
}

/// The static read API's summaries of each of the `selected` sites.
fn api_data(network: &Network, selected: &[usize]) -> HashMap<usize, crate::api::ApiData> {
    selected
        .par_iter()
        .map(|&i| (i, crate::api::ApiData::new(&network.sites[i])))
        .collect()
}

/// Where the search index is written, and the previous one it may reuse.
struct Indexing<'a> {
    dir: PathBuf,
    previous: PathBuf,
    tool_version: &'a str,
}

/// What every job rendered, and what the search index got (when `index` asks for one).
type RenderResults = (
    Vec<Result<Vec<ManifestEntry>, Error>>,
    Result<Option<search_index::IndexStats>, Error>,
);

/// Renders every job in parallel, and meanwhile writes the search index.
fn render_and_index(
    r: &Renderer<'_, '_>,
    jobs: &[crate::jobs::Job],
    index: Option<Indexing<'_>>,
    progress: Option<&dyn Progress>,
) -> RenderResults {
    if let Some(p) = progress {
        p.start(jobs.len() as u64);
    }
    // The index is written on a thread of its own, not a rayon worker: a worker blocked on
    // the index writer would leave the pages one core fewer.
    std::thread::scope(|scope| {
        let indexer = std::thread::Builder::new()
            .name("cms-index".into())
            .spawn_scoped(scope, || match &index {
                Some(ix) => {
                    // Made here, not before the pages start: a core is free for it then.
                    let (search_docs, doc_pages) = crate::search::documents(r.network, r.datas);
                    search_index::write_index_with(
                        &ix.dir,
                        &search_docs,
                        ix.previous.is_dir().then_some(ix.previous.as_path()),
                        ix.tool_version,
                        &|i| crate::search::body(r.datas, r.md, doc_pages[i]),
                    )
                    .map(Some)
                    .map_err(Error::Search)
                }
                None => Ok(None),
            });
        let results: Vec<Result<Vec<ManifestEntry>, Error>> = jobs
            .par_iter()
            .map(|job| {
                let out = r.run(job);
                if let Some(p) = progress {
                    p.advance(1);
                }
                out
            })
            .collect();
        let indexed = match indexer {
            Ok(thread) => thread.join().unwrap_or_else(|_| Err(Error::IndexerStopped)),
            Err(e) => Err(Error::IndexerStart(e)),
        };
        (results, indexed)
    })
}

/// Keeps, for the next build of this process, the Markdown this build rendered, and what it
/// did not need but a later build may.
fn keep_markdown(
    cache: &crate::markdown_cache::MarkdownCache,
    datas: &HashMap<usize, SiteData<'_>>,
) {
    let kept = datas
        .values()
        .flat_map(|d| d.pages_md.iter().chain(&d.sections_md))
        .filter_map(|m| {
            let done = m.rendered().cloned().or_else(|| cache.get(m.key));
            done.map(|r| (m.key, r))
        })
        .collect();
    cache.keep(kept);
}

/// Every file the jobs wrote, sorted; the problems of the jobs and two outputs with the same
/// path fail the build.
fn collect_entries(
    network: &Network,
    results: Vec<Result<Vec<ManifestEntry>, Error>>,
    diags: &mut Diagnostics,
) -> Result<Vec<ManifestEntry>, Error> {
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
                Diagnostic::error(format!("{}sites", network.display_root), 0, 0, format!("two outputs write {}", w[0].path))
                    .with_hint("a static file, an alias or a page bundle file has the same path as a generated page; rename one"),
            );
        }
    }
    stop_on_errors(diags)?;
    Ok(entries)
}

/// Writes `manifest.json` and the build cache that goes with it; returns the manifest.
fn write_manifest(
    network: &Network,
    selected: &[usize],
    entries: &[ManifestEntry],
    global_key: u64,
    staging: &Staging,
) -> Result<Vec<u8>, Error> {
    let manifest = json!({
        "version": 1,
        "network": network.config.name,
        "sites": selected.iter().map(|&i| {
            let s = &network.sites[i];
            json!({"id": s.id, "domain": s.config.domain, "aliases": s.config.aliases, "languages": s.languages, "portal": s.is_portal, "root": format!("sites/{}/", s.config.domain)})
        }).collect::<Vec<_>>(),
        "files": entries,
    });
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(Error::Manifest)?;
    let cache_bytes = crate::build_cache::build_cache_file(global_key, &manifest_bytes, entries);
    staging.write(crate::build_cache::BUILD_CACHE_FILE, &cache_bytes)?;
    staging.write("manifest.json", &manifest_bytes)?;
    Ok(manifest_bytes)
}

/// What a build did, before its commit (`written`, `search` and `timings` are added after).
fn report(
    network: &Network,
    selected: &[usize],
    entries: &[ManifestEntry],
    manifest: &[u8],
    previous: Option<&crate::build_cache::PreviousBuild>,
    diags: Diagnostics,
) -> BuildReport {
    let rendered = entries.iter().filter(|e| e.key.is_some()).count();
    let reused = previous
        .map(|p| {
            entries
                .iter()
                .filter(|e| e.key.is_some() && p.keys.get(&e.path) == e.key.as_ref())
                .count()
        })
        .unwrap_or(0);
    BuildReport {
        sites: selected.len(),
        pages: selected.iter().map(|&i| network.sites[i].pages.len()).sum(),
        files: entries.len() + 1,
        bytes: entries.iter().map(|e| e.size).sum::<u64>() + manifest.len() as u64,
        warnings: diags.warnings().cloned().collect(),
        timings: Vec::new(),
        search: None,
        rendered: rendered - reused,
        reused,
        incremental: previous.is_some(),
        written: WriteStats::default(),
        images: crate::images::ImageStats::default(),
    }
}

/// The files of the previous build this one no longer writes, sorted.
fn gone(
    previous: Option<&crate::build_cache::PreviousBuild>,
    entries: &[ManifestEntry],
) -> Vec<String> {
    let Some(p) = previous else {
        return Vec::new();
    };
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

/// Makes the new build folder the live output (unless this is a dry run), without the files
/// that are `gone`.
fn commit(staging: Staging, opts: &BuildOptions<'_>, gone: &[String]) -> Result<WriteStats, Error> {
    if opts.dry_run {
        return Ok(WriteStats::default());
    }
    staging.commit(gone)
}
