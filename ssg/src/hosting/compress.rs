//! Precompressed variants of the text files a host serves: `x.br` (brotli) and `x.gz` (gzip)
//! beside `x`, each kept only when it is smaller. Hosts send them to clients that accept
//! them (nginx's `gzip_static`/`brotli_static`, `cms serve`, object storage with
//! `Content-Encoding`), so no CPU is spent compressing at each request.
//!
//! The quality levels were measured on the 20,000-page benchmark corpus (README, "CDN-ready
//! output"): brotli 11 costs several times the build; the levels below keep most of its
//! savings for a fraction of the time.

use std::io::Write as _;

/// Brotli's quality (0–11).
pub const BROTLI_QUALITY: u32 = 9;
/// Brotli's window (log2 of bytes): 4 MiB, more than any page.
const BROTLI_WINDOW: u32 = 22;
/// Gzip's level (0–9).
pub const GZIP_LEVEL: u32 = 9;

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
    if gz.len() < bytes.len() {
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

/// `bytes` compressed with gzip: no file name, no time, so the same bytes give the same file.
pub fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3 + 64),
        flate2::Compression::new(GZIP_LEVEL),
    );
    // ok to ignore: writing into a Vec cannot fail.
    let _ = w.write_all(bytes);
    w.finish().unwrap_or_default()
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
