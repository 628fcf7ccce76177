//! Internal links: `@/<site>/<path>.md` resolved to a path on the same site or an absolute URL
//! on another, checked at build time.

use std::collections::HashMap;

use cms_core::{safe_relative_path, Network};

/// Where an internal link points.
#[derive(Debug, Clone)]
struct Target {
    site: usize,
    path: String,
}

/// Every page and section of the network, by the name `@/` links use.
#[derive(Debug, Clone)]
pub struct LinkIndex {
    targets: HashMap<String, Target>,
    base_urls: Vec<String>,
}

/// Why a link could not be resolved: (message, hint).
pub type LinkError = (String, String);

impl LinkIndex {
    /// Indexes `network`.
    pub fn new(network: &Network) -> Self {
        let mut targets = HashMap::new();
        for (i, site) in network.sites.iter().enumerate() {
            let root = format!("sites/{}/", site.id);
            for s in &site.sections {
                let rel = s.file.strip_prefix(&root).unwrap_or(&s.file);
                targets.insert(
                    format!("{}/{rel}", site.id),
                    Target {
                        site: i,
                        path: s.path.clone(),
                    },
                );
            }
            for p in &site.pages {
                targets.insert(
                    format!("{}/{}", site.id, p.rel),
                    Target {
                        site: i,
                        path: p.path.clone(),
                    },
                );
            }
        }
        LinkIndex {
            targets,
            base_urls: network.sites.iter().map(|s| s.base_url()).collect(),
        }
    }

    /// `self`, with the page `rel` (relative to its site's folder) of site `site` at `path`:
    /// `None` when it is there already (the usual edit of a page, which keeps its path).
    pub(crate) fn with_page(
        &self,
        network: &Network,
        site: usize,
        rel: &str,
        path: &str,
    ) -> Option<LinkIndex> {
        let name = format!("{}/{rel}", network.sites.get(site)?.id);
        if self
            .targets
            .get(&name)
            .is_some_and(|t| t.site == site && t.path == path)
        {
            return None;
        }
        let mut more = self.clone();
        more.targets.insert(
            name,
            Target {
                site,
                path: path.to_string(),
            },
        );
        Some(more)
    }

    /// A hash of every target and base URL: Markdown rendered against an index with the same
    /// fingerprint resolves its links the same way.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::Hasher as _;
        let mut names: Vec<(&String, &Target)> = self.targets.iter().collect();
        names.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut h = twox_hash::XxHash3_64::with_seed(0);
        let mut put = |s: &str| {
            h.write(&(s.len() as u64).to_le_bytes());
            h.write(s.as_bytes());
        };
        for (name, t) in names {
            put(name);
            put(&t.path);
            put(&t.site.to_string());
        }
        for b in &self.base_urls {
            put(b);
        }
        h.finish()
    }

    /// Resolves `@/site/path.md#frag` for a page of site `from`.
    pub fn resolve(&self, from: usize, link: &str) -> Result<String, LinkError> {
        let rest = link.strip_prefix("@/").unwrap_or(link);
        let (target, frag) = match rest.split_once('#') {
            Some((t, f)) => (t, Some(f)),
            None => (rest, None),
        };
        let Some(clean) = safe_relative_path(target) else {
            return Err((
                format!("link `{link}` leaves the content root"),
                "write @/<site>/<path>.md without `..`".into(),
            ));
        };
        let Some(t) = self.targets.get(&clean) else {
            return Err((
                format!("broken link `{link}`: no such page or section"),
                "the path is relative to sites/ and names a .md file, e.g. @/mt/tin-tuc/_index.md"
                    .into(),
            ));
        };
        let mut url = if t.site == from {
            t.path.clone()
        } else {
            format!("{}{}", self.base_urls[t.site], t.path)
        };
        if let Some(f) = frag {
            url.push('#');
            url.push_str(f);
        }
        Ok(url)
    }
}

/// Checks a plain relative link of a page at `page_path`: it must not climb above the site root.
pub fn check_relative(page_path: &str, link: &str) -> Result<(), LinkError> {
    let is_relative = !link.starts_with(['/', '#', '?'])
        && !link
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("")
            .contains(':');
    if !is_relative {
        return Ok(());
    }
    let path = link.split(['?', '#']).next().unwrap_or("");
    let mut depth = page_path.split('/').filter(|s| !s.is_empty()).count() as i64;
    for seg in path.split('/') {
        match seg {
            ".." => depth -= 1,
            "" | "." => {}
            _ => depth += 1,
        }
        if depth < 0 {
            return Err((
                format!("link `{link}` leaves the site"),
                "link to files in the page bundle by name, or to other pages with @/<site>/<path>.md".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_stay_in_the_site() {
        assert!(check_relative("/van-ban/qd/", "qd.pdf").is_ok());
        assert!(check_relative("/van-ban/qd/", "../../x/").is_ok());
        assert!(check_relative("/van-ban/qd/", "../../../etc/passwd").is_err());
        assert!(check_relative("/", "../../etc/passwd").is_err());
        assert!(check_relative("/", "https://example.gov.vn/../x").is_ok());
        assert!(check_relative("/", "mailto:a@b.vn").is_ok());
    }
}
