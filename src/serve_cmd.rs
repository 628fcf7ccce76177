//! `cms serve`: the built network over HTTP, with search; with `--content REPO`, the live
//! site of a content repository (see [`crate::live`]) and the content API.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;

/// Serve the built network.
#[derive(Args)]
pub struct ServeArgs {
    /// The output folder of `cms build`.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Searches a second allowed per client address, after a burst of three seconds' worth;
    /// 0 turns the limit off (for load tests).
    #[arg(long, default_value_t = 10.0)]
    rate_limit: f64,
    /// A proxy (address or network, `10.0.0.0/8`) whose `X-Forwarded-For` or `Forwarded`
    /// header names the client, for the rate limit; repeat for several. From other peers
    /// those headers are ignored.
    #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = server::parse_proxy)]
    trusted_proxies: Vec<server::IpNet>,
    /// Log as JSON lines (for a log collector) instead of text.
    #[arg(long)]
    json_logs: bool,
    /// Search answers kept whole, to answer a search asked again without searching (until the
    /// next build); 0 keeps none.
    #[arg(long, default_value_t = 4096)]
    answer_cache: usize,
    /// The MiB those answers may hold together; 0 keeps none.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    answer_cache_mib: u64,
    /// A content repository (bare, or a work tree): build its published branch into --out,
    /// serve it with the content API, and build again each time the branch moves.
    #[arg(long, value_name = "REPO")]
    content: Option<PathBuf>,
    /// The published branch (default: network.toml's `published_branch`, else `main`).
    #[arg(long, requires = "content")]
    branch: Option<String>,
    /// A folder of themes (`<dir>/<theme>/templates/`); repeat for several (default: the
    /// `themes` folders in and beside the repository).
    #[arg(long = "themes", value_name = "DIR", requires = "content")]
    themes: Vec<PathBuf>,
    /// The database of users, sessions and the audit log: `sqlite:PATH` or `postgres://…`
    /// (default: env CMS_DATABASE_URL, else `cms.sqlite3` beside the output folder).
    #[arg(long, value_name = "URL", requires = "content")]
    database_url: Option<String>,
    /// Mark session cookies `Secure` (when served behind TLS).
    #[arg(long, requires = "content")]
    secure_cookies: bool,
    /// Live builds without the `.br`/`.gz` variants: a publish goes live sooner (a third of
    /// the files per build), and pages are sent uncompressed unless a proxy compresses them.
    #[arg(long, requires = "content")]
    no_precompress: bool,
}

pub fn run(a: &ServeArgs) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if a.json_logs {
        fmt.json().init();
    } else {
        fmt.init();
    }
    let options = server::Options {
        rate_per_second: a.rate_limit.max(0.0),
        rate_burst: (a.rate_limit * 3.0).max(1.0),
        dev: false,
        answers: a.answer_cache,
        answer_bytes: a.answer_cache_mib.saturating_mul(1024 * 1024),
        trusted_proxies: a.trusted_proxies.clone(),
    };
    if let Some(content) = &a.content {
        let cfg = crate::live::LiveConfig {
            content: content.clone(),
            branch: a.branch.clone(),
            themes: a.themes.clone(),
            database_url: a.database_url.clone(),
            secure_cookies: a.secure_cookies,
            precompress: !a.no_precompress,
            out: a.out.clone(),
            options,
        };
        return crate::live::run(cfg, a.addr);
    }
    let state = server::State::load(&a.out, &options).with_context(|| {
        format!(
            "reading the build in {} (run `cms build` first)",
            a.out.display()
        )
    })?;
    let state = Arc::new(state);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(serve(a.addr, &a.out, state))
}

/// Listens on `addr`, says where each site is, and serves `state` until Ctrl+C or SIGTERM.
pub(crate) async fn serve(addr: SocketAddr, out: &Path, state: Arc<server::State>) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr()?;
    let port = local.port();
    let sites = state.sites();
    eprintln!("Serving {} sites from {}:", sites.list.len(), out.display());
    for s in &sites.list {
        eprintln!("  http://{}.localhost:{port}/  ({})", s.id, s.domain);
    }
    eprintln!("Search: http://localhost:{port}/search/?q=… · API: /api/search?q=… · Ctrl+C stops");
    server::serve(listener, state, shutdown_signal())
        .await
        .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl+C or SIGTERM: stop accepting, finish the requests under way.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing the requests under way");
}
