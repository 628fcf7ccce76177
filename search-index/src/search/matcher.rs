//! Matching and scoring a query, a clause at a time over each segment.
//!
//! A query is a few required clauses (each typed word, in any of several fields), filters and
//! optional clauses, and a search needs every match: for the total and the facet counts, not
//! only the best ten. Tantivy scores that a document at a time, merging each word's fields and
//! seeking between the words, which was most of a query's time for a common word (10,000
//! matching pages). Here each clause's postings are read a block at a time straight into a
//! score per page and a bit per page, and the clauses are joined by ANDing the bits: the same
//! BM25 scores (tantivy's [`Bm25Weight`], from [`Bm25Stats`]), a few times faster.
//! Phrases, rarer, are matched by tantivy's phrase query.

use tantivy::postings::TermInfo;
use tantivy::query::{Bm25Weight, EnableScoring, Query, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

use super::bm25::Bm25Stats;

/// One part of a query.
pub(super) enum Clause {
    /// Any of these terms, each scored by BM25 times its boost, summed.
    Terms(Vec<(Term, Score)>),
    /// A scored query (quoted phrases).
    Query(Box<dyn Query>),
}

/// A query, as [`super::SearchIndex::plan`] writes it.
#[derive(Default)]
pub(super) struct Plan {
    /// Every one must match.
    pub(super) must: Vec<Clause>,
    /// Add to the score; without `must`, one of them must match.
    pub(super) should: Vec<Clause>,
    /// Raw terms (site, kind, …) every match has; they do not score.
    pub(super) filters: Vec<Term>,
}

impl Plan {
    /// Whether the plan matches every page (no words: filters only).
    pub(super) fn matches_all(&self) -> bool {
        self.must.is_empty() && self.should.is_empty()
    }

    /// The terms of the scored clauses, each once.
    pub(super) fn terms(&self) -> Vec<Term> {
        let mut out: Vec<Term> = Vec::new();
        for c in self.must.iter().chain(&self.should) {
            match c {
                Clause::Terms(ts) => out.extend(ts.iter().map(|(t, _)| t.clone())),
                Clause::Query(q) => q.query_terms(&mut |t, _| out.push(t.clone())),
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A clause made ready for the searcher.
enum Ready {
    /// Each term's BM25 weight (boosted), and its dictionary entry in each segment.
    Terms(Vec<(Field, Bm25Weight, Vec<Option<TermInfo>>)>),
    Weight(Box<dyn Weight>),
}

impl Ready {
    /// About how many pages the clause matches, at most (phrases, rare, count as none).
    fn pages(&self) -> u64 {
        match self {
            Ready::Terms(ts) => ts
                .iter()
                .flat_map(|(_, _, infos)| infos.iter().flatten())
                .map(|i| u64::from(i.doc_freq))
                .sum(),
            Ready::Weight(_) => 0,
        }
    }
}

/// A plan made ready: the terms' statistics read once for all segments.
pub(super) struct Prepared {
    must: Vec<Ready>,
    should: Vec<Ready>,
    filters: Vec<(Field, Vec<Option<TermInfo>>)>,
    all: bool,
}

/// The pages of one segment that match (a bit each), and the score of each page (by id).
pub(super) struct Matches {
    pub(super) bits: Vec<u64>,
    pub(super) scores: Vec<Score>,
    /// Pages that match.
    pub(super) count: usize,
}

impl Matches {
    /// The pages that match, in order.
    pub(super) fn docs(&self) -> impl Iterator<Item = DocId> + '_ {
        ones(&self.bits)
    }
}

/// The bits set in `bits`, in order.
pub(super) fn ones(bits: &[u64]) -> impl Iterator<Item = DocId> + '_ {
    bits.iter().enumerate().flat_map(|(i, &w)| {
        let mut w = w;
        std::iter::from_fn(move || {
            (w != 0).then(|| {
                let d = (i * 64) as DocId + w.trailing_zeros();
                w &= w - 1;
                d
            })
        })
    })
}

/// The dictionary entry of `term` in each segment.
fn infos(searcher: &Searcher, term: &Term) -> tantivy::Result<Vec<Option<TermInfo>>> {
    searcher
        .segment_readers()
        .iter()
        .map(|s| Ok(s.inverted_index(term.field())?.get_term_info(term)?))
        .collect()
}

impl Prepared {
    /// Reads the statistics of `plan`'s terms.
    pub(super) fn new(
        searcher: &Searcher,
        plan: &Plan,
        stats: &Bm25Stats,
    ) -> tantivy::Result<Prepared> {
        let ready = |c: &Clause| -> tantivy::Result<Ready> {
            Ok(match c {
                Clause::Terms(ts) => {
                    let mut out = Vec::with_capacity(ts.len());
                    for (t, boost) in ts {
                        let infos = infos(searcher, t)?;
                        let df: u64 = infos.iter().flatten().map(|i| u64::from(i.doc_freq)).sum();
                        if df == 0 {
                            continue;
                        }
                        let weight = stats.weight(searcher, t.field(), df, *boost)?;
                        out.push((t.field(), weight, infos));
                    }
                    Ready::Terms(out)
                }
                Clause::Query(q) => {
                    Ready::Weight(q.weight(EnableScoring::enabled_from_searcher(searcher))?)
                }
            })
        };
        let mut must: Vec<Ready> = plan
            .must
            .iter()
            .map(ready)
            .collect::<tantivy::Result<_>>()?;
        // The rarest first: the pages it rules out are not scored for the others.
        must.sort_by_key(Ready::pages);
        let should = plan
            .should
            .iter()
            .map(ready)
            .collect::<tantivy::Result<_>>()?;
        let filters = plan
            .filters
            .iter()
            .map(|t| Ok((t.field(), infos(searcher, t)?)))
            .collect::<tantivy::Result<_>>()?;
        Ok(Prepared {
            must,
            should,
            filters,
            all: plan.matches_all(),
        })
    }

    /// The matches of segment `ord`, whose pages not deleted are `alive` (all, if `None`).
    pub(super) fn matches(
        &self,
        ord: usize,
        seg: &SegmentReader,
        alive: Option<&[u64]>,
    ) -> tantivy::Result<Matches> {
        let max = seg.max_doc() as usize;
        let words = max.div_ceil(64);
        let mut scores = vec![0.0; max];
        // The pages every clause so far allows (all, before the first).
        let mut need: Option<Vec<u64>> = None;
        let and = |need: &mut Option<Vec<u64>>, bits: Vec<u64>| match need {
            Some(n) => n.iter_mut().zip(&bits).for_each(|(a, b)| *a &= b),
            None => *need = Some(bits),
        };
        for (field, infos) in &self.filters {
            let mut bits = vec![0u64; words];
            if let Some(info) = infos.get(ord).and_then(Option::as_ref) {
                let field = seg.inverted_index(*field)?;
                let mut block =
                    field.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                while !block.docs().is_empty() {
                    for &d in block.docs() {
                        set(&mut bits, d);
                    }
                    block.advance();
                }
            }
            and(&mut need, bits);
        }
        for c in &self.must {
            let bits = self.clause(c, ord, seg, &mut scores, need.as_deref())?;
            and(&mut need, bits);
        }
        let mut any = vec![0u64; words];
        for c in &self.should {
            let bits = self.clause(c, ord, seg, &mut scores, need.as_deref())?;
            any.iter_mut().zip(&bits).for_each(|(a, b)| *a |= b);
        }
        if self.must.is_empty() && !self.all {
            and(&mut need, any);
        }
        let mut bits = need.unwrap_or_else(|| {
            let mut all = vec![u64::MAX; words];
            if max % 64 != 0 {
                if let Some(last) = all.last_mut() {
                    *last = (1 << (max % 64)) - 1;
                }
            }
            all
        });
        if let Some(alive) = alive {
            bits.iter_mut().zip(alive).for_each(|(a, b)| *a &= b);
        }
        if self.all {
            // What tantivy's query of all pages scores.
            scores.iter_mut().for_each(|s| *s = 1.0);
        }
        let count = bits.iter().map(|w| w.count_ones() as usize).sum();
        Ok(Matches {
            bits,
            scores,
            count,
        })
    }

    /// Adds the scores of clause `c` in segment `ord` to `scores`; the pages it matches. Only
    /// the pages in `need` (all, if `None`) are looked at: the others are ruled out already.
    fn clause(
        &self,
        c: &Ready,
        ord: usize,
        seg: &SegmentReader,
        scores: &mut [Score],
        need: Option<&[u64]>,
    ) -> tantivy::Result<Vec<u64>> {
        let needed = |d: DocId| need.is_none_or(|n| is_set(n, d));
        let mut bits = vec![0u64; scores.len().div_ceil(64)];
        match c {
            Ready::Terms(ts) => {
                for (field, weight, infos) in ts {
                    let Some(info) = infos.get(ord).and_then(Option::as_ref) else {
                        continue;
                    };
                    let field = *field;
                    let norms = seg.get_fieldnorms_reader(field)?;
                    let inverted = seg.inverted_index(field)?;
                    let mut block = inverted
                        .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
                    while !block.docs().is_empty() {
                        let (docs, freqs) = (block.docs(), block.freqs());
                        for (k, &d) in docs.iter().enumerate() {
                            if !needed(d) {
                                continue;
                            }
                            set(&mut bits, d);
                            // A field without frequencies (identifiers) counts each once.
                            let tf = freqs.get(k).copied().unwrap_or(1);
                            if let Some(s) = scores.get_mut(d as usize) {
                                *s += weight.score(norms.fieldnorm_id(d), tf);
                            }
                        }
                        block.advance();
                    }
                }
            }
            Ready::Weight(w) => {
                let mut scorer = w.scorer(seg, 1.0)?;
                let mut d = scorer.doc();
                while d != TERMINATED {
                    if needed(d) {
                        set(&mut bits, d);
                        if let Some(s) = scores.get_mut(d as usize) {
                            *s += scorer.score();
                        }
                    }
                    d = scorer.advance();
                }
            }
        }
        Ok(bits)
    }
}

fn is_set(bits: &[u64], d: DocId) -> bool {
    bits.get((d / 64) as usize)
        .is_some_and(|w| w >> (d % 64) & 1 == 1)
}

fn set(bits: &mut [u64], d: DocId) {
    if let Some(w) = bits.get_mut((d / 64) as usize) {
        *w |= 1 << (d % 64);
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::{doc, DocAddress, Index, Term};

    use super::{Bm25Stats, Clause, Plan, Prepared};
    use crate::{analysis, schema};

    /// The same plan as a tantivy query, scored by tantivy.
    fn as_query(plan: &Plan) -> Box<dyn Query> {
        let clause = |c: &Clause| -> Box<dyn Query> {
            match c {
                Clause::Terms(ts) => Box::new(BooleanQuery::new(
                    ts.iter()
                        .map(|(t, b)| {
                            let q = TermQuery::new(t.clone(), IndexRecordOption::WithFreqs);
                            (
                                Occur::Should,
                                Box::new(BoostQuery::new(Box::new(q), *b)) as _,
                            )
                        })
                        .collect(),
                )),
                Clause::Query(q) => q.box_clone(),
            }
        };
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        all.extend(plan.must.iter().map(|c| (Occur::Must, clause(c))));
        all.extend(plan.should.iter().map(|c| (Occur::Should, clause(c))));
        Box::new(BooleanQuery::new(all))
    }

    #[test]
    fn scores_and_matches_as_tantivy_does() {
        let index = Index::create_in_ram(schema::schema());
        analysis::register(&index);
        let f = schema::fields(&index.schema()).unwrap();
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let texts = [
            ("Đường bộ cao tốc", "duong bo cao toc duong".to_string()),
            ("Đường sắt", "duong sat bac nam".to_string()),
            ("Cảng biển", "cang bien duong thuy".to_string()),
            ("Hàng không", "hang khong san bay".to_string()),
            ("Đăng kiểm xe", "dang kiem xe co gioi duong bo".to_string()),
            // A word many times over: a high term frequency.
            ("Xe", "xe duong ".repeat(40)),
        ];
        for (i, (title, body)) in texts.iter().enumerate() {
            w.add_document(doc!(
                f.title => *title,
                f.body => body.as_str(),
                f.site => if i % 2 == 0 { "mt" } else { "vr" },
                // Identifiers are indexed without frequencies.
                f.code => if i == 1 { "1552/qd-bgtvt" } else { "" },
            ))
            .unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let word = |folded: &str| {
            Clause::Terms(vec![
                (Term::from_field_text(f.title, folded), 5.0),
                (Term::from_field_text(f.body, folded), 1.5),
            ])
        };
        let plans = [
            Plan {
                must: vec![word("duong")],
                ..Plan::default()
            },
            Plan {
                must: vec![word("duong"), word("bo")],
                ..Plan::default()
            },
            Plan {
                should: vec![word("sat"), word("kiem"), word("nothing")],
                ..Plan::default()
            },
            Plan {
                must: vec![word("xe")],
                ..Plan::default()
            },
            Plan {
                must: vec![word("duong")],
                should: vec![Clause::Terms(vec![(
                    Term::from_field_text(f.code, "1552/qd-bgtvt"),
                    20.0,
                )])],
                ..Plan::default()
            },
        ];
        for (k, plan) in plans.iter().enumerate() {
            let mut ours: Vec<(f32, DocAddress)> = Vec::new();
            let stats = Bm25Stats::new(&searcher, &[f.title]).unwrap();
            let prepared = Prepared::new(&searcher, plan, &stats).unwrap();
            for (ord, seg) in searcher.segment_readers().iter().enumerate() {
                let m = prepared.matches(ord, seg, None).unwrap();
                assert_eq!(m.count, m.docs().count());
                ours.extend(
                    m.docs()
                        .map(|d| (m.scores[d as usize], DocAddress::new(ord as u32, d))),
                );
            }
            let theirs = searcher
                .search(&*as_query(plan), &TopDocs::with_limit(100))
                .unwrap();
            let key = |v: &[(f32, DocAddress)]| {
                let mut v: Vec<(DocAddress, f32)> = v.iter().map(|(s, d)| (*d, *s)).collect();
                v.sort_by_key(|(d, _)| *d);
                v
            };
            let (ours, theirs) = (key(&ours), key(&theirs));
            assert_eq!(
                ours.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
                theirs.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
                "plan {k}: the same pages"
            );
            for ((d, a), (_, b)) in ours.iter().zip(&theirs) {
                assert!(
                    (a - b).abs() < 1e-4,
                    "plan {k}, {d:?}: {a} against tantivy's {b}"
                );
            }
        }
        // A filter: only the pages of site `vr`, and it does not score.
        let plan = Plan {
            must: vec![word("duong")],
            filters: vec![Term::from_field_text(f.site, "vr")],
            ..Plan::default()
        };
        let stats = Bm25Stats::new(&searcher, &[]).unwrap();
        let prepared = Prepared::new(&searcher, &plan, &stats).unwrap();
        let seg = &searcher.segment_readers()[0];
        let m = prepared.matches(0, seg, None).unwrap();
        assert_eq!(m.docs().collect::<Vec<_>>(), vec![1, 5]);
        // Deleted pages do not match.
        let alive = vec![!0b10_0010u64];
        let m = prepared.matches(0, seg, Some(&alive)).unwrap();
        assert_eq!(m.count, 0);
    }
}
