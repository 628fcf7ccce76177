//! The search index of the output, and the strings of the search pages, reopened when a new
//! build has replaced them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use search_index::SearchIndex;

/// How often the index's files are looked at for a new build.
const CHECK_EVERY: Duration = Duration::from_millis(500);

/// What identifies one build of the index: its meta.json's modification time and size.
type Stamp = Option<(SystemTime, u64)>;

/// The open index and `ui.json`, swapped whole when a build replaces them.
#[derive(Debug)]
pub struct IndexHandle {
    dir: PathBuf,
    loaded: RwLock<Option<Loaded>>,
    checked: Mutex<Option<Instant>>,
}

#[derive(Debug, Clone)]
struct Loaded {
    index: Arc<SearchIndex>,
    ui: Arc<Ui>,
    stamp: Stamp,
}

/// The strings of the search pages, from `search/ui.json` (the type the build writes it from).
pub use search_index::SearchUi as Ui;

impl IndexHandle {
    /// The index in `dir` (`public/search`), opened on first use.
    pub fn new(dir: PathBuf) -> IndexHandle {
        IndexHandle {
            dir,
            loaded: RwLock::new(None),
            checked: Mutex::new(None),
        }
    }

    fn stamp(&self) -> Stamp {
        let m = std::fs::metadata(self.dir.join("index/meta.json")).ok()?;
        Some((m.modified().ok()?, m.len()))
    }

    /// The current index and strings, reopened if a build replaced them.
    pub fn current(&self) -> Result<(Arc<SearchIndex>, Arc<Ui>), String> {
        let due = {
            let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
            let due = checked.is_none_or(|t| t.elapsed() >= CHECK_EVERY);
            if due {
                *checked = Some(Instant::now());
            }
            due
        };
        if due {
            let stamp = self.stamp();
            let stale = {
                let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
                l.as_ref().is_none_or(|l| l.stamp != stamp)
            };
            if stale {
                match self.open(stamp) {
                    Ok(l) => {
                        tracing::info!(
                            documents = l.index.len(),
                            version = l.index.version(),
                            "search index opened"
                        );
                        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Some(l);
                    }
                    Err(e) => {
                        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
                        if l.is_none() {
                            // Look again at the next request, not in half a second.
                            *self.checked.lock().unwrap_or_else(|e| e.into_inner()) = None;
                            return Err(e);
                        }
                        // Mid-swap or broken: keep serving the index we have.
                        tracing::warn!("search index not reopened: {e}");
                    }
                }
            }
        }
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        match l.as_ref() {
            Some(l) => Ok((l.index.clone(), l.ui.clone())),
            None => Err(format!("no search index in {}", self.dir.display())),
        }
    }

    fn open(&self, stamp: Stamp) -> Result<Loaded, String> {
        let index = SearchIndex::open(&self.dir.join("index")).map_err(|e| e.to_string())?;
        let ui_path = self.dir.join("ui.json");
        let ui = std::fs::read(&ui_path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Ui>(&b).ok())
            .unwrap_or_default();
        Ok(Loaded {
            index: Arc::new(index),
            ui: Arc::new(ui),
            stamp,
        })
    }
}
