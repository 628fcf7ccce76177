//! The files of a content repository sorted by what they are for: kind schemas, and each
//! site's configuration, Markdown and other files; then each site's configuration read.

use std::collections::{BTreeMap, HashMap};

use crate::config::{parse_site, NetworkConfig, SiteConfig};
use crate::decode::read_text;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::schema::Schemas;
use crate::source::SourceFile;

/// The files of one site folder, `sites/<id>/`.
pub(crate) struct SiteFiles {
    pub(crate) id: String,
    pub(crate) config_file: Option<SourceFile>,
    /// Markdown files outside `static/` and `templates/`, by path relative to the site.
    pub(crate) markdown: Vec<(String, SourceFile)>,
    /// Every other file, by path relative to the site.
    pub(crate) other: Vec<(String, SourceFile)>,
}

/// The files of a repository once sorted: the kind schemas read, the sites' files by id.
pub(crate) struct Sorted {
    pub(crate) schemas: Schemas,
    pub(crate) sites: BTreeMap<String, SiteFiles>,
}

/// A site whose `site.toml` was read: its files, its configuration and its languages (the
/// network's default first).
pub(crate) struct SiteInput {
    pub(crate) files: SiteFiles,
    pub(crate) config: SiteConfig,
    pub(crate) languages: Vec<String>,
}

/// Sorts `files` into kind schemas (read and added to the built-in ones) and sites. Files
/// that are neither are warned about when they look misplaced.
pub(crate) fn sort_files(
    files: Vec<SourceFile>,
    diags: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
) -> Sorted {
    let mut schemas = Schemas::builtin();
    let mut sites: BTreeMap<String, SiteFiles> = BTreeMap::new();
    for f in files {
        if let Some(name) = f.rel.strip_prefix("schema/") {
            match name.strip_suffix(".toml") {
                Some(stem) if !stem.contains('/') => {
                    if let Err(d) = read_text(&f).and_then(|t| schemas.add_file(&f.rel, stem, &t)) {
                        diags.push(d);
                    }
                }
                _ => warnings.push(
                    Diagnostic::warning(&f.rel, 0, 0, "not a kind schema; ignored")
                        .with_hint("kind schemas are schema/<kind>.toml"),
                ),
            }
        } else if let Some(rest) = f.rel.strip_prefix("sites/") {
            let Some((id, rel)) = rest.split_once('/') else {
                warnings.push(Diagnostic::warning(
                    &f.rel,
                    0,
                    0,
                    "file outside any site folder; ignored",
                ));
                continue;
            };
            let (id, rel) = (id.to_string(), rel.to_string());
            let entry = sites.entry(id.clone()).or_insert_with(|| SiteFiles {
                id,
                config_file: None,
                markdown: Vec::new(),
                other: Vec::new(),
            });
            if rel == "site.toml" {
                entry.config_file = Some(f);
            } else if rel.ends_with(".md")
                && !rel.starts_with("static/")
                && !rel.starts_with("templates/")
            {
                entry.markdown.push((rel, f));
            } else {
                entry.other.push((rel, f));
            }
        }
    }
    Sorted { schemas, sites }
}

/// Reads every site's `site.toml`. A site without a valid one is reported and left out;
/// so is a domain claimed twice, or a language the network does not have.
pub(crate) fn read_site_configs(
    sites: BTreeMap<String, SiteFiles>,
    config: &NetworkConfig,
    diags: &mut Diagnostics,
) -> Vec<SiteInput> {
    let mut out = Vec::new();
    let mut domains: HashMap<String, String> = HashMap::new();
    for (id, files) in sites {
        let Some(cf) = &files.config_file else {
            diags.push(
                Diagnostic::error(format!("sites/{id}/site.toml"), 0, 0, "missing site.toml")
                    .with_hint(format!(
                        "create it with name = \"…\" and domain = \"{id}.{}\"",
                        config.base_domain
                    )),
            );
            continue;
        };
        match read_text(cf).and_then(|t| parse_site(&cf.rel, &id, &t)) {
            Ok(sc) => {
                check_domains(&sc, &cf.rel, &mut domains, diags);
                let languages = site_languages(&sc, &cf.rel, config, diags);
                out.push(SiteInput {
                    files,
                    config: sc,
                    languages,
                });
            }
            Err(d) => diags.push(d),
        }
    }
    if !out.iter().any(|s| s.files.id == config.portal) {
        diags.push(
            Diagnostic::error(
                "network.toml",
                1,
                1,
                format!("the portal site `{}` does not exist", config.portal),
            )
            .with_hint(format!(
                "create sites/{}/site.toml or set portal to an existing site id",
                config.portal
            )),
        );
    }
    for id in &config.raw_html {
        if !out.iter().any(|s| &s.files.id == id) {
            diags.push(
                Diagnostic::error(
                    "network.toml",
                    1,
                    1,
                    format!("raw_html names the site `{id}`, which does not exist"),
                )
                .with_hint("list only ids of folders under sites/, e.g. raw_html = [\"mt\"]"),
            );
        }
    }
    out
}

/// Reports a domain or alias of `sc` that an earlier site (in `domains`) already has.
fn check_domains(
    sc: &SiteConfig,
    path: &str,
    domains: &mut HashMap<String, String>,
    diags: &mut Diagnostics,
) {
    for d in std::iter::once(&sc.domain).chain(&sc.aliases) {
        if let Some(other) = domains.insert(d.clone(), path.to_string()) {
            diags.push(
                Diagnostic::error(
                    path,
                    1,
                    1,
                    format!("domain `{d}` is already used by {other}"),
                )
                .with_hint("each domain and alias may belong to one site only"),
            );
        }
    }
}

/// The languages of a site, the network's default first: those `sc` lists (each checked
/// against the network's), or else every language of the network.
fn site_languages(
    sc: &SiteConfig,
    path: &str,
    config: &NetworkConfig,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut out = vec![config.default_language.clone()];
    let Some(ls) = &sc.languages else {
        out.extend(
            config
                .languages
                .iter()
                .filter(|l| **l != config.default_language)
                .cloned(),
        );
        return out;
    };
    for l in ls {
        if !config.languages.contains(l) {
            diags.push(
                Diagnostic::error(
                    path,
                    1,
                    1,
                    format!("language `{l}` is not a language of the network"),
                )
                .with_hint(format!("use some of: {}", config.languages.join(", "))),
            );
        } else if !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}
