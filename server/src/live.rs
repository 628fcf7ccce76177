//! The live site of `cms serve --content REPO`: which commit of the published branch the output
//! shows, the build under way, and the last failure (shown to approvers). The builder (in the
//! binary) updates it; the API reads it, and nudges the builder after a publish so it does not
//! wait for its next look at the branch.

use std::sync::{Arc, RwLock};

use serde::Serialize;

/// A build that failed: the last good site stays live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BuildFailure {
    /// The commit that failed to build.
    pub commit: String,
    /// Why (the diagnostics, one per line).
    pub message: String,
    /// When, seconds since the epoch.
    pub time: i64,
}

/// Where the live site stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LiveStatus {
    /// The commit the output shows.
    pub commit: Option<String>,
    /// When it went live, seconds since the epoch.
    pub time: Option<i64>,
    /// The commit being built now.
    pub building: Option<String>,
    /// The last failed build, if it is newer than the live one.
    pub failure: Option<BuildFailure>,
}

/// Shared between the builder and the API.
#[derive(Debug, Default)]
pub struct Live {
    status: RwLock<LiveStatus>,
    network: RwLock<Option<Arc<cms_core::Network>>>,
    changed: tokio::sync::Notify,
    nudge: tokio::sync::Notify,
    /// Where the builder looks for themes (`--themes`), for the editor's preview.
    theme_dirs: RwLock<Vec<std::path::PathBuf>>,
    /// The theme the preview last loaded, by name.
    theme: RwLock<Option<(String, Arc<ssg::Theme>)>>,
    /// What the editor's previews of the live network share (see [`Live::preview_cache`]).
    preview: RwLock<Option<Arc<ssg::PreviewCache>>>,
}

impl Live {
    /// The status now.
    pub fn status(&self) -> LiveStatus {
        self.status
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Updates the status (the builder) and wakes those waiting for a change.
    pub fn set_status(&self, status: LiveStatus) {
        *self.status.write().unwrap_or_else(|e| e.into_inner()) = status;
        self.changed.notify_waiters();
    }

    /// The network of the live commit (for validating saves against its schemas).
    pub fn network(&self) -> Option<Arc<cms_core::Network>> {
        self.network
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the live network (the builder, after a good build), and drops the previews'
    /// cache of the one before.
    pub fn set_network(&self, network: Arc<cms_core::Network>) {
        *self.network.write().unwrap_or_else(|e| e.into_inner()) = Some(network);
        *self.preview.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The previews' cache of `network` with `theme` (the live ones, as [`Live::network`] and
    /// [`Live::theme`] gave them): the one kept, or a new one, kept while they are live. It
    /// is made on first use (the link index of the network: tens of milliseconds on 20,000
    /// pages), so call it off the async runtime.
    pub fn preview_cache(
        &self,
        network: &Arc<cms_core::Network>,
        theme: &Arc<ssg::Theme>,
    ) -> Arc<ssg::PreviewCache> {
        if let Some(c) = &*self.preview.read().unwrap_or_else(|e| e.into_inner()) {
            if c.is_for(network, theme) {
                return c.clone();
            }
        }
        let cache = Arc::new(ssg::PreviewCache::new(network.clone(), theme.clone()));
        // Kept only while its network is live: a build may have gone live meanwhile.
        let live = self.network().is_some_and(|n| Arc::ptr_eq(&n, network));
        if live {
            *self.preview.write().unwrap_or_else(|e| e.into_inner()) = Some(cache.clone());
        }
        cache
    }

    /// Makes the previews' cache of the live network on a thread of its own, every site
    /// prepared, so the first preview after a build goes live is as quick as the next ones.
    /// A build that goes live meanwhile makes its own; this one is then dropped.
    pub fn warm_preview(live: &Arc<Live>) {
        let Some(network) = live.network() else {
            return;
        };
        let live = live.clone();
        let spawned = std::thread::Builder::new()
            .name("preview-warm".into())
            .spawn(move || {
                let theme = match live.theme(&network.config.theme) {
                    Ok(t) => t,
                    Err(e) => return tracing::warn!("preview cache: {e}"),
                };
                let clock = std::time::Instant::now();
                match live.preview_cache(&network, &theme).warm() {
                    Ok(()) => tracing::debug!(
                        ms = clock.elapsed().as_millis() as u64,
                        "preview cache ready"
                    ),
                    Err(e) => tracing::warn!("preview cache: {e}"),
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("preview cache: {e}");
        }
    }

    /// Where themes are looked for (the builder's `--themes` folders).
    pub fn set_theme_dirs(&self, dirs: Vec<std::path::PathBuf>) {
        *self.theme_dirs.write().unwrap_or_else(|e| e.into_inner()) = dirs;
        *self.theme.write().unwrap_or_else(|e| e.into_inner()) = None;
        *self.preview.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The theme `name`, as the builder finds it (the built-in one for `default` when no
    /// folder has it); loaded once, then kept.
    pub fn theme(&self, name: &str) -> Result<Arc<ssg::Theme>, String> {
        if let Some((n, t)) = &*self.theme.read().unwrap_or_else(|e| e.into_inner()) {
            if n == name {
                return Ok(t.clone());
            }
        }
        let dirs = self
            .theme_dirs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let theme = Arc::new(ssg::Theme::find(name, &dirs).map_err(|e| e.to_string())?);
        *self.theme.write().unwrap_or_else(|e| e.into_inner()) =
            Some((name.to_string(), theme.clone()));
        Ok(theme)
    }

    /// Asks the builder to look at the published branch now (after a publish).
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// Waits for a nudge (the builder, between its looks at the branch).
    pub async fn nudged(&self) {
        self.nudge.notified().await;
    }

    /// Waits for the next status change.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_cache_is_kept_for_the_live_network_and_replaced_with_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let source = cms_core::Source::Dir(root.join("content"));
        let network = Arc::new(cms_core::load(&source).expect("the demo network loads"));
        let live = Live::default();
        live.set_theme_dirs(vec![root.join("themes")]);
        let theme = live.theme(&network.config.theme).expect("the theme");
        live.set_network(network.clone());
        let first = live.preview_cache(&network, &theme);
        let again = live.preview_cache(&network, &theme);
        assert!(
            Arc::ptr_eq(&first, &again),
            "kept while the network is live"
        );
        // A new build goes live: its previews get a cache of their own.
        let newer = Arc::new((*network).clone());
        live.set_network(newer.clone());
        let second = live.preview_cache(&newer, &theme);
        assert!(second.is_for(&newer, &theme) && !Arc::ptr_eq(&first, &second));
        // A preview that got the old network before the swap does not replace the new cache.
        assert!(live
            .preview_cache(&network, &theme)
            .is_for(&network, &theme));
        assert!(Arc::ptr_eq(&second, &live.preview_cache(&newer, &theme)));
    }

    #[test]
    fn a_build_that_goes_live_gets_its_preview_cache_made_beforehand() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let source = cms_core::Source::Dir(root.join("content"));
        let network = Arc::new(cms_core::load(&source).expect("the demo network loads"));
        let live = Arc::new(Live::default());
        live.set_theme_dirs(vec![root.join("themes")]);
        live.set_network(network.clone());
        Live::warm_preview(&live);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let kept = loop {
            let kept = live.preview.read().ok().and_then(|c| c.clone());
            if let Some(c) = kept.filter(|c| c.prepared_sites() == network.sites.len()) {
                break c;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no warm cache after 60 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let theme = live.theme(&network.config.theme).expect("the theme");
        assert!(Arc::ptr_eq(&kept, &live.preview_cache(&network, &theme)));
    }
}
