//! What templates see of an image ([`Picture`]: `page.image`, and each page summary's
//! `image`), and the same `<picture>` markup for images of the Markdown.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;

use super::source::{Format, Source};

/// The `sizes` of an image of the article's column: the full width of a phone, at most the
/// column's 46rem on wider screens.
pub const CONTENT_SIZES: &str = "(min-width: 48rem) 46rem, 100vw";

/// An image ready for a `<picture>`: its variants as `srcset`s, its upright size for `width`
/// and `height` (the browser reserves its box: no layout shift), its text alternative and,
/// for a page's image field, its credit and licence.
#[derive(Debug, Clone, Serialize)]
pub struct Picture {
    /// URL path of the widest variant in the source's format, for `<img src>`.
    pub src: String,
    /// Every variant in the source's format: `/a/anh.3f2a1b9c.480w.jpg 480w, …`.
    pub srcset: String,
    /// Every WebP variant, for `<source type="image/webp">`.
    pub webp_srcset: String,
    /// MIME type of `src` (`image/jpeg`, `image/png`).
    pub mime: &'static str,
    /// Width of `src` in pixels.
    pub width: u32,
    /// Height of `src` in pixels.
    pub height: u32,
    /// The `sizes` of an image of the article's column (a template may give its own).
    pub sizes: &'static str,
    /// Text alternative (`image_alt`, or the Markdown's `![…]`).
    pub alt: String,
    /// Who made it (`image_credit`), or null.
    pub credit: Option<String>,
    /// Its licence (`image_license`), or null.
    pub license: Option<String>,
}

/// What a URL path may not hold as it is (a `srcset` is split at spaces and commas).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b',')
    .add(b'"')
    .add(b'\'')
    .add(b'<')
    .add(b'>')
    .add(b'#')
    .add(b'?')
    .add(b'%')
    .add(b'`');

/// The URL path of file `name` of the page at `dir` (`/tin-tuc/a/`).
pub(crate) fn url(dir: &str, name: &str) -> String {
    format!("{dir}{}", utf8_percent_encode(name, PATH))
}

impl Picture {
    /// The picture of `src`, an image of the page at `dir`.
    pub(crate) fn new(dir: &str, src: &Source, alt: String) -> Picture {
        let set = |f: Format| {
            src.of_format(f)
                .map(|v| format!("{} {}w", url(dir, &v.name), v.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (w, h, file) = src
            .fallback()
            .map(|v| (v.width, v.height, url(dir, &v.name)))
            .unwrap_or_default();
        Picture {
            src: file,
            srcset: set(src.format),
            webp_srcset: set(Format::WebP),
            mime: src.format.mime(),
            width: w,
            height: h,
            sizes: CONTENT_SIZES,
            alt,
            credit: None,
            license: None,
        }
    }

    /// The `<picture>` element, as `themes/default/templates/parts/picture.html` writes it,
    /// loaded lazily (an image of the body is below the fold).
    pub fn html(&self, title: Option<&str>) -> String {
        let e = crate::templates::escape;
        let title = title
            .filter(|t| !t.is_empty())
            .map(|t| format!(" title=\"{}\"", e(t)))
            .unwrap_or_default();
        format!(
            "<picture><source type=\"image/webp\" srcset=\"{webp}\" sizes=\"{sizes}\"><img src=\"{src}\" srcset=\"{srcset}\" sizes=\"{sizes}\" width=\"{w}\" height=\"{h}\" alt=\"{alt}\"{title} loading=\"lazy\" decoding=\"async\"></picture>",
            webp = e(&self.webp_srcset),
            sizes = e(self.sizes),
            src = e(&self.src),
            srcset = e(&self.srcset),
            w = self.width,
            h = self.height,
            alt = e(&self.alt),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::source::plan;

    #[test]
    fn srcsets_list_each_format_from_the_narrowest_and_names_are_escaped() {
        let src = Source {
            name: "ảnh 1.jpg".into(),
            format: Format::Jpeg,
            width: 1200,
            height: 800,
            fingerprint: "3f2a1b9c".into(),
            variants: plan("ảnh 1.jpg", "3f2a1b9c", Format::Jpeg, 1200, 800),
        };
        let p = Picture::new("/tin-tuc/a/", &src, "Cầu \"Long Biên\"".into());
        assert_eq!((p.width, p.height), (1200, 800));
        assert_eq!(p.src, "/tin-tuc/a/%E1%BA%A3nh%201.3f2a1b9c.1200w.jpg");
        assert!(p
            .srcset
            .starts_with("/tin-tuc/a/%E1%BA%A3nh%201.3f2a1b9c.480w.jpg 480w, "));
        assert!(p.webp_srcset.ends_with(".1200w.webp 1200w"));
        let html = p.html(None);
        assert!(html.contains("alt=\"Cầu &quot;Long Biên&quot;\""), "{html}");
        assert!(html.contains("width=\"1200\" height=\"800\""));
        assert!(html.contains("loading=\"lazy\""));
    }
}
