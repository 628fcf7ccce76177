//! The media type of an output file, as the manifest lists it: `mime_guess`'s, with the
//! charset of text types (every text file of the output is UTF-8) and the few types the
//! manifest has always given otherwise.

/// Where the manifest's type differs from `mime_guess`'s, by extension.
const OVERRIDES: &[(&str, &str)] = &[
    // mime_guess says `text/xml`; feeds and sitemaps have always been listed as this.
    ("xml", "application/xml"),
    // mime_guess says `application/javascript` for modules.
    ("mjs", "text/javascript; charset=utf-8"),
    // mime_guess says `application/font-woff`, the type before RFC 8081.
    ("woff", "font/woff"),
];

/// The MIME type of a file, by its extension.
pub fn mime_of(path: &str) -> &'static str {
    // The rules files of Cloudflare Pages and Netlify, and nginx's, are text.
    let name = path.rsplit('/').next().unwrap_or(path);
    if matches!(name, "_headers" | "_redirects")
        || name.ends_with(".conf")
        || name.ends_with(".inc")
    {
        return "text/plain; charset=utf-8";
    }
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if let Some((_, t)) = OVERRIDES.iter().find(|(e, _)| *e == ext) {
        return t;
    }
    let Some(guess) = mime_guess::from_ext(&ext).first_raw() else {
        return "application/octet-stream";
    };
    match guess {
        "text/html" => "text/html; charset=utf-8",
        "text/plain" => "text/plain; charset=utf-8",
        "text/css" => "text/css; charset=utf-8",
        "text/csv" => "text/csv; charset=utf-8",
        "text/javascript" => "text/javascript; charset=utf-8",
        t => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The types the manifest gave before `mime_guess`, for every extension an output has:
    /// the manifest must not change.
    #[test]
    fn the_types_of_the_output_are_unchanged() {
        let expected = [
            ("a.html", "text/html; charset=utf-8"),
            ("a.HTM", "text/html; charset=utf-8"),
            ("rss.xml", "application/xml"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.mjs", "text/javascript; charset=utf-8"),
            ("ui.json", "application/json"),
            ("a.svg", "image/svg+xml"),
            ("a.png", "image/png"),
            ("a.jpg", "image/jpeg"),
            ("a.jpeg", "image/jpeg"),
            ("a.gif", "image/gif"),
            ("a.webp", "image/webp"),
            ("a.avif", "image/avif"),
            ("favicon.ico", "image/x-icon"),
            ("a.pdf", "application/pdf"),
            ("a.csv", "text/csv; charset=utf-8"),
            ("a.doc", "application/msword"),
            (
                "a.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("a.xls", "application/vnd.ms-excel"),
            (
                "a.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("a.odt", "application/vnd.oasis.opendocument.text"),
            ("a.ods", "application/vnd.oasis.opendocument.spreadsheet"),
            ("a.zip", "application/zip"),
            ("a.woff2", "font/woff2"),
            ("a.woff", "font/woff"),
            ("a.mp4", "video/mp4"),
            ("a.mp3", "audio/mpeg"),
            ("no-extension", "application/octet-stream"),
            ("sites/d/_headers", "text/plain; charset=utf-8"),
            ("deploy/nginx/d.conf", "text/plain; charset=utf-8"),
            ("a.unknown-ext", "application/octet-stream"),
        ];
        let wrong: Vec<(&str, &str)> = expected
            .iter()
            .filter(|(p, t)| mime_of(p) != *t)
            .map(|(p, _)| (*p, mime_of(p)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:?}");
    }
}
