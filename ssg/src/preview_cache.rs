//! The web editor's live preview on a large network, kept fast: what every preview of a
//! page of one live network shares is made once and kept in a [`PreviewCache`] (the link
//! index of the whole network, and per site its compiled templates and the data every page
//! of the site is rendered with), and each keystroke renders only the edited page, against
//! the unchanged network, without copying it.
//!
//! Trade-off: the edited page is rendered as [`crate::preview_page`] renders it, but what
//! the rest of its site shows of it is not made again: a site's menus and partials, the
//! summaries of other pages, the lists (section, taxonomy and home pages, whose titles and
//! dates the edit may change) and the link targets of other pages are the live build's. None
//! of them is part of the page's own HTML; only the page's own links, translations,
//! taxonomy terms, images and summary come from the edit (a page the edit adds, or moves to
//! another path, is added to the link index for its own preview).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use cms_core::{Diagnostic, Diagnostics, Network, Page, Site};
use serde_json::Value;

use crate::build_cache::KeyHasher;
use crate::context::SiteData;
use crate::error::Error;
use crate::images::Images;
use crate::lazy_markdown::{LazyMd, MdEnv};
use crate::links::LinkIndex;
use crate::partials::Partials;
use crate::pipeline::{prepare_sites, BuildOptions, Laps};
use crate::prepare::{SiteInputs, Templates};
use crate::preview::{render_in_memory, PagePreview};
use crate::theme::Theme;

/// What the previews of the pages of one network with one theme share. Made for a live
/// network and dropped with it: a new build that goes live gets a new one, so nothing of an
/// older network (templates, link targets) is ever served.
pub struct PreviewCache {
    network: Arc<Network>,
    theme: Arc<Theme>,
    links: LinkIndex,
    links_key: u64,
    /// By site index: whether it keeps raw HTML (see `pipeline::md_env`).
    raw_html: Vec<bool>,
    network_views: HashMap<String, Value>,
    /// Each site's share, by site index, made by the first preview of one of its pages.
    sites: Mutex<HashMap<usize, Arc<SiteShare>>>,
}

impl std::fmt::Debug for PreviewCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sites = self.sites.lock().map(|s| s.len()).unwrap_or_default();
        f.debug_struct("PreviewCache")
            .field("pages", &self.network.page_count())
            .field("theme", &self.theme.name)
            .field("sites_prepared", &sites)
            .finish()
    }
}

/// What every page of a site is rendered with, as the live build has it.
struct SiteShare {
    templates: Templates,
    site_views: HashMap<String, Value>,
    partials: HashMap<String, Partials>,
    fingerprinted: BTreeMap<String, String>,
    inline_css: String,
    base_keys: HashMap<String, u64>,
    template_keys: HashMap<String, u64>,
    translations: HashMap<String, Vec<(String, String)>>,
}

impl PreviewCache {
    /// The cache of `network` with `theme`: indexes the network's links now (the sites'
    /// data is made when a page of the site is first previewed).
    pub fn new(network: Arc<Network>, theme: Arc<Theme>) -> PreviewCache {
        let links = LinkIndex::new(&network);
        let raw_html = network
            .sites
            .iter()
            .map(|s| network.config.allows_raw_html(&s.id))
            .collect();
        PreviewCache {
            raw_html,
            links_key: links.fingerprint(),
            network_views: crate::prepare::network_views(&network),
            links,
            network,
            theme,
            sites: Mutex::new(HashMap::new()),
        }
    }

    /// Whether this is the cache of `network` with `theme` (the same values, not equal ones).
    pub fn is_for(&self, network: &Arc<Network>, theme: &Arc<Theme>) -> bool {
        Arc::ptr_eq(&self.network, network) && Arc::ptr_eq(&self.theme, theme)
    }

    /// The network the previews render against.
    pub fn network(&self) -> &Arc<Network> {
        &self.network
    }

    /// What rendering Markdown reads (as `pipeline::md_env` makes it, with the link index's
    /// fingerprint made once).
    fn env<'a>(&'a self, links: &'a LinkIndex, links_key: u64, images: &'a Images) -> MdEnv<'a> {
        MdEnv {
            links,
            links_key,
            markdown_cache: None,
            root: &self.network.display_root,
            images: Some(images),
            raw_html: self.raw_html.clone(),
        }
    }

    /// The options of a preview: nothing is written, the date is the network's.
    fn options(&self) -> BuildOptions<'_> {
        BuildOptions::in_memory(&self.theme, self.network.now.date())
    }

    /// Renders `page` (as [`cms_core::checked_page`] makes it from the editor's text) in its
    /// site's theme: the same HTML as [`crate::preview_page`] of the network with the page in
    /// place of its published version (see the module's doc for what is not made again).
    pub fn preview(&self, page: Page) -> Result<PagePreview, Error> {
        let mut laps = Laps::start();
        let network = &*self.network;
        let site_id = page
            .file
            .strip_prefix("sites/")
            .and_then(|r| r.split_once('/'))
            .map(|(id, _)| id);
        let Some(s) = site_id.and_then(|id| network.sites.iter().position(|x| x.id == id)) else {
            return Ok(PagePreview {
                problems: vec![Diagnostic::error(
                    &page.file,
                    0,
                    0,
                    "no such page to preview",
                )],
                ..PagePreview::default()
            });
        };
        let share = self.site(s)?;
        laps.lap("site data (kept)");
        let base = &network.sites[s];
        let moved = self.links.with_page(network, s, &page.rel, &page.path);
        let (links, links_key) = match &moved {
            Some(l) => (l, l.fingerprint()),
            None => (&self.links, self.links_key),
        };
        let mut diags = Diagnostics::default();
        let images = Images::probe_page(network, s, &page, &mut diags);
        let env = self.env(links, links_key, &images);
        page_checks(
            network,
            (s, base),
            &page,
            &share,
            &self.theme.name,
            &mut diags,
        );
        if diags.has_errors() {
            diags.sort();
            return Ok(PagePreview {
                problems: diags.0,
                timings: laps.timings,
                ..PagePreview::default()
            });
        }
        let site = one_page_site(base, page);
        let data = site_data(network, &site, s, &share, &env, &images);
        laps.lap("page data");
        let inputs = SiteInputs {
            datas: HashMap::from([(s, data)]),
            network_views: self.network_views.clone(),
            network_news: Vec::new(),
            template_keys: HashMap::from([(s, share.template_keys.clone())]),
        };
        let opts = self.options();
        render_in_memory(
            network,
            &opts,
            &inputs,
            &share.templates,
            &env,
            (s, 0),
            diags.0,
            laps,
        )
    }

    /// How many sites are prepared (by a preview of one of their pages, or by [`Self::warm`]).
    pub fn prepared_sites(&self) -> usize {
        self.sites.lock().map(|s| s.len()).unwrap_or_default()
    }

    /// Prepares every site now, so that no editor's first preview after a build goes live
    /// waits for it (tens of milliseconds a site at 20,000 pages).
    pub fn warm(&self) -> Result<(), Error> {
        (0..self.network.sites.len()).try_for_each(|s| self.site(s).map(drop))
    }

    /// The share of site `s`, made now if no preview made it before.
    fn site(&self, s: usize) -> Result<Arc<SiteShare>, Error> {
        let kept = self
            .sites
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&s)
            .cloned();
        if let Some(share) = kept {
            return Ok(share);
        }
        // Made outside the lock: two first previews of a site may both make it (the same).
        let share = Arc::new(self.make_site(s)?);
        self.sites
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(s, share.clone());
        Ok(share)
    }

    /// Prepares site `s` as a build does (the same stages), and keeps what does not change
    /// with the edited page.
    fn make_site(&self, s: usize) -> Result<SiteShare, Error> {
        let network = &*self.network;
        let opts = self.options();
        // No image is probed: the summaries made here are not kept.
        let images = Images::default();
        let env = self.env(&self.links, self.links_key, &images);
        let mut laps = Laps::start();
        let mut diags = Diagnostics::default();
        let (templates, mut inputs) =
            prepare_sites(network, &opts, &[s], &env, false, &mut laps, &mut diags)?;
        let Some(d) = inputs.datas.remove(&s) else {
            return Err(Error::Content(Diagnostics(vec![Diagnostic::error(
                &network.sites[s].id,
                0,
                0,
                "the site was not prepared",
            )])));
        };
        Ok(SiteShare {
            site_views: d.site_views,
            partials: d.partials,
            fingerprinted: d.fingerprinted,
            inline_css: d.inline_css,
            base_keys: d.base_keys,
            template_keys: inputs.template_keys.remove(&s).unwrap_or_default(),
            translations: d.translations,
            templates,
        })
    }
}

/// The checks of the whole site a build makes ([`crate::checks`]), of the edited page alone:
/// its template exists; the translations its kind requires exist.
fn page_checks(
    network: &Network,
    (s, base): (usize, &Site),
    page: &Page,
    share: &SiteShare,
    theme: &str,
    diags: &mut Diagnostics,
) {
    let tera = share.templates.of(s);
    diags.extend(crate::checks::missing_page_template(
        network, base, page, tera, theme,
    ));
    let have = |key: &str, lang: &str| {
        (page.translation_key == key && page.lang == lang)
            || base
                .pages
                .iter()
                .any(|q| q.file != page.file && q.translation_key == key && q.lang == lang)
    };
    crate::checks::missing_translations_of(network, base, page, &have, diags);
}

/// `base` with `page` as its only page: what rendering the page reads of its site (its
/// settings, languages, sections), without copying the site's other pages. The sections'
/// page lists are emptied, as they index the site's pages.
fn one_page_site(base: &Site, page: Page) -> Site {
    Site {
        id: base.id.clone(),
        config: base.config.clone(),
        is_portal: base.is_portal,
        languages: base.languages.clone(),
        sections: base
            .sections
            .iter()
            .map(|c| cms_core::Section {
                pages: Vec::new(),
                ..c.clone()
            })
            .collect(),
        pages: vec![page],
        static_files: Vec::new(),
        templates: base.templates.clone(),
    }
}

/// The data of `site` (the edited page alone, of the site of index `s`) for its rendering:
/// the site's kept share, and what comes from the page (its Markdown, summary, images,
/// taxonomy terms and translations).
fn site_data<'a>(
    network: &'a Network,
    site: &'a Site,
    s: usize,
    share: &SiteShare,
    env: &MdEnv<'_>,
    images: &Images,
) -> SiteData<'a> {
    let page = &site.pages[0];
    let summary = crate::prepare::summary(network, site, s, page, Some(images));
    let key = page.translation_key.clone();
    // The live version of the page is left out: the edit may move it.
    let live = network.sites[s].pages.iter().find(|q| q.file == page.file);
    let mut translations: Vec<(String, String)> = share
        .translations
        .get(&key)
        .into_iter()
        .flatten()
        .filter(|(lang, path)| !live.is_some_and(|q| &q.lang == lang && &q.path == path))
        .cloned()
        .collect();
    translations.push((page.lang.clone(), page.path.clone()));
    translations.sort();
    SiteData {
        site_idx: s,
        site,
        pages_md: vec![LazyMd::new(
            env,
            s,
            &page.body,
            &page.path,
            &page.lang,
            &page.file,
            page.body_line,
        )],
        sections_md: Vec::new(),
        summary_keys: vec![KeyHasher::new().json(&summary).finish()],
        summaries: vec![summary],
        site_views: share.site_views.clone(),
        taxonomies: crate::lists::taxonomies(network, site),
        translations: HashMap::from([(key, translations)]),
        partials: share.partials.clone(),
        facets: HashMap::new(),
        inline_css: share.inline_css.clone(),
        fingerprinted: share.fingerprinted.clone(),
        base_keys: share.base_keys.clone(),
        image_urls: images.urls(s, site),
    }
}
