//! `GET /admin/sites/{site}/`: the site's content, published and in draft, with filters,
//! search (through the search index, by the read API's `q`), sorting and pages, all in a GET
//! form that works without JavaScript.
//!
//! Published pages come a page at a time from the read API's listing (in memory, however big
//! the site); drafts from `GET /sites/{site}/drafts`, one call that gives each draft's title,
//! kind, language, date and whether it is published. On the first page of the whole list, drafts of pages not published yet
//! come first; the status filter lists drafts alone, as does the author filter (the read API
//! does not name authors).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use cms_core::store::Status;
use serde::{Deserialize, Serialize};
use ssg::api::{ContentPage, SectionNode, SiteDoc};

use super::cx::{Answer, Cx};

use super::draft_rows::{draft_row, loose, status_key, DraftFilter, Row};
use crate::api::{DraftView, Problem};

/// Rows per page.
const PER_PAGE: usize = 50;

/// The list's form, as the query gives it (every field optional; empty means no filter).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ListForm {
    kind: String,
    /// ``, `published`, `draft`, `in_review`.
    status: String,
    lang: String,
    author: String,
    from: String,
    to: String,
    /// `taxonomy/term-slug`.
    term: String,
    section: String,
    q: String,
    /// `-date`, `date`, `title`, `-title`.
    sort: String,
    page: String,
}

/// A choice of a `<select>`.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// A link of the pager.
#[derive(Debug, Serialize)]
struct PageLink {
    n: usize,
    href: String,
    current: bool,
}

/// What the page shows.
#[derive(Debug, Serialize)]
struct ListView {
    site: String,
    form: ListForm,
    rows: Vec<Row>,
    total: usize,
    pages: Vec<PageLink>,
    prev: Option<String>,
    next: Option<String>,
    /// Links that sort by a column, the other way round when it is the current order.
    sort_date: String,
    sort_title: String,
    sections: Vec<Choice>,
    langs: Vec<String>,
    terms: Vec<Choice>,
    review: Vec<DraftView>,
    /// Published pages are left out (status or author asked).
    drafts_only: bool,
    /// Whether the viewer administers the site (a link to its users).
    manage_users: bool,
}

fn nonempty(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// The list's URL with `form`'s filters, at `page`, sorted by `sort`.
fn href(site: &str, form: &ListForm, sort: &str, page: usize) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    let f = form;
    for (k, v) in [
        ("q", &f.q),
        ("kind", &f.kind),
        ("status", &f.status),
        ("lang", &f.lang),
        ("author", &f.author),
        ("from", &f.from),
        ("to", &f.to),
        ("term", &f.term),
        ("section", &f.section),
    ] {
        if let Some(v) = nonempty(v) {
            q.append_pair(k, v);
        }
    }
    if let Some(s) = nonempty(sort) {
        q.append_pair("sort", s);
    }
    if page > 1 {
        q.append_pair("page", &page.to_string());
    }
    let q = q.finish();
    let site: String = form_urlencoded::byte_serialize(site.as_bytes()).collect();
    if q.is_empty() {
        format!("/admin/sites/{site}/")
    } else {
        format!("/admin/sites/{site}/?{q}")
    }
}

/// The read API's listing query for `form` at `page`.
fn api_query(form: &ListForm, page: usize) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &form.q),
        ("kind", &form.kind),
        ("lang", &form.lang),
        ("from", &form.from),
        ("to", &form.to),
        ("section", &form.section),
        ("sort", &form.sort),
    ] {
        if let Some(v) = nonempty(v) {
            q.append_pair(k, v);
        }
    }
    if let Some((tax, term)) = nonempty(&form.term).and_then(|t| t.split_once('/')) {
        q.append_pair("taxonomy", tax);
        q.append_pair("term", term);
    }
    q.append_pair("page", &page.to_string());
    q.append_pair("per_page", &PER_PAGE.to_string());
    q.finish()
}

/// `GET /admin/sites/{site}/`.
pub async fn show(
    cx: Cx,
    Path(site): Path<String>,
    form: Result<Query<ListForm>, QueryRejection>,
) -> Answer {
    let session = cx.session().await?;
    // A query that does not parse (a repeated field): the list unfiltered.
    let form = form.map(|Query(f)| f).unwrap_or_default();
    let fail = |p: Problem| cx.fail(Some(&session), p);
    // The drafts first: their 403 is the answer to an editor of another site (the read API
    // is public).
    let drafts: Vec<DraftView> = cx
        .api
        .get(&format!("/sites/{site}/drafts"))
        .await
        .map_err(fail)?;
    let doc: Option<SiteDoc> = match cx.api.get(&format!("/sites/{site}")).await {
        Ok(d) => Some(d),
        // Not built yet: the drafts alone.
        Err(p) if p.status == 404 || p.status == 503 => None,
        Err(p) => return Err(fail(p)),
    };
    let langs = doc.as_ref().map_or_else(Vec::new, |d| d.languages.clone());
    let page = form.page.trim().parse::<usize>().unwrap_or(1).max(1);
    let status = nonempty(&form.status);
    let drafts_only = doc.is_none()
        || matches!(status, Some("draft" | "in_review"))
        || nonempty(&form.author).is_some();

    // The drafts' rows, filtered.
    let filter = DraftFilter {
        kind: nonempty(&form.kind),
        section: nonempty(&form.section).map(|s| s.trim_matches('/')),
        lang: nonempty(&form.lang),
        author: nonempty(&form.author),
        q: nonempty(&form.q),
        from: nonempty(&form.from),
        to: nonempty(&form.to),
        term: nonempty(&form.term).is_some(),
    };
    // Each draft's row from the drafts API's summary of it: no call per draft.
    let mut draft_rows: Vec<Row> = Vec::new();
    if status != Some("published") {
        draft_rows = drafts
            .iter()
            .filter(|d| status.is_none_or(|s| s == status_key(d.status)))
            .map(|d| (draft_row(d, &langs), d))
            .filter(|(row, d)| filter.passes(row, d))
            .map(|(row, _)| row)
            .collect();
    }
    sort_rows(&mut draft_rows, &form.sort);

    let mut problem = None;
    let (rows, total, page_count) = if drafts_only {
        let total = draft_rows.len();
        let rows: Vec<Row> = draft_rows
            .into_iter()
            .skip((page - 1).saturating_mul(PER_PAGE))
            .take(PER_PAGE)
            .collect();
        (rows, total, total.div_ceil(PER_PAGE))
    } else {
        let path = format!("/sites/{site}/content?{}", api_query(&form, page));
        match cx.api.get::<ContentPage>(&path).await {
            Ok(listing) => with_published(listing, draft_rows, &drafts, page),
            // A bad filter: the form again with the API's message.
            Err(p) if p.status == 400 => {
                problem = Some(p);
                (Vec::new(), 0, 0)
            }
            Err(p) => return Err(fail(p)),
        }
    };
    let pager = Pager {
        total,
        page,
        count: page_count,
    };
    let mut view = view(&site, form, rows, pager, doc.as_ref(), drafts, drafts_only);
    view.manage_users = session.user.grants.iter().any(|g| {
        (g.site == site || g.site == "*")
            && matches!(g.role, db::Role::SiteAdmin | db::Role::NetworkAdmin)
    });
    let title = format!("{} — {site}", cx.s("content_title"));
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    cx.page_with(
        status,
        "content_list.html",
        &title,
        Some(&session),
        problem.as_ref(),
        &view,
    )
}

/// The rows of one page of the whole list: on the first, the drafts of pages not published
/// yet; then the read API's page, each with its draft's status when it has one.
fn with_published(
    listing: ContentPage,
    draft_rows: Vec<Row>,
    drafts: &[DraftView],
    page: usize,
) -> (Vec<Row>, usize, usize) {
    let unpublished: Vec<Row> = draft_rows.into_iter().filter(|r| !r.published).collect();
    let extra = unpublished.len();
    let mut rows = if page == 1 { unpublished } else { Vec::new() };
    for item in listing.items {
        let draft = drafts.iter().find(|d| d.path == item.path);
        rows.push(Row {
            status: draft
                .map_or("published", |d| status_key(d.status))
                .to_string(),
            published: true,
            deleted: draft.is_some_and(|d| d.deleted),
            author: draft.map(|d| d.author_name.clone()),
            url: Some(item.url),
            path: item.path,
            title: item.title,
            kind: item.kind,
            section: item.section.unwrap_or_default(),
            lang: item.lang,
            date: item.date,
        });
    }
    (rows, listing.total + extra, listing.pages.max(1))
}

/// Drafts in the order asked (dates as written compare as text; undated last).
fn sort_rows(rows: &mut [Row], sort: &str) {
    match sort.trim() {
        "title" => rows.sort_by_key(|r| loose(&r.title)),
        "-title" => rows.sort_by_key(|r| std::cmp::Reverse(loose(&r.title))),
        "date" => rows.sort_by(|a, b| match (&a.date, &b.date) {
            (Some(x), Some(y)) => x.cmp(y),
            (x, y) => x.is_none().cmp(&y.is_none()),
        }),
        _ => rows.sort_by(|a, b| match (&a.date, &b.date) {
            (Some(x), Some(y)) => y.cmp(x),
            (x, y) => x.is_none().cmp(&y.is_none()),
        }),
    }
}

/// Where the list is: rows in all, this page, pages in all.
struct Pager {
    total: usize,
    page: usize,
    count: usize,
}

/// The page's data: the rows, the pager and sort links keeping the filters, the choices.
fn view(
    site: &str,
    form: ListForm,
    rows: Vec<Row>,
    pager: Pager,
    doc: Option<&SiteDoc>,
    drafts: Vec<DraftView>,
    drafts_only: bool,
) -> ListView {
    let sort = form.sort.trim().to_string();
    let at = |n: usize| href(site, &form, &sort, n);
    let pages = (1..=pager.count)
        .map(|n| PageLink {
            n,
            href: at(n),
            current: n == pager.page,
        })
        .collect();
    let flip = |col: &str| {
        let asc = col.to_string();
        let desc = format!("-{col}");
        // Dates start newest first, titles A to Z.
        let now_first = if col == "date" { &desc } else { &asc };
        let current = if sort.is_empty() { "-date" } else { &sort };
        let next = if current == now_first {
            if col == "date" {
                &asc
            } else {
                &desc
            }
        } else {
            now_first
        };
        href(site, &form, next, 1)
    };
    let mut sections = Vec::new();
    let mut terms = Vec::new();
    if let Some(doc) = doc {
        if let Some(home) = doc.languages.first().and_then(|l| doc.sections.get(l)) {
            flatten(home, 0, &mut sections);
        }
        for t in &doc.taxonomies {
            for term in &t.terms {
                let value = format!("{}/{}", t.name, term.slug);
                if !terms.iter().any(|c: &Choice| c.value == value) {
                    terms.push(Choice {
                        label: format!("{}: {}", t.name, term.name),
                        value,
                    });
                }
            }
        }
    }
    ListView {
        site: site.to_string(),
        rows,
        total: pager.total,
        prev: (pager.page > 1).then(|| at(pager.page - 1)),
        next: (pager.page < pager.count).then(|| at(pager.page + 1)),
        pages,
        sort_date: flip("date"),
        sort_title: flip("title"),
        sections,
        langs: doc.map_or_else(Vec::new, |d| d.languages.clone()),
        terms,
        review: drafts
            .into_iter()
            .filter(|d| d.status == Status::InReview)
            .collect(),
        drafts_only,
        manage_users: false,
        form,
    }
}

/// The sections of a tree, depth first, labelled with their depth.
fn flatten(node: &SectionNode, depth: usize, out: &mut Vec<Choice>) {
    let dir = node
        .path
        .rsplit_once('/')
        .map_or("", |(dir, _)| dir)
        .to_string();
    out.push(Choice {
        label: format!("{}{}", "— ".repeat(depth), node.title),
        value: dir,
    });
    for c in &node.children {
        flatten(c, depth + 1, out);
    }
}
