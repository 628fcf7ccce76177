//! `cms dev`: build the network, serve it, watch the content, the themes and the settings, and
//! on each change rebuild (over the previous output: only what changed is rendered and
//! written) and reload the open pages. A failed build is shown in the terminal and over the
//! pages, and the last good build is still served.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use notify::{EventKind, RecursiveMode, Watcher};

/// Changes closer together than this are one rebuild (an editor's save is often several
/// events: write a temporary file, rename it over the old one).
const DEBOUNCE: Duration = Duration::from_millis(30);

/// Build, serve, watch and reload.
#[derive(Args)]
pub struct DevArgs {
    /// The content repository (the folder holding network.toml).
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Where the build goes; each rebuild updates it in place.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// The port: each site at http://<id>.localhost:PORT/.
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
}

/// What one rebuild keeps for the next: parsed files and rendered Markdown, so that a rebuild
/// after an edit parses and renders the edited files only.
#[derive(Default)]
struct DevCaches {
    load: cms_core::LoadCache,
    markdown: ssg::MarkdownCache,
    /// The network of the last good build, which is what the output shows.
    network: std::sync::Mutex<Option<cms_core::Network>>,
}

/// The Markdown files of pages among `paths` (relative to `content`), when every changed path
/// is one; else `None`.
fn page_files(paths: &[PathBuf], content: &Path) -> Option<Vec<String>> {
    paths
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(content).ok()?.to_str()?;
            let page = rel.starts_with("sites/")
                && rel.ends_with(".md")
                && !rel.ends_with("/_index.md")
                && !rel.contains("/_index.")
                && !rel.contains("/templates/")
                && !rel.contains("/static/");
            page.then(|| rel.replace(std::path::MAIN_SEPARATOR, "/"))
        })
        .collect()
}

/// Shows an edit of pages' bodies at once: patches the last good network with the new bodies
/// and renders those pages alone over the output (the full rebuild that follows does the
/// rest). `None` when the change is something else (front matter, a new file…) or the pages
/// cannot be rendered alone.
fn preview(content: &Path, out: &Path, memo: &DevCaches, files: &[String]) -> Option<Duration> {
    let t = Instant::now();
    let mut guard = memo.network.lock().ok()?;
    let network = guard.as_mut()?;
    for f in files {
        if !memo.load.patch_body(network, content, f) {
            // Part of the network may be patched already: it no longer matches the output.
            *guard = None;
            return None;
        }
    }
    let theme = ssg::Theme::find(&network.config.theme, &crate::theme_dirs(content)).ok()?;
    let opts = options(out, &theme, false, memo).ok()?;
    ssg::preview_pages(network, &opts, files).ok()?;
    Some(t.elapsed())
}

/// The options of `cms dev`'s builds: the whole network over `out`, with what `memo` keeps.
fn options<'a>(
    out: &Path,
    theme: &'a ssg::Theme,
    search: bool,
    memo: &'a DevCaches,
) -> Result<ssg::BuildOptions<'a>, String> {
    Ok(ssg::BuildOptions {
        out: out.to_path_buf(),
        sites: Vec::new(),
        dry_run: false,
        theme,
        progress: None,
        minify_each_page: false,
        today: crate::today().map_err(|e| format!("{e:#}"))?,
        search,
        tool_version: crate::tool_version(),
        markdown_cache: Some(&memo.markdown),
        durable: false,
        // The dev server sends pages uncompressed.
        precompress: false,
    })
}

/// One build over the previous output: its report and how long it took, or the messages that
/// say why it failed.
fn rebuild(
    content: &Path,
    out: &Path,
    memo: &DevCaches,
) -> Result<(ssg::BuildReport, Duration), String> {
    let t = Instant::now();
    // Until this build succeeds, no network matches the output.
    if let Ok(mut last) = memo.network.lock() {
        *last = None;
    }
    let source = cms_core::Source::Dir(content.to_path_buf());
    let now = crate::now().map_err(|e| format!("{e:#}"))?;
    let network = match cms_core::load_cached_at(&source, Some(&memo.load), now) {
        Ok(n) => n,
        Err(cms_core::Error::Invalid(ds)) => {
            return Err(ds
                .0
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"))
        }
        // With its causes, as `cms build` prints it.
        Err(e) => return Err(format!("{:#}", anyhow::Error::from(e))),
    };
    for w in &network.warnings {
        eprintln!("{w}");
    }
    let theme = ssg::Theme::find(&network.config.theme, &crate::theme_dirs(content))
        .map_err(|e| format!("loading the theme: {e}"))?;
    let opts = options(out, &theme, true, memo)?;
    let built = ssg::build(&network, &opts);
    let good = built.is_ok();
    drop(opts);
    if let Ok(mut last) = memo.network.lock() {
        *last = good.then_some(network);
    }
    match built {
        Ok(r) => {
            for w in &r.warnings {
                eprintln!("{w}");
            }
            Ok((r, t.elapsed()))
        }
        Err(ssg::Error::Content(ds)) => Err(ds
            .0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")),
        // With its causes: ssg's errors keep them as sources, not in their message.
        Err(e) => Err(format!("{:#}", anyhow::Error::new(e))),
    }
}

/// Whether a changed path matters: not in the output, not an editor's temporary file.
fn relevant(path: &Path, out: &Path) -> bool {
    if path.starts_with(out) || path.starts_with(ssg::builds::builds_dir(out)) {
        return false;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    !(name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || path.components().any(|c| c.as_os_str() == ".git"))
}

/// Waits for a change, then for the events that come with it; returns the paths changed.
fn wait_for_change(
    rx: &Receiver<notify::Result<notify::Event>>,
    out: &Path,
) -> Option<Vec<PathBuf>> {
    let mut paths = Vec::new();
    let take = |ev: notify::Result<notify::Event>, paths: &mut Vec<PathBuf>| {
        if let Ok(ev) = ev {
            if !matches!(ev.kind, EventKind::Access(_)) {
                paths.extend(ev.paths.into_iter().filter(|p| relevant(p, out)));
            }
        }
    };
    while paths.is_empty() {
        take(rx.recv().ok()?, &mut paths);
    }
    loop {
        match rx.recv_timeout(DEBOUNCE) {
            Ok(ev) => take(ev, &mut paths),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

fn summary(r: &ssg::BuildReport, d: Duration) -> String {
    let stages: Duration = r.timings.iter().map(|(_, t)| *t).sum();
    let mut times = vec![format!("load {}", d.saturating_sub(stages).as_millis())];
    times.extend(
        r.timings
            .iter()
            .map(|(name, t)| format!("{name} {}", t.as_millis())),
    );
    format!(
        "{} ms ({} ms): {} outputs rendered, {} kept; {} files written, {} deleted",
        d.as_millis(),
        times.join(", "),
        r.rendered,
        r.reused,
        r.written.written,
        r.written.deleted
    )
}

pub fn run(a: &DevArgs) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let content = a
        .content
        .canonicalize()
        .with_context(|| format!("{}: no such folder (give --content)", a.content.display()))?;
    // The output path itself, not the build its link points to: each build points it anew.
    let parent = match a.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let out = parent
        .canonicalize()?
        .join(a.out.file_name().unwrap_or("public".as_ref()));

    // Watch before the first build, so no change is missed while it runs.
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |ev| {
        let _ = tx.send(ev);
    })
    .context("starting the file watcher")?;
    watcher
        .watch(&content, RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", content.display()))?;
    for dir in crate::theme_dirs(&content) {
        if dir.is_dir() && !dir.starts_with(&content) {
            watcher
                .watch(&dir, RecursiveMode::Recursive)
                .with_context(|| format!("watching {}", dir.display()))?;
        }
    }

    // The first build; while the content is broken, wait for a fix.
    let memo = DevCaches::default();
    loop {
        match rebuild(&content, &out, &memo) {
            Ok((r, d)) => {
                eprintln!(
                    "Built {} sites, {} pages in {}",
                    r.sites,
                    r.pages,
                    summary(&r, d)
                );
                break;
            }
            Err(m) => {
                eprintln!("{m}\nerror: the build failed; waiting for a change…");
                if wait_for_change(&rx, &out).is_none() {
                    anyhow::bail!("the file watcher stopped");
                }
            }
        }
    }
    let state = Arc::new(
        server::State::load(
            &out,
            &server::Options {
                rate_per_second: 0.0,
                rate_burst: 1.0,
                dev: true,
                answers: 0,
                ..server::Options::default()
            },
        )
        .context("reading the build")?,
    );

    let watched = state.clone();
    let shown = content.clone();
    let rebuilds = std::thread::spawn(move || {
        let _watcher = watcher; // dropped with this thread
        while let Some(paths) = wait_for_change(&rx, &out) {
            let base = content.parent().unwrap_or(&content);
            let first = paths
                .first()
                .map(|p| p.strip_prefix(base).unwrap_or(p).to_path_buf())
                .unwrap_or_default();
            let more = if paths.len() > 1 {
                format!(" and {} more", paths.len() - 1)
            } else {
                String::new()
            };
            // An edit of pages' text shows at once; the rebuild then brings the rest (the
            // search index, the manifest) up to date.
            let previewed = page_files(&paths, &content)
                .and_then(|files| preview(&content, &out, &memo, &files));
            if let Some(d) = previewed {
                eprintln!(
                    "{}{more} changed: shown in {} ms",
                    first.display(),
                    d.as_millis()
                );
                if let Some(hub) = &watched.dev {
                    hub.send(server::DevEvent::Reload);
                }
            }
            match rebuild(&content, &out, &memo) {
                Ok((r, d)) => {
                    eprintln!(
                        "{}{more} changed: rebuilt in {}",
                        first.display(),
                        summary(&r, d)
                    );
                    if let Err(e) = watched.reload_sites() {
                        eprintln!("warning: {e}");
                    }
                    // After a preview, the pages open show the change already.
                    if let (Some(hub), None) = (&watched.dev, previewed) {
                        hub.send(server::DevEvent::Reload);
                    }
                }
                Err(m) => {
                    eprintln!("{m}\nerror: the build failed; still serving the last good build");
                    if let Some(hub) = &watched.dev {
                        hub.send(server::DevEvent::Failed(m));
                    }
                }
            }
        }
    });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let addr = SocketAddr::new(a.bind, a.port);
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr} (another port: --port)"))?;
        let port = listener.local_addr()?.port();
        let sites = state.sites();
        for s in &sites.list {
            eprintln!("  http://{}.localhost:{port}/  ({})", s.id, s.domain);
        }
        eprintln!("Watching {} for changes; Ctrl+C stops", shown.display());
        server::serve(listener, state, crate::serve_cmd::shutdown_signal())
            .await
            .context("serving")
    })?;
    drop(rebuilds);
    Ok(())
}
