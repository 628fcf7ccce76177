//! The lists of drafts with what a list shows of each (title, kind, language, date, deleted,
//! published), so a client lists a site's drafts with one call: the texts are read from the
//! store in one pass ([`cms_core::store::Store::draft_texts`]) and kept by head commit
//! ([`DraftTexts`]), then summarized by the loader's own front matter parser
//! ([`cms_core::SiteSummaries`]); `published` is whether the page is in the site's live
//! build, as the read API lists it.

// The store's conflict error carries whole texts by design (the API answers 409 with them);
// errors are rare next to the work, so it is not boxed.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cms_core::store::{Draft, DraftText, Store, StoreError};
use cms_core::{Network, SiteSummaries};

use super::read_index::SiteIndex;
use super::DraftView;
use crate::State;

/// Texts kept at most; past it the cache starts again (drafts are few; this bounds memory).
const MAX_TEXTS: usize = 4096;

/// Draft texts by head commit and page: a commit never changes, so a text read once stands
/// until the draft moves, and a list of drafts reads from git only the drafts changed since.
#[derive(Debug, Default)]
pub struct DraftTexts(Mutex<HashMap<(String, String), DraftText>>);

impl DraftTexts {
    /// The text of each of `drafts`, from the cache or read from `store` (all the missing
    /// ones in one pass).
    pub fn of(&self, store: &Store, drafts: &[Draft]) -> Result<Vec<DraftText>, StoreError> {
        let key = |d: &Draft| (d.head.clone(), format!("{}/{}", d.page.site, d.page.path));
        let missing: Vec<&Draft> = {
            let known = self.0.lock().unwrap_or_else(|e| e.into_inner());
            drafts
                .iter()
                .filter(|d| !known.contains_key(&key(d)))
                .collect()
        };
        // Read outside the lock: git may take a while, other lists go on meanwhile.
        let read = store.draft_texts(&missing)?;
        let mut fresh: HashMap<_, _> = missing.into_iter().map(key).zip(read).collect();
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let texts = drafts
            .iter()
            .map(|d| {
                let k = key(d);
                match fresh.get(&k) {
                    Some(t) => t.clone(),
                    // Kept from before (a clear by another list meanwhile loses it for this
                    // answer only).
                    None => known.get(&k).cloned().unwrap_or(DraftText {
                        text: None,
                        deleted: false,
                    }),
                }
            })
            .collect();
        if known.len() + fresh.len() > MAX_TEXTS {
            known.clear();
        }
        known.extend(fresh.drain());
        Ok(texts)
    }
}

/// The views of `drafts` with their `texts` (in the same order), summarized against the live
/// `network` (without one, from the front matter alone). Runs on the blocking pool.
pub fn summarized(
    network: Option<&Network>,
    drafts: Vec<Draft>,
    texts: Vec<DraftText>,
) -> Vec<DraftView> {
    // The section tree of each site is linked once for all its drafts.
    let mut sites: HashMap<String, SiteSummaries<'_>> = HashMap::new();
    let mut views = Vec::with_capacity(drafts.len());
    for (draft, DraftText { text, deleted }) in drafts.into_iter().zip(texts) {
        let site = draft.page.site.clone();
        let path = draft.page.path.clone();
        let summaries = sites.entry(site).or_insert_with_key(|site| {
            network
                .and_then(|n| SiteSummaries::new(n, site))
                .unwrap_or_else(|| SiteSummaries::without_network(site))
        });
        let summary = summaries.summary(&path, text.as_deref().unwrap_or_default());
        let mut view = DraftView::from(draft);
        // A deletion of a page never published has no text: nothing to say but its file.
        if text.is_some() {
            view.title = summary.title;
            view.kind = summary.kind;
            view.date = summary.date;
            view.error = summary.error.map(|d| d.to_string());
        }
        view.lang = summary.lang;
        view.deleted = deleted;
        views.push(view);
    }
    views
}

/// `views` with `published` set: whether each page is in its site's live build. A site
/// without a readable build has nothing published.
pub fn mark_published(state: &State, mut views: Vec<DraftView>) -> Vec<DraftView> {
    let mut indexes: HashMap<String, Option<Arc<SiteIndex>>> = HashMap::new();
    for v in &mut views {
        let index = indexes
            .entry(v.site.clone())
            .or_insert_with_key(|site| live_index(state, site));
        v.published = index.as_ref().is_some_and(|i| i.item(&v.path).is_some());
    }
    views
}

/// The read index of `site`'s live build, if it has one.
fn live_index(state: &State, site: &str) -> Option<Arc<SiteIndex>> {
    let sites = state.sites();
    let root = &sites.get(site)?.root;
    state.read.site(root).ok()
}
