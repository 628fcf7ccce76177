//! What keeps an editor's Markdown from running scripts on a published page.
//!
//! Markdown alone makes only the HTML our renderer writes (pulldown-cmark escapes text and
//! attribute values), but for three things an editor controls: link and image destinations
//! (`[x](javascript:…)`), heading attributes (`# T {onclick=…}`) and raw HTML (`<script>`,
//! `<img onerror=…>`). The renderer checks the first two on the events ([`safe_url`],
//! [`safe_heading_attr`]); a body that has raw HTML is cleaned whole by ammonia with the
//! allowlist of what the renderer and the theme write ([`clean`]). Checking events costs
//! nothing, and ammonia, which parses the whole HTML again, runs only for the bodies that need
//! it. A network may let a site keep its raw HTML (`raw_html` in `network.toml`).

use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// The URL schemes a link may have (a relative URL has none).
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The URL schemes an image may have.
const IMAGE_SCHEMES: &[&str] = &["http", "https"];

/// Whether `dest`, a link's (or with `image`, an image's) destination, is safe to publish: a
/// relative URL or one of an allowed scheme. Browsers drop tabs and newlines from URLs and
/// ignore case, so `Java&#9;Script:` (which pulldown-cmark has decoded) is `javascript:`.
pub(crate) fn safe_url(dest: &str, image: bool) -> bool {
    let cleaned: String = dest
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .take(32)
        .collect();
    // A scheme ends at the first `:` that comes before any `/`, `?` or `#`.
    let Some(colon) = cleaned.find(':') else {
        return true;
    };
    if cleaned[..colon].contains(['/', '?', '#']) {
        return true;
    }
    let scheme = cleaned[..colon].to_ascii_lowercase();
    let allowed = if image { IMAGE_SCHEMES } else { LINK_SCHEMES };
    allowed.contains(&scheme.as_str())
}

/// Whether a heading may keep the attribute `key` (`# T {lang=en}`): none that runs script or
/// styles the page (the Content-Security-Policy allows no inline style).
pub(crate) fn safe_heading_attr(key: &str) -> bool {
    matches!(key, "lang" | "dir" | "title")
}

/// The HTML `html` with only what the allowlist keeps: the elements and attributes the
/// renderer and the theme write (headings with ids, tables with align classes, pictures,
/// footnotes, details, abbreviations, …); no script, style, frame, form, event handler or
/// URL of another scheme than [`LINK_SCHEMES`].
pub(crate) fn clean(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

static CLEANER: LazyLock<Builder<'static>> = LazyLock::new(cleaner);

/// The elements kept.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "picture",
    "pre",
    "q",
    "s",
    "samp",
    "section",
    "small",
    "source",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Attributes of the elements that have their own.
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "hreflang"]),
    (
        "img",
        &[
            "src", "srcset", "sizes", "width", "height", "loading", "decoding", "alt",
        ],
    ),
    (
        "source",
        &["srcset", "sizes", "type", "media", "width", "height"],
    ),
    ("th", &["scope", "colspan", "rowspan"]),
    ("td", &["colspan", "rowspan"]),
    ("div", &["tabindex", "role"]),
    ("ol", &["start", "reversed", "type"]),
    ("li", &["value"]),
    ("time", &["datetime"]),
    ("details", &["open"]),
    ("q", &["cite"]),
    ("blockquote", &["cite"]),
    ("del", &["datetime"]),
    ("ins", &["datetime"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
];

fn cleaner() -> Builder<'static> {
    let mut b = Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .tag_attributes(
            TAG_ATTRIBUTES
                .iter()
                .map(|(t, a)| (*t, a.iter().copied().collect::<HashSet<_>>()))
                .collect(),
        )
        .generic_attributes(["id", "class", "title", "lang", "dir"].into())
        .generic_attribute_prefixes(["aria-"].into())
        .url_schemes(LINK_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::PassThrough)
        // The renderer's links have no `rel`; a clean body must not differ from it for that.
        .link_rel(None)
        .strip_comments(true)
        .clean_content_tags(["script", "style"].into());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_of_other_schemes_are_refused_however_written() {
        for ok in [
            "https://a.vn/",
            "http://a.vn",
            "mailto:a@b.vn",
            "tel:+8424",
            "/tin-tuc/",
            "../a/",
            "a.pdf",
            "#muc",
            "?q=a:b",
            "a/b:c",
        ] {
            assert!(safe_url(ok, false), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " java\tscript:alert(1)",
            "java\nscript:x",
            "vbscript:x",
            "data:text/html,<script>",
        ] {
            assert!(!safe_url(bad, false), "{bad}");
        }
        assert!(!safe_url("mailto:a@b.vn", true), "an image is not mail");
        assert!(!safe_url("data:image/svg+xml,<svg onload=x>", true));
    }

    #[test]
    fn the_renderers_markup_is_kept_and_scripts_are_not() {
        let ours = "<h2 id=\"a\">A</h2><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Bảng\"><table><thead><tr><th scope=\"col\" class=\"align-left\">A</th></tr></thead></table></div><picture><source type=\"image/webp\" srcset=\"a-480.webp 480w\" sizes=\"100vw\"><img src=\"a-480.jpg\" width=\"480\" height=\"320\" alt=\"Ảnh\" loading=\"lazy\" decoding=\"async\"></picture><p><a href=\"/a/\">a</a><sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup></p>";
        assert_eq!(clean(ours), ours);
        let bad = "<p onclick=\"x()\">a<script>alert(1)</script><a href=\"javascript:x\">b</a><iframe src=\"//e.vn\"></iframe><span style=\"color:red\">c</span></p>";
        assert_eq!(clean(bad), "<p>a<a>b</a><span>c</span></p>");
    }
}
