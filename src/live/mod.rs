//! `cms serve --content REPO`: the live site of a content repository. The published branch's
//! head is built into the output at start (unless the output shows it already), then a
//! builder task looks at the branch every second, and at once when the write API nudges it
//! after a publish: a new commit, or the passing of the next `publish_at`/`unpublish_at`, is
//! built over the live output (incrementally, swapped in whole) and the server serves it. A
//! failed build leaves the last good site live and says why in [`server::LiveStatus`].

mod build;
mod watch;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};

use build::{read_mark, Builder, Built};

/// What `cms serve --content` was given.
pub(crate) struct LiveConfig {
    /// The content repository (bare, a work tree, or a folder inside one).
    pub(crate) content: PathBuf,
    /// The published branch (`--branch`), else `network.toml`'s, else `main`.
    pub(crate) branch: Option<String>,
    /// Theme folders (`--themes`), else those beside the repository.
    pub(crate) themes: Vec<PathBuf>,
    /// The database (`--database-url`, `CMS_DATABASE_URL`), else SQLite beside the output.
    pub(crate) database_url: Option<String>,
    /// `Secure` session cookies.
    pub(crate) secure_cookies: bool,
    /// Write the `.br`/`.gz` variants of the pages (`--no-precompress` turns it off).
    pub(crate) precompress: bool,
    /// The output folder, as given.
    pub(crate) out: PathBuf,
    /// The server's settings.
    pub(crate) options: server::Options,
}

/// The output path itself (not the build its link points to), absolute, its parent made.
fn output_path(out: &std::path::Path) -> Result<PathBuf> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    Ok(parent
        .canonicalize()
        .with_context(|| format!("reading {}", parent.display()))?
        .join(out.file_name().unwrap_or("public".as_ref())))
}

/// Seconds since the epoch by the clock.
pub(crate) fn epoch_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Builds, serves and watches until Ctrl+C or SIGTERM.
pub(crate) fn run(cfg: LiveConfig, addr: std::net::SocketAddr) -> Result<()> {
    let content = cfg.content.canonicalize().with_context(|| {
        format!(
            "{}: no such repository (give --content REPO)",
            cfg.content.display()
        )
    })?;
    let out = output_path(&cfg.out)?;
    let branch = cfg
        .branch
        .clone()
        .unwrap_or_else(|| build::published_branch(&content));
    let themes = match cfg.themes.is_empty() {
        true => crate::theme_dirs(&content),
        false => cfg.themes.clone(),
    };
    let url = cfg
        .database_url
        .clone()
        .or_else(|| std::env::var("CMS_DATABASE_URL").ok())
        .unwrap_or_else(|| format!("sqlite:{}", db::default_path(&out).display()));
    let store = cms_core::store::Store::open(&content, &branch)
        .with_context(|| format!("opening the content repository {}", content.display()))?;
    let builder = Arc::new(Builder::new(content, out.clone(), themes, cfg.precompress));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        // The URL may hold a password: it is not logged, its kind only.
        let db = db::Db::open(&url)
            .await
            .with_context(|| format!("opening the database ({})", db_kind(&url)))?;
        let live = Arc::new(server::Live::default());
        live.set_theme_dirs(builder.themes.clone());
        let shown = start(&builder, &branch, &live, &db).await?;
        let state = server::State::load(&out, &cfg.options)
            .with_context(|| format!("reading the build in {}", out.display()))?
            .with_cms(server::Cms {
                store,
                db: db.clone(),
                live: live.clone(),
                secure_cookies: cfg.secure_cookies,
            });
        let state = Arc::new(state);
        let watcher = watch::Watch {
            builder,
            branch: branch.clone(),
            state: state.clone(),
            live,
            db,
        };
        let task = tokio::spawn(watcher.run(shown));
        eprintln!("Live: branch `{branch}` of the content repository, watched every second");
        let served = crate::serve_cmd::serve(addr, &out, state).await;
        task.abort();
        served
    })
}

/// What a URL's scheme says of the database, for messages without its secrets.
fn db_kind(url: &str) -> &str {
    url.split(':').next().unwrap_or("database")
}

/// The first build: the branch's head, unless the output shows it already (and no page
/// entered or left its window since). When it fails, the output of an earlier run is served
/// with the failure shown; without one there is nothing to serve.
async fn start(
    builder: &Arc<Builder>,
    branch: &str,
    live: &Arc<server::Live>,
    db: &db::Db,
) -> Result<watch::Shown> {
    let head = build::head(&builder.content, branch).map_err(anyhow::Error::msg)?;
    let now = crate::now()?;
    let before = read_mark(&builder.out);
    let b = builder.clone();
    let h = head.clone();
    let first = tokio::task::spawn_blocking(move || first_build(&b, &h, now))
        .await
        .context("the first build stopped")?;
    match first {
        Ok(built) => {
            if let Some(r) = &built.report {
                tracing::info!(commit = %head, pages = r.pages, ms = built.took.as_millis() as u64, "built");
            } else {
                tracing::info!(commit = %head, "the output shows this commit already");
            }
            // Times that passed while the server was down: the same commit, pages in or out.
            if let Some(mark) = before.filter(|m| m.commit == head) {
                watch::audit_scheduled(db, &built.network, &head, mark.now, now).await;
            }
            let shown = watch::Shown::new(head, now, &built.network);
            shown.publish(live, built.network, None);
            Ok(shown)
        }
        Err(message) => {
            let Some(mark) = read_mark(&builder.out) else {
                eprintln!("{message}");
                bail!("the published branch's head {head} does not build, and there is no earlier build to serve; fix it and push again");
            };
            tracing::error!(commit = %head, "build failed; serving {}:\n{message}", mark.commit);
            let b = builder.clone();
            let m = mark.clone();
            let network = tokio::task::spawn_blocking(move || b.load(&m.commit, m.now))
                .await
                .context("loading the live commit")?
                .map_err(|e| {
                    anyhow::anyhow!("the live commit {} no longer loads:\n{e}", mark.commit)
                })?;
            let shown = watch::Shown::new(mark.commit.clone(), mark.now, &network);
            let failure = server::BuildFailure {
                commit: head,
                message,
                time: epoch_now(),
            };
            shown.publish(live, network, Some(failure));
            Ok(shown)
        }
    }
}

/// Builds `head` at `now`, or only loads it when the output shows it already with the same
/// pages in their windows.
fn first_build(builder: &Builder, head: &str, now: chrono::NaiveDateTime) -> Result<Built, String> {
    if let Some(mark) = read_mark(&builder.out).filter(|m| m.commit == head) {
        let network = builder.load(head, now)?;
        let same = network
            .scheduled
            .iter()
            .all(|s| s.visible_at(mark.now) == s.visible_at(now));
        if same {
            return Ok(Built {
                network,
                report: None,
                took: std::time::Duration::ZERO,
                loading: std::time::Duration::ZERO,
            });
        }
    }
    builder.build(head, now)
}
