//! BM25's statistics of the open index, read once: one document count for every idf a search
//! computes (the words' scores, the proximity bonus, the exact forms' bonus), and each
//! field's average length. The scores themselves are tantivy's [`Bm25Weight`].

use std::collections::HashMap;

use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::Field;
use tantivy::{Score, Searcher};

/// The statistics of the index as opened (they do not change while it is open).
#[derive(Debug, Default)]
pub(super) struct Bm25Stats {
    /// Pages, as tantivy's BM25 counts them: with the deleted ones, as the terms' document
    /// frequencies count them too.
    docs: u64,
    /// The average number of tokens a page, of each field searched by words.
    averages: HashMap<Field, Score>,
}

impl Bm25Stats {
    /// The statistics of `searcher`'s index, with the averages of `fields`.
    pub(super) fn new(searcher: &Searcher, fields: &[Field]) -> tantivy::Result<Bm25Stats> {
        let mut stats = Bm25Stats {
            docs: searcher.total_num_docs()?,
            averages: HashMap::new(),
        };
        for &field in fields {
            let average = stats.average(searcher, field)?;
            stats.averages.insert(field, average);
        }
        Ok(stats)
    }

    /// The average length of `field`, as tantivy's [`Bm25Weight::for_terms`] computes it.
    fn average(&self, searcher: &Searcher, field: Field) -> tantivy::Result<Score> {
        match self.averages.get(&field) {
            Some(a) => Ok(*a),
            None => Ok(searcher.total_num_tokens(field)? as Score / self.docs as Score),
        }
    }

    /// The BM25 weight of a term of `field` that `df` pages have, times `boost`.
    pub(super) fn weight(
        &self,
        searcher: &Searcher,
        field: Field,
        df: u64,
        boost: Score,
    ) -> tantivy::Result<Bm25Weight> {
        let average = self.average(searcher, field)?;
        Ok(Bm25Weight::for_one_term_without_explain(df, self.docs, average).boost_by(boost))
    }

    /// The idf of a term that `df` pages have: tantivy's, `ln(1 + (N − n + 0.5) / (n + 0.5))`
    /// (which it does not export), from the same count of pages as [`Bm25Stats::weight`].
    pub(super) fn idf(&self, df: u64) -> Score {
        let x = (self.docs.saturating_sub(df) as Score + 0.5) / (df as Score + 0.5);
        (1.0 + x).ln()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::Bm25Weight;

    use super::Bm25Stats;

    /// The idf tantivy explains for a term.
    fn tantivy_idf(df: u64, docs: u64) -> f32 {
        let explained = Bm25Weight::for_one_term(df, docs, 10.0)
            .explain(0, 1)
            .to_pretty_json();
        let v: serde_json::Value = serde_json::from_str(&explained).unwrap();
        let idf = v["details"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["description"].as_str().unwrap().starts_with("idf"))
            .unwrap();
        idf["value"].as_f64().unwrap() as f32
    }

    #[test]
    fn the_idf_is_tantivys() {
        for docs in [1u64, 33, 20_000, 1_000_000] {
            let stats = Bm25Stats {
                docs,
                ..Bm25Stats::default()
            };
            for df in [0, 1, docs / 3, docs] {
                assert_eq!(stats.idf(df), tantivy_idf(df, docs), "{df} of {docs}");
            }
        }
    }
}
