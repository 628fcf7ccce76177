//! One page of a site assembled from its parsed file: its kind and validated kind fields,
//! its taxonomies, aliases and slug checked, its output path and section.

use std::collections::{BTreeSet, HashMap};

use crate::config::NetworkConfig;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::frontmatter::FrontMatter;
use crate::meta::PageMeta;
use crate::model::{Asset, Page};
use crate::reference::PageNames;
use crate::schema::{FieldContext, KindSchema, Schemas};
use crate::section_tree::SectionTree;
use crate::text::{safe_relative_path, slugify};
use crate::url_path::{lang_prefix, url_dir};

/// A page's parsed file, before it has a kind, fields and an output path.
pub(crate) struct PageDraft {
    pub(crate) rel: String,
    pub(crate) file: String,
    pub(crate) lang: String,
    /// The folder of its section, relative to the site.
    pub(crate) dir: String,
    /// Its file name without `.md` and language (a bundle's: the folder's name).
    pub(crate) stem: String,
    /// Its own folder, when it is a bundle.
    pub(crate) bundle: Option<String>,
    pub(crate) fm: FrontMatter,
    pub(crate) body: String,
    pub(crate) body_line: usize,
    pub(crate) meta: PageMeta,
    /// Front-matter keys not read as page fields.
    pub(crate) rest: serde_json::Map<String, serde_json::Value>,
}

/// What every page of a site is built against.
pub(crate) struct PageCx<'a> {
    pub(crate) config: &'a NetworkConfig,
    pub(crate) schemas: &'a Schemas,
    pub(crate) tree: &'a SectionTree<'a>,
    pub(crate) bundle_assets: &'a HashMap<String, Vec<Asset>>,
    pub(crate) default: &'a str,
    /// The pages and sections of the network, for the references of typed fields.
    pub(crate) pages: &'a PageNames<'a>,
}

/// Makes a page of `d`: its kind and validated fields, its aliases and slug checked, its
/// output path. `None` (with the problem reported) when it has no valid kind or slug.
pub(crate) fn build_page(cx: &PageCx<'_>, d: PageDraft, diags: &mut Diagnostics) -> Option<Page> {
    let PageDraft {
        rel,
        file,
        lang,
        dir,
        stem,
        bundle,
        fm,
        body,
        body_line,
        mut meta,
        mut rest,
    } = d;
    let schemas = cx.schemas;
    let kind_name = meta
        .kind
        .clone()
        .or_else(|| cx.tree.kind(&lang, &dir))
        .unwrap_or_else(|| "page".to_string());
    let Some(kind) = schemas.get(&kind_name) else {
        if meta.kind.is_some() {
            let (l, c) = fm.locate(None, "kind");
            diags.push(
                Diagnostic::error(&file, l, c, format!("unknown kind `{kind_name}`")).with_hint(
                    format!(
                        "use one of: {}; or add schema/{kind_name}.toml",
                        schemas.names()
                    ),
                ),
            );
        }
        return None;
    };
    let assets = bundle.as_ref().map(|b| {
        cx.bundle_assets
            .get(b)
            .map(Vec::as_slice)
            .unwrap_or_default()
    });
    let table = rest.remove(&kind.name);
    let fields = {
        let bundle_files: Option<BTreeSet<String>> =
            assets.map(|a| a.iter().map(|x| x.name.clone()).collect());
        let fcx = FieldContext {
            path: &file,
            fm: &fm,
            bundle_files: bundle_files.as_ref(),
            pages: Some(cx.pages),
        };
        let (fields, field_diags) = schemas.validate(kind, table, &fcx);
        diags.extend(field_diags);
        fields
    };
    let at = FileAt {
        file: &file,
        fm: &fm,
    };
    check_unknown_keys(&at, &rest, kind, schemas, diags);
    check_taxonomies(&at, &meta, cx.config, diags);
    meta.aliases = clean_aliases(&at, &meta.aliases, diags);
    let slug = page_slug(&at, &meta, &stem, diags)?;
    let path = format!(
        "{}{}/",
        url_dir(&lang_prefix(&lang, cx.default), &dir),
        slug
    );
    let translation_key = match &bundle {
        Some(b) => format!("{b}/index"),
        None if dir.is_empty() => stem.clone(),
        None => format!("{dir}/{stem}"),
    };
    Some(Page {
        section: cx.tree.find(&lang, &dir),
        assets: assets.map(<[Asset]>::to_vec).unwrap_or_default(),
        file,
        rel,
        lang,
        slug,
        path,
        kind: kind_name,
        meta,
        fields,
        body,
        body_line,
        translation_key,
    })
}

/// A page's file and front matter, for messages that point at a field.
struct FileAt<'a> {
    file: &'a str,
    fm: &'a FrontMatter,
}

impl FileAt<'_> {
    fn error(&self, table: Option<&str>, key: &str, message: String) -> Diagnostic {
        let (l, c) = self.fm.locate(table, key);
        Diagnostic::error(self.file, l, c, message)
    }
}

/// Reports each front-matter key that is neither a page field nor the table of the page's
/// kind; a table of another kind says how to switch to it.
fn check_unknown_keys(
    at: &FileAt<'_>,
    rest: &serde_json::Map<String, serde_json::Value>,
    kind: &KindSchema,
    schemas: &Schemas,
    diags: &mut Diagnostics,
) {
    let kind_name = &kind.name;
    for key in rest.keys() {
        let hint = if schemas.get(key).is_some() {
            format!(
                "this page is of kind `{kind_name}`; set kind = \"{key}\" to use [{key}] fields"
            )
        } else {
            format!("page fields are title, description, date, updated, slug, draft, publish_at, unpublish_at, weight, aliases, template, kind, [taxonomies], [extra] and [{kind_name}]")
        };
        diags.push(
            at.error(None, key, format!("unknown field `{key}`"))
                .with_hint(hint),
        );
    }
}

/// Reports each taxonomy of the page that the network does not declare.
fn check_taxonomies(
    at: &FileAt<'_>,
    meta: &PageMeta,
    config: &NetworkConfig,
    diags: &mut Diagnostics,
) {
    for tax in meta.taxonomies.keys() {
        if config.taxonomies.contains(tax) {
            continue;
        }
        let hint = if config.taxonomies.is_empty() {
            "add taxonomies = [\"…\"] to network.toml".to_string()
        } else {
            format!(
                "use one of: {}; or add it to network.toml",
                config.taxonomies.join(", ")
            )
        };
        diags.push(
            at.error(Some("taxonomies"), tax, format!("unknown taxonomy `{tax}`"))
                .with_hint(hint),
        );
    }
}

/// The page's aliases as clean paths inside the site; one that leaves it is reported.
fn clean_aliases(at: &FileAt<'_>, aliases: &[String], diags: &mut Diagnostics) -> Vec<String> {
    let mut clean = Vec::new();
    for a in aliases {
        match safe_relative_path(a.trim_start_matches('/')) {
            Some(p) => clean.push(p),
            None => diags.push(
                at.error(None, "aliases", format!("alias `{a}` leaves the site"))
                    .with_hint(
                        "write aliases as paths inside the site, e.g. \"/tin-cu/bai-viet/\"",
                    ),
            ),
        }
    }
    clean
}

/// The page's slug: its `slug` field slugified, else its file name's. `None` (reported)
/// when the field has no letters or digits.
fn page_slug(
    at: &FileAt<'_>,
    meta: &PageMeta,
    stem: &str,
    diags: &mut Diagnostics,
) -> Option<String> {
    let Some(s) = &meta.slug else {
        return Some(slugify(stem));
    };
    let clean = slugify(s);
    if clean.is_empty() {
        diags.push(
            at.error(None, "slug", "slug has no letters or digits".to_string())
                .with_hint("write a slug like \"ke-hoach-2022\""),
        );
        return None;
    }
    Some(clean)
}
