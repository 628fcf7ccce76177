//! `paginator`: one page of a list (a section's pages, a facet value's, a term's).

use serde::Serialize;

/// A link to a page of the list, in `paginator.pagers`.
#[derive(Debug, Serialize)]
pub struct Pager {
    /// Its number, from 1.
    pub index: usize,
    /// Its URL path: the list's path for 1, `<path>page/<n>/` after.
    pub path: String,
}

/// `paginator`, but for `pages`: the summaries of the items on this page (each a
/// [`super::PageSummary`]), which the renderer adds when the list is rendered (see
/// [`crate::deferred`]).
#[derive(Debug, Serialize)]
pub struct PaginatorView {
    /// This page's number, from 1.
    pub current_index: usize,
    /// How many pages the list has (at least 1).
    pub total_pages: usize,
    /// How many items the list has.
    pub total_items: usize,
    /// Items per page.
    pub paginate_by: usize,
    /// URL path of the first page.
    pub first: String,
    /// URL path of the last page.
    pub last: String,
    /// URL path of the previous page, or null on the first.
    pub previous: Option<String>,
    /// URL path of the next page, or null on the last.
    pub next: Option<String>,
    /// Links to the pages around this one (three each side).
    pub pagers: Vec<Pager>,
}

/// A paginator over `items`: page `n` (1-based) of `per_page` (0: all on one page), under
/// `base` (`/tin-tuc/`), and the items on that page, whose summaries are its `pages` (see
/// [`crate::deferred`]).
pub fn paginator(
    items: &[usize],
    per_page: usize,
    n: usize,
    base: &str,
) -> (PaginatorView, Vec<usize>) {
    let per = if per_page == 0 {
        items.len().max(1)
    } else {
        per_page
    };
    let total = items.len().div_ceil(per).max(1);
    let url = |k: usize| {
        if k == 1 {
            base.to_string()
        } else {
            format!("{base}page/{k}/")
        }
    };
    let pages: Vec<usize> = items
        .iter()
        .skip((n - 1) * per)
        .take(per)
        .copied()
        .collect();
    let view = PaginatorView {
        current_index: n,
        total_pages: total,
        total_items: items.len(),
        paginate_by: per,
        first: url(1),
        last: url(total),
        previous: (n > 1).then(|| url(n - 1)),
        next: (n < total).then(|| url(n + 1)),
        // A window around the current page keeps long lists light.
        pagers: (n.saturating_sub(3).max(1)..=(n + 3).min(total))
            .map(|k| Pager {
                index: k,
                path: url(k),
            })
            .collect(),
    };
    (view, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_links_of_a_middle_page() {
        let items: Vec<usize> = (0..95).collect();
        let (v, pages) = paginator(&items, 10, 5, "/tin-tuc/");
        assert_eq!(pages, (40..50).collect::<Vec<_>>());
        assert_eq!(v.total_pages, 10);
        assert_eq!(v.previous.as_deref(), Some("/tin-tuc/page/4/"));
        assert_eq!(v.next.as_deref(), Some("/tin-tuc/page/6/"));
        let idx: Vec<usize> = v.pagers.iter().map(|p| p.index).collect();
        assert_eq!(idx, vec![2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(v.first, "/tin-tuc/");
        assert_eq!(v.last, "/tin-tuc/page/10/");
    }

    #[test]
    fn serializes_missing_neighbours_as_null_and_counts_as_integers() {
        let (v, pages) = paginator(&[7, 8], 0, 1, "/a/");
        assert_eq!(pages, vec![7, 8]);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "current_index": 1, "total_pages": 1, "total_items": 2, "paginate_by": 2,
                "first": "/a/", "last": "/a/", "previous": null, "next": null,
                "pagers": [{"index": 1, "path": "/a/"}],
            })
        );
    }
}
