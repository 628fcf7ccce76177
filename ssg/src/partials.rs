//! Site partials: parts of every page that depend only on the site and language (the footer
//! with the network's sites), rendered and minified once and spliced into each page.

use serde_json::Value;

/// A site's partials in one language. Pages see each as a marker element, which is replaced
/// by the partial's HTML after the page is minified, so the partial is rendered and minified
/// once per site and language instead of once per page.
#[derive(Debug, Clone, Default)]
pub struct Partials {
    /// name → marker, for the template context.
    pub markers: serde_json::Map<String, Value>,
    /// (marker, minified marker, HTML, minified HTML).
    pub parts: Vec<(String, String, String, String)>,
}

impl Partials {
    /// Replaces markers in text that is not minified (feeds, robots.txt).
    pub fn splice_raw(&self, mut text: String) -> String {
        for (marker, _, html, _) in &self.parts {
            if text.contains(marker.as_str()) {
                text = text.replace(marker.as_str(), html);
            }
        }
        text
    }

    /// Replaces markers with the minified partials, in a page built from minified templates.
    pub fn splice_minified(&self, mut text: String) -> String {
        for (marker, _, _, min_html) in &self.parts {
            if text.contains(marker.as_str()) {
                text = text.replace(marker.as_str(), min_html);
            }
        }
        text
    }

    /// Minifies a page with `minify`, splicing in the minified partials.
    pub fn minify_page(&self, html: String, minify: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
        let used: Vec<_> = self
            .parts
            .iter()
            .filter(|p| html.contains(p.0.as_str()))
            .collect();
        if used.is_empty() {
            return minify(html.as_bytes());
        }
        let min = minify(html.as_bytes());
        let Ok(mut text) = String::from_utf8(min) else {
            return minify(self.splice_raw(html).as_bytes());
        };
        for (_, min_marker, _, min_html) in &used {
            if !text.contains(min_marker.as_str()) {
                // The marker was changed by minification (say, placed in an attribute):
                // minify the whole page instead.
                return minify(self.splice_raw(html).as_bytes());
            }
            text = text.replace(min_marker.as_str(), min_html);
        }
        text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minify(b: &[u8]) -> Vec<u8> {
        let cfg = minify_html::Cfg {
            keep_closing_tags: true,
            ..minify_html::Cfg::new()
        };
        minify_html::minify(b, &cfg)
    }

    fn partials() -> Partials {
        let marker = "<cms-partial data-name=\"footer\"></cms-partial>".to_string();
        let min_marker = String::from_utf8(minify(marker.as_bytes())).unwrap();
        let html = "<footer>\n  <p>Bộ   GTVT</p>\n</footer>".to_string();
        let min_html = String::from_utf8(minify(html.as_bytes())).unwrap();
        Partials {
            markers: serde_json::Map::new(),
            parts: vec![(marker, min_marker, html, min_html)],
        }
    }

    #[test]
    fn partials_are_spliced_into_minified_pages() {
        let p = partials();
        let page =
            "<main>\n  <h1>Tin</h1>\n</main>\n<cms-partial data-name=\"footer\"></cms-partial>\n"
                .to_string();
        let whole = String::from_utf8(minify(p.splice_raw(page.clone()).as_bytes())).unwrap();
        let spliced = String::from_utf8(p.minify_page(page, minify)).unwrap();
        assert_eq!(
            spliced, whole,
            "splicing gives what minifying the whole page gives"
        );
        assert!(
            spliced.contains("<footer><p>Bộ GTVT</p></footer>"),
            "{spliced}"
        );
    }

    #[test]
    fn a_marker_in_an_attribute_falls_back_to_whole_page_minification() {
        let p = partials();
        let page = "<p title='<cms-partial data-name=\"footer\"></cms-partial>'>x</p>".to_string();
        let out = String::from_utf8(p.minify_page(page, minify)).unwrap();
        assert!(!out.contains("cms-partial"), "{out}");
    }
}
