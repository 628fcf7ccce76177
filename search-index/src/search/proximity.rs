//! Words near each other: a score added to the best matches only, from their positions.

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
