//! Words near each other: a score added to the best matches only, from their positions.
//!
//! Not tantivy's phrase query with slop, for two reasons. It is not the same test: its slop
//! lets words swap places, and with three words or more it spends the slop otherwise (see
//! the test `against_tantivy`), so results would change. And it is slower: seeking it to each
//! of the best matches, it reads the positions of every page that has all the words up to
//! the next one that matches, where this reads those of the best matches only. Measured on
//! the 20,000 pages of `gen_corpus.py` with the 1,000 queries of `scripts/bench_queries.py`
//! (`examples/latency.rs`, median of 7 runs interleaved): p50 1.39 ms against 0.78 ms, mean
//! 2.55 ms against 1.56 ms.

use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Term};

use super::{Parsed, SearchIndex};
use crate::Error;

/// Words that score higher when they stand in this order with at most `slop` other words
/// between them in all.
#[derive(Debug)]
pub(super) struct Near {
    terms: Vec<Term>,
    slop: u32,
    boost: f32,
}

/// Whether some occurrence of the first word is followed by the others in order, with at
/// most `slop` positions between them in all. `positions[i]` are the word's, increasing.
fn in_order_within(positions: &[Vec<u32>], slop: u32) -> bool {
    let Some((first, rest)) = positions.split_first() else {
        return false;
    };
    'starts: for &start in first {
        let (mut at, mut gaps) = (start, 0u32);
        for ps in rest {
            // The nearest occurrence after the previous word leaves the least gap.
            let next = ps.partition_point(|&p| p <= at);
            let Some(&p) = ps.get(next) else {
                // No later occurrence for any later start either.
                return false;
            };
            gaps += p - at - 1;
            if gaps > slop {
                continue 'starts;
            }
            at = p;
        }
        return true;
    }
    false
}

impl SearchIndex {
    /// Words near each other, as a score added to the best matches only (see [`RERANK`]):
    /// checking the positions of every matching page cost most of a query's time. The folded
    /// form is used, which every form matches.
    pub(super) fn proximity(&self, p: &Parsed) -> Vec<Near> {
        if p.words.len() < 2 {
            return Vec::new();
        }
        let f = &self.f;
        let folded: Vec<&str> = p.words.iter().map(|w| w.folded.as_str()).collect();
        let stems: Vec<&str> = p.words.iter().filter_map(|w| w.stem.as_deref()).collect();
        [
            (f.title, &folded, 2, 4.0),
            (f.body, &folded, 2, 2.0),
            (f.meta, &folded, 1, 2.0),
            (f.title_en, &stems, 2, 4.0),
            (f.body_en, &stems, 2, 2.0),
        ]
        .into_iter()
        .filter(|(_, terms, _, _)| terms.len() >= 2)
        .map(|(field, terms, slop, boost)| Near {
            terms: terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
            slop,
            boost,
        })
        .collect()
    }

    /// Adds to each of `docs` the score of each [`Near`] it matches: the boost times the
    /// words' idf, which is what a phrase query scores for one occurrence. Reads the positions
    /// of these documents only.
    pub(super) fn add_proximity(
        &self,
        searcher: &tantivy::Searcher,
        near: &[Near],
        docs: &mut [(f32, DocAddress)],
    ) -> Result<(), Error> {
        let mut weights = Vec::with_capacity(near.len());
        for c in near {
            let mut idf = 0.0;
            for t in &c.terms {
                idf += self.stats.idf(searcher.doc_freq(t).map_err(self.err())?);
            }
            weights.push(c.boost * idf);
        }
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| docs[i].1);
        let mut positions: Vec<Vec<u32>> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let seg = docs[order[i]].1.segment_ord;
            let end = order[i..]
                .iter()
                .position(|&k| docs[k].1.segment_ord != seg)
                .map_or(order.len(), |e| i + e);
            let reader = searcher.segment_reader(seg);
            for (c, weight) in near.iter().zip(&weights) {
                let inverted = reader
                    .inverted_index(c.terms[0].field())
                    .map_err(self.err())?;
                let mut postings = Vec::with_capacity(c.terms.len());
                for t in &c.terms {
                    let found = inverted
                        .read_postings(t, IndexRecordOption::WithFreqsAndPositions)
                        .map_err(|source| Error::Io {
                            path: self.path.clone(),
                            source,
                        })?;
                    match found {
                        Some(p) => postings.push(p),
                        None => break,
                    }
                }
                if postings.len() < c.terms.len() {
                    continue;
                }
                positions.resize_with(postings.len(), Vec::new);
                // Candidates in increasing order, as seek needs.
                'docs: for &k in &order[i..end] {
                    let doc = docs[k].1.doc_id;
                    for (p, pos) in postings.iter_mut().zip(positions.iter_mut()) {
                        if p.doc() < doc {
                            p.seek(doc);
                        }
                        if p.doc() != doc {
                            continue 'docs;
                        }
                        pos.clear();
                        p.positions(pos);
                    }
                    if in_order_within(&positions, c.slop) {
                        docs[k].0 += weight;
                    }
                }
            }
            i = end;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::in_order_within;

    #[test]
    fn words_in_order_within_the_slop() {
        // "a b": a at 3, b at 4.
        assert!(in_order_within(&[vec![3], vec![4]], 0));
        // b before a only.
        assert!(!in_order_within(&[vec![5], vec![4]], 2));
        // a _ _ b: two between.
        assert!(!in_order_within(&[vec![1], vec![4]], 1));
        assert!(in_order_within(&[vec![1], vec![4]], 2));
        // A later start fits where the first does not.
        assert!(in_order_within(&[vec![0, 10], vec![11], vec![12]], 0));
        assert!(!in_order_within(&[vec![0, 10], vec![12], vec![11]], 2));
    }
}

#[cfg(test)]
mod against_tantivy {
    use std::collections::BTreeSet;

    use tantivy::collector::TopDocs;
    use tantivy::query::PhraseQuery;
    use tantivy::schema::Value;
    use tantivy::{DocAddress, TantivyDocument, Term};

    use super::Near;
    use crate::{write_index, SearchDoc, SearchIndex};

    /// Pages whose text has the words `cao`, `toc`, `viet` in various orders and distances.
    const TEXTS: [&str; 8] = [
        "cao toc viet nam",
        "cao x toc y viet",
        "cao x y toc z viet",
        "toc cao viet",
        "viet toc cao",
        "cao toc",
        "toc x cao",
        "cao x y z toc viet",
    ];

    /// The pages (by number) that [`SearchIndex::add_proximity`] and tantivy's phrase query
    /// with the same slop match, for `words` of the text within `slop`.
    fn both(words: &[&str], slop: u32) -> (BTreeSet<usize>, BTreeSet<usize>) {
        let tmp = tempfile::tempdir().unwrap();
        let docs: Vec<SearchDoc> = TEXTS
            .iter()
            .enumerate()
            .map(|(i, t)| SearchDoc {
                site: "mt".into(),
                domain: "mt.gov.vn".into(),
                lang: "vi".into(),
                path: format!("/{i}/"),
                body: t.to_string(),
                ..SearchDoc::default()
            })
            .collect();
        write_index(tmp.path(), &docs, None, "test").unwrap();
        let idx = SearchIndex::open(tmp.path()).unwrap();
        let searcher = &idx.searcher;
        let terms: Vec<Term> = words
            .iter()
            .map(|w| Term::from_field_text(idx.f.body, w))
            .collect();
        let page = |a: DocAddress| -> usize {
            let doc: TantivyDocument = searcher.doc(a).unwrap();
            let url = doc.get_first(idx.f.url).and_then(|v| v.as_str()).unwrap();
            url.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let mut all: Vec<(f32, DocAddress)> = Vec::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            all.extend((0..seg.max_doc()).map(|d| (0.0, DocAddress::new(ord as u32, d))));
        }
        let near = [Near {
            terms: terms.clone(),
            slop,
            boost: 1.0,
        }];
        idx.add_proximity(searcher, &near, &mut all).unwrap();
        let ours = all
            .iter()
            .filter(|(s, _)| *s > 0.0)
            .map(|(_, a)| page(*a))
            .collect();
        let mut q = PhraseQuery::new(terms);
        q.set_slop(slop);
        let theirs = searcher
            .search(&q, &TopDocs::with_limit(TEXTS.len()))
            .unwrap()
            .into_iter()
            .map(|(_, a)| page(a))
            .collect();
        (ours, theirs)
    }

    /// Tantivy's phrase query with slop is not the same test: it lets words swap places (as
    /// Lucene's does), and with more than two words it spends the slop otherwise (tantivy
    /// says its count "may be incorrect in some cases"). Here the words' order counts, and
    /// the slop is the number of other words between them in all. In order, two words match
    /// the same pages.
    #[test]
    fn words_in_order_match_as_tantivys_phrase_query_with_slop_and_no_more() {
        let set = |v: &[usize]| v.iter().copied().collect::<BTreeSet<_>>();
        for (slop, pages) in [(0, set(&[0, 5])), (1, set(&[0, 1, 5]))] {
            let (ours, theirs) = both(&["cao", "toc"], slop);
            assert_eq!(ours, pages, "slop {slop}");
            assert_eq!(theirs, ours, "slop {slop}");
        }
        let (ours, theirs) = both(&["cao", "toc"], 2);
        assert_eq!(ours, set(&[0, 1, 2, 5]));
        // And "toc cao", "viet toc cao": swapped.
        assert_eq!(theirs, set(&[0, 1, 2, 3, 4, 5]));
        let (ours, theirs) = both(&["cao", "toc", "viet"], 2);
        // "cao x toc y viet": two other words in all.
        assert_eq!(ours, set(&[0, 1]));
        // Not "cao x toc y viet", but "toc cao viet".
        assert_eq!(theirs, set(&[0, 3]));
    }
}
