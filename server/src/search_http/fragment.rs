//! The results part of the search page: results, facet links, sorting and pages, as HTML
//! the server fills the page's `<cms-search>` with.

use search_index::{escape, Request as Query, Response as Results, Sort};

use super::{chrono_date, hit_link, notice_key};
use crate::index::Ui;
use crate::params::{self, encode};
use crate::sites::Site;

/// The results part of the page.
pub(super) struct Fragment<'a> {
    pub(super) ui: &'a Ui,
    pub(super) lang: &'a str,
    pub(super) site: &'a Site,
    pub(super) host: &'a str,
    pub(super) params: &'a [(String, String)],
    pub(super) query: &'a Query,
    pub(super) results: &'a Results,
    pub(super) base: String,
}

impl Fragment<'_> {
    fn t(&self, key: &'static str) -> String {
        escape(self.ui.t(self.lang, key))
    }

    /// This search with some parameters changed (`None` removes one); back to page 1 unless
    /// the page is what changes.
    fn href(&self, set: &[(&str, Option<&str>)]) -> String {
        let mut out: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, v)| !v.is_empty() && !set.iter().any(|(s, _)| s == k) && k != "page")
            .cloned()
            .collect();
        for (k, v) in set {
            if let Some(v) = v {
                out.push((k.to_string(), v.to_string()));
            }
        }
        let qs: Vec<String> = out
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        escape(&format!("{}?{}", self.base, qs.join("&")))
    }

    pub(super) fn render(&self) -> String {
        let r = self.results;
        let mut h = String::with_capacity(16 * 1024);
        self.form(&mut h);
        if let Some(n) = r.notice {
            h.push_str(&format!(
                "<p class=\"search-notice\" role=\"status\">{}</p>",
                self.t(notice_key(n))
            ));
            if r.total == 0 {
                return h;
            }
        }
        h.push_str("<div class=\"with-facets\"><div class=\"list\">");
        if r.total == 0 {
            h.push_str(&format!(
                "<p class=\"search-summary\" role=\"status\">{}</p><p>{}</p>",
                self.t("search_none"),
                self.t("search_none_hint")
            ));
        } else {
            h.push_str(&format!(
                "<p class=\"search-summary\" role=\"status\">{} {} {} “{}”</p>",
                self.t("search_found"),
                format_count(r.total, self.lang),
                self.t("search_results_for"),
                escape(&r.q)
            ));
            if r.relaxed {
                h.push_str(&format!(
                    "<p class=\"search-notice\">{}</p>",
                    self.t("search_relaxed")
                ));
            }
            let start = (r.page - 1) * r.per_page + 1;
            h.push_str(&format!("<ol class=\"results\" start=\"{start}\">"));
            for hit in &r.hits {
                let link = escape(&hit_link(hit, self.host, Some(self.site)));
                let mut meta = vec![
                    escape(self.ui.site_name(self.lang, &hit.site)),
                    escape(self.ui.kind_label(self.lang, &hit.kind)),
                ];
                if let Some(d) = hit.date.and_then(chrono_date) {
                    let shown = vi_date(&d, self.lang);
                    meta.push(format!("<time datetime=\"{d}\">{shown}</time>"));
                }
                let hreflang = if hit.lang != self.lang {
                    format!(
                        " hreflang=\"{}\" lang=\"{}\"",
                        escape(&hit.lang),
                        escape(&hit.lang)
                    )
                } else {
                    String::new()
                };
                h.push_str(&format!(
                    "<li class=\"result\"><h2 class=\"result-title\"><a href=\"{link}\"{hreflang}>{}</a></h2><p class=\"result-meta\">{}</p><p class=\"result-snippet\">{}</p></li>",
                    hit.title_html,
                    meta.join(" · "),
                    hit.snippet_html
                ));
            }
            h.push_str("</ol>");
            self.pagination(&mut h);
        }
        h.push_str("</div>");
        self.facets(&mut h);
        h.push_str("</div>");
        h
    }

    fn form(&self, h: &mut String) {
        let q = escape(&self.results.q);
        h.push_str(&format!(
            "<form class=\"search-page\" role=\"search\" action=\"{}\" method=\"get\"><label for=\"search-q\">{}</label> <input id=\"search-q\" name=\"q\" type=\"search\" value=\"{q}\" maxlength=\"1000\"> ",
            escape(&self.base),
            self.t("search_placeholder"),
        ));
        if !self.site.portal {
            let all = params::get(self.params, "scope") == Some("all");
            h.push_str(&format!(
                "<fieldset class=\"search-scope\"><legend>{}</legend><input type=\"radio\" id=\"scope-site\" name=\"scope\" value=\"site\"{}> <label for=\"scope-site\">{}</label> <input type=\"radio\" id=\"scope-all\" name=\"scope\" value=\"all\"{}> <label for=\"scope-all\">{}</label></fieldset> ",
                self.t("search_scope"),
                if all { "" } else { " checked" },
                self.t("search_this_site"),
                if all { " checked" } else { "" },
                self.t("search_whole_network"),
            ));
        }
        let by_date = self.query.sort == Sort::Date;
        h.push_str(&format!(
            "<label for=\"search-sort\">{}</label> <select id=\"search-sort\" name=\"sort\"><option value=\"relevance\"{}>{}</option><option value=\"date\"{}>{}</option></select> <button type=\"submit\">{}</button></form>",
            self.t("sort_by"),
            if by_date { "" } else { " selected" },
            self.t("sort_relevance"),
            if by_date { " selected" } else { "" },
            self.t("sort_date"),
            self.t("search"),
        ));
        if !self.site.portal
            && params::get(self.params, "scope") != Some("all")
            && !self.results.q.is_empty()
        {
            h.push_str(&format!(
                "<p class=\"search-widen\"><a href=\"{}\">{} →</a></p>",
                self.href(&[("scope", Some("all"))]),
                self.t("search_whole_network")
            ));
        }
    }

    fn pagination(&self, h: &mut String) {
        let r = self.results;
        let last = r.pages.min(search_index::MAX_PAGE);
        if last <= 1 {
            return;
        }
        h.push_str(&format!(
            "<nav class=\"pagination\" aria-label=\"{}\"><ul>",
            self.t("pagination")
        ));
        if r.page > 1 {
            let prev = (r.page - 1).to_string();
            h.push_str(&format!(
                "<li><a href=\"{}\" rel=\"prev\">{}</a></li>",
                self.href(&[("page", Some(&prev))]),
                self.t("previous")
            ));
        }
        h.push_str(&format!(
            "<li><span aria-current=\"page\">{} {} {} {}</span></li>",
            self.t("page_n"),
            r.page,
            self.t("of"),
            last
        ));
        if r.page < last {
            let next = (r.page + 1).to_string();
            h.push_str(&format!(
                "<li><a href=\"{}\" rel=\"next\">{}</a></li>",
                self.href(&[("page", Some(&next))]),
                self.t("next")
            ));
        }
        h.push_str("</ul></nav>");
    }

    /// The facet lists: each value a link that adds (or, when chosen, removes) its filter.
    fn facets(&self, h: &mut String) {
        let f = &self.results.facets;
        let q = self.query;
        let item = |v: &search_index::FacetCount, label: String, chosen: Option<&str>| FacetItem {
            value: v.value.clone(),
            label,
            count: v.count,
            chosen: chosen == Some(v.value.as_str()),
        };
        let mut groups = Vec::new();
        let fixed = [
            ("site", "filter_site", &f.site, q.site.as_deref()),
            ("kind", "filter_kind", &f.kind, q.kind.as_deref()),
            ("lang", "filter_lang", &f.lang, q.lang.as_deref()),
            ("year", "filter_year", &f.year, q.year.as_deref()),
        ];
        for (param, heading, values, chosen) in fixed {
            let items = values
                .iter()
                .map(|v| item(v, self.facet_label(param, &v.value), chosen))
                .collect();
            groups.push(FacetGroup {
                param,
                taxonomy: None,
                heading: self.ui.t(self.lang, heading).to_string(),
                items,
            });
        }
        for (tax, values) in &f.taxonomies {
            let chosen = q
                .term
                .as_ref()
                .filter(|(t, _)| t == tax)
                .map(|(_, v)| v.as_str());
            groups.push(FacetGroup {
                param: "term",
                taxonomy: Some(tax.as_str()),
                heading: self.ui.taxonomy_label(self.lang, tax).to_string(),
                items: values
                    .iter()
                    .map(|v| item(v, v.value.clone(), chosen))
                    .collect(),
            });
        }
        if groups.iter().all(|g| g.items.is_empty()) {
            return;
        }
        h.push_str(&format!(
            "<aside class=\"facets\" aria-labelledby=\"loc-ket-qua\"><h2 id=\"loc-ket-qua\" class=\"facets-heading\">{}</h2>",
            self.t("filters")
        ));
        let filters = ["site", "kind", "lang", "year", "term", "tax"];
        if filters
            .iter()
            .any(|k| params::get(self.params, k).is_some_and(|v| !v.is_empty()))
        {
            let none: Vec<(&str, Option<&str>)> = filters.iter().map(|k| (*k, None)).collect();
            h.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>",
                self.href(&none),
                self.t("remove_filters")
            ));
        }
        for g in groups.iter().filter(|g| !g.items.is_empty()) {
            h.push_str(&format!(
                "<section class=\"facet\"><h3>{}</h3><ul>",
                escape(&g.heading)
            ));
            for it in &g.items {
                let href = match (it.chosen, g.taxonomy) {
                    (true, Some(_)) => self.href(&[("tax", None), ("term", None)]),
                    (true, None) => self.href(&[(g.param, None)]),
                    (false, Some(tax)) => {
                        self.href(&[("tax", Some(tax)), ("term", Some(it.value.as_str()))])
                    }
                    // Choosing a site searches beyond this one.
                    (false, None) if g.param == "site" => {
                        self.href(&[("site", Some(it.value.as_str())), ("scope", Some("all"))])
                    }
                    (false, None) => self.href(&[(g.param, Some(it.value.as_str()))]),
                };
                h.push_str(&format!(
                    "<li><a href=\"{href}\"{}>{}</a> ({})</li>",
                    if it.chosen {
                        " aria-current=\"true\""
                    } else {
                        ""
                    },
                    escape(&it.label),
                    it.count
                ));
            }
            h.push_str("</ul></section>");
        }
        h.push_str("</aside>");
    }

    fn facet_label(&self, param: &str, value: &str) -> String {
        match (param, value) {
            ("site", v) => self.ui.site_name(self.lang, v).to_string(),
            ("kind", v) => self.ui.kind_label(self.lang, v).to_string(),
            ("lang", "vi") => self.ui.t(self.lang, "lang_vi").to_string(),
            ("lang", "en") => self.ui.t(self.lang, "lang_en").to_string(),
            (_, v) => v.to_string(),
        }
    }
}

/// One list of facet values on the results page.
struct FacetGroup<'a> {
    /// The query parameter it sets.
    param: &'a str,
    /// For a taxonomy's terms, the taxonomy (`tax=` goes with `term=`).
    taxonomy: Option<&'a str>,
    heading: String,
    items: Vec<FacetItem>,
}

/// One value of a facet.
struct FacetItem {
    value: String,
    label: String,
    count: u64,
    chosen: bool,
}

/// `2022-11-25` as Vietnamese readers write it (`25/11/2022`); English keeps ISO.
pub(super) fn vi_date(iso: &str, lang: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match (lang, parts.as_slice()) {
        ("vi", [y, m, d]) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// 1234 as `1.234` in Vietnamese, `1,234` in English.
pub(super) fn format_count(n: usize, lang: &str) -> String {
    let sep = if lang == "vi" { '.' } else { ',' };
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}
