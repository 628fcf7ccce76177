//! `network` and `site`: what every template sees of the network and of the site it renders,
//! made once per language and shared by every output.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use cms_core::{Network, Site};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{lang_prefix, localized};
use crate::links::LinkIndex;

/// A site of the network, in `network.sites`.
#[derive(Debug, Serialize)]
pub struct NetworkSite<'a> {
    /// The site's id.
    pub id: &'a str,
    /// Its name in the language rendered.
    pub name: &'a str,
    /// Its short name, or null.
    pub short_name: Option<&'a str>,
    /// Its home: `https://<domain>/`.
    pub url: String,
    /// Whether it is the network's portal.
    pub is_portal: bool,
}

/// `network`: the network of sites.
#[derive(Debug, Serialize)]
pub struct NetworkView<'a> {
    /// Its name in the language rendered.
    pub name: &'a str,
    /// The domain under which its sites live.
    pub base_domain: &'a str,
    /// The portal's home: `https://<domain>/` (`/` without a portal).
    pub portal_url: String,
    /// The network's default language.
    pub default_language: &'a str,
    /// Every site, in `network.toml`'s order: only in site partials
    /// (`templates/site/*.html`); empty elsewhere, since copying the list into every page's
    /// context was the most expensive part of it.
    pub sites: Vec<NetworkSite<'a>>,
}

/// A link of the menu or of `site.channels`.
#[derive(Debug, Serialize)]
pub struct MenuLink<'a> {
    /// Its text in the language rendered.
    pub name: &'a str,
    /// Its URL (internal links `@/…` resolved to paths).
    pub url: Cow<'a, str>,
}

/// `site.contact`.
#[derive(Debug, Serialize)]
pub struct ContactView<'a> {
    /// Postal address in the language rendered (empty if none).
    pub address: &'a str,
    /// Phone, or null.
    pub phone: Option<&'a str>,
    /// Fax, or null.
    pub fax: Option<&'a str>,
    /// E-mail, or null.
    pub email: Option<&'a str>,
}

/// `site.responsible`: who answers for the site's content (Decree 42).
#[derive(Debug, Serialize)]
pub struct ResponsibleView<'a> {
    /// Their name.
    pub name: &'a str,
    /// Their title in the language rendered (empty if none).
    pub title: &'a str,
}

/// `site`: the site rendered, in the language rendered.
#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its name in the language rendered.
    pub name: &'a str,
    /// Its Vietnamese name.
    pub name_vi: &'a str,
    /// Its English name, or null.
    pub name_en: Option<&'a str>,
    /// Its short name, or null.
    pub short_name: Option<&'a str>,
    /// Its domain.
    pub domain: &'a str,
    /// Other domains that redirect to it.
    pub aliases: &'a [String],
    /// `https://<domain>`, without a final slash.
    pub url: String,
    /// Whether it is the network's portal.
    pub is_portal: bool,
    /// Its languages; the first is the network's default.
    pub languages: &'a [String],
    /// Its description in the language rendered (empty if none).
    pub description: &'a str,
    /// How to reach the agency.
    pub contact: ContactView<'a>,
    /// Who answers for the content, or null.
    pub responsible: Option<ResponsibleView<'a>>,
    /// `[theme]` of `site.toml`: settings the theme reads (colours…), text by name.
    pub theme: &'a BTreeMap<String, String>,
    /// `[extra]` of `site.toml`, as written.
    pub extra: &'a Map<String, Value>,
    /// The main menu: `site.toml`'s, or by default the home, the home's subsections and the
    /// site map.
    pub menu: Vec<MenuLink<'a>>,
    /// Its other channels (social networks…).
    pub channels: Vec<MenuLink<'a>>,
    /// URL path of its home in the language rendered: `/` or `/en/`.
    pub home: String,
}

/// The network view: its name, and its sites when `with_sites` (site partials get them; pages
/// do not, since copying the list into every page's context is the most expensive part of it).
pub fn network_view<'a>(network: &'a Network, lang: &str, with_sites: bool) -> NetworkView<'a> {
    let c = &network.config;
    let portal_url = network.portal().map(|s| s.base_url()).unwrap_or_default();
    let sites = if with_sites {
        network
            .sites
            .iter()
            .map(|s| NetworkSite {
                id: &s.id,
                name: localized(lang, &s.config.name, s.config.name_en.as_ref()),
                short_name: s.config.short_name.as_deref(),
                url: format!("{}/", s.base_url()),
                is_portal: s.is_portal,
            })
            .collect()
    } else {
        Vec::new()
    };
    NetworkView {
        name: localized(lang, &c.name, c.name_en.as_ref()),
        base_domain: &c.base_domain,
        portal_url: format!("{portal_url}/"),
        default_language: &c.default_language,
        sites,
    }
}

/// The default menu: the home, the home's subsections, the site map.
fn default_menu<'a>(network: &Network, site: &'a Site, lang: &str) -> Vec<MenuLink<'a>> {
    let prefix = lang_prefix(network, lang);
    let home = site
        .home(lang)
        .or_else(|| site.home(&network.config.default_language));
    let (home_name, map_name) = if lang == "en" {
        ("Home", "Site map")
    } else {
        ("Trang chủ", "Sơ đồ cổng")
    };
    let mut items = vec![MenuLink {
        name: home_name,
        url: format!("{prefix}/").into(),
    }];
    for &s in home.map(|h| h.subsections.as_slice()).unwrap_or_default() {
        let sec = &site.sections[s];
        items.push(MenuLink {
            name: &sec.meta.title,
            url: Cow::Borrowed(&sec.path),
        });
    }
    items.push(MenuLink {
        name: map_name,
        url: format!("{prefix}/so-do-cong/").into(),
    });
    items
}

/// `site.toml`'s menu, its internal links resolved; on a translated site, each link points to
/// the translated page when there is one.
fn configured_menu<'a>(
    network: &Network,
    site: &'a Site,
    idx: usize,
    lang: &str,
    links: &LinkIndex,
    known_paths: &HashSet<&str>,
) -> Vec<MenuLink<'a>> {
    let prefix = lang_prefix(network, lang);
    site.config
        .menu
        .iter()
        .map(|m| {
            let resolved: Cow<'a, str> = if m.url.starts_with("@/") {
                links
                    .resolve(idx, &m.url)
                    .map(Cow::Owned)
                    .unwrap_or(Cow::Borrowed(&m.url))
            } else {
                Cow::Borrowed(&m.url)
            };
            let mut url = resolved;
            if !prefix.is_empty() && url.starts_with('/') {
                let translated = format!("{prefix}{url}");
                if known_paths.contains(translated.as_str()) {
                    url = Cow::Owned(translated);
                }
            }
            MenuLink {
                name: localized(lang, &m.name, m.name_en.as_ref()),
                url,
            }
        })
        .collect()
}

/// The site view for `lang`, with its menu resolved.
pub fn site_view<'a>(
    network: &Network,
    site: &'a Site,
    idx: usize,
    lang: &str,
    links: &LinkIndex,
    known_paths: &HashSet<&str>,
) -> SiteView<'a> {
    let c = &site.config;
    let menu = if c.menu.is_empty() {
        default_menu(network, site, lang)
    } else {
        configured_menu(network, site, idx, lang, links, known_paths)
    };
    let contact = &c.contact;
    SiteView {
        id: &site.id,
        name: localized(lang, &c.name, c.name_en.as_ref()),
        name_vi: &c.name,
        name_en: c.name_en.as_deref(),
        short_name: c.short_name.as_deref(),
        domain: &c.domain,
        aliases: &c.aliases,
        url: site.base_url(),
        is_portal: site.is_portal,
        languages: &site.languages,
        description: localized(
            lang,
            c.description.as_deref().unwrap_or(""),
            c.description_en.as_ref(),
        ),
        contact: ContactView {
            address: localized(
                lang,
                contact.address.as_deref().unwrap_or(""),
                contact.address_en.as_ref(),
            ),
            phone: contact.phone.as_deref(),
            fax: contact.fax.as_deref(),
            email: contact.email.as_deref(),
        },
        responsible: c.responsible.as_ref().map(|r| ResponsibleView {
            name: &r.name,
            title: localized(lang, r.title.as_deref().unwrap_or(""), r.title_en.as_ref()),
        }),
        theme: &c.theme,
        extra: &c.extra,
        menu,
        channels: c
            .channels
            .iter()
            .map(|m| MenuLink {
                name: localized(lang, &m.name, m.name_en.as_ref()),
                url: Cow::Borrowed(&m.url),
            })
            .collect(),
        home: format!("{}/", lang_prefix(network, lang)),
    }
}
