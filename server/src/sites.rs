//! Which site a request is for, by its `Host`, from the build's `manifest.json`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;

/// One site of the output.
#[derive(Debug, Clone)]
pub struct Site {
    /// Its id (`mt`).
    pub id: String,
    /// Its domain (`mt.gov.vn`).
    pub domain: String,
    /// Its languages, the first the default.
    pub languages: Vec<String>,
    /// Whether it is the network's portal.
    pub portal: bool,
    /// Its folder in the output.
    pub root: PathBuf,
    /// Its other domains, which redirect to `domain`.
    pub aliases: Vec<String>,
    /// Its hosting rules (`deploy/hosting.json`; none in an output built before them).
    pub hosting: Option<ssg::hosting::SiteHosting>,
}

#[derive(Deserialize)]
struct Manifest {
    sites: Vec<ManifestSite>,
}

#[derive(Deserialize)]
struct ManifestSite {
    id: String,
    domain: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    portal: bool,
    root: String,
}

/// The sites, and every host name that reaches each.
#[derive(Debug, Clone, Default)]
pub struct Sites {
    /// In the manifest's order.
    pub list: Vec<Site>,
    by_host: HashMap<String, usize>,
    portal: Option<usize>,
}

impl Sites {
    /// Reads `out/manifest.json`.
    pub fn load(out: &Path) -> Result<Sites, Error> {
        let path = out.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| Error::Manifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let hosting = load_hosting(out)?;
        let mut sites = Sites::default();
        for (i, s) in m.sites.into_iter().enumerate() {
            let root = out.join(s.root.trim_end_matches('/'));
            if !crate::safe_join_ok(&s.root) {
                return Err(Error::Manifest {
                    path,
                    message: format!("site `{}` has a root outside the output: {}", s.id, s.root),
                });
            }
            for host in [
                s.domain.clone(),
                format!("{}.localhost", s.id),
                format!("{}.localhost", s.domain),
            ]
            .into_iter()
            .chain(s.aliases.iter().cloned())
            {
                sites.by_host.entry(host.to_ascii_lowercase()).or_insert(i);
            }
            if s.portal && sites.portal.is_none() {
                sites.portal = Some(i);
            }
            let rules = hosting
                .as_ref()
                .and_then(|h| h.sites.iter().find(|x| x.id == s.id).cloned());
            sites.list.push(Site {
                id: s.id,
                domain: s.domain,
                languages: s.languages,
                portal: s.portal,
                root,
                aliases: s.aliases,
                hosting: rules,
            });
        }
        if sites.portal.is_none() && !sites.list.is_empty() {
            sites.portal = Some(0);
        }
        Ok(sites)
    }

    /// The site a `Host` header names: a domain, an alias, `<id>.localhost`, or (the portal)
    /// `localhost` and `127.0.0.1`. The port is ignored.
    pub fn resolve(&self, host: &str) -> Option<&Site> {
        let name = host_name(host);
        if let Some(&i) = self.by_host.get(&name) {
            return self.list.get(i);
        }
        if matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1") {
            return self.portal.and_then(|i| self.list.get(i));
        }
        None
    }

    /// A site by id.
    pub fn get(&self, id: &str) -> Option<&Site> {
        self.list.iter().find(|s| s.id == id)
    }
}

/// The hosting rules of the build in `out`, if it has them.
fn load_hosting(out: &Path) -> Result<Option<ssg::hosting::Hosting>, Error> {
    let path = out.join(ssg::hosting::HOSTING_FILE);
    match std::fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io { path, source }),
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Manifest {
                path,
                message: e.to_string(),
            }),
    }
}

/// The host name of a `Host` header: lowercase, without the port or a final dot.
pub fn host_name(host: &str) -> String {
    let h = host.trim().to_ascii_lowercase();
    let h = if h.starts_with('[') {
        // [::1]:8080
        h.split_once(']').map(|(a, _)| format!("{a}]")).unwrap_or(h)
    } else {
        h.rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map(|(a, _)| a.to_string())
            .unwrap_or(h)
    };
    h.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert_eq!(host_name("MT.gov.vn:8080"), "mt.gov.vn");
        assert_eq!(host_name("mt.gov.vn."), "mt.gov.vn");
        assert_eq!(host_name("[::1]:80"), "[::1]");
        assert_eq!(host_name("vr.localhost"), "vr.localhost");
    }
}
