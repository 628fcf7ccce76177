//! Images of pages made ready for a CDN: every JPEG and PNG of a page bundle (which `image`
//! fields and Markdown images name) is published as resized variants (a few widths, in its
//! own format and in WebP) under names holding a hash of its bytes, and never as it is, so
//! nothing of its EXIF metadata (GPS position, camera) is published.
//!
//! Two stages: [`Images::probe`], before anything renders, reads each image's header (format,
//! size, orientation; a decompression bomb is refused here) and plans its variants, so the
//! templates and the Markdown know every name, width and height; then each image's job
//! ([`Images::write`]) decodes, resizes and encodes, in the same parallel loop as the pages.
//! A variant's name stands for its bytes: when the previous build has every variant of an
//! image, the job keeps them (the output links them) and decodes nothing.

mod encode;
pub(crate) mod settings;
pub(crate) mod source;
mod view;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cms_core::{Diagnostic, Diagnostics, Network, Page, Site};
use rayon::prelude::*;
use serde_json::Value;

use crate::build_cache::PreviousBuild;
use crate::error::Error;
use crate::output::{ManifestEntry, Staging};
pub(crate) use source::Source;
pub use view::Picture;

/// The processed images of one page, by their names in its bundle.
#[derive(Debug, Default)]
pub(crate) struct PageImages {
    /// Each image, by its name in the bundle.
    pub by_name: BTreeMap<String, Source>,
    /// A hash of every image's name and fingerprint: the Markdown that shows them depends on it.
    pub key: u64,
}

/// How many images a build encoded, and how many it kept from the previous build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageStats {
    /// Source images decoded and encoded (new or changed).
    pub encoded: usize,
    /// Source images whose variants the previous build had, kept as they are.
    pub kept: usize,
    /// Variants written or kept.
    pub variants: usize,
}

/// The processed images of every page of a build, by site and page path.
#[derive(Debug, Default)]
pub(crate) struct Images {
    pages: HashMap<(usize, String), Arc<PageImages>>,
    encoded: AtomicUsize,
    kept: AtomicUsize,
    variants: AtomicUsize,
}

impl Images {
    /// Reads the header of every JPEG and PNG of the bundles of the pages `want` keeps (by
    /// site and page index) of the `selected` sites, in parallel; an image that cannot be used
    /// is an error in `diags`, naming the file and its page.
    pub fn probe(
        network: &Network,
        selected: &[usize],
        want: impl Fn(usize, usize) -> bool + Sync,
        diags: &mut Diagnostics,
    ) -> Images {
        let pages: Vec<(usize, &Page)> = selected
            .iter()
            .flat_map(|&s| {
                let want = &want;
                let site = &network.sites[s];
                site.pages
                    .iter()
                    .enumerate()
                    .filter(move |(p, _)| want(s, *p))
                    .map(move |(_, page)| (s, page))
            })
            .collect();
        Images::probe_pages(network, &pages, diags)
    }

    /// [`Images::probe`] of `page`, of site `site`, alone (it need not be in `network`: the
    /// page as an editor has it, for its preview).
    pub fn probe_page(
        network: &Network,
        site: usize,
        page: &Page,
        diags: &mut Diagnostics,
    ) -> Images {
        Images::probe_pages(network, &[(site, page)], diags)
    }

    /// Reads the header of every JPEG and PNG of the bundles of `pages` (by site index).
    fn probe_pages(network: &Network, pages: &[(usize, &Page)], diags: &mut Diagnostics) -> Images {
        let todo: Vec<(usize, &Page, usize)> = pages
            .iter()
            .flat_map(|&(s, page)| {
                page.assets
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| source::is_processed(&a.name))
                    .map(move |(a, _)| (s, page, a))
            })
            .collect();
        let probed: Vec<(usize, &Page, Result<Source, Diagnostic>)> = todo
            .par_iter()
            .map(|&(s, page, a)| (s, page, probe_one(network, page, a)))
            .collect();
        let mut pages: HashMap<(usize, String), PageImages> = HashMap::new();
        for (s, page, res) in probed {
            match res {
                Ok(src) => {
                    let entry = pages.entry((s, page.path.clone())).or_default();
                    entry.by_name.insert(src.name.clone(), src);
                }
                Err(d) => diags.push(d),
            }
        }
        Images {
            pages: pages
                .into_iter()
                .map(|(k, mut v)| {
                    v.key = page_key(&v.by_name);
                    (k, Arc::new(v))
                })
                .collect(),
            ..Images::default()
        }
    }

    /// The images of the page at `path` of site `site`.
    pub fn page(&self, site: usize, path: &str) -> Option<&PageImages> {
        self.pages.get(&(site, path.to_string())).map(|a| &**a)
    }

    /// The picture of a page's image field (`image`, with `image_alt`, `image_credit`,
    /// `image_license`), when it names a processed image of the page.
    pub fn lead(&self, site: usize, page: &Page) -> Option<Picture> {
        let text = |k: &str| {
            page.fields
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let name = text("image")?;
        let src = self.page(site, &page.path)?.by_name.get(&name)?;
        let mut pic = Picture::new(&page.path, src, text("image_alt").unwrap_or_default());
        pic.credit = text("image_credit");
        pic.license = text("image_license");
        Some(pic)
    }

    /// The URL of each processed image of the pages of `site` (index `i`), by the URL it
    /// would have as it is: `/tin-tuc/a/anh.jpg` → its widest variant in its own format.
    pub fn urls(&self, i: usize, site: &Site) -> HashMap<String, String> {
        site.pages
            .iter()
            .filter_map(|p| self.page(i, &p.path).map(|im| (p, im)))
            .flat_map(|(p, im)| {
                im.by_name.values().filter_map(move |src| {
                    let v = src.fallback()?;
                    Some((
                        format!("{}{}", p.path, src.name),
                        view::url(&p.path, &v.name),
                    ))
                })
            })
            .collect()
    }

    /// What was encoded and kept so far.
    pub fn stats(&self) -> ImageStats {
        ImageStats {
            encoded: self.encoded.load(Ordering::Relaxed),
            kept: self.kept.load(Ordering::Relaxed),
            variants: self.variants.load(Ordering::Relaxed),
        }
    }

    /// The job of bundle file `asset` of page `page` of `site` when it is a processed image
    /// (`None` otherwise: the file is copied as it is): its variants, kept from `previous`
    /// when it has them all, else decoded, resized, encoded and written.
    pub fn write(
        &self,
        cx: &WriteCx<'_>,
        (site_idx, site): (usize, &Site),
        page: &Page,
        asset: usize,
    ) -> Option<Result<Vec<ManifestEntry>, Error>> {
        let name = &page.assets[asset].name;
        if !source::is_processed(name) {
            return None;
        }
        // An image whose header was refused is an error of the build already.
        let Some(src) = self.page(site_idx, &page.path)?.by_name.get(name) else {
            return Some(Ok(Vec::new()));
        };
        let base = format!("sites/{}{}", site.config.domain, page.path);
        let paths: Vec<String> = src
            .variants
            .iter()
            .map(|v| format!("{base}{}", v.name))
            .collect();
        if let Some(prev) = cx.previous {
            let kept: Option<Vec<ManifestEntry>> =
                paths.iter().map(|p| prev.files.get(p).cloned()).collect();
            if let Some(kept) = kept {
                self.kept.fetch_add(1, Ordering::Relaxed);
                self.variants.fetch_add(kept.len(), Ordering::Relaxed);
                return Some(Ok(kept));
            }
        }
        Some(self.encode(cx, page, asset, src, &paths))
    }

    fn encode(
        &self,
        cx: &WriteCx<'_>,
        page: &Page,
        asset: usize,
        src: &Source,
        paths: &[String],
    ) -> Result<Vec<ManifestEntry>, Error> {
        let file = &page.assets[asset].file;
        let display = format!("{}{}", cx.root, file.rel);
        let bytes = file.data.read().map_err(|e| Error::Io {
            path: PathBuf::from(&display),
            source: e,
        })?;
        let problem = |(msg, hint): source::Problem| {
            Error::Content(Diagnostics(vec![image_error(&display, page, &msg, &hint)]))
        };
        if cx.staging.dir().is_none() {
            // `cms check`: every pixel is read, so a damaged file is found; nothing encoded.
            encode::decode(&bytes).map_err(problem)?;
            return Ok(Vec::new());
        }
        let encoded = encode::variants(src, &bytes).map_err(problem)?;
        self.encoded.fetch_add(1, Ordering::Relaxed);
        self.variants.fetch_add(encoded.len(), Ordering::Relaxed);
        paths
            .iter()
            .zip(encoded)
            .map(|(p, b)| cx.staging.write(p, &b))
            .collect()
    }
}

/// What an image job writes to and reads from.
pub(crate) struct WriteCx<'a> {
    /// Where files go.
    pub staging: &'a Staging,
    /// The previous build, whose variants are kept.
    pub previous: Option<&'a PreviousBuild>,
    /// How files are named in messages.
    pub root: &'a str,
}

/// Reads and probes bundle file `asset` of `page`.
fn probe_one(network: &Network, page: &Page, asset: usize) -> Result<Source, Diagnostic> {
    let a = &page.assets[asset];
    let display = format!("{}{}", network.display_root, a.file.rel);
    let bytes = a.file.data.read().map_err(|e| {
        image_error(
            &display,
            page,
            &format!("cannot be read: {e}"),
            "check the file's permissions",
        )
    })?;
    source::probe(&a.name, &bytes).map_err(|(msg, hint)| image_error(&display, page, &msg, &hint))
}

/// The error of image `file` of `page`.
fn image_error(file: &str, page: &Page, msg: &str, hint: &str) -> Diagnostic {
    Diagnostic::error(
        file.to_string(),
        0,
        0,
        format!("this image (of page {}) {msg}", page.file),
    )
    .with_hint(hint.to_string())
}

/// Whether `path` is the name of an image variant (`…/anh.3f2a1b9c.960w.webp`): its bytes never
/// change under that name, so a host may keep it a year (`immutable`).
pub fn is_variant(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (Some(ext), Some(width), Some(hash), Some(_stem)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    matches!(ext, "jpg" | "png" | "webp")
        && width.len() > 1
        && width
            .strip_suffix('w')
            .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
        && hash.len() == 8
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A hash of the names and fingerprints of a page's images.
fn page_key(by_name: &BTreeMap<String, Source>) -> u64 {
    let mut h = twox_hash::XxHash3_64::with_seed(0);
    for (name, src) in by_name {
        std::hash::Hasher::write(&mut h, name.as_bytes());
        std::hash::Hasher::write(&mut h, &[0]);
        std::hash::Hasher::write(&mut h, src.fingerprint.as_bytes());
    }
    std::hash::Hasher::finish(&h)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::source::{plan, Format};
    use super::*;

    #[test]
    fn variants_are_known_by_their_names() {
        for p in [
            "sites/d/a/anh.3f2a1b9c.960w.webp",
            "anh.0123abcd.480w.jpg",
            "x.y.00000000.1w.png",
        ] {
            assert!(is_variant(p), "{p}");
        }
        for p in [
            "style.3f2a1b9c.css",
            "anh.jpg",
            "anh.3f2a1b9c.w.webp",
            "anh.3F2A1B9C.960w.jpg",
            ".3f2a1b9c.960w.gif",
            "3f2a1b9c.960w.jpg",
        ] {
            assert!(!is_variant(p), "{p}");
        }
    }

    /// A picture of a 1200×800 JPEG of the page `/a/`, with every field set.
    pub(crate) fn picture() -> Picture {
        let src = Source {
            name: "anh.jpg".into(),
            format: Format::Jpeg,
            width: 1200,
            height: 800,
            fingerprint: "3f2a1b9c".into(),
            variants: plan("anh.jpg", "3f2a1b9c", Format::Jpeg, 1200, 800),
        };
        let mut p = Picture::new("/a/", &src, "Ảnh".into());
        p.credit = Some("Tác giả".into());
        p.license = Some("CC0".into());
        p
    }
}
