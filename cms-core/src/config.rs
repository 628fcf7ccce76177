//! `network.toml` and `sites/<id>/site.toml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::frontmatter::line_col;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkFile {
    network: NetworkConfig,
    // Read by later stages (build, search, publish); accepted here so the file validates.
    #[serde(default)]
    #[allow(dead_code)]
    build: Option<toml::Table>,
    #[serde(default)]
    #[allow(dead_code)]
    search: Option<toml::Table>,
    #[serde(default)]
    #[allow(dead_code)]
    publish: Option<toml::Table>,
}

/// The `[network]` table of `network.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// The network's (the ministry's) name.
    pub name: String,
    /// Its English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// The domain under which agency sites live (`mt.gov.vn`).
    pub base_domain: String,
    /// The id of the portal site.
    pub portal: String,
    /// The language of unsuffixed files.
    #[serde(default = "default_language")]
    pub default_language: String,
    /// Every language of the network.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// Taxonomies pages may use.
    #[serde(default)]
    pub taxonomies: Vec<String>,
    /// The theme (`themes/<theme>/`).
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The branch of the content repository that is live (`cms serve --content`): approved
    /// changes are merged into it. `main` when not given.
    #[serde(default)]
    pub published_branch: Option<String>,
    /// The ids of the sites whose Markdown may carry raw HTML as written (`raw_html =
    /// ["mt"]`): their bodies are not sanitized. Every other site's rendered Markdown is
    /// cleaned with an allowlist (no `<script>`, `on…=` attributes, `javascript:` links).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raw_html: Vec<String>,
}

impl NetworkConfig {
    /// Whether the site `id` keeps the raw HTML of its Markdown (`raw_html` lists it).
    pub fn allows_raw_html(&self, id: &str) -> bool {
        self.raw_html.iter().any(|s| s == id)
    }
}

fn default_language() -> String {
    "vi".into()
}
fn default_languages() -> Vec<String> {
    vec!["vi".into()]
}
fn default_theme() -> String {
    "default".into()
}

/// A menu entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    /// Vietnamese label.
    pub name: String,
    /// English label.
    #[serde(default)]
    pub name_en: Option<String>,
    /// A path (`/tin-tuc/`), an absolute URL, or an `@/` link.
    pub url: String,
}

/// Contact details shown in the footer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Address in Vietnamese.
    #[serde(default)]
    pub address: Option<String>,
    /// Address in English.
    #[serde(default)]
    pub address_en: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Fax.
    #[serde(default)]
    pub fax: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// The person responsible for the site (người chịu trách nhiệm, Circular 32).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Responsible {
    /// Name.
    pub name: String,
    /// Title in Vietnamese.
    #[serde(default)]
    pub title: Option<String>,
    /// Title in English.
    #[serde(default)]
    pub title_en: Option<String>,
}

/// `sites/<id>/site.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Must equal the folder name when given.
    #[serde(default)]
    pub id: Option<String>,
    /// Full name in Vietnamese.
    pub name: String,
    /// Full name in English.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Short name.
    #[serde(default)]
    pub short_name: Option<String>,
    /// The site's domain.
    pub domain: String,
    /// Legacy domains.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Languages; the network's when not given.
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    /// Description in Vietnamese.
    #[serde(default)]
    pub description: Option<String>,
    /// Description in English.
    #[serde(default)]
    pub description_en: Option<String>,
    /// The main menu.
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    /// Contact details.
    #[serde(default)]
    pub contact: Contact,
    /// The person responsible.
    #[serde(default)]
    pub responsible: Option<Responsible>,
    /// Official channels besides the site (Decree 42 Art. 5.3): social pages, apps, hotlines.
    #[serde(default)]
    pub channels: Vec<MenuItem>,
    /// Theme variables (colours and the like).
    #[serde(default)]
    pub theme: BTreeMap<String, String>,
    /// Free-form data for templates.
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn toml_error(path: &str, text: &str, e: toml::de::Error, hint: &str) -> Diagnostic {
    let (l, c) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
    let msg = e.message().trim().to_string();
    let hint = if let Some(field) = msg
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        format!("add `{field} = …`; {hint}")
    } else {
        hint.to_string()
    };
    Diagnostic::error(path, l, c, msg).with_hint(hint)
}

/// Parses `network.toml`.
/// Reads the text of `network.toml` (at `path`, for messages): its `[network]` table, or the
/// first problem in it.
pub fn parse_network(path: &str, text: &str) -> Result<NetworkConfig, Diagnostic> {
    let file: NetworkFile = toml::from_str(text).map_err(|e| {
        toml_error(
            path,
            text,
            e,
            "see docs/content-format.md, \"network.toml\"",
        )
    })?;
    let n = file.network;
    if !n.languages.contains(&n.default_language) {
        let (l, c) = crate::value::locate_key(
            text,
            crate::value::Syntax::Toml,
            Some("network"),
            "languages",
        )
        .unwrap_or((1, 1));
        return Err(Diagnostic::error(
            path,
            l,
            c,
            format!(
                "languages do not include the default language `{}`",
                n.default_language
            ),
        )
        .with_hint(format!("add \"{}\" to languages", n.default_language)));
    }
    Ok(n)
}

/// Parses a `site.toml` and checks its id and domains.
pub(crate) fn parse_site(
    path: &str,
    folder_id: &str,
    text: &str,
) -> Result<SiteConfig, Diagnostic> {
    let site: SiteConfig = toml::from_str(text).map_err(|e| {
        toml_error(
            path,
            text,
            e,
            &format!("every site needs name and domain, e.g. domain = \"{folder_id}.mt.gov.vn\""),
        )
    })?;
    let at = |key: &str| {
        crate::value::locate_key(text, crate::value::Syntax::Toml, None, key).unwrap_or((1, 1))
    };
    if let Some(id) = &site.id {
        if id != folder_id {
            let (l, c) = at("id");
            return Err(Diagnostic::error(
                path,
                l,
                c,
                format!("id `{id}` differs from the folder name `{folder_id}`"),
            )
            .with_hint(format!("set id = \"{folder_id}\" or rename the folder")));
        }
    }
    for d in std::iter::once(&site.domain).chain(&site.aliases) {
        if !is_domain(d) {
            let (l, c) = if d == &site.domain {
                at("domain")
            } else {
                at("aliases")
            };
            return Err(Diagnostic::error(path, l, c, format!("`{d}` is not a domain name"))
                .with_hint("write a lowercase host name such as drvn.mt.gov.vn, without https:// or a path"));
        }
    }
    Ok(site)
}

fn is_domain(d: &str) -> bool {
    d.contains('.')
        && !d.starts_with(['.', '-'])
        && !d.ends_with(['.', '-'])
        && d.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !d.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_without_domain_is_an_error_with_a_hint() {
        let e = parse_site("sites/x/site.toml", "x", "name = \"X\"\n").unwrap_err();
        assert!(e.message.contains("domain"), "{e}");
        assert!(
            e.hint.as_deref().unwrap_or("").contains("x.mt.gov.vn"),
            "{e}"
        );
    }

    #[test]
    fn site_domains_are_checked() {
        let e = parse_site("s", "x", "name = \"X\"\ndomain = \"https://x.gov.vn/\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_site(
            "s",
            "x",
            "id = \"y\"\nname = \"X\"\ndomain = \"x.gov.vn\"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("differs"));
        assert!(parse_site(
            "s",
            "x",
            "name = \"X\"\ndomain = \"x.mt.gov.vn\"\naliases = [\"x.gov.vn\"]\n"
        )
        .is_ok());
    }

    #[test]
    fn network_needs_its_default_language() {
        let e = parse_network("network.toml", "[network]\nname = \"N\"\nbase_domain = \"mt.gov.vn\"\nportal = \"mt\"\nlanguages = [\"en\"]\n").unwrap_err();
        assert!(e.message.contains("default language"));
        let e = parse_network("network.toml", "[network]\nname = \"N\"\n").unwrap_err();
        assert!(e.message.contains("missing field"), "{e}");
    }
}
