//! Themes: tera templates, UI strings per language (`i18n/<lang>.toml`) and static files.
//! The default theme is embedded in the binary; a `themes/<name>/` folder next to the content
//! (or inside it) takes precedence, so designers see their edits without rebuilding.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;

include!(concat!(env!("OUT_DIR"), "/embedded_theme.rs"));

/// A loaded theme.
#[derive(Debug, Clone)]
pub struct Theme {
    /// Its name.
    pub name: String,
    /// Where it came from, for messages: a folder or `(built in)`.
    pub origin: String,
    /// Templates: (name relative to `templates/`, text).
    pub templates: Vec<(String, String)>,
    /// UI strings by language, then key.
    pub i18n: BTreeMap<String, BTreeMap<String, String>>,
    /// Static files: (path relative to `static/`, bytes).
    pub static_files: Vec<(String, Vec<u8>)>,
}

impl Theme {
    /// The built-in default theme.
    pub fn embedded() -> Result<Theme, Error> {
        let files = EMBEDDED_THEME
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        Theme::from_files("default", "(built in)", files)
    }

    /// Loads the theme `name` from the first of `dirs` that holds `<dir>/<name>/`, falling back to
    /// the embedded default theme when `name` is `default`.
    pub fn find(name: &str, dirs: &[PathBuf]) -> Result<Theme, Error> {
        for d in dirs {
            let dir = d.join(name);
            if dir.join("templates").is_dir() {
                return Theme::from_dir(name, &dir);
            }
        }
        if name == "default" {
            return Theme::embedded();
        }
        Err(Error::Theme(format!(
            "theme `{name}` not found (looked in {}); create themes/{name}/templates/ or set theme = \"default\" in network.toml",
            dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
        )))
    }

    /// Loads a theme from a folder.
    pub fn from_dir(name: &str, dir: &Path) -> Result<Theme, Error> {
        let mut files = Vec::new();
        for entry in walk(dir)? {
            let rel = entry
                .strip_prefix(dir)
                .unwrap_or(&entry)
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(&entry).map_err(|e| Error::Io {
                path: entry.clone(),
                source: e,
            })?;
            files.push((rel, bytes));
        }
        Theme::from_files(name, &dir.display().to_string(), files)
    }

    fn from_files(name: &str, origin: &str, files: Vec<(String, Vec<u8>)>) -> Result<Theme, Error> {
        let mut theme = Theme {
            name: name.to_string(),
            origin: origin.to_string(),
            templates: Vec::new(),
            i18n: BTreeMap::new(),
            static_files: Vec::new(),
        };
        for (rel, bytes) in files {
            let text = || {
                String::from_utf8(bytes.clone()).map_err(|_| {
                    Error::Theme(format!(
                        "{origin}/{rel}: invalid UTF-8; save the file as UTF-8"
                    ))
                })
            };
            if let Some(t) = rel.strip_prefix("templates/") {
                theme.templates.push((t.to_string(), text()?));
            } else if let Some(f) = rel.strip_prefix("i18n/") {
                let Some(lang) = f.strip_suffix(".toml") else {
                    continue;
                };
                let table: BTreeMap<String, String> = toml::from_str(&text()?).map_err(|e| {
                    Error::Theme(format!(
                        "{origin}/{rel}: {} (every entry is key = \"text\")",
                        e.message().trim()
                    ))
                })?;
                theme.i18n.insert(lang.to_string(), table);
            } else if let Some(s) = rel.strip_prefix("static/") {
                theme.static_files.push((s.to_string(), bytes));
            }
        }
        theme.templates.sort();
        theme.static_files.sort();
        Ok(theme)
    }
}

/// The files under `dir`, sorted, but hidden files and folders (`.git`, editors' files).
fn walk(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let entries = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for e in entries {
        let e = e.map_err(|e| Error::Io {
            path: e.path().unwrap_or(dir).to_path_buf(),
            source: e.into(),
        })?;
        if e.file_type().is_file() {
            out.push(e.into_path());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_theme_has_templates_and_strings() {
        let t = Theme::embedded().unwrap();
        for name in [
            "base.html",
            "index.html",
            "section.html",
            "page.html",
            "404.html",
            "rss.xml",
            "atom.xml",
            "sitemap.xml",
        ] {
            assert!(t.templates.iter().any(|(n, _)| n == name), "missing {name}");
        }
        assert!(t.i18n.contains_key("vi") && t.i18n.contains_key("en"));
        // Every key has a translation in both languages.
        let vi: Vec<_> = t.i18n["vi"].keys().collect();
        let en: Vec<_> = t.i18n["en"].keys().collect();
        assert_eq!(vi, en, "vi.toml and en.toml must have the same keys");
    }
}
