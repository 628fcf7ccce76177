//! Precompressed variants of the text files a host serves: `x.br` (brotli) and `x.gz` (gzip)
//! beside `x`, each kept only when it is smaller. Hosts send them to clients that accept
//! them (nginx's `gzip_static`/`brotli_static`, `cms serve`, object storage with
//! `Content-Encoding`), so no CPU is spent compressing at each request.
//!
//! The levels were measured on the 20,000-page benchmark corpus (README, "CDN-ready output"):
//! compressing is most of the cost of a clean build at any level, so the fastest levels that
//! still compress well. Brotli 4 is the first level smaller than gzip; brotli 5 saves 6% more
//! for half again the time, 11 a further 10% for twenty times it. Gzip is libdeflate's
//! (twice miniz's speed for smaller files): level 1 is within 4% of level 9.

use std::io::Write as _;

/// Brotli's quality (0–11).
pub const BROTLI_QUALITY: u32 = 4;
/// Brotli's window (log2 of bytes): 4 MiB, more than any page.
const BROTLI_WINDOW: u32 = 22;
/// Gzip's level (libdeflate: 1–12).
pub const GZIP_LEVEL: i32 = 1;

/// The encodings written, with their suffixes, in the order they are written.
pub const ENCODINGS: &[(&str, &str)] = &[("br", ".br"), ("gzip", ".gz")];

/// The suffix of the variant in `encoding` (`br` → `.br`, `gzip` → `.gz`).
pub fn suffix(encoding: &str) -> Option<&'static str> {
    ENCODINGS
        .iter()
        .find(|(e, _)| *e == encoding)
        .map(|(_, s)| *s)
}

/// Whether the file at `rel` (relative to the output) of type `mime` gets variants: a text
/// file a host serves (under `sites/`), not a host's own rules file.
pub fn compressible(rel: &str, mime: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let base = mime.split(';').next().unwrap_or(mime).trim();
    rel.starts_with("sites/")
        && name != "_headers"
        && name != "_redirects"
        && matches!(
            base,
            "text/html"
                | "text/css"
                | "text/javascript"
                | "application/javascript"
                | "application/xml"
                | "text/xml"
                | "application/rss+xml"
                | "application/atom+xml"
                | "application/json"
                | "image/svg+xml"
                | "text/plain"
        )
}

/// The variants of `bytes` that are smaller than it: (encoding, suffix, compressed bytes).
pub fn variants(bytes: &[u8]) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let mut out = Vec::with_capacity(2);
    let br = brotli_bytes(bytes);
    if br.len() < bytes.len() {
        out.push(("br", ".br", br));
    }
    let gz = gzip_bytes(bytes);
    if !gz.is_empty() && gz.len() < bytes.len() {
        out.push(("gzip", ".gz", gz));
    }
    out
}

/// `bytes` compressed with brotli.
pub fn brotli_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 4 + 64);
    {
        let mut w =
            brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW);
        // ok to ignore: writing into a Vec cannot fail.
        let _ = w.write_all(bytes);
    }
    out
}

/// `bytes` compressed with gzip (libdeflate): no file name, no time, so the same bytes give
/// the same file.
pub fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    use libdeflater::{CompressionLvl, Compressor};
    thread_local! {
        // One compressor a thread: making one allocates its tables.
        static GZIP: std::cell::RefCell<Option<Compressor>> = const { std::cell::RefCell::new(None) };
    }
    GZIP.with(|c| {
        let mut c = c.borrow_mut();
        let c = c.get_or_insert_with(|| {
            Compressor::new(CompressionLvl::new(GZIP_LEVEL).unwrap_or_default())
        });
        let mut out = vec![0; c.gzip_compress_bound(bytes.len())];
        match c.gzip_compress(bytes, &mut out) {
            Ok(n) => {
                out.truncate(n);
                out
            }
            // Cannot happen with a buffer of the bound's size; an empty result is skipped.
            Err(_) => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn variants_decode_to_the_original_and_are_kept_only_when_smaller() {
        let text = "<p>Cục Đường bộ Việt Nam</p>\n".repeat(200);
        let v = variants(text.as_bytes());
        assert_eq!(v.len(), 2);
        let mut br = Vec::new();
        brotli::Decompressor::new(&v[0].2[..], 4096)
            .read_to_end(&mut br)
            .unwrap();
        assert_eq!(br, text.as_bytes());
        let mut gz = Vec::new();
        flate2::read::GzDecoder::new(&v[1].2[..])
            .read_to_end(&mut gz)
            .unwrap();
        assert_eq!(gz, text.as_bytes());
        assert_eq!(variants(text.as_bytes()), v, "the same bytes each time");
        assert!(variants(b"ab").is_empty(), "too small to gain");
    }

    #[test]
    fn only_served_text_files_are_compressed() {
        let html = "text/html; charset=utf-8";
        assert!(compressible("sites/d/index.html", html));
        assert!(compressible("sites/d/logo.svg", "image/svg+xml"));
        assert!(compressible("sites/d/rss.xml", "application/xml"));
        assert!(!compressible("sites/d/a.png", "image/png"));
        assert!(!compressible("manifest.json", "application/json"));
        assert!(!compressible("deploy/hosting.json", "application/json"));
        assert!(!compressible(
            "sites/d/_headers",
            "text/plain; charset=utf-8"
        ));
        assert_eq!(suffix("gzip"), Some(".gz"));
        assert_eq!(suffix("zstd"), None);
    }
}
