//! Writing the host files of a build: `deploy/hosting.json`, and from it each site's
//! `_headers` and `_redirects` and nginx configuration, and `deploy/nginx/brotli.inc`.

use super::{describe, netlify, nginx, Hosting, HOSTING_FILE};
use crate::error::Error;
use crate::output::{ManifestEntry, Staging};

/// Writes the host files of the `selected` sites of `network`, whose output is `entries`
/// (sorted), and returns their entries; `inline_css` as [`describe`] takes it.
pub(crate) fn write_host_files(
    network: &cms_core::Network,
    selected: &[usize],
    entries: &[ManifestEntry],
    inline_css: &dyn Fn(usize) -> Option<String>,
    staging: &Staging,
) -> Result<(Hosting, Vec<ManifestEntry>), Error> {
    let h = describe(network, selected, entries, inline_css);
    let mut json = serde_json::to_vec_pretty(&h).map_err(|e| Error::Hosting {
        path: HOSTING_FILE.into(),
        source: e,
    })?;
    json.push(b'\n');
    let mut out = vec![
        staging.write(HOSTING_FILE, &json)?,
        staging.write(nginx::BROTLI_FILE, nginx::BROTLI_TEXT.as_bytes())?,
    ];
    for site in &h.sites {
        // The site's own files only: a long list for a big site, read once.
        let start = entries.partition_point(|e| e.path.as_str() < site.root.as_str());
        let end = entries.partition_point(|e| e.path.as_str() < format!("{}0", site.root).as_str());
        let own = &entries[start..end];
        out.push(staging.write(
            &format!("{}/_headers", site.root),
            netlify::headers_file(site, own).as_bytes(),
        )?);
        out.push(staging.write(
            &format!("{}/_redirects", site.root),
            netlify::redirects_file(site).as_bytes(),
        )?);
        out.push(staging.write(
            &nginx::conf_path(&site.domain),
            nginx::site_conf(&h, site).as_bytes(),
        )?);
    }
    Ok((h, out))
}
