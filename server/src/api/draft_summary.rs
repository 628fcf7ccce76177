//! The lists of drafts with what a list shows of each (title, kind, language, date, deleted,
//! published), so a client lists a site's drafts with one call: the texts are read from the
//! store in one pass ([`cms_core::store::Store::drafts_with_text`]) and summarized by the
//! loader's own front matter parser ([`cms_core::SiteSummaries`]); `published` is whether the
//! page is in the site's live build, as the read API lists it.

use std::collections::HashMap;
use std::sync::Arc;

use cms_core::store::DraftText;
use cms_core::{Network, SiteSummaries};

use super::read_index::SiteIndex;
use super::DraftView;
use crate::State;

/// The views of `list`, summarized against the live `network` (without one, from the front
/// matter alone). Runs on the blocking pool, beside the reads.
pub fn summarized(network: Option<&Network>, list: Vec<DraftText>) -> Vec<DraftView> {
    // The section tree of each site is linked once for all its drafts.
    let mut sites: HashMap<String, SiteSummaries<'_>> = HashMap::new();
    let mut views = Vec::with_capacity(list.len());
    for DraftText {
        draft,
        text,
        deleted,
    } in list
    {
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
