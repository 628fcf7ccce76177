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
use std::sync::Arc;

use quick_cache::sync::Cache;

use cms_core::store::{Draft, DraftText, Store, StoreError};
use cms_core::{Network, SiteSummaries};

use super::read_index::SiteIndex;
use super::DraftView;
use crate::State;

/// Texts kept at most (drafts are few; this bounds memory): quick_cache keeps the ones
/// listed again and lets the others go.
const MAX_TEXTS: usize = 4096;

/// Draft texts by head commit and page: a commit never changes, so a text read once stands
/// until the draft moves, and a list of drafts reads from git only the drafts changed since.
pub struct DraftTexts(Cache<(String, String), DraftText>);

impl Default for DraftTexts {
    fn default() -> Self {
        DraftTexts(Cache::new(MAX_TEXTS))
    }
}

impl std::fmt::Debug for DraftTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftTexts")
            .field("kept", &self.0.len())
            .finish()
    }
}

impl DraftTexts {
    /// The text of each of `drafts`, from the cache or read from `store` (all the missing
    /// ones in one pass).
    pub fn of(&self, store: &Store, drafts: &[Draft]) -> Result<Vec<DraftText>, StoreError> {
        let key = |d: &Draft| (d.head.clone(), format!("{}/{}", d.page.site, d.page.path));
        let mut texts: Vec<Option<DraftText>> =
            drafts.iter().map(|d| self.0.get(&key(d))).collect();
        let missing: Vec<&Draft> = drafts
            .iter()
            .zip(&texts)
            .filter(|(_, t)| t.is_none())
            .map(|(d, _)| d)
            .collect();
        let mut read = store.draft_texts(&missing)?.into_iter();
        for (d, slot) in drafts.iter().zip(&mut texts) {
            if slot.is_none() {
                let text = read.next().unwrap_or(DraftText {
                    text: None,
                    deleted: false,
                });
                self.0.insert(key(d), text.clone());
                *slot = Some(text);
            }
        }
        Ok(texts.into_iter().flatten().collect())
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
