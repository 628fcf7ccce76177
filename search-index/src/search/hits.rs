//! The results of a page: stored fields, and titles and excerpts with the matched words
//! highlighted, escaped.

use std::collections::BTreeMap;

use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, TantivyDocument, Term};

use super::snippet::Cutter;
use super::{Hit, SearchIndex};
use crate::Error;

impl SearchIndex {
    pub(super) fn hits(
        &self,
        terms: &[Term],
        docs: &[(f32, DocAddress)],
    ) -> Result<Vec<Hit>, Error> {
        let f = &self.f;
        let searcher = &self.searcher;
        // Each query term of `field` scored as tantivy's own snippets do (rarer higher).
        let scored = |field: Field| -> Result<BTreeMap<String, f32>, Error> {
            let mut scored = BTreeMap::new();
            for t in terms.iter().filter(|t| t.field() == field) {
                let value = t.value();
                let Some(text) = value.as_str() else {
                    continue;
                };
                let df = searcher.doc_freq(t).map_err(self.err())?;
                if df > 0 {
                    scored.insert(text.to_string(), 1.0 / (1.0 + df as f32));
                }
            }
            Ok(scored)
        };
        let generator = |field: Field, chars: usize| -> Result<SnippetGenerator, Error> {
            let tokenizer = searcher
                .index()
                .tokenizer_for_field(field)
                .map_err(self.err())?;
            Ok(SnippetGenerator::new(
                scored(field)?,
                tokenizer,
                field,
                chars,
            ))
        };
        // The text is indexed as its folded words; its excerpts are cut from the text as
        // written (see [`crate::texts`]) for the query's folded words. Titles are marked for
        // the same words.
        let folded = scored(f.body)?;
        let cut_vi = Cutter::new(folded, 220);
        let body_en = generator(f.body_en, 220)?;
        let title_en = generator(f.title_en, 400)?;
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
            let key = self
                .columns
                .segments
                .get(addr.segment_ord as usize)
                .and_then(|s| s.key.get(addr.doc_id as usize));
            let body = key.map(|k| self.texts.get(*k)).unwrap_or_default();
            let lead = || {
                let desc = text(f.desc_s);
                let lead = if desc.is_empty() {
                    // Enough bytes for the chars shown.
                    String::from_utf8_lossy(&body[..body.len().min(1024)]).into_owned()
                } else {
                    desc
                };
                escape(&truncate(&lead, 220))
            };
            let (title, title_html, snippet_html) = if lang == "en" {
                let title = text(f.title_en);
                let mut title_snip = title_en.snippet(&title);
                title_snip.set_snippet_prefix_postfix("<mark>", "</mark>");
                let title_html = if title_snip.is_empty() || title_snip.fragment() != title {
                    escape(&title)
                } else {
                    title_snip.to_html()
                };
                let mut snip = body_en.snippet(&String::from_utf8_lossy(body));
                snip.set_snippet_prefix_postfix("<mark>", "</mark>");
                let snippet_html = if snip.is_empty() {
                    lead()
                } else {
                    snip.to_html()
                };
                (title, title_html, snippet_html)
            } else {
                let title = text(f.title);
                let title_html = cut_vi.mark(&title);
                let snippet_html = cut_vi.cut(body).unwrap_or_else(lead);
                (title, title_html, snippet_html)
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

/// Escapes text for HTML and XML: `&`, `<`, `>`, `"` and `'`. The one escaper of the
/// project (the site's templates use it too): unlike Tera's it leaves `/` alone, so URLs stay
/// readable in feeds and pages. Text without any of them is copied once.
pub fn escape(s: &str) -> String {
    let bytes = s.as_bytes();
    let Some(first) = bytes
        .iter()
        .position(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    else {
        return s.to_string();
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    let mut start = first;
    for (i, b) in bytes.iter().enumerate().skip(first) {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The bytes replaced are ASCII: `start` and `i` are char boundaries.
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
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

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(
            escape("https://mt.gov.vn/a?b=1&c=2"),
            "https://mt.gov.vn/a?b=1&amp;c=2"
        );
        assert_eq!(
            escape("<script>\"x\" 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("Đường cao tốc"), "Đường cao tốc");
        assert_eq!(escape("Đ&Đ"), "Đ&amp;Đ");
        assert_eq!(escape(""), "");
    }
}
