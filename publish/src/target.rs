//! Where a publish goes: a folder (the embedded default) or object storage (`s3://`, `gs://`,
//! `az://`), one [`ObjectStore`] either way, and the few operations publishing needs, each
//! retried: the store's own retries (throttling, server errors, dropped connections, with
//! exponential backoff), and a few more around each file for what outlasts them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, BackoffConfig, ObjectStore, ObjectStoreExt, PutOptions, PutPayload,
    RetryConfig,
};

use crate::error::Error;
use crate::meta::ObjectMeta;

/// A place to publish to.
#[derive(Debug, Clone)]
pub struct Target {
    /// The target as the user wrote it (for messages).
    pub name: String,
    store: Arc<dyn ObjectStore>,
    /// Whether objects carry their headers (object storage; a folder's server has its own).
    attributes: bool,
    /// Which environment variables hold the credentials.
    credentials: &'static str,
    /// The folder of a folder target.
    folder: Option<PathBuf>,
}

/// The retries of every request: a throttled or failing store is asked again with backoff
/// (0.1 s doubling to 5 s) for up to a minute, but an unreachable one gives up after 5 tries.
fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: 5,
        retry_timeout: Duration::from_secs(60),
    }
}

fn bad(spec: &str, reason: impl Into<String>) -> Error {
    Error::BadTarget {
        target: spec.to_string(),
        reason: reason.into(),
    }
}

impl Target {
    /// Opens the target `spec`: a folder path, `file://`, `s3://bucket/prefix`,
    /// `gs://bucket/prefix` or `az://container/prefix`. Credentials, region and endpoint come
    /// from the environment (`AWS_*`, `GOOGLE_*`, `AZURE_*`). A folder that does not exist is
    /// created when `create`, and otherwise stands for an empty target.
    pub fn open(spec: &str, create: bool) -> Result<Target, Error> {
        if spec.split(['/', '\\']).any(|s| s == "..") {
            return Err(bad(
                spec,
                "`..` in a target path is refused: write the path without it",
            ));
        }
        let (scheme, rest) = spec.split_once("://").unwrap_or(("", spec));
        match scheme {
            "" | "file" => Target::folder(spec, Path::new(rest), create),
            "s3" | "gs" | "az" => Target::cloud(spec, scheme, rest),
            other => Err(bad(
                spec,
                format!("unknown scheme `{other}://`: use a folder path, s3://, gs:// or az://"),
            )),
        }
    }

    fn folder(spec: &str, dir: &Path, create: bool) -> Result<Target, Error> {
        if dir.components().any(|c| c == Component::ParentDir) || dir.as_os_str().is_empty() {
            return Err(bad(spec, "not a usable folder path"));
        }
        let store: Arc<dyn ObjectStore> = if dir.is_dir() || create {
            std::fs::create_dir_all(dir)
                .map_err(|e| bad(spec, format!("cannot create it: {e}")))?;
            Arc::new(
                object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| bad(spec, e.to_string()))?
                    .with_automatic_cleanup(true),
            )
        } else {
            Arc::new(object_store::memory::InMemory::new())
        };
        Ok(Target {
            name: spec.to_string(),
            store,
            attributes: false,
            credentials: "none: a folder",
            folder: Some(dir.to_path_buf()),
        })
    }

    fn cloud(spec: &str, scheme: &str, rest: &str) -> Result<Target, Error> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad(spec, "no bucket name"));
        }
        let url = format!("{scheme}://{bucket}");
        let fail = |e: object_store::Error| {
            let vars = match scheme {
                "s3" => "AWS_*",
                "gs" => "GOOGLE_*",
                _ => "AZURE_STORAGE_*",
            };
            bad(
                spec,
                format!("{e}; its settings come from the {vars} environment variables"),
            )
        };
        let (store, credentials): (Arc<dyn ObjectStore>, _) = match scheme {
            "s3" => (
                Arc::new(
                    object_store::aws::AmazonS3Builder::from_env()
                        .with_url(url)
                        .with_retry(retry())
                        .build()
                        .map_err(fail)?,
                ),
                "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, AWS_REGION",
            ),
            "gs" => (
                Arc::new(
                    object_store::gcp::GoogleCloudStorageBuilder::from_env()
                        .with_url(url)
                        .with_retry(retry())
                        .build()
                        .map_err(fail)?,
                ),
                "GOOGLE_SERVICE_ACCOUNT or GOOGLE_APPLICATION_CREDENTIALS",
            ),
            _ => (
                Arc::new(
                    object_store::azure::MicrosoftAzureBuilder::from_env()
                        .with_url(url)
                        .with_retry(retry())
                        .build()
                        .map_err(fail)?,
                ),
                "AZURE_STORAGE_ACCOUNT_NAME, AZURE_STORAGE_ACCOUNT_KEY",
            ),
        };
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            store
        } else {
            let p = Key::parse(prefix).map_err(|e| bad(spec, e.to_string()))?;
            Arc::new(object_store::prefix::PrefixStore::new(store, p))
        };
        Ok(Target {
            name: spec.to_string(),
            store,
            attributes: true,
            credentials,
            folder: None,
        })
    }

    /// The error of `action` on this target.
    pub fn error(&self, action: impl Into<String>, e: object_store::Error) -> Error {
        match e {
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => Error::Unauthorised {
                target: self.name.clone(),
                hint: self.credentials,
                source: e,
            },
            e => Error::Store {
                target: self.name.clone(),
                action: action.into(),
                source: e,
            },
        }
    }

    /// Runs `op` until it succeeds, up to three times: the store already retried what it
    /// knows to be passing; a connection that keeps failing gets two more chances, spaced.
    async fn again<T, F, Fut>(&self, action: &str, key: &str, op: F) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = object_store::Result<T>>,
    {
        let mut wait = Duration::from_millis(300);
        let mut tries = 0;
        loop {
            tries += 1;
            match op().await {
                Ok(v) => return Ok(v),
                Err(object_store::Error::Generic { .. }) if tries < 3 => {
                    tokio::time::sleep(wait).await;
                    wait *= 3;
                }
                Err(e) => return Err(self.error(format!("{action} {key}"), e)),
            }
        }
    }

    /// The bytes of `key`, or `None` when there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, Error> {
        let k = key_of(key);
        let r = self
            .again("reading", key, || async {
                match self.store.get(&k).await {
                    Ok(g) => g.bytes().await.map(Some),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?;
        Ok(r)
    }

    /// Whether `key` exists.
    pub async fn exists(&self, key: &str) -> Result<bool, Error> {
        let k = key_of(key);
        self.again("checking", key, || async {
            match self.store.head(&k).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// Writes `bytes` at `key` in one step (a reader sees the old object or the new one),
    /// with the headers of `meta` on object storage.
    pub async fn put(&self, key: &str, bytes: Bytes, meta: &ObjectMeta) -> Result<(), Error> {
        let k = key_of(key);
        let mut attributes = Attributes::new();
        if self.attributes {
            attributes.insert(Attribute::ContentType, meta.content_type.clone().into());
            attributes.insert(Attribute::CacheControl, meta.cache_control.clone().into());
            if let Some(enc) = &meta.content_encoding {
                attributes.insert(Attribute::ContentEncoding, enc.clone().into());
            }
        }
        self.again("writing", key, || {
            let opts = PutOptions {
                attributes: attributes.clone(),
                ..PutOptions::default()
            };
            self.store
                .put_opts(&k, PutPayload::from(bytes.clone()), opts)
        })
        .await?;
        Ok(())
    }

    /// Copies `from` to `to` on the store's side.
    pub async fn copy(&self, from: &str, to: &str) -> Result<(), Error> {
        let (f, t) = (key_of(from), key_of(to));
        self.again("copying", from, || self.store.copy(&f, &t))
            .await
    }

    /// Deletes `key`; one already gone is no error.
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        let k = key_of(key);
        self.again("deleting", key, || async {
            match self.store.delete(&k).await {
                Err(object_store::Error::NotFound { .. }) => Ok(()),
                r => r,
            }
        })
        .await
    }

    /// Removes what a killed process left of its writes beside `keys` in a folder target:
    /// each write goes to `<name>#<n>` first, then is renamed over `<name>`.
    pub fn clean_staged<'a>(&self, keys: impl Iterator<Item = &'a str>) {
        let Some(root) = &self.folder else { return };
        let mut dirs: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
        for k in keys {
            let path = root.join(k);
            if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
                let names = dirs.entry(dir.to_path_buf()).or_default();
                names.insert(name.to_string_lossy().into_owned());
            }
        }
        for (dir, names) in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let staged = name.rsplit_once('#').is_some_and(|(base, n)| {
                    !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && names.contains(base)
                });
                if staged {
                    // Not removing one only leaves a file no one reads.
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }

    /// The keys under `prefix` (`None`: all), at most `limit` of them.
    pub async fn list(&self, prefix: Option<&str>, limit: usize) -> Result<Vec<String>, Error> {
        let p = prefix.map(key_of);
        let mut keys = Vec::new();
        let mut stream = self.store.list(p.as_ref());
        while keys.len() < limit {
            match stream.try_next().await {
                Ok(Some(m)) => keys.push(m.location.to_string()),
                Ok(None) => break,
                Err(e) => return Err(self.error("listing", e)),
            }
        }
        Ok(keys)
    }
}

/// The object key of a path already checked to be one (see `manifest::bad_path`).
fn key_of(path: &str) -> Key {
    Key::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_with_dotdot_or_an_unknown_scheme_are_refused() {
        for t in [
            "../site",
            "/srv/www/../etc",
            "s3://bucket/a/../b",
            "file:///x/..",
        ] {
            let e = Target::open(t, false).unwrap_err().to_string();
            assert!(e.contains("`..`"), "{t}: {e}");
        }
        let e = Target::open("ftp://host/x", false).unwrap_err().to_string();
        assert!(e.contains("unknown scheme"), "{e}");
        assert!(Target::open("s3:///x", false).is_err());
        if std::env::var_os("AZURE_STORAGE_ACCOUNT_NAME").is_none() {
            let e = Target::open("az://container/x", false)
                .unwrap_err()
                .to_string();
            assert!(e.contains("AZURE_STORAGE_"), "{e}");
        }
    }

    #[tokio::test]
    async fn a_failing_operation_is_tried_again_three_times_at_most() {
        let dir = tempfile::tempdir().unwrap();
        let t = Target::open(dir.path().to_str().unwrap(), true).unwrap();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let flaky = |fail_times: usize| {
            let calls = &calls;
            move || {
                let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    if n < fail_times {
                        Err(object_store::Error::Generic {
                            store: "test",
                            source: "connection reset".into(),
                        })
                    } else {
                        Ok(n)
                    }
                }
            }
        };
        assert_eq!(t.again("writing", "k", flaky(2)).await.unwrap(), 2);
        calls.store(0, std::sync::atomic::Ordering::SeqCst);
        let e = t.again("writing", "k", flaky(3)).await.unwrap_err();
        assert!(e.to_string().contains("writing k failed"), "{e}");
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_folder_target_writes_copies_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let t = Target::open(dir.path().join("t").to_str().unwrap(), true).unwrap();
        let meta = crate::meta::object_meta("a/b.txt", "text/plain", None);
        t.put("a/b.txt", Bytes::from_static(b"hi"), &meta)
            .await
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("t/a/b.txt")).unwrap(), b"hi");
        t.copy("a/b.txt", "_blobs/x").await.unwrap();
        t.put("a/b.txt", Bytes::from_static(b"new"), &meta)
            .await
            .unwrap();
        assert_eq!(t.get("_blobs/x").await.unwrap().unwrap().as_ref(), b"hi");
        t.delete("a/b.txt").await.unwrap();
        t.delete("a/b.txt").await.unwrap();
        assert!(!t.exists("a/b.txt").await.unwrap());
        assert_eq!(t.list(None, 10).await.unwrap(), ["_blobs/x"]);
    }
}
