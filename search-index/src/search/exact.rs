//! Exact forms in the text: a bonus for each word typed with diacritics that the page's text
//! has as typed, read from the text's filter of marked syllables (see [`crate::marks`]).

use tantivy::columnar::Column;
use tantivy::{DocAddress, Searcher, Term};

use super::{Parsed, SearchIndex};
use crate::marks;
use crate::Error;

/// Most words a query's bonus is computed for (a bit each).
const MAX_WORDS: usize = 32;

/// The bonus of each word of a query typed with diacritics.
#[derive(Debug, Default, Clone)]
pub(super) struct Exact {
    hashes: Vec<u64>,
    weights: Vec<f32>,
}

impl Exact {
    pub(super) fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Adds to each of `docs` the bonus of each exact form its text may have. For the best
    /// matches only (see [`super::RERANK`]): reading the filters of every matching page cost a
    /// third of a query's time.
    pub(super) fn add_to(&self, searcher: &Searcher, docs: &mut [(f32, DocAddress)]) {
        let mut columns: Vec<Option<Option<Column<u64>>>> =
            vec![None; searcher.segment_readers().len()];
        for (score, addr) in docs {
            let Some(slot) = columns.get_mut(addr.segment_ord as usize) else {
                continue;
            };
            let column = slot.get_or_insert_with(|| {
                searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64("marks")
                    .ok()
            });
            let Some(column) = column else {
                continue;
            };
            let found = marks::holds(column, addr.doc_id, &self.hashes);
            for (k, w) in self.weights.iter().enumerate() {
                if found & (1 << k) != 0 {
                    *score += w;
                }
            }
        }
    }
}

impl SearchIndex {
    /// The words of `p` typed with diacritics (loose or in phrases), each with the bonus a
    /// term with the folded word's frequency would score: 1.5 times its idf in the text.
    pub(super) fn exact(&self, p: &Parsed) -> Result<Exact, Error> {
        let searcher = &self.searcher;
        let mut out = Exact::default();
        for w in p.words.iter().chain(p.phrases.iter().flatten()) {
            let h = marks::hash(&w.exact);
            if !w.accented() || out.hashes.contains(&h) || out.hashes.len() == MAX_WORDS {
                continue;
            }
            let term = Term::from_field_text(self.f.body, &w.folded);
            let df = searcher.doc_freq(&term).map_err(self.err())?;
            if df == 0 {
                continue;
            }
            out.hashes.push(h);
            out.weights.push(1.5 * self.stats.idf(df));
        }
        Ok(out)
    }
}
