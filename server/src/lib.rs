//! `cms serve`: the HTTP server of a built network.
//!
//! - Every site's static output, chosen by the `Host` header (its domain, an alias,
//!   `<id>.localhost`, or `localhost` for the portal), with content types, cache headers a CDN
//!   can follow (fingerprinted assets cached for ever, pages revalidated) and the site's own
//!   404 page.
//! - `GET /search?q=…` (and `/en/search/…`) on every site: the results page in the site's theme,
//!   complete without JavaScript; `GET /api/search?q=…`: the same as JSON. Both carry an ETag
//!   from the index version, and are rate-limited per client address (behind a trusted proxy,
//!   the address it forwards for).
//! - When a new build replaces the output folder, the next search sees the new index.
//!
//! [`app`] is the whole server as an axum `Router`, tested with `oneshot`; [`serve`] runs it on a
//! listener until the shutdown signal, finishing the requests under way.

pub mod admin;
pub mod api;
mod client_ip;
mod dev;
mod error;
mod files;
mod index;
mod live;
mod params;
mod rate_limit;
mod results_cache;
mod search_http;
mod sites;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::routing::get;
use axum::Router;

pub use client_ip::{parse_proxy, TrustedProxies};
pub use dev::{DevEvent, DevHub};
pub use error::Error;
pub use index::IndexHandle;
pub use ipnet::IpNet;
pub use live::{BuildFailure, Live, LiveStatus};
pub use rate_limit::RateLimiter;
pub use sites::{host_name, Site, Sites};

/// What every request reads. Built once by [`State::load`]; nothing in it is locked for
/// long: the index handle swaps in a new index when a build replaced it.
#[derive(Debug)]
pub struct State {
    /// The output folder of `cms build`.
    pub out: PathBuf,
    /// The sites, by host (replaced when a rebuild changes them, in `cms dev`).
    sites: std::sync::RwLock<Arc<Sites>>,
    /// The search index and the search pages' strings.
    pub index: IndexHandle,
    /// The limit on searches per client address.
    pub limiter: RateLimiter,
    /// The proxies whose `X-Forwarded-For`/`Forwarded` name the client.
    pub proxies: TrustedProxies,
    /// In `cms dev`: live reload.
    pub dev: Option<DevHub>,
    /// Recent search answers.
    pub(crate) results: results_cache::ResultsCache,
    /// The CMS (git store, database, live builds), with `cms serve --content REPO`; without
    /// it the server serves the built output and the read API only.
    pub cms: Option<Cms>,
    /// Each site's read API (`api/v1/*.json` of the output), parsed once per build.
    pub(crate) read: api::ReadCache,
    /// Drafts' texts by head commit, for the lists of drafts.
    pub(crate) draft_texts: api::DraftTexts,
    /// The web editor's templates, strings and assets.
    pub admin: admin::Admin,
}

/// What the write API works with.
#[derive(Debug, Clone)]
pub struct Cms {
    /// The content repository.
    pub store: cms_core::store::Store,
    /// Users, sessions, tokens, audit log.
    pub db: db::Db,
    /// The live site's builds.
    pub live: Arc<Live>,
    /// Whether the session cookie gets `Secure` (served behind TLS).
    pub secure_cookies: bool,
}

/// Settings of [`State::load`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Searches allowed per second per client address after a burst; 0: no limit.
    pub rate_per_second: f64,
    /// The burst.
    pub rate_burst: f64,
    /// Inject the live-reload script into pages and serve its event stream (`cms dev`).
    pub dev: bool,
    /// Search answers kept whole, to answer the same search again without searching; 0: none.
    pub answers: usize,
    /// The bytes those answers may hold together; 0: none.
    pub answer_bytes: u64,
    /// The proxies (networks) trusted to say, in `X-Forwarded-For` or `Forwarded`, which
    /// client they forward for; from any other peer those headers are ignored.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rate_per_second: 10.0,
            rate_burst: 30.0,
            dev: false,
            answers: results_cache::CAPACITY,
            answer_bytes: results_cache::CAPACITY_BYTES,
            trusted_proxies: Vec::new(),
        }
    }
}

impl State {
    /// Reads the build in `out`: its manifest and its search index (a build without an index
    /// serves its sites, and says search is unavailable).
    pub fn load(out: &Path, opts: &Options) -> Result<State, Error> {
        let sites = Sites::load(out)?;
        let index = IndexHandle::new(out.join("search"));
        if let Err(e) = index.current() {
            tracing::warn!("search is unavailable: {e}");
        }
        Ok(State {
            out: out.to_path_buf(),
            sites: std::sync::RwLock::new(Arc::new(sites)),
            index,
            limiter: RateLimiter::new(opts.rate_per_second, opts.rate_burst),
            proxies: TrustedProxies::new(opts.trusted_proxies.clone()),
            dev: opts.dev.then(DevHub::default),
            results: results_cache::ResultsCache::new(opts.answers, opts.answer_bytes),
            cms: None,
            read: api::ReadCache::default(),
            draft_texts: api::DraftTexts::default(),
            admin: admin::Admin::new()?,
        })
    }

    /// The same state, with the CMS behind the write API.
    pub fn with_cms(mut self, cms: Cms) -> State {
        self.cms = Some(cms);
        self
    }

    /// The sites now.
    pub fn sites(&self) -> Arc<Sites> {
        self.sites.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Reads the manifest again (after a rebuild that may have added or removed a site).
    pub fn reload_sites(&self) -> Result<(), Error> {
        let sites = Sites::load(&self.out)?;
        *self.sites.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(sites);
        Ok(())
    }
}

/// The server: search routes, then every other path as a static file of the request's site.
pub fn app(state: Arc<State>) -> Router {
    Router::new()
        .route("/api/search", get(search_http::api))
        .route("/search", get(search_http::page))
        .route("/search/", get(search_http::page))
        .route("/{lang}/search", get(search_http::page_in))
        .route("/{lang}/search/", get(search_http::page_in))
        .nest("/api/v1", api::routes())
        .merge(admin::routes())
        .route(dev::SCRIPT_PATH, get(dev::script))
        .route(dev::EVENTS_PATH, get(dev::events))
        .fallback(files::serve)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            files::security_headers,
        ))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                // The path only: queries typed by the public are theirs, not the logs'.
                |req: &axum::http::Request<_>| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                },
            ),
        )
        .with_state(state)
}

/// How long requests under way may take to finish after the shutdown signal.
const GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests under way
/// finish (live-reload streams end at once; anything still open after 10 s is dropped).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (began, mut grace) = tokio::sync::oneshot::channel::<()>();
    let st = state.clone();
    let signal = async move {
        shutdown.await;
        if let Some(hub) = &st.dev {
            hub.send(DevEvent::Closing);
        }
        let _ = began.send(());
    };
    let server = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    let server = std::future::IntoFuture::into_future(server);
    tokio::pin!(server);
    tokio::select! {
        r = &mut server => r,
        () = async {
            if (&mut grace).await.is_ok() {
                tokio::time::sleep(GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => {
            tracing::warn!("requests still open {} s after the shutdown signal: stopping", GRACE.as_secs());
            Ok(())
        }
    }
}

/// Whether a relative path from the manifest stays inside the output folder.
pub(crate) fn safe_join_ok(rel: &str) -> bool {
    !rel.starts_with('/') && !rel.contains('\\') && rel.split('/').all(|c| c != ".." && c != ".")
}
