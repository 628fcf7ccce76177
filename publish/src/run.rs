//! A publish or a rollback, step by step: read what the target holds (and refuse a target
//! that is not ours), plan, check the sources, then record the publish as pending, upload the
//! assets, then the pages, switch the manifest, delete, and record the deployment. A run
//! killed at any point is completed by the next one (see [`crate::deploys`]).

use std::collections::BTreeSet;
use std::path::Path;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;

use crate::deploys::{self, Deployment, Marker, Pending};
use crate::error::Error;
use crate::manifest::{self, Entry, Manifest};
use crate::meta::object_meta;
use crate::plan::Plan;
use crate::target::Target;
use crate::{hooks, purge};

/// Where a publish shows how far it is.
pub trait Progress: Sync {
    /// The number of object operations ahead.
    fn start(&self, total: u64);
    /// `n` more done.
    fn advance(&self, n: u64);
}

/// How to publish.
pub struct Options<'a> {
    /// The git commit of the content, recorded with the deployment.
    pub commit: Option<String>,
    /// Plan and report only: change nothing at the target.
    pub dry_run: bool,
    /// Progress of the uploads and deletions.
    pub progress: Option<&'a dyn Progress>,
    /// Object operations at once.
    pub parallel: usize,
}

/// What a publish did (or, dry, would do).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// The target.
    pub target: String,
    /// The deployment recorded (none when dry or up to date).
    pub deployment: Option<String>,
    /// For a rollback: the deployment restored.
    pub restores: Option<String>,
    /// Nothing was changed: a dry run.
    pub dry_run: bool,
    /// The target already had this output.
    pub up_to_date: bool,
    /// An interrupted publish was completed first.
    pub completed_interrupted: bool,
    /// Files uploaded.
    pub uploaded: usize,
    /// Bytes uploaded.
    pub uploaded_bytes: u64,
    /// Files deleted.
    pub deleted: usize,
    /// Files already live as they were.
    pub unchanged: usize,
    /// The public URLs of every changed file: the CDN purge list.
    pub urls: Vec<String>,
}

/// Where the bytes of the new deployment come from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// A built output folder.
    Dir(&'a Path),
    /// The blobs at the target (a rollback).
    Blobs,
}

/// What the target holds.
struct State {
    marker: Option<Marker>,
    live: Option<Manifest>,
    pending: Option<Pending>,
}

/// Reads the target's marker, live manifest and pending publish; refuses a target that holds
/// files but no marker, or another network's.
async fn inspect(t: &Target, network: &str) -> Result<State, Error> {
    let not_ours = |reason: String| Error::NotOurs {
        target: t.name.clone(),
        reason,
    };
    // The three at once: a publish of one page is mostly these round trips.
    let (marker, live, pending) = tokio::try_join!(
        deploys::read::<Marker>(t, deploys::MARKER),
        t.get("manifest.json"),
        deploys::read::<Pending>(t, deploys::PENDING),
    )?;
    match &marker {
        Some(m) if m.format != deploys::FORMAT => {
            return Err(Error::BadTarget {
                target: t.name.clone(),
                reason: format!(
                    "written in the format {}, this cms writes {}: use the cms that published it",
                    m.format,
                    deploys::FORMAT
                ),
            })
        }
        Some(m) if m.network != network => {
            return Err(not_ours(format!(
                "network {:?} publishes there, not {network:?}",
                m.network
            )))
        }
        Some(_) => {}
        None => {
            if let Some(k) = t.list(None, 1).await?.first() {
                return Err(not_ours(format!(
                    "it holds files ({k}…) but no {}",
                    deploys::MARKER
                )));
            }
        }
    }
    let live = match live {
        Some(b) => Some(Manifest::parse(b.to_vec()).map_err(|reason| Error::Record {
            target: t.name.clone(),
            object: "manifest.json".into(),
            reason,
        })?),
        None => None,
    };
    if let Some(l) = &live {
        if l.network != network {
            return Err(not_ours(format!(
                "its manifest.json is network {:?}'s",
                l.network
            )));
        }
    }
    Ok(State {
        marker,
        live,
        pending,
    })
}

/// Publishes the built output folder `out` to `t`.
pub async fn publish(out: &Path, t: &Target, opts: &Options<'_>) -> Result<Report, Error> {
    // The build the output shows now: a later build switching the link cannot mix in.
    let dir = std::fs::canonicalize(out).map_err(|e| Error::Manifest {
        path: out.join("manifest.json"),
        reason: format!("no output folder ({e})"),
    })?;
    let new = Manifest::read_output(&dir)?;
    let state = inspect(t, &new.network).await?;
    run(t, state, new, Source::Dir(&dir), opts, None).await
}

/// Restores the deployment before the live one (see [`deploys::rollback_target`]).
pub async fn rollback(t: &Target, opts: &Options<'_>) -> Result<Report, Error> {
    let none = |reason: &str| Error::NoRollback {
        target: t.name.clone(),
        reason: reason.to_string(),
    };
    let live = t
        .get("manifest.json")
        .await?
        .ok_or_else(|| none("nothing is published there"))?;
    let live = Manifest::parse(live.to_vec()).map_err(|r| none(&r))?;
    let mut state = inspect(t, &live.network).await?;
    // A run killed after its switch is completed first; when it was a rollback, that is done.
    if let Some(p) = state.pending.take() {
        if p.deployment.manifest != live.hash {
            state.pending = Some(p);
        } else {
            clean_staged(t, &p);
            finish(t, &p, opts).await?;
            if p.deployment.restores.is_some() {
                return Ok(completed(t, p));
            }
        }
    }
    let all = deploys::list(t).await?;
    let to = deploys::rollback_target(&all, Some(&live.hash))
        .ok_or_else(|| none("no earlier deployment is recorded"))?;
    let key = deploys::manifest_key(&to.id);
    let bytes = t
        .get(&key)
        .await?
        .ok_or_else(|| none(&format!("{key} is missing")))?;
    let manifest = Manifest::parse(bytes.to_vec()).map_err(|r| none(&r))?;
    if manifest.hash != to.manifest {
        return Err(none(&format!(
            "{key} is not the manifest {} recorded",
            to.id
        )));
    }
    let opts = Options {
        commit: to.commit.clone(),
        ..*opts
    };
    run(
        t,
        state,
        manifest,
        Source::Blobs,
        &opts,
        Some(to.id.clone()),
    )
    .await
}

/// The report of a rollback that an earlier, killed run had switched to.
fn completed(t: &Target, p: Pending) -> Report {
    let d = p.deployment;
    let paths = p.uploads.iter().chain(p.deletions.iter().map(|(k, _)| k));
    Report {
        target: t.name.clone(),
        deployment: Some(d.id),
        restores: d.restores,
        dry_run: false,
        up_to_date: false,
        completed_interrupted: true,
        uploaded: d.uploaded,
        uploaded_bytes: d.uploaded_bytes,
        deleted: d.deleted,
        unchanged: d.files.saturating_sub(d.uploaded),
        urls: purge::urls(paths.map(String::as_str)),
    }
}

/// What `--list` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// Every deployment recorded, oldest first.
    pub deployments: Vec<Deployment>,
    /// The live one.
    pub current: Option<String>,
    /// A publish under way or interrupted (its deployment id).
    pub pending: Option<String>,
}

/// The deployments recorded at `t`.
pub async fn list(t: &Target) -> Result<Listing, Error> {
    let live = t
        .get("manifest.json")
        .await?
        .map(|b| manifest::sha256_hex(&b));
    let deployments = deploys::list(t).await?;
    let current = deploys::current(&deployments, live.as_deref()).map(|d| d.id.clone());
    let pending: Option<Pending> = deploys::read(t, deploys::PENDING).await?;
    Ok(Listing {
        deployments,
        current,
        pending: pending.map(|p| p.deployment.id),
    })
}

async fn run(
    t: &Target,
    mut state: State,
    new: Manifest,
    source: Source<'_>,
    opts: &Options<'_>,
    restores: Option<String>,
) -> Result<Report, Error> {
    let live_hash = state.live.as_ref().map(|l| l.hash.clone());
    let mut resumed = false;
    if let (Some(p), false) = (&state.pending, opts.dry_run) {
        clean_staged(t, p);
    }
    // Killed after its switch: only its deletions and record are left to do.
    if let Some(p) = &state.pending {
        if Some(&p.deployment.manifest) == live_hash.as_ref() && !opts.dry_run {
            finish(t, p, opts).await?;
            state.pending = None;
            resumed = true;
        }
    }
    let dirty: BTreeSet<String> = match &state.pending {
        Some(p) if Some(&p.deployment.manifest) != live_hash.as_ref() => {
            resumed = true;
            // What it wrote, and the files of no manifest it would have deleted.
            let deletions = p.deletions.iter().map(|(k, _)| k);
            p.uploads.iter().chain(deletions).cloned().collect()
        }
        _ => BTreeSet::new(),
    };
    let mut plan = Plan::new(state.live.as_ref(), &new, &dirty);
    check_sources(t, source, &new, &mut plan, state.live.as_ref()).await?;
    let changed = plan.uploads().map(|e| e.path.as_str());
    let urls = purge::urls(changed.chain(plan.deletions.iter().map(|(p, _)| p.as_str())));
    let mut report = Report {
        target: t.name.clone(),
        deployment: None,
        restores: restores.clone(),
        dry_run: opts.dry_run,
        up_to_date: plan.is_empty() && live_hash.as_ref() == Some(&new.hash),
        completed_interrupted: resumed,
        uploaded: plan.assets.len() + plan.pages.len(),
        uploaded_bytes: plan.upload_bytes(),
        deleted: plan.deletions.len(),
        unchanged: plan.unchanged,
        urls,
    };
    if opts.dry_run || report.up_to_date {
        return Ok(report);
    }
    let pending = pending_of(&state, &new, &plan, opts, restores);
    report.deployment = Some(pending.deployment.id.clone());
    if state.marker.is_none() {
        let marker = Marker {
            format: deploys::FORMAT.into(),
            network: new.network.clone(),
        };
        deploys::write(t, deploys::MARKER, &marker).await?;
    }
    deploys::write(t, deploys::PENDING, &pending).await?;
    hooks::step("pending");
    if let Some(p) = opts.progress {
        p.start((plan.assets.len() + plan.pages.len() + plan.deletions.len()) as u64);
    }
    let live = state.live.as_ref();
    upload(t, source, live, &plan.assets, opts).await?;
    hooks::step("assets");
    upload(t, source, live, &plan.pages, opts).await?;
    hooks::step("pages");
    // The switch: from here on the new deployment is the live one.
    let json = object_meta("manifest.json", "application/json", None);
    t.put("manifest.json", Bytes::from(new.bytes.clone()), &json)
        .await?;
    hooks::step("switched");
    finish(t, &pending, opts).await?;
    Ok(report)
}

/// Removes what a killed run left half-written beside the objects it was writing (folders).
fn clean_staged(t: &Target, p: &Pending) {
    let blobs = p.deployment.saved.iter().map(|h| deploys::blob_key(h));
    let records = [
        deploys::MARKER.to_string(),
        deploys::PENDING.to_string(),
        deploys::record_key(&p.deployment.id),
        deploys::manifest_key(&p.deployment.id),
        "manifest.json".into(),
    ];
    let keys: Vec<String> = p
        .uploads
        .iter()
        .chain(p.deletions.iter().map(|(k, _)| k))
        .cloned()
        .chain(blobs)
        .chain(records)
        .collect();
    t.clean_staged(keys.iter().map(String::as_str));
}

/// The record of the publish about to start.
fn pending_of(
    state: &State,
    new: &Manifest,
    plan: &Plan,
    opts: &Options<'_>,
    restores: Option<String>,
) -> Pending {
    let live = state.live.as_ref();
    let replaced = plan.uploads().filter_map(|e| {
        live.and_then(|l| l.files.get(&e.path))
            .map(|o| o.hash.clone())
    });
    let deleted = plan.deletions.iter().filter_map(|(_, h)| h.clone());
    let saved: BTreeSet<String> = replaced.chain(deleted).collect();
    Pending {
        deployment: Deployment {
            id: deploys::new_id(),
            time: String::new(),
            commit: opts.commit.clone(),
            manifest: new.hash.clone(),
            files: new.files.len(),
            uploaded: plan.assets.len() + plan.pages.len(),
            uploaded_bytes: plan.upload_bytes(),
            deleted: plan.deletions.len(),
            restores,
            saved: saved.into_iter().collect(),
        },
        from: live.map(|l| l.hash.clone()),
        uploads: plan.uploads().map(|e| e.path.clone()).collect(),
        deletions: plan
            .deletions
            .iter()
            .map(|(p, h)| (p.clone(), h.clone().unwrap_or_default()))
            .collect(),
    }
}

/// Before anything is changed: the output folder holds what its manifest lists (every file
/// there with its size, and the files to upload with their hash), or, for a rollback, the
/// target still has the bytes of every file to restore.
/// A file an interrupted run may have written but whose bytes, by the live manifest, are the
/// ones to restore is left alone when it has no blob: its blob would have been saved before
/// any write, so the object was never touched.
async fn check_sources(
    t: &Target,
    source: Source<'_>,
    new: &Manifest,
    plan: &mut Plan,
    live: Option<&Manifest>,
) -> Result<(), Error> {
    match source {
        Source::Dir(dir) => {
            let all: Vec<&Entry> = new.files.values().collect();
            let uploads: Vec<&Entry> = plan.uploads().collect();
            manifest::verify(dir, &all, &uploads)
        }
        Source::Blobs => {
            let mut untouched = BTreeSet::new();
            for e in plan.uploads() {
                if t.exists(&deploys::blob_key(&e.hash)).await? {
                    continue;
                }
                let live_hash = live.and_then(|l| l.files.get(&e.path)).map(|l| &l.hash);
                if live_hash == Some(&e.hash) {
                    untouched.insert(e.path.clone());
                    continue;
                }
                return Err(Error::NoRollback {
                    target: t.name.clone(),
                    reason: format!(
                        "the earlier bytes of {} ({}) are no longer kept",
                        e.path,
                        deploys::blob_key(&e.hash)
                    ),
                });
            }
            plan.assets.retain(|e| !untouched.contains(&e.path));
            plan.pages.retain(|e| !untouched.contains(&e.path));
            plan.unchanged += untouched.len();
            Ok(())
        }
    }
}

/// Keeps the live bytes of `path` (hash `hash`) as a blob, unless already kept. A path is
/// never overwritten or deleted before its blob exists, so a missing blob means the object
/// still holds these bytes, even after an interrupted run.
async fn save(t: &Target, path: &str, hash: &str) -> Result<(), Error> {
    let blob = deploys::blob_key(hash);
    if t.exists(&blob).await? {
        return Ok(());
    }
    match t.copy(path, &blob).await {
        // Gone from the target already: nothing to keep.
        Err(Error::Store {
            source: object_store::Error::NotFound { .. },
            ..
        }) => Ok(()),
        r => r,
    }
}

/// Uploads `files`, `opts.parallel` at once, each after keeping the bytes it replaces.
async fn upload(
    t: &Target,
    source: Source<'_>,
    live: Option<&Manifest>,
    files: &[Entry],
    opts: &Options<'_>,
) -> Result<(), Error> {
    futures_util::stream::iter(files.iter().map(|e| async move {
        if let Some(old) = live.and_then(|l| l.files.get(&e.path)) {
            save(t, &e.path, &old.hash).await?;
        }
        let bytes = read_source(t, source, e).await?;
        let meta = object_meta(&e.path, &e.mime, e.encoding.as_deref());
        t.put(&e.path, bytes, &meta).await?;
        advance(opts).await;
        Ok::<(), Error>(())
    }))
    .buffer_unordered(opts.parallel.max(1))
    .try_collect::<Vec<()>>()
    .await?;
    Ok(())
}

async fn advance(opts: &Options<'_>) {
    if let Some(p) = opts.progress {
        p.advance(1);
    }
    hooks::op_done().await;
}

/// The bytes of `e`, from the output folder or from its blob.
async fn read_source(t: &Target, source: Source<'_>, e: &Entry) -> Result<Bytes, Error> {
    match source {
        Source::Dir(dir) => {
            let path = dir.join(&e.path);
            tokio::fs::read(&path)
                .await
                .map(Bytes::from)
                .map_err(|source| Error::Io { path, source })
        }
        Source::Blobs => {
            let key = deploys::blob_key(&e.hash);
            let bytes = t.get(&key).await?.unwrap_or_default();
            if manifest::sha256_hex(&bytes) != e.hash {
                return Err(Error::Record {
                    target: t.name.clone(),
                    object: key,
                    reason: format!("does not hold the bytes of {}", e.path),
                });
            }
            Ok(bytes)
        }
    }
}

/// After the switch: deletes what the new deployment no longer has (each kept as a blob
/// first), records the deployment, ends the pending state and prunes old deployments.
async fn finish(t: &Target, p: &Pending, opts: &Options<'_>) -> Result<(), Error> {
    // Pages first: a page no longer published is served until deleted, and must not lose
    // its assets before.
    let (pages, assets): (Vec<_>, Vec<_>) = p
        .deletions
        .iter()
        .partition(|(path, _)| crate::plan::points_at_files_path(path));
    for batch in [pages, assets] {
        futures_util::stream::iter(batch.into_iter().map(|(path, hash)| async move {
            if !hash.is_empty() {
                save(t, path, hash).await?;
            }
            t.delete(path).await?;
            advance(opts).await;
            Ok::<(), Error>(())
        }))
        .buffer_unordered(opts.parallel.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    }
    hooks::step("deleted");
    // The deployment's manifest, for a rollback to it: a copy on the store's side of the live
    // one, which is this deployment's whenever this runs.
    t.copy("manifest.json", &deploys::manifest_key(&p.deployment.id))
        .await?;
    let mut d = p.deployment.clone();
    d.time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    deploys::write(t, &deploys::record_key(&d.id), &d).await?;
    t.delete(deploys::PENDING).await?;
    let all = deploys::list(t).await?;
    deploys::prune(t, &all).await?;
    Ok(())
}
