//! The results of a page: stored fields, and titles and excerpts with the matched words
//! highlighted, escaped.

use tantivy::query::Query;
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, TantivyDocument};

use super::{Hit, SearchIndex};
use crate::{analysis, Error};

impl SearchIndex {
    pub(super) fn hits(
        &self,
        query: &dyn Query,
        docs: &[(f32, DocAddress)],
    ) -> Result<Vec<Hit>, Error> {
        let f = &self.f;
        let searcher = self.reader.searcher();
        let generator = |field: Field, chars: usize| -> Result<SnippetGenerator, Error> {
            let mut g = SnippetGenerator::create(&searcher, query, field).map_err(self.err())?;
            g.set_max_num_chars(chars);
            Ok(g)
        };
        // The text is indexed as the folded words of `body_s`, the text as written: its
        // snippets are cut from that with the folded analyzer, for the query's folded words.
        let body_vi = {
            let mut terms = std::collections::BTreeMap::new();
            let mut err = None;
            query.query_terms(&mut |term, _| {
                if term.field() != f.body {
                    return;
                }
                let value = term.value();
                let Some(text) = value.as_str() else {
                    return;
                };
                match searcher.doc_freq(term) {
                    Ok(0) => {}
                    Ok(n) => {
                        terms.insert(text.to_string(), 1.0 / (1.0 + n as f32));
                    }
                    Err(e) => err = Some(e),
                }
            });
            if let Some(e) = err {
                return Err(self.err()(e));
            }
            SnippetGenerator::new(terms, analysis::vietnamese_folded(), f.body_s, 220)
        };
        let body_en = generator(f.body_en, 220)?;
        let (title_vi, title_en) = (generator(f.title, 400)?, generator(f.title_en, 400)?);
        let mut out = Vec::with_capacity(docs.len());
        for (score, addr) in docs {
            let doc: TantivyDocument = searcher.doc(*addr).map_err(self.err())?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let lang = text(f.lang);
            let (g_body, g_title) = if lang == "en" {
                (&body_en, &title_en)
            } else {
                (&body_vi, &title_vi)
            };
            let (title_f, body_f) = if lang == "en" {
                (f.title_en, f.body_en)
            } else {
                (f.title, f.body_s)
            };
            let title = text(title_f);
            let mut title_snip = g_title.snippet(&title);
            title_snip.set_snippet_prefix_postfix("<mark>", "</mark>");
            let title_html = if title_snip.is_empty() || title_snip.fragment() != title {
                escape(&title)
            } else {
                title_snip.to_html()
            };
            let body = text(body_f);
            let mut snip = g_body.snippet(&body);
            snip.set_snippet_prefix_postfix("<mark>", "</mark>");
            let snippet_html = if snip.is_empty() {
                let desc = text(f.desc_s);
                let lead = if desc.is_empty() { body } else { desc };
                escape(&truncate(&lead, 220))
            } else {
                snip.to_html()
            };
            let date = doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .map(|d| d.into_timestamp_secs())
                .filter(|s| *s != 0);
            out.push(Hit {
                url: text(f.url),
                site: text(f.site),
                domain: text(f.domain),
                path: text(f.path),
                kind: text(f.kind),
                lang,
                title,
                title_html,
                snippet_html,
                date,
                score: *score,
            });
        }
        Ok(out)
    }
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn truncate(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        return s.to_string();
    }
    let cut: String = s.chars().take(chars).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{cut}…")
}
