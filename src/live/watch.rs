//! The builder task of `cms serve --content`: a look at the published branch every second
//! (and at once on [`server::Live::nudge`]); a new head, or the passing of the next
//! `publish_at`/`unpublish_at`, is built in a blocking thread while the server goes on
//! serving the last good build.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

use super::build::{head, Builder, Built};
use super::epoch_now;

/// How often the branch is looked at.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// What the builder works with.
pub(crate) struct Watch {
    pub(crate) builder: Arc<Builder>,
    pub(crate) branch: String,
    pub(crate) state: Arc<server::State>,
    pub(crate) live: Arc<server::Live>,
    pub(crate) db: db::Db,
}

/// What the output shows: the commit, the time its pages were selected at, and when that
/// selection changes by itself next.
pub(crate) struct Shown {
    commit: String,
    now: NaiveDateTime,
    next_change: Option<NaiveDateTime>,
    /// When it went live, seconds since the epoch.
    since: i64,
}

impl Shown {
    pub(crate) fn new(commit: String, now: NaiveDateTime, network: &cms_core::Network) -> Shown {
        Shown {
            next_change: cms_core::next_schedule_change(network, now),
            commit,
            now,
            since: epoch_now(),
        }
    }

    /// Makes it what [`server::Live`] says, with `failure` the last failed build if any.
    pub(crate) fn publish(
        &self,
        live: &Arc<server::Live>,
        network: cms_core::Network,
        failure: Option<server::BuildFailure>,
    ) {
        live.set_network(Arc::new(network));
        server::Live::warm_preview(live);
        live.set_status(server::LiveStatus {
            commit: Some(self.commit.clone()),
            time: Some(self.since),
            building: None,
            failure,
        });
    }
}

impl Watch {
    /// Looks and builds until the task is stopped.
    pub(crate) async fn run(self, mut shown: Shown) {
        let mut failed: Option<String> = self.live.status().failure.map(|f| f.commit);
        let mut unreadable = false;
        loop {
            tokio::select! {
                () = tokio::time::sleep(LOOK_EVERY) => {}
                () = self.live.nudged() => {}
            }
            let head = match head(&self.builder.content, &self.branch) {
                Ok(h) => {
                    unreadable = false;
                    h
                }
                Err(e) => {
                    // Said once, not every second.
                    if !unreadable {
                        tracing::error!("reading the published branch: {e}");
                    }
                    unreadable = true;
                    continue;
                }
            };
            let Ok(now) = crate::now() else { continue };
            let due = shown.next_change.is_some_and(|t| t <= now);
            let new_head = head != shown.commit && failed.as_ref() != Some(&head);
            if !new_head && !due {
                continue;
            }
            // A due change while the head does not build: the live commit at the new time.
            let commit = if new_head { head } else { shown.commit.clone() };
            match self.build(&commit, now).await {
                Ok(built) => {
                    if due {
                        audit_scheduled(&self.db, &built.network, &commit, shown.now, now).await;
                    }
                    if let Some(r) = &built.report {
                        let stages: Vec<String> = r
                            .timings
                            .iter()
                            .map(|(name, d)| format!("{name} {} ms", d.as_millis()))
                            .collect();
                        tracing::info!(
                            commit = %commit,
                            ms = built.took.as_millis() as u64,
                            load_ms = built.loading.as_millis() as u64,
                            stages = %stages.join(", "),
                            rendered = r.rendered,
                            kept = r.reused,
                            "live"
                        );
                    }
                    if let Err(e) = self.state.reload_sites() {
                        tracing::error!("reading the new build: {e}");
                    }
                    shown = Shown::new(commit, now, &built.network);
                    shown.publish(&self.live, built.network, None);
                    failed = None;
                }
                Err(message) => {
                    tracing::error!(commit = %commit, "build failed; the last good build stays live:\n{message}");
                    let failure = server::BuildFailure {
                        commit: commit.clone(),
                        message,
                        time: epoch_now(),
                    };
                    let mut status = self.live.status();
                    status.building = None;
                    status.failure = Some(failure);
                    self.live.set_status(status);
                    failed = Some(commit);
                    // A due change that failed is not tried again every second.
                    shown.next_change = None;
                }
            }
        }
    }

    /// Builds `commit` at `now` in a blocking thread, saying so in the status meanwhile.
    async fn build(&self, commit: &str, now: NaiveDateTime) -> Result<Built, String> {
        let mut status = self.live.status();
        status.building = Some(commit.to_string());
        self.live.set_status(status);
        let b = self.builder.clone();
        let c = commit.to_string();
        match tokio::task::spawn_blocking(move || b.build(&c, now)).await {
            Ok(r) => r,
            Err(e) => Err(format!("the build stopped: {e}")),
        }
    }
}

/// An audit row (actor `system`, action `scheduled`) for each page that entered or left
/// its window between `before` and `now`.
pub(crate) async fn audit_scheduled(
    db: &db::Db,
    network: &cms_core::Network,
    commit: &str,
    before: NaiveDateTime,
    now: NaiveDateTime,
) {
    for s in &network.scheduled {
        let (was, is) = (s.visible_at(before), s.visible_at(now));
        if was == is {
            continue;
        }
        let (site, path) = s
            .file
            .strip_prefix("sites/")
            .and_then(|r| r.split_once('/'))
            .map(|(a, b)| (Some(a.to_string()), Some(b.to_string())))
            .unwrap_or((None, Some(s.file.clone())));
        let entry = db::AuditEntry {
            time: epoch_now(),
            actor: "system".into(),
            action: "scheduled".into(),
            site,
            path,
            commit: Some(commit.to_string()),
            detail: Some(if is { "published" } else { "unpublished" }.into()),
        };
        tracing::info!(file = %s.file, published = is, "scheduled change live");
        if let Err(e) = db.audit(entry).await {
            tracing::error!("writing the audit log: {e}");
        }
    }
}
