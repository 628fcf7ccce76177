//! The hosting description of a build, from the network and the files it wrote.

use std::collections::BTreeMap;

use cms_core::{Network, Site};

use super::{
    content_security_policy, security_headers, CacheRule, FileClass, Hosting, Redirect,
    SiteHosting, UPSTREAM,
};
use crate::output::ManifestEntry;

/// The hosting rules of the `selected` sites of `network`, whose output is `entries`;
/// `inline_css` gives each site's stylesheet as standalone copies inline it.
pub fn describe(
    network: &Network,
    selected: &[usize],
    entries: &[ManifestEntry],
    inline_css: &dyn Fn(usize) -> Option<String>,
) -> Hosting {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.encoding.is_none()) {
        let name = e.path.rsplit('/').next().unwrap_or(&e.path);
        if let Some((_, ext)) = name.rsplit_once('.') {
            types
                .entry(ext.to_ascii_lowercase())
                .or_insert_with(|| e.mime.clone());
        }
    }
    Hosting {
        version: 1,
        upstream: UPSTREAM.to_string(),
        cache: [
            FileClass::Fingerprinted,
            FileClass::Revalidated,
            FileClass::Static,
        ]
        .into_iter()
        .map(|class| CacheRule {
            class,
            cache_control: class.cache_control().to_string(),
        })
        .collect(),
        types: types.into_iter().collect(),
        sites: selected
            .iter()
            .map(|&i| site_hosting(&network.sites[i], inline_css(i)))
            .collect(),
    }
}

/// The rules of one site.
fn site_hosting(site: &Site, inline_css: Option<String>) -> SiteHosting {
    let domain = &site.config.domain;
    let mut redirects: Vec<Redirect> = site
        .pages
        .iter()
        .flat_map(|p| {
            p.meta.aliases.iter().map(|a| Redirect {
                from: alias_path(a),
                to: p.path.clone(),
                status: 301,
            })
        })
        .collect();
    redirects.sort_by(|a, b| a.from.cmp(&b.from));
    redirects.dedup_by(|a, b| a.from == b.from);
    let hashes: Vec<String> = inline_css.iter().map(|css| style_hash(css)).collect();
    SiteHosting {
        id: site.id.clone(),
        domain: domain.clone(),
        aliases: site.config.aliases.clone(),
        root: format!("sites/{domain}"),
        not_found: "/404.html".to_string(),
        dynamic: dynamic_paths(site),
        redirects,
        headers: security_headers(&content_security_policy(&hashes)),
    }
}

/// The URL path of a page alias, as [`crate::render`] writes its page: `x.html` as it is, any
/// other path as a folder (`/x/`).
fn alias_path(alias: &str) -> String {
    let a = alias.trim_start_matches('/');
    if a.ends_with(".html") {
        format!("/{a}")
    } else {
        format!("/{}/", a.trim_end_matches('/'))
    }
}

/// The paths `cms serve` answers on a site: its search page in each language (with and
/// without the final slash) and the search API.
fn dynamic_paths(site: &Site) -> Vec<String> {
    let mut paths = vec!["/api/search".to_string()];
    for (i, lang) in site.languages.iter().enumerate() {
        let base = if i == 0 {
            String::new()
        } else {
            format!("/{lang}")
        };
        paths.push(format!("{base}/search"));
        paths.push(format!("{base}/search/"));
    }
    paths.sort();
    paths
}

/// The CSP hash source of an inline `<style>` holding `css` as written by
/// [`crate::assets::standalone`]: SHA-256, base64.
fn style_hash(css: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let text = crate::assets::inline_style_text(css);
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths_are_as_their_pages_are_written() {
        assert_eq!(alias_path("tin-cu/bai"), "/tin-cu/bai/");
        assert_eq!(alias_path("/tin-cu/bai/"), "/tin-cu/bai/");
        assert_eq!(alias_path("cu.html"), "/cu.html");
    }

    #[test]
    fn the_style_hash_is_that_of_the_inline_text() {
        // echo -n 'a{}' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            style_hash("a{}"),
            "X1RutGBrXCt9KkSaXMK7tHftWiRscFHOhxsS8tv8hBk="
        );
    }
}
