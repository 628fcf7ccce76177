//! Loading a content repository into a validated [`Network`], in stages: read
//! `network.toml`, sort the files ([`site_files`](crate::site_files)), read each site's
//! configuration, parse every Markdown file (in parallel, through the
//! [`LoadCache`] when there is one), then assemble each site ([`assemble`](crate::assemble)).

use chrono::NaiveDateTime;
use rayon::prelude::*;

use crate::assemble::{assemble_site, Shared};
use crate::config::{parse_network, NetworkConfig};
use crate::decode::read_text;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::Error;
use crate::load_cache::{parse_markdown, LoadCache};
use crate::markdown_file::{Meta, Parsed, Place};
use crate::model::{Network, Site};
use crate::reference::PageNames;
use crate::schedule::{build_now, vietnam_time, Scheduled};
use crate::site_files::{read_site_configs, sort_files, SiteInput};
use crate::source::{list_files, Listing, Source, SourceFile};

/// Loads and validates the network in `source`. Every problem is reported, not only the first.
pub fn load(source: &Source) -> Result<Network, Error> {
    load_cached(source, None)
}

/// [`load`], reusing the files parsed by the previous load through `cache` when their bytes
/// did not change.
pub fn load_cached(source: &Source, cache: Option<&LoadCache>) -> Result<Network, Error> {
    load_cached_at(source, cache, default_now())
}

/// [`load_cached`], with the pages outside their publishing window at `now` (Vietnam time)
/// left out.
pub fn load_cached_at(
    source: &Source,
    cache: Option<&LoadCache>,
    now: NaiveDateTime,
) -> Result<Network, Error> {
    let mut warnings = Vec::new();
    let files = list_files(source, &mut warnings).map_err(Error::Source)?;
    let listing = Listing {
        source: source.clone(),
        files,
        warnings,
    };
    load_listed_at(listing, cache, now)
}

/// [`load_cached`] of the files `listing` holds (see [`crate::list`]).
pub fn load_listed(listing: Listing, cache: Option<&LoadCache>) -> Result<Network, Error> {
    load_listed_at(listing, cache, default_now())
}

/// The "now" of a load that is not given one: [`build_now`]; when `SOURCE_DATE_EPOCH` is
/// unreadable, the clock (the binary reports the bad variable itself).
fn default_now() -> NaiveDateTime {
    build_now().unwrap_or_else(|_| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        vietnam_time(secs).unwrap_or_default()
    })
}

/// [`load_listed`] at `now` (Vietnam time): the pages outside their publishing window
/// (`publish_at`, `unpublish_at`) are validated, then left out like drafts.
pub fn load_listed_at(
    listing: Listing,
    cache: Option<&LoadCache>,
    now: NaiveDateTime,
) -> Result<Network, Error> {
    let Listing {
        source,
        files,
        mut warnings,
    } = listing;
    let root = source.display_root();
    let mut diags = Diagnostics::default();
    let network = load_files(files, &mut diags, &mut warnings, cache, now);
    let under = |d: Diagnostic| d.under(&root);
    match network {
        Some(mut n) if !diags.has_errors() => {
            let mut w = Diagnostics(warnings.into_iter().map(under).collect());
            w.sort();
            n.warnings = w.0;
            n.display_root = root;
            Ok(n)
        }
        _ => {
            let mut all = Diagnostics(diags.0.into_iter().chain(warnings).map(under).collect());
            all.sort();
            Err(Error::Invalid(all))
        }
    }
}

/// Every stage of a load, each taking what the one before returned. Problems go to `diags`
/// (errors) and `warnings`; `None` when the network cannot even be read.
fn load_files(
    files: Vec<SourceFile>,
    diags: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
    cache: Option<&LoadCache>,
    now: NaiveDateTime,
) -> Option<Network> {
    let config = read_network(&files).map_err(|d| diags.push(d)).ok()?;
    let sorted = sort_files(files, diags, warnings);
    let sites = read_site_configs(sorted.sites, &config, diags);
    let parsed = parse_sites(&sites, &config.default_language, cache, diags);
    let scheduled = scheduled_pages(&parsed);
    let ids = sites.iter().map(|s| s.files.id.as_str());
    let pages = PageNames::of_parsed(ids.zip(parsed.iter().map(Vec::as_slice)), now);
    let shared = Shared {
        config: &config,
        schemas: &sorted.schemas,
        now,
        pages: &pages,
    };
    let sites = assemble_sites(&shared, sites, parsed, diags);
    Some(Network {
        config,
        sites,
        schemas: sorted.schemas,
        scheduled,
        now,
        warnings: Vec::new(),
        display_root: String::new(),
    })
}

/// Every page (drafts aside) that has a publishing window, visible now or not, by file.
fn scheduled_pages(parsed: &[Vec<Parsed>]) -> Vec<Scheduled> {
    let mut out: Vec<Scheduled> = parsed
        .iter()
        .flatten()
        .filter_map(|p| match &p.meta {
            Meta::Page(m) if !m.draft && (m.publish_at.is_some() || m.unpublish_at.is_some()) => {
                Some(Scheduled {
                    file: p.file.clone(),
                    publish_at: m.publish_at,
                    unpublish_at: m.unpublish_at,
                })
            }
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

/// Reads `network.toml`, which must be there.
fn read_network(files: &[SourceFile]) -> Result<NetworkConfig, Diagnostic> {
    let Some(net_file) = files.iter().find(|f| f.rel == "network.toml") else {
        return Err(Diagnostic::error("network.toml", 0, 0, "not found")
            .with_hint("the content folder must hold network.toml; pass --content DIR"));
    };
    read_text(net_file).and_then(|t| parse_network(&net_file.rel, &t))
}

/// The front matter of every Markdown file of every site, parsed in parallel: the files of
/// each site, in its order. Files with problems are reported and left out.
fn parse_sites(
    sites: &[SiteInput],
    default: &str,
    cache: Option<&LoadCache>,
    diags: &mut Diagnostics,
) -> Vec<Vec<Parsed>> {
    let jobs: Vec<(&SourceFile, Place<'_>)> = sites
        .iter()
        .enumerate()
        .flat_map(|(site, s)| {
            s.files.markdown.iter().map(move |(rel, f)| {
                let place = Place {
                    site,
                    rel,
                    file: &f.rel,
                    languages: &s.languages,
                    default,
                };
                (f, place)
            })
        })
        .collect();
    let round = cache.map(LoadCache::round);
    let results: Vec<Result<Parsed, Vec<Diagnostic>>> = jobs
        .par_iter()
        .map(|(f, at)| parse_markdown(f, at, round.as_ref()))
        .collect();
    if let Some(r) = round {
        r.finish();
    }
    let mut by_site: Vec<Vec<Parsed>> = (0..sites.len()).map(|_| Vec::new()).collect();
    for r in results {
        match r {
            Ok(p) => by_site[p.site].push(p),
            Err(ds) => diags.extend(ds),
        }
    }
    by_site
}

/// Assembles each site on its own, in parallel; their messages in the order of the sites.
/// The sites come out the portal first, then by id.
fn assemble_sites(
    shared: &Shared<'_>,
    sites: Vec<SiteInput>,
    parsed: Vec<Vec<Parsed>>,
    diags: &mut Diagnostics,
) -> Vec<Site> {
    let assembled: Vec<(Option<Site>, Diagnostics)> = sites
        .into_par_iter()
        .zip(parsed)
        .map(|(site, parsed)| assemble_site(shared, site, parsed))
        .collect();
    let mut out = Vec::new();
    for (site, d) in assembled {
        diags.extend(d.0);
        out.extend(site);
    }
    out.sort_by(|a, b| (!a.is_portal, &a.id).cmp(&(!b.is_portal, &b.id)));
    out
}
