//! Reading the index: queries typed by people, with filters, facets, sorting, pages and
//! highlighted snippets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tantivy::collector::TopNComputer;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query};
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocId, Index, ReloadPolicy, Searcher, Term};
use unicode_normalization::UnicodeNormalization;

use crate::analysis::{self, tokens};
use crate::schema::{self, Fields};
use crate::Error;

mod bm25;
mod exact;
mod hits;
mod matcher;
mod proximity;
mod segments;
mod snippet;
mod types;

use bm25::Bm25Stats;
use exact::Exact;
pub use hits::escape;
use matcher::{Clause, Plan, Prepared};
use proximity::Near;
use segments::Columns;
pub use types::{
    FacetCount, Facets, Hit, Notice, Request, Response, Sort, MAX_PAGE, MAX_PER_PAGE,
    MAX_QUERY_CHARS,
};
pub(crate) use types::{Found, RERANK};

/// Decompressed blocks of stored fields kept, per segment (see [`crate::writer`]'s block size).
const STORE_CACHE_BLOCKS: usize = 2048;

/// An open index.
pub struct SearchIndex {
    /// The index as opened: it does not reload (a new index is opened anew).
    searcher: Searcher,
    /// What searches read of each of the searcher's segments.
    columns: Columns,
    /// The pages' texts, for excerpts.
    texts: crate::texts::Texts,
    /// BM25's statistics: the count of pages and the lengths of the fields searched by words.
    stats: Bm25Stats,
    f: Fields,
    path: PathBuf,
    version: String,
    taxonomies: Vec<String>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("path", &self.path)
            .field("version", &self.version)
            .finish()
    }
}

/// The query words of one position: as typed (lowercase), folded, and stemmed for English.
#[derive(Debug, Clone)]
struct Word {
    exact: String,
    folded: String,
    stem: Option<String>,
}

impl Word {
    fn accented(&self) -> bool {
        self.exact != self.folded
    }
}

/// A query split into loose words and "quoted phrases".
#[derive(Debug, Default)]
struct Parsed {
    words: Vec<Word>,
    phrases: Vec<Vec<Word>>,
    code: String,
}

impl SearchIndex {
    /// Opens the index in `dir` (`public/search`).
    pub fn open(dir: &Path) -> Result<SearchIndex, Error> {
        if !dir.join("meta.json").is_file() {
            return Err(Error::Incompatible(format!(
                "{}: no search index here; run `cms build` first",
                dir.display()
            )));
        }
        let index = Index::open_in_dir(dir).map_err(|source| Error::Tantivy {
            path: dir.to_path_buf(),
            source,
        })?;
        analysis::register(&index);
        let f = schema::fields(&index.schema())?;
        // Results read their pages' stored fields (a few hundred bytes each, about ten pages
        // a block): the blocks kept decompressed, up to 8 MiB a segment, are all of them for
        // a network of tens of thousands of pages (tantivy keeps 100).
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(STORE_CACHE_BLOCKS)
            .try_into()
            .map_err(|source| Error::Tantivy {
                path: dir.to_path_buf(),
                source,
            })?;
        let meta = std::fs::read(dir.join("meta.json")).map_err(|source| Error::Io {
            path: dir.join("meta.json"),
            source,
        })?;
        let version = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            meta.hash(&mut h);
            std::fs::read(dir.join(crate::writer::VERSION_FILE))
                .unwrap_or_default()
                .hash(&mut h);
            format!("{:016x}", h.finish())
        };
        let searcher = reader.searcher();
        let columns =
            Columns::load(searcher.segment_readers()).map_err(|source| Error::Tantivy {
                path: dir.to_path_buf(),
                source,
            })?;
        let texts = crate::texts::Texts::open(dir)?;
        let stats = Bm25Stats::new(
            &searcher,
            &[
                f.title, f.meta, f.body, f.title_en, f.meta_en, f.body_en, f.code,
            ],
        )
        .map_err(|source| Error::Tantivy {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut s = SearchIndex {
            searcher,
            columns,
            texts,
            stats,
            f,
            path: dir.to_path_buf(),
            version,
            taxonomies: Vec::new(),
        };
        s.taxonomies = s.read_taxonomies()?;
        Ok(s)
    }

    /// Changes whenever the index does: for ETags.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Documents in the index.
    pub fn len(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn err(&self) -> impl Fn(tantivy::TantivyError) -> Error + '_ {
        move |source| Error::Tantivy {
            path: self.path.clone(),
            source,
        }
    }

    /// The taxonomies that have terms in the index (`<name>/<term>` in the `tax` field).
    fn read_taxonomies(&self) -> Result<Vec<String>, Error> {
        let searcher = &self.searcher;
        let mut names = BTreeSet::new();
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(self.f.tax).map_err(self.err())?;
            let mut stream = inv.terms().stream().map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?;
            while stream.advance() {
                if let Some((name, _)) = std::str::from_utf8(stream.key())
                    .ok()
                    .and_then(|k| k.split_once('/'))
                {
                    names.insert(name.to_string());
                }
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Runs a search.
    pub fn search(&self, req: &Request) -> Result<Response, Error> {
        let q: String = req.q.nfc().collect::<String>().trim().to_string();
        let per_page = req.per_page.clamp(1, MAX_PER_PAGE);
        let page = req.page.clamp(1, MAX_PAGE);
        let mut resp = Response {
            q: q.clone(),
            page,
            per_page,
            sort: req.sort,
            ..Response::default()
        };
        let filtered = req.site.is_some()
            || req.kind.is_some()
            || req.lang.is_some()
            || req.year.is_some()
            || req.term.is_some();
        if q.chars().count() > MAX_QUERY_CHARS {
            resp.notice = Some(Notice::TooLong);
            return Ok(resp);
        }
        let parsed = self.parse(&q);
        let no_words = parsed.words.is_empty() && parsed.phrases.is_empty();
        if no_words && !filtered {
            resp.notice = Some(if q.is_empty() {
                Notice::Empty
            } else {
                Notice::NoWords
            });
            return Ok(resp);
        }
        let mut sort = req.sort;
        if no_words {
            if !q.is_empty() {
                resp.notice = Some(Notice::NoWords);
            }
            // Nothing to rank by: newest first.
            sort = Sort::Date;
            resp.sort = sort;
        }
        let filters = self.filters(req);
        let near = self.proximity(&parsed);
        let exact = self.exact(&parsed)?;
        let mut plan = self.plan(&parsed, false, filters.clone());
        let (mut total, mut docs, mut facets) =
            self.run(&plan, &near, &exact, sort, page, per_page)?;
        if total == 0 && parsed.words.len() > 1 {
            plan = self.plan(&parsed, true, filters);
            (total, docs, facets) = self.run(&plan, &near, &exact, sort, page, per_page)?;
            resp.relaxed = total > 0;
        }
        resp.total = total;
        resp.pages = total.div_ceil(per_page);
        resp.facets = self.facets(&facets);
        resp.hits = self.hits(&plan.terms(), &docs)?;
        Ok(resp)
    }

    /// The URLs of the best `limit` pages that have every word of `req.q` (its filters
    /// applied, its sort, page and per page ignored), best first: for a listing that only
    /// needs to know which pages match, without the excerpts and facets of [`Self::search`].
    /// No words (or too many characters): none.
    pub fn matching_urls(&self, req: &Request, limit: usize) -> Result<Vec<String>, Error> {
        let q: String = req.q.nfc().collect::<String>().trim().to_string();
        if q.chars().count() > MAX_QUERY_CHARS || limit == 0 {
            return Ok(Vec::new());
        }
        let parsed = self.parse(&q);
        if parsed.words.is_empty() && parsed.phrases.is_empty() {
            return Ok(Vec::new());
        }
        let exact = self.exact(&parsed)?;
        let plan = self.plan(&parsed, false, self.filters(req));
        let (_, docs, _) = self.run(&plan, &[], &exact, Sort::Relevance, 1, limit)?;
        let mut urls = Vec::with_capacity(docs.len());
        for (_, addr) in docs {
            let doc: tantivy::TantivyDocument = self.searcher.doc(addr).map_err(self.err())?;
            if let Some(url) = doc.get_first(self.f.url).and_then(|v| {
                use tantivy::schema::Value;
                v.as_str().map(str::to_string)
            }) {
                urls.push(url);
            }
        }
        Ok(urls)
    }

    fn parse(&self, q: &str) -> Parsed {
        let mut loose = String::new();
        let mut phrases = Vec::new();
        for (i, part) in q.split('"').enumerate() {
            // Odd parts are inside quotes; an unclosed quote quotes the rest.
            if i % 2 == 1 {
                phrases.push(part.to_string());
            } else {
                loose.push_str(part);
                loose.push(' ');
            }
        }
        let mut vi = analysis::vietnamese();
        let mut en = analysis::english();
        let mut p = Parsed {
            words: words(&mut vi, &mut en, &loose),
            phrases: phrases
                .iter()
                .map(|t| words(&mut vi, &mut en, t))
                .filter(|w| !w.is_empty())
                .collect(),
            code: analysis::normalize_code(&q.replace('"', " ")),
        };
        // A quoted single word is just a required word.
        let (single, multi): (Vec<_>, Vec<_>) = p.phrases.drain(..).partition(|w| w.len() == 1);
        p.phrases = multi;
        p.words.extend(single.into_iter().flatten());
        p
    }

    fn filters(&self, req: &Request) -> Vec<Term> {
        let f = &self.f;
        let mut out = Vec::new();
        let mut add = |field: Field, value: &str| out.push(Term::from_field_text(field, value));
        if let Some(s) = &req.site {
            add(f.site, s);
        }
        if let Some(k) = &req.kind {
            add(f.kind, k);
        }
        if let Some(l) = &req.lang {
            add(f.lang, l);
        }
        if let Some(y) = &req.year {
            add(f.year, y);
        }
        if let Some((t, v)) = &req.term {
            let v: String = v.nfc().collect();
            add(f.tax, &schema::tax_value(t, &v));
        }
        out
    }

    /// The query: every word required (or, `relaxed`, any), in the title, the typed fields or
    /// the text, exact forms ranked above folded ones; whole identifiers ranked higher; quoted
    /// phrases required. (Words near each other are ranked higher afterwards: see [`Near`].)
    fn plan(&self, p: &Parsed, relaxed: bool, filters: Vec<Term>) -> Plan {
        let f = &self.f;
        let mut plan = Plan {
            filters,
            ..Plan::default()
        };
        for w in &p.words {
            let clause = self.word_clause(w);
            if relaxed {
                plan.should.push(clause);
            } else {
                plan.must.push(clause);
            }
        }
        for ph in &p.phrases {
            let typed: Vec<&str> = ph
                .iter()
                .map(|w| {
                    if w.accented() {
                        w.exact.as_str()
                    } else {
                        w.folded.as_str()
                    }
                })
                .collect();
            let folded: Vec<&str> = ph.iter().map(|w| w.folded.as_str()).collect();
            let stems: Vec<&str> = ph.iter().filter_map(|w| w.stem.as_deref()).collect();
            // The text has only folded positions: a phrase typed with diacritics matches it
            // folded, and its exact words rank the pages that have them higher (see
            // [`Exact`]).
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, terms, boost) in [
                (f.title, &typed, 4.0),
                (f.meta, &typed, 2.0),
                (f.body, &folded, 1.0),
                (f.title_en, &stems, 4.0),
                (f.meta_en, &stems, 2.0),
                (f.body_en, &stems, 1.0),
            ] {
                if let Some(q) = phrase(field, terms, 0) {
                    any.push((Occur::Should, boost_by(q, boost)));
                }
            }
            plan.must
                .push(Clause::Query(Box::new(BooleanQuery::new(any))));
        }
        if !p.code.is_empty() && (!p.words.is_empty() || !p.phrases.is_empty()) {
            let t = Term::from_field_text(f.code, &p.code);
            plan.should.push(Clause::Terms(vec![(t, 20.0)]));
        }
        plan
    }

    fn word_clause(&self, w: &Word) -> Clause {
        let f = &self.f;
        let term =
            |field: Field, text: &str, boost: f32| (Term::from_field_text(field, text), boost);
        let mut any = vec![term(f.title, &w.exact, 5.0), term(f.meta, &w.exact, 3.0)];
        if w.accented() {
            // The folded form finds pages typed without diacritics, ranked below exact ones;
            // in the text, the exact form counts by its presence (see [`Exact`]).
            any.push(term(f.title, &w.folded, 2.5));
            any.push(term(f.meta, &w.folded, 1.5));
            any.push(term(f.body, &w.folded, 0.75));
        } else {
            any.push(term(f.body, &w.folded, 1.5));
        }
        if let Some(s) = &w.stem {
            any.push(term(f.title_en, s, 5.0));
            any.push(term(f.meta_en, s, 3.0));
            any.push(term(f.body_en, s, 1.5));
        }
        Clause::Terms(any)
    }

    fn run(
        &self,
        plan: &Plan,
        near: &[Near],
        exact: &Exact,
        sort: Sort,
        page: usize,
        per_page: usize,
    ) -> Result<Found, Error> {
        let searcher = &self.searcher;
        let prepared = Prepared::new(searcher, plan, &self.stats).map_err(self.err())?;
        let offset = (page - 1) * per_page;
        let rerank = sort == Sort::Relevance && !(near.is_empty() && exact.is_empty());
        // The best RERANK matches (or more, for a deeper page) get the proximity score and
        // the exact forms' bonus; the order below them is the words' alone, so pages stay
        // consistent.
        let window = if rerank {
            (offset + per_page).max(RERANK)
        } else {
            offset + per_page
        };
        let mut tally = self.columns.tally();
        let mut total = 0;
        // Tantivy's top-n: highest key first, equal keys by address (see `tests`).
        let mut best = TopNComputer::<f32, DocAddress>::new(window);
        let mut newest = TopNComputer::<i64, DocAddress>::new(window);
        for (ord, (seg, data)) in searcher
            .segment_readers()
            .iter()
            .zip(&self.columns.segments)
            .enumerate()
        {
            let m = prepared
                .matches(ord, seg, data.alive.as_deref())
                .map_err(self.err())?;
            total += m.count;
            self.columns.count(ord, &m.bits, &mut tally);
            let addr = |d: DocId| DocAddress::new(ord as u32, d);
            for d in m.docs() {
                match sort {
                    Sort::Relevance => best.push(m.scores[d as usize], addr(d)),
                    Sort::Date => newest.push(
                        data.date.get(d as usize).copied().unwrap_or(i64::MIN),
                        addr(d),
                    ),
                }
            }
        }
        let mut best: Vec<(f32, DocAddress)> = match sort {
            Sort::Relevance => best
                .into_sorted_vec()
                .into_iter()
                .map(|c| (c.feature, c.doc))
                .collect(),
            Sort::Date => newest
                .into_sorted_vec()
                .into_iter()
                .map(|c| (0.0, c.doc))
                .collect(),
        };
        if rerank {
            let head = best.len().min(RERANK);
            exact.add_to(searcher, &mut best[..head]);
            self.add_proximity(searcher, near, &mut best[..head])?;
            best[..head].sort_by(by_score);
        }
        let docs = best.into_iter().skip(offset).take(per_page).collect();
        Ok((total, docs, self.columns.counts(&tally)))
    }

    fn facets(&self, counts: &segments::Counts) -> Facets {
        let sorted = |values: Vec<FacetCount>| -> Vec<FacetCount> {
            let mut v = values;
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            v
        };
        let list = |k: usize| -> Vec<FacetCount> {
            sorted(
                counts
                    .get(k)
                    .into_iter()
                    .flatten()
                    .map(|(value, &count)| FacetCount {
                        value: value.clone(),
                        count,
                    })
                    .collect(),
            )
        };
        let mut year = list(3);
        year.sort_by(|a, b| b.value.cmp(&a.value));
        let mut taxonomies: Vec<(String, Vec<FacetCount>)> = self
            .taxonomies
            .iter()
            .map(|t| (t.clone(), Vec::new()))
            .collect();
        for (value, &count) in counts.get(4).into_iter().flatten() {
            let Some((name, term)) = value.split_once('/') else {
                continue;
            };
            if let Some((_, v)) = taxonomies.iter_mut().find(|(t, _)| t == name) {
                v.push(FacetCount {
                    value: term.to_string(),
                    count,
                });
            }
        }
        Facets {
            site: list(0),
            kind: list(1),
            lang: list(2),
            year,
            taxonomies: taxonomies
                .into_iter()
                .map(|(t, v)| (t, sorted(v)))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        }
    }
}

fn words(vi: &mut TextAnalyzer, en: &mut TextAnalyzer, text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut last = usize::MAX;
    for (t, pos) in tokens(vi, text) {
        if pos == last {
            if let Some(w) = out.last_mut() {
                w.folded = t;
            }
        } else {
            out.push(Word {
                exact: t.clone(),
                folded: t,
                stem: None,
            });
            last = pos;
        }
    }
    // The same tokenizer splits both ways, so positions line up.
    let stems = tokens(en, text);
    if stems.len() == out.len() {
        for (w, (s, _)) in out.iter_mut().zip(stems) {
            w.stem = Some(s);
        }
    }
    out
}

fn phrase(field: Field, terms: &[&str], slop: u32) -> Option<Box<dyn Query>> {
    if terms.len() < 2 {
        return None;
    }
    let terms: Vec<Term> = terms
        .iter()
        .map(|t| Term::from_field_text(field, t))
        .collect();
    let mut q = PhraseQuery::new(terms);
    q.set_slop(slop);
    Some(Box::new(q))
}

fn boost_by(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// Best score first; the same order every time.
fn by_score(a: &(f32, DocAddress), b: &(f32, DocAddress)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopNComputer;
    use tantivy::DocAddress;

    /// The order results are shown in: highest key first, equal keys by address (the pages
    /// of one score in index order, the same every time), whatever the window.
    #[test]
    fn the_top_n_keeps_the_best_ties_by_address() {
        let scores = [1.0, 5.0, 3.0, 5.0, 2.0, 3.0, 4.0, 0.5, 5.0];
        let top = |n: usize| -> Vec<(f32, u32)> {
            let mut top = TopNComputer::<f32, DocAddress>::new(n);
            for (d, s) in scores.iter().enumerate() {
                top.push(*s, DocAddress::new(0, d as u32));
            }
            top.into_sorted_vec()
                .into_iter()
                .map(|c| (c.feature, c.doc.doc_id))
                .collect()
        };
        assert_eq!(top(3), vec![(5.0, 1), (5.0, 3), (5.0, 8)]);
        let ids: Vec<u32> = top(4).into_iter().map(|(_, d)| d).collect();
        assert_eq!(ids, vec![1, 3, 8, 6]);
        // Every window is the head of the whole order, as `by_score` sorts it.
        let mut all: Vec<(f32, DocAddress)> = scores
            .iter()
            .enumerate()
            .map(|(d, s)| (*s, DocAddress::new(0, d as u32)))
            .collect();
        all.sort_by(super::by_score);
        for n in 1..=scores.len() {
            let want: Vec<(f32, u32)> = all[..n].iter().map(|(s, a)| (*s, a.doc_id)).collect();
            assert_eq!(top(n), want, "n = {n}");
        }
        // Dates: newest first, the same date by address.
        let mut newest = TopNComputer::<i64, DocAddress>::new(2);
        for (d, t) in [10i64, 30, 20, 30].iter().enumerate() {
            newest.push(*t, DocAddress::new(d as u32 / 2, d as u32 % 2));
        }
        let got: Vec<(i64, DocAddress)> = newest
            .into_sorted_vec()
            .into_iter()
            .map(|c| (c.feature, c.doc))
            .collect();
        assert_eq!(
            got,
            vec![(30, DocAddress::new(0, 1)), (30, DocAddress::new(1, 1))]
        );
    }
}
