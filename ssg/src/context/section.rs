//! `section` and what hangs off sections: their breadcrumbs and translations, the
//! organisation chart of a section of units, and the tree of sections of the HTML sitemap.

use std::collections::HashSet;

use cms_core::{Page, Section, Site};
use serde::Serialize;
use serde_json::Value;

use super::SiteData;

/// A link to a section or page: a breadcrumb, `page.section`, a page in the sitemap's tree.
#[derive(Debug, Clone, Serialize)]
pub struct Link<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its URL path.
    pub path: &'a str,
}

impl<'a> Link<'a> {
    /// The link to section `s`.
    pub fn section(s: &'a Section) -> Self {
        Link {
            title: &s.meta.title,
            path: &s.path,
        }
    }
}

/// The same page or section in another language.
#[derive(Debug, Serialize)]
pub struct Translation<'a> {
    /// Its language.
    pub lang: &'a str,
    /// Its URL path.
    pub path: &'a str,
}

/// A subsection in `section.subsections`.
#[derive(Debug, Serialize)]
pub struct SubsectionView<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its description, or null.
    pub description: Option<&'a str>,
    /// Its URL path.
    pub path: &'a str,
    /// How many pages it lists (its own, not its subsections').
    pub page_count: usize,
}

/// A section list's `section`, but for `content` and `toc` (its `_index.md`'s HTML and
/// headings), which the renderer adds when the list is rendered (see [`crate::deferred`]).
#[derive(Debug, Serialize)]
pub struct SectionView<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its description, or null.
    pub description: Option<&'a str>,
    /// Its URL path: `/tin-tuc/`.
    pub path: &'a str,
    /// Its full URL.
    pub permalink: String,
    /// Its language.
    pub lang: &'a str,
    /// The kind of its pages (front matter `kind`), or null.
    pub kind: Option<&'a str>,
    /// Front matter `[extra]`, as written.
    pub extra: &'a Value,
    /// Its subsections, in order.
    pub subsections: Vec<SubsectionView<'a>>,
    /// How many pages it lists.
    pub page_count: usize,
    /// The chain from the home page to the section itself (included).
    pub breadcrumbs: Vec<Link<'a>>,
    /// The section in other languages.
    pub translations: Vec<Translation<'a>>,
    /// Its source file, relative to the content root.
    pub source: &'a str,
}

/// A feed's `section`: the section whose pages it lists (the home section: the whole site).
#[derive(Debug, Serialize)]
pub struct FeedSection<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its description, or null.
    pub description: Option<&'a str>,
    /// Its URL path.
    pub path: &'a str,
}

/// A unit in `org_chart`: a `unit` page, or at the top, the unit the pages name as parent
/// when it is not one of them.
#[derive(Debug, Serialize)]
pub struct OrgNode<'a> {
    /// The unit's title (at the top, the parent's name, or the section's title when the
    /// units name no parent).
    pub title: &'a str,
    /// The unit page's path; null at the top.
    pub path: Option<&'a str>,
    /// The units whose `parent` field names this one (down to six levels).
    pub children: Vec<OrgNode<'a>>,
}

/// A section in the HTML sitemap's `tree`.
#[derive(Debug, Serialize)]
pub struct TreeNode<'a> {
    /// Its title.
    pub title: &'a str,
    /// Its URL path.
    pub path: &'a str,
    /// How many pages it lists.
    pub page_count: usize,
    /// Its pages when it has at most 30, else none.
    pub pages: Vec<Link<'a>>,
    /// Its subsections.
    pub children: Vec<TreeNode<'a>>,
}

/// Breadcrumbs from the home page to `section` (included).
pub fn breadcrumbs(site: &Site, section: Option<usize>) -> Vec<Link<'_>> {
    let mut chain = Vec::new();
    let mut cur = section;
    while let Some(i) = cur {
        let s = &site.sections[i];
        chain.push(Link::section(s));
        cur = s.parent;
    }
    chain.reverse();
    chain
}

/// The other-language versions of a page or section.
pub fn translations_of<'a>(data: &'a SiteData<'_>, key: &str, lang: &str) -> Vec<Translation<'a>> {
    data.translations
        .get(key)
        .map(|v| {
            v.iter()
                .filter(|(l, _)| l != lang)
                .map(|(l, p)| Translation { lang: l, path: p })
                .collect()
        })
        .unwrap_or_default()
}

/// The view of a section, without its page list, and without its Markdown (`content` and
/// `toc`), which the renderer adds only when the output is rendered.
pub fn section_view<'a>(data: &'a SiteData<'_>, i: usize) -> SectionView<'a> {
    let site = data.site;
    let s = &site.sections[i];
    SectionView {
        title: &s.meta.title,
        description: s.meta.description.as_deref(),
        path: &s.path,
        permalink: format!("{}{}", site.base_url(), s.path),
        lang: &s.lang,
        kind: s.meta.kind.as_deref(),
        extra: &s.meta.extra,
        subsections: s
            .subsections
            .iter()
            .map(|&j| {
                let sub = &site.sections[j];
                SubsectionView {
                    title: &sub.meta.title,
                    description: sub.meta.description.as_deref(),
                    path: &sub.path,
                    page_count: sub.pages.len(),
                }
            })
            .collect(),
        page_count: s.pages.len(),
        breadcrumbs: breadcrumbs(site, Some(i)),
        translations: translations_of(data, &s.translation_key, &s.lang),
        source: &s.file,
    }
}

/// A feed's view of section `s`.
pub fn feed_section(s: &Section) -> FeedSection<'_> {
    FeedSection {
        title: &s.meta.title,
        description: s.meta.description.as_deref(),
        path: &s.path,
    }
}

/// The organisation chart of a section of `unit` pages, as a nested list: each unit under the
/// unit its `parent` field names (by title); units whose parent is not a page of the section
/// are grouped under that parent's name. `None` when the section has no units.
pub fn org_chart(site: &Site, i: usize) -> Option<Vec<OrgNode<'_>>> {
    let s = &site.sections[i];
    let units: Vec<&Page> = s
        .pages
        .iter()
        .map(|&p| &site.pages[p])
        .filter(|p| p.kind == "unit")
        .collect();
    if units.is_empty() {
        return None;
    }
    let titles: HashSet<&str> = units.iter().map(|p| p.meta.title.as_str()).collect();
    let mut roots: Vec<&str> = units
        .iter()
        .map(|p| parent_of(p))
        .filter(|r| !titles.contains(r))
        .collect();
    roots.sort_unstable();
    roots.dedup();
    Some(
        roots
            .into_iter()
            .map(|r| OrgNode {
                title: if r.is_empty() { &s.meta.title } else { r },
                path: None,
                children: units
                    .iter()
                    .filter(|p| parent_of(p) == r)
                    .map(|p| org_node(p, &units, 1))
                    .collect(),
            })
            .collect(),
    )
}

/// The unit a `unit` page's `parent` field names, or empty.
fn parent_of(p: &Page) -> &str {
    p.fields.get("parent").and_then(Value::as_str).unwrap_or("")
}

/// Unit `p` and, down to the sixth level, the units under it.
fn org_node<'a>(p: &'a Page, units: &[&'a Page], depth: usize) -> OrgNode<'a> {
    let children = if depth < 6 {
        units
            .iter()
            .filter(|c| parent_of(c) == p.meta.title)
            .map(|c| org_node(c, units, depth + 1))
            .collect()
    } else {
        Vec::new()
    };
    OrgNode {
        title: &p.meta.title,
        path: Some(&p.path),
        children,
    }
}

/// The tree of sections under section `i`, with the pages of small sections, for the HTML
/// sitemap (Circular 32 "Sơ đồ cổng").
pub fn section_tree<'a>(data: &'a SiteData<'_>, i: usize) -> TreeNode<'a> {
    const LIST_PAGES_UP_TO: usize = 30;
    let site = data.site;
    let s = &site.sections[i];
    let pages = if s.pages.len() <= LIST_PAGES_UP_TO {
        s.pages
            .iter()
            .map(|&p| Link {
                title: &site.pages[p].meta.title,
                path: &site.pages[p].path,
            })
            .collect()
    } else {
        Vec::new()
    };
    TreeNode {
        title: &s.meta.title,
        path: &s.path,
        page_count: s.pages.len(),
        pages,
        children: s
            .subsections
            .iter()
            .map(|&c| section_tree(data, c))
            .collect(),
    }
}
