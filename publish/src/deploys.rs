//! What a target records about its deployments, under `_deploys/`:
//!
//! - `target.json`: the marker that the target is ours, with the network's name and the format;
//! - `<id>.json`: one deployment (commit, time, manifest hash, counts, the blobs it saved),
//!   `<id>.manifest.json` its manifest; ids sort by time (`20261207T041500123Z`);
//! - `pending.json`: a publish under way (written before its first change, removed after its
//!   last), so that the next run completes what a killed one left.
//!
//! And under `_blobs/<sha256>`, the bytes a deployment replaced or deleted, copied on the
//! store's side before it did: what a rollback restores. A blob is pruned when no kept
//! deployment can need it any more.

use std::collections::BTreeSet;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::Error;
use crate::meta::ObjectMeta;
use crate::target::Target;

/// The format of what this version writes at a target.
pub const FORMAT: &str = "cms-publish/1";
/// The marker object.
pub const MARKER: &str = "_deploys/target.json";
/// The record of a publish under way.
pub const PENDING: &str = "_deploys/pending.json";
/// How many deployments a target keeps (with what a rollback to each needs).
pub const KEEP: usize = 10;

/// The marker that a target is ours: which network publishes there, in which format.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Marker {
    /// [`FORMAT`].
    pub format: String,
    /// The network's name, as its manifest gives it.
    pub network: String,
}

/// One deployment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Deployment {
    /// Sortable by time.
    pub id: String,
    /// When it completed (RFC 3339, UTC).
    pub time: String,
    /// The git commit of the content, when known.
    pub commit: Option<String>,
    /// SHA-256 of its `manifest.json`.
    pub manifest: String,
    /// Files it published.
    pub files: usize,
    /// Files it uploaded (new or changed).
    pub uploaded: usize,
    /// Bytes it uploaded.
    pub uploaded_bytes: u64,
    /// Files it deleted.
    pub deleted: usize,
    /// The deployment it restored, for a rollback.
    #[serde(default)]
    pub restores: Option<String>,
    /// The blobs (hashes) of what it replaced or deleted: what a rollback to the deployment
    /// before it restores.
    #[serde(default)]
    pub saved: Vec<String>,
}

/// A publish under way.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pending {
    /// The deployment it will record.
    pub deployment: Deployment,
    /// The manifest hash live when it started.
    pub from: Option<String>,
    /// Every path it writes.
    pub uploads: Vec<String>,
    /// Every path it deletes after the switch, with the hash each had.
    pub deletions: Vec<(String, String)>,
}

/// A deployment id for now.
pub fn new_id() -> String {
    chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ").to_string()
}

/// The key of a deployment's record.
pub fn record_key(id: &str) -> String {
    format!("_deploys/{id}.json")
}

/// The key of a deployment's manifest.
pub fn manifest_key(id: &str) -> String {
    format!("_deploys/{id}.manifest.json")
}

/// The key of the blob of `hash`.
pub fn blob_key(hash: &str) -> String {
    format!("_blobs/{hash}")
}

/// Headers of the records: JSON, never cached.
pub fn json_meta() -> ObjectMeta {
    ObjectMeta {
        content_type: "application/json".into(),
        cache_control: "no-store".into(),
        content_encoding: None,
    }
}

/// Reads the JSON object `key`, if there is one.
pub async fn read<T: DeserializeOwned>(t: &Target, key: &str) -> Result<Option<T>, Error> {
    let Some(bytes) = t.get(key).await? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::Record {
            target: t.name.clone(),
            object: key.to_string(),
            reason: format!("unreadable ({e}); it was not written by this version of cms"),
        })
}

/// Writes `value` as JSON at `key`.
pub async fn write<T: Serialize>(t: &Target, key: &str, value: &T) -> Result<(), Error> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::Record {
        target: t.name.clone(),
        object: key.to_string(),
        reason: e.to_string(),
    })?;
    t.put(key, Bytes::from(bytes), &json_meta()).await
}

/// Every deployment recorded at the target, oldest first.
pub async fn list(t: &Target) -> Result<Vec<Deployment>, Error> {
    let keys = t.list(Some("_deploys"), usize::MAX).await?;
    let mut ids: Vec<&str> = keys
        .iter()
        .filter_map(|k| k.strip_prefix("_deploys/")?.strip_suffix(".json"))
        .filter(|id| !id.contains('.') && id.ends_with('Z'))
        .collect();
    ids.sort();
    let reads = ids
        .iter()
        .map(|id| async move { read::<Deployment>(t, &record_key(id)).await });
    let records: Vec<Option<Deployment>> = futures_util::stream::iter(reads)
        .buffered(8)
        .try_collect()
        .await?;
    Ok(records.into_iter().flatten().collect())
}

/// The deployment that is live: the latest whose manifest is the live one.
pub fn current<'a>(all: &'a [Deployment], live: Option<&str>) -> Option<&'a Deployment> {
    all.iter().rev().find(|d| Some(d.manifest.as_str()) == live)
}

/// The deployment a rollback from `all`'s live one restores: the one before the live one's
/// origin (before the deployment a rollback restored), so that rollbacks walk back.
pub fn rollback_target<'a>(all: &'a [Deployment], live: Option<&str>) -> Option<&'a Deployment> {
    let cur = current(all, live)?;
    let origin = cur.restores.as_deref().unwrap_or(&cur.id);
    all.iter().rev().find(|d| d.id.as_str() < origin)
}

/// Removes the deployments beyond the last [`KEEP`], and the blobs that only they could
/// need: the blobs a deployment saved restore the one before it, so those of the oldest kept
/// deployment go too, unless a later one saved them as well.
pub async fn prune(t: &Target, all: &[Deployment]) -> Result<usize, Error> {
    if all.len() <= KEEP {
        return Ok(0);
    }
    let cut = all.len() - KEEP;
    let needed: BTreeSet<&String> = all[cut + 1..].iter().flat_map(|d| &d.saved).collect();
    let gone: BTreeSet<&String> = all[..=cut]
        .iter()
        .flat_map(|d| &d.saved)
        .filter(|h| !needed.contains(h))
        .collect();
    for h in &gone {
        t.delete(&blob_key(h)).await?;
    }
    for d in &all[..cut] {
        t.delete(&manifest_key(&d.id)).await?;
        t.delete(&record_key(&d.id)).await?;
    }
    Ok(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(id: &str, manifest: &str, restores: Option<&str>, saved: &[&str]) -> Deployment {
        Deployment {
            id: id.into(),
            time: String::new(),
            commit: None,
            manifest: manifest.into(),
            files: 0,
            uploaded: 0,
            uploaded_bytes: 0,
            deleted: 0,
            restores: restores.map(str::to_string),
            saved: saved.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn rollbacks_walk_back() {
        let a = dep("1Z", "ma", None, &[]);
        let b = dep("2Z", "mb", None, &[]);
        let c = dep("3Z", "mc", None, &[]);
        let mut all = vec![a, b, c];
        assert_eq!(rollback_target(&all, Some("mc")).unwrap().id, "2Z");
        // Rolled back to 2: the next rollback goes to 1, not forward to 3.
        all.push(dep("4Z", "mb", Some("2Z"), &[]));
        assert_eq!(current(&all, Some("mb")).unwrap().id, "4Z");
        assert_eq!(rollback_target(&all, Some("mb")).unwrap().id, "1Z");
        assert!(rollback_target(&all, Some("unknown")).is_none());
        assert!(rollback_target(&all[..1], Some("ma")).is_none());
    }

    #[tokio::test]
    async fn pruning_keeps_what_rollbacks_to_kept_deployments_need() {
        let dir = tempfile::tempdir().unwrap();
        let t = Target::open(dir.path().to_str().unwrap(), true).unwrap();
        let mut all = Vec::new();
        for i in 0..KEEP + 2 {
            let id = format!("{i:02}Z");
            // Each deployment saved blob `h<i>`; the last one saved `h0` again.
            let saved = if i == KEEP + 1 {
                vec!["h0".to_string()]
            } else {
                vec![format!("h{i}")]
            };
            let saved: Vec<&str> = saved.iter().map(String::as_str).collect();
            let d = dep(&id, "m", None, &saved);
            write(&t, &record_key(&id), &d).await.unwrap();
            for h in &saved {
                t.put(&blob_key(h), Bytes::from_static(b"x"), &json_meta())
                    .await
                    .unwrap();
            }
            all.push(d);
        }
        assert_eq!(list(&t).await.unwrap(), all);
        assert_eq!(prune(&t, &all).await.unwrap(), 2);
        let kept = list(&t).await.unwrap();
        assert_eq!(kept.len(), KEEP);
        assert_eq!(kept[0].id, "02Z");
        // h1 and h2 restored deployments 0 and 1, gone; h0 is saved again by the last one.
        for (h, there) in [("h0", true), ("h1", false), ("h2", false), ("h3", true)] {
            assert_eq!(t.exists(&blob_key(h)).await.unwrap(), there, "{h}");
        }
    }
}
