//! Content checks that need the templates and the whole site: the translations Decree 42
//! asks for, and template names that exist.

use std::collections::HashSet;

use cms_core::{Diagnostic, Diagnostics, Network, Page, Site};
use tera::Tera;

use crate::templates::{page_template, section_template};

/// Warns of pages of kinds that must exist in other languages too (Decree 42 Art. 7.2:
/// organisation, contacts) when the translation is missing.
pub(crate) fn missing_translations(network: &Network, selected: &[usize], diags: &mut Diagnostics) {
    for &i in selected {
        let site = &network.sites[i];
        let have: HashSet<(&str, &str)> = site
            .pages
            .iter()
            .map(|p| (p.translation_key.as_str(), p.lang.as_str()))
            .collect();
        for p in &site.pages {
            missing_translations_of(
                network,
                site,
                p,
                &|key, lang| have.contains(&(key, lang)),
                diags,
            );
        }
    }
}

/// [`missing_translations`] of one page, where `have(key, lang)` says whether the site has a
/// page of translation key `key` in `lang`.
pub(crate) fn missing_translations_of(
    network: &Network,
    site: &Site,
    p: &Page,
    have: &dyn Fn(&str, &str) -> bool,
    diags: &mut Diagnostics,
) {
    if p.lang != network.config.default_language {
        return;
    }
    let Some(kind) = network.schemas.get(&p.kind) else {
        return;
    };
    let root = &network.display_root;
    for lang in kind
        .translations_required
        .iter()
        .filter(|l| site.languages.contains(l))
    {
        if !have(&p.translation_key, lang) {
            diags.push(
                Diagnostic::warning(
                    format!("{root}{}", p.file),
                    1,
                    1,
                    format!("no {lang} version of this `{}` page", p.kind),
                )
                .with_hint(format!(
                    "Decree 42 Art. 7.2 asks for it: add the translation beside it as .{lang}.md"
                )),
            );
        }
    }
}

/// Errors for pages and sections whose template does not exist.
pub(crate) fn missing_templates<'t>(
    network: &Network,
    selected: &[usize],
    tera_of: &dyn Fn(usize) -> &'t Tera,
    theme: &str,
    diags: &mut Diagnostics,
) {
    let root = &network.display_root;
    for &i in selected {
        let site = &network.sites[i];
        let tera = tera_of(i);
        let has = |name: &str| tera.get_template_names().any(|n| n == name);
        for p in &site.pages {
            diags.extend(missing_page_template(network, site, p, tera, theme));
        }
        for s in &site.sections {
            let name = section_template(s);
            if !has(&name) {
                diags.push(
                    Diagnostic::error(format!("{root}{}", s.file), s.meta.template_line, 1, format!("template `{name}` not found"))
                        .with_hint(format!("add themes/{}/templates/{name} or sites/{}/templates/{name}, or remove `template`", theme, site.id)),
                );
            }
        }
    }
}

/// The error of [`missing_templates`] for page `p` of `site`, if its template does not exist.
pub(crate) fn missing_page_template(
    network: &Network,
    site: &Site,
    p: &Page,
    tera: &Tera,
    theme: &str,
) -> Option<Diagnostic> {
    let name = page_template(network, site, p, tera);
    if tera.get_template_names().any(|n| n == name) {
        return None;
    }
    Some(
        Diagnostic::error(
            format!("{}{}", network.display_root, p.file),
            p.meta.template_line,
            1,
            format!("template `{name}` not found"),
        )
        .with_hint(format!(
            "add themes/{}/templates/{name} or sites/{}/templates/{name}, or remove `template`",
            theme, site.id
        )),
    )
}
