//! Static assets: fingerprinted CSS and JS, and standalone copies of articles.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::context::SiteData;
use crate::error::Error;
use crate::theme::Theme;

/// A page as one file that reads the same offline: its stylesheet inlined, and a `<base>` so
/// its links and images point to the site.
pub(crate) fn standalone(page: &[u8], d: &SiteData<'_>, permalink: &str) -> Vec<u8> {
    let html = String::from_utf8_lossy(page);
    let mut out = html.to_string();
    if let Some(css_url) = d.fingerprinted.get("style.css").map(|f| format!("/{f}")) {
        if let Some(at) = out.find(&css_url) {
            let start = out[..at].rfind('<').unwrap_or(at);
            let end = out[at..].find('>').map(|e| at + e + 1).unwrap_or(at);
            let css = inline_style_text(&d.inline_css);
            out.replace_range(start..end, &format!("<style>{css}</style>"));
        }
    }
    if let Some(head) = out.find("<head>") {
        let base = format!("<base href=\"{}\">", crate::templates::escape(permalink));
        // After <meta charset>, which must come first.
        let at = out[head..].find('>').map(|e| head + e + 1).unwrap_or(head);
        let at = match out[at..].find("<meta charset") {
            Some(0) => out[at..].find('>').map(|e| at + e + 1).unwrap_or(at),
            _ => at,
        };
        out.insert_str(at, &base);
    }
    out.into_bytes()
}

/// The text of the `<style>` element holding `css` in a standalone copy: `</` cannot end
/// the element early. The CSP names exactly this text by its hash (see [`crate::hosting`]).
pub(crate) fn inline_style_text(css: &str) -> String {
    css.replace("</", "<\\/")
}

/// The site's stylesheet (its own `static/style.css`, else the theme's) followed by the
/// site's colours (`[theme]` of `site.toml`): served as `style.<hash>.css`, and inlined in
/// standalone pages. The colours are in the stylesheet, not in a `style` attribute, so the
/// Content-Security-Policy allows no inline style.
/// `root` is the content folder as messages name it.
pub(crate) fn stylesheet(
    site: &cms_core::Site,
    theme: &Theme,
    root: &str,
) -> Result<String, Error> {
    let mut css = base_stylesheet(site, theme)?;
    css.push_str(&brand_rule(site, root)?);
    Ok(css)
}

fn base_stylesheet(site: &cms_core::Site, theme: &Theme) -> Result<String, Error> {
    if let Some(f) = site.static_files.iter().find(|f| f.rel == "style.css") {
        let bytes = f.data.read().map_err(|e| Error::Io {
            path: PathBuf::from(&f.rel),
            source: e,
        })?;
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(theme
        .static_files
        .iter()
        .find(|(rel, _)| rel == "style.css")
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default())
}

/// The CSS rule setting the site's `--brand` and `--brand-dark` from `theme.primary` and
/// `theme.primary_dark` (empty without them); a value that is not a plain CSS colour is an
/// error, as it would write other rules into every page's stylesheet.
fn brand_rule(site: &cms_core::Site, root: &str) -> Result<String, Error> {
    let Some(primary) = site.config.theme.get("primary") else {
        return Ok(String::new());
    };
    let dark = site.config.theme.get("primary_dark").unwrap_or(primary);
    for (field, v) in [("primary", primary), ("primary_dark", dark)] {
        let plain = !v.trim().is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "#(),.% -".contains(c));
        if !plain {
            return Err(Error::Content(cms_core::Diagnostics(vec![
                cms_core::Diagnostic::error(
                    format!("{root}sites/{}/site.toml", site.id),
                    0,
                    0,
                    format!("theme.{field} `{v}` is not a CSS colour"),
                )
                .with_hint("write a colour like \"#1f4e8c\" or \"rgb(31, 78, 140)\""),
            ])));
        }
    }
    Ok(format!(
        "\nbody{{--brand:{};--brand-dark:{}}}\n",
        primary.trim(),
        dark.trim()
    ))
}

/// CSS and JavaScript get their content hash in their name (`style.3f2a1b9c.css`), so a CDN
/// may cache them for ever; pages name them through `assets["style.css"]`. A site's own static
/// file of the same name replaces the theme's.
pub(crate) fn fingerprints(
    site: &cms_core::Site,
    theme: &Theme,
    root: &str,
) -> Result<BTreeMap<String, String>, Error> {
    use sha2::{Digest, Sha256};
    let fingerprintable = |rel: &str| rel.ends_with(".css") || rel.ends_with(".js");
    let mut files: BTreeMap<String, Vec<u8>> = theme
        .static_files
        .iter()
        .filter(|(rel, _)| fingerprintable(rel))
        .map(|(rel, b)| (rel.clone(), b.clone()))
        .collect();
    for f in site.static_files.iter().filter(|f| fingerprintable(&f.rel)) {
        let bytes = f.data.read().map_err(|e| Error::Io {
            path: PathBuf::from(&f.rel),
            source: e,
        })?;
        files.insert(f.rel.clone(), bytes.into_owned());
    }
    // The stylesheet as served: with the site's colours.
    if files.contains_key("style.css") {
        files.insert(
            "style.css".into(),
            stylesheet(site, theme, root)?.into_bytes(),
        );
    }
    Ok(files
        .into_iter()
        .map(|(rel, bytes)| {
            let hash = hex::encode(&Sha256::digest(&bytes)[..4]);
            let fp = match rel.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                None => format!("{rel}.{hash}"),
            };
            (rel, fp)
        })
        .collect())
}
