//! Lists built from all of a site's pages, or all of the network's: taxonomy terms with their
//! pages, and the agencies' newest news for the portal.

use std::collections::BTreeMap;

use cms_core::Network;
use serde_json::Value;

use crate::context::{self, lang_prefix, Taxonomy, Term};
use crate::cx::HOME_ITEMS;

pub(crate) fn taxonomies(network: &Network, site: &cms_core::Site) -> Vec<Taxonomy> {
    let mut out = Vec::new();
    for lang in &site.languages {
        for tax in &network.config.taxonomies {
            let prefix = lang_prefix(network, lang);
            let path = format!("{prefix}/{}/", cms_core::slugify(tax));
            let mut terms: BTreeMap<String, Term> = BTreeMap::new();
            for (i, p) in site.pages.iter().enumerate() {
                if &p.lang != lang {
                    continue;
                }
                for name in p.meta.taxonomies.get(tax).into_iter().flatten() {
                    let slug = cms_core::slugify(name);
                    if slug.is_empty() {
                        continue;
                    }
                    let t = terms.entry(slug.clone()).or_insert_with(|| Term {
                        name: name.clone(),
                        path: format!("{path}{slug}/"),
                        pages: Vec::new(),
                    });
                    if !t.pages.contains(&i) {
                        t.pages.push(i);
                    }
                }
            }
            if terms.is_empty() {
                continue;
            }
            for t in terms.values_mut() {
                t.pages.sort_by(|&a, &b| {
                    site.pages[b]
                        .meta
                        .date
                        .cmp(&site.pages[a].meta.date)
                        .then_with(|| site.pages[a].path.cmp(&site.pages[b].path))
                });
            }
            out.push(Taxonomy {
                name: tax.clone(),
                lang: lang.clone(),
                path,
                terms,
            });
        }
    }
    out
}

/// The newest news of the agency sites, for the portal's home.
pub(crate) fn network_news(network: &Network) -> Vec<Value> {
    let mut all: Vec<(&cms_core::Site, &cms_core::Page)> = network
        .sites
        .iter()
        .filter(|s| !s.is_portal)
        .flat_map(|s| s.pages.iter().map(move |p| (s, p)))
        .filter(|(_, p)| {
            p.kind == "news" && p.lang == network.config.default_language && p.meta.date.is_some()
        })
        .collect();
    all.sort_by(|a, b| {
        b.1.meta
            .date
            .cmp(&a.1.meta.date)
            .then_with(|| (&a.0.id, &a.1.path).cmp(&(&b.0.id, &b.1.path)))
    });
    all.into_iter()
        .take(HOME_ITEMS)
        .map(|(s, p)| context::value(context::page_summary(network, s, p)))
        .collect()
}
