//! Reading the index: queries typed by people, with filters, facets, sorting, pages and
//! highlighted snippets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::postings::Postings;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocSet, Index, IndexReader, Order, ReloadPolicy, TantivyDocument, Term};
use unicode_normalization::UnicodeNormalization;

use crate::analysis::{self, tokens};
use crate::schema::{self, Fields};
use crate::Error;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most results on one page.
pub const MAX_PER_PAGE: usize = 50;
/// Deepest page served (deeper pages cost more and nobody reads them).
pub const MAX_PAGE: usize = 100;
/// How many of the best matches are ranked again with the words' proximity.
const RERANK: usize = 100;

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search, as a person or a program asks for it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// What was typed: words, "quoted phrases", document numbers.
    pub q: String,
    /// Only this site (id).
    pub site: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this language.
    pub lang: Option<String>,
    /// Only this year of publication.
    pub year: Option<String>,
    /// Only pages with this taxonomy term: (taxonomy, term name).
    pub term: Option<(String, String)>,
    /// Order.
    pub sort: Sort,
    /// Page number, from 1.
    pub page: usize,
    /// Results per page (at most [`MAX_PER_PAGE`]).
    pub per_page: usize,
}

/// Why a search has no results list, to tell the reader kindly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// Nothing was typed and no filter chosen.
    Empty,
    /// More than [`MAX_QUERY_CHARS`] characters.
    TooLong,
    /// Only punctuation: no word to look for.
    NoWords,
}

/// One value of a facet and how many results have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value (`mt`, `legal`, `2022`, a term name).
    pub value: String,
    /// Results with it.
    pub count: u64,
}

/// Counts of the results by site, kind, language, year and taxonomy term.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    /// By site id.
    pub site: Vec<FacetCount>,
    /// By kind.
    pub kind: Vec<FacetCount>,
    /// By language.
    pub lang: Vec<FacetCount>,
    /// By year, newest first.
    pub year: Vec<FacetCount>,
    /// By taxonomy term: (taxonomy, its terms).
    pub taxonomies: Vec<(String, Vec<FacetCount>)>,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// `https://domain/path`.
    pub url: String,
    /// Site id.
    pub site: String,
    /// Site domain.
    pub domain: String,
    /// Path on the site.
    pub path: String,
    /// Kind.
    pub kind: String,
    /// Language.
    pub lang: String,
    /// Title, plain.
    pub title: String,
    /// Title as HTML, escaped, the matched words in `<mark>`.
    pub title_html: String,
    /// An excerpt as HTML, escaped, the matched words in `<mark>`.
    pub snippet_html: String,
    /// Publication date, seconds since the epoch.
    pub date: Option<i64>,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Response {
    /// The query as understood (NFC, trimmed).
    pub q: String,
    /// Results in all.
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
    /// Pages in all.
    pub pages: usize,
    /// Order used.
    pub sort: Sort,
    /// This page's results.
    pub hits: Vec<Hit>,
    /// Counts by facet.
    pub facets: Facets,
    /// When no search was run, why.
    pub notice: Option<Notice>,
    /// No page has every word, so pages with some of them are shown.
    pub relaxed: bool,
}

/// What one search collected: the total, this page's (score, document), the facet counts.
type Found = (usize, Vec<(f32, DocAddress)>, FacetCounts);

/// An open index.
pub struct SearchIndex {
    reader: IndexReader,
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

/// Words that score higher when they stand in this order with at most `slop` other words
/// between them in all.
#[derive(Debug)]
struct Near {
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
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
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
        let mut s = SearchIndex {
            reader,
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
        self.reader.searcher().num_docs()
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

    /// The taxonomies that have terms in the index (`/tax/<name>/…`).
    fn read_taxonomies(&self) -> Result<Vec<String>, Error> {
        let searcher = self.reader.searcher();
        let mut names = BTreeSet::new();
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(self.f.facet).map_err(self.err())?;
            let mut stream = inv.terms().stream().map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?;
            while stream.advance() {
                // Facet terms are the path's parts separated by \0.
                let parts: Vec<&[u8]> = stream.key().split(|b| *b == 0).collect();
                if parts.len() >= 2 && parts[0] == b"tax" {
                    names.insert(String::from_utf8_lossy(parts[1]).into_owned());
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
        let mut query = self.query(&parsed, false, &filters);
        let (mut total, mut docs, mut facets) = self.run(&*query, &near, sort, page, per_page)?;
        if total == 0 && parsed.words.len() > 1 {
            query = self.query(&parsed, true, &filters);
            (total, docs, facets) = self.run(&*query, &near, sort, page, per_page)?;
            resp.relaxed = total > 0;
        }
        resp.total = total;
        resp.pages = total.div_ceil(per_page);
        resp.facets = self.facets(&facets);
        resp.hits = self.hits(&*query, &docs)?;
        Ok(resp)
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

    fn filters(&self, req: &Request) -> Vec<Box<dyn Query>> {
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        let mut add = |path: Vec<&str>| {
            let term = Term::from_facet(self.f.facet, &Facet::from_path(path));
            out.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        };
        if let Some(s) = &req.site {
            add(vec!["site", s]);
        }
        if let Some(k) = &req.kind {
            add(vec!["kind", k]);
        }
        if let Some(l) = &req.lang {
            add(vec!["lang", l]);
        }
        if let Some(y) = &req.year {
            add(vec!["year", y]);
        }
        if let Some((t, v)) = &req.term {
            let v: String = v.nfc().collect();
            add(vec!["tax", t, &v]);
        }
        out
    }

    /// The query: every word required (or, `relaxed`, any), in the title, the typed fields or
    /// the text, exact forms ranked above folded ones; words near each other and whole
    /// identifiers ranked higher; quoted phrases required.
    fn query(&self, p: &Parsed, relaxed: bool, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
        let f = &self.f;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let word_occur = if relaxed { Occur::Should } else { Occur::Must };
        for w in &p.words {
            clauses.push((word_occur, self.word_query(w)));
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
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            // The text has only folded positions: a phrase typed with diacritics matches it
            // folded, and its exact words rank the pages that have them higher.
            for w in ph.iter().filter(|w| w.accented()) {
                let t = Term::from_field_text(f.body, &w.exact);
                clauses.push((
                    Occur::Should,
                    boost_by(Box::new(TermQuery::new(t, IndexRecordOption::Basic)), 1.0),
                ));
            }
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
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if !p.code.is_empty() && (!p.words.is_empty() || !p.phrases.is_empty()) {
            let t = Term::from_field_text(f.code, &p.code);
            clauses.push((
                Occur::Should,
                boost_by(Box::new(TermQuery::new(t, IndexRecordOption::Basic)), 20.0),
            ));
        }
        let main: Box<dyn Query> = if p.words.is_empty() && p.phrases.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        if filters.is_empty() {
            return main;
        }
        let mut all = vec![(Occur::Must, main)];
        all.extend(filters.iter().map(|q| (Occur::Must, q.box_clone())));
        Box::new(BooleanQuery::new(all))
    }

    /// Words near each other, as a score added to the best matches only (see [`RERANK`]):
    /// checking the positions of every matching page cost most of a query's time. The folded
    /// form is used, which every form matches.
    fn proximity(&self, p: &Parsed) -> Vec<Near> {
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

    fn word_query(&self, w: &Word) -> Box<dyn Query> {
        let f = &self.f;
        let with = |option: IndexRecordOption| {
            move |field: Field, text: &str, boost: f32| -> (Occur, Box<dyn Query>) {
                let t = Term::from_field_text(field, text);
                (
                    Occur::Should,
                    boost_by(Box::new(TermQuery::new(t, option)), boost),
                )
            }
        };
        let term = with(IndexRecordOption::WithFreqs);
        let marked = with(IndexRecordOption::Basic);
        let mut any = vec![term(f.title, &w.exact, 5.0), term(f.meta, &w.exact, 3.0)];
        if w.accented() {
            // The folded form finds pages typed without diacritics, ranked below exact ones;
            // in the text, the exact form counts by its presence (the marked set).
            any.push(term(f.title, &w.folded, 2.5));
            any.push(term(f.meta, &w.folded, 1.5));
            any.push(term(f.body, &w.folded, 0.75));
            any.push(marked(f.body, &w.exact, 1.5));
        } else {
            any.push(term(f.body, &w.folded, 1.5));
        }
        if let Some(s) = &w.stem {
            any.push(term(f.title_en, s, 5.0));
            any.push(term(f.meta_en, s, 3.0));
            any.push(term(f.body_en, s, 1.5));
        }
        Box::new(BooleanQuery::new(any))
    }

    fn run(
        &self,
        query: &dyn Query,
        near: &[Near],
        sort: Sort,
        page: usize,
        per_page: usize,
    ) -> Result<Found, Error> {
        let searcher = self.reader.searcher();
        let mut fc = FacetCollector::for_field("facet");
        for root in ["/site", "/kind", "/lang", "/year"] {
            fc.add_facet(root);
        }
        for t in &self.taxonomies {
            fc.add_facet(Facet::from_path(["tax", t.as_str()]));
        }
        let offset = (page - 1) * per_page;
        let top = TopDocs::with_limit(per_page).and_offset(offset);
        match sort {
            Sort::Relevance => {
                if near.is_empty() {
                    let (docs, total, facets) = searcher
                        .search(query, &(top, Count, fc))
                        .map_err(self.err())?;
                    return Ok((total, docs, facets));
                }
                // The best RERANK matches (or more, for a deeper page) get the proximity score;
                // the order below them is the words' alone, so pages stay consistent.
                let window = (offset + per_page).max(RERANK);
                let (mut docs, total, facets) = searcher
                    .search(query, &(TopDocs::with_limit(window), Count, fc))
                    .map_err(self.err())?;
                let head = docs.len().min(RERANK);
                self.add_proximity(&searcher, near, &mut docs[..head])?;
                docs[..head].sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let docs = docs.into_iter().skip(offset).take(per_page).collect();
                Ok((total, docs, facets))
            }
            Sort::Date => {
                let (docs, total, facets) = searcher
                    .search(
                        query,
                        &(
                            top.order_by_fast_field::<tantivy::DateTime>("date", Order::Desc),
                            Count,
                            fc,
                        ),
                    )
                    .map_err(self.err())?;
                Ok((
                    total,
                    docs.into_iter().map(|(_, d)| (0.0, d)).collect(),
                    facets,
                ))
            }
        }
    }

    /// Adds to each of `docs` the score of each [`Near`] it matches: the boost times the
    /// words' idf, which is what a phrase query scores for one occurrence. Reads the positions
    /// of these documents only.
    fn add_proximity(
        &self,
        searcher: &tantivy::Searcher,
        near: &[Near],
        docs: &mut [(f32, DocAddress)],
    ) -> Result<(), Error> {
        let n = searcher.num_docs() as f32;
        let mut weights = Vec::with_capacity(near.len());
        for c in near {
            let mut idf = 0.0;
            for t in &c.terms {
                let df = searcher.doc_freq(t).map_err(self.err())? as f32;
                idf += (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
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

    fn facets(&self, counts: &FacetCounts) -> Facets {
        let list = |root: &str| -> Vec<FacetCount> {
            let mut v: Vec<FacetCount> = counts
                .get(root)
                .filter_map(|(facet, count)| {
                    facet.to_path().last().map(|s| FacetCount {
                        value: s.to_string(),
                        count,
                    })
                })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            v
        };
        let mut year = list("/year");
        year.sort_by(|a, b| b.value.cmp(&a.value));
        Facets {
            site: list("/site"),
            kind: list("/kind"),
            lang: list("/lang"),
            year,
            taxonomies: self
                .taxonomies
                .iter()
                .map(|t| {
                    let root = Facet::from_path(["tax", t.as_str()]).to_string();
                    (t.clone(), list(&root))
                })
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        }
    }

    fn hits(&self, query: &dyn Query, docs: &[(f32, DocAddress)]) -> Result<Vec<Hit>, Error> {
        let f = &self.f;
        let searcher = self.reader.searcher();
        let generator = |field: Field, chars: usize| -> Result<SnippetGenerator, Error> {
            let mut g = SnippetGenerator::create(&searcher, query, field).map_err(self.err())?;
            g.set_max_num_chars(chars);
            Ok(g)
        };
        // A text's field ends with its marked syllables, whose offsets go back to the start:
        // its snippets are cut from the folded syllables alone, as the query's folded words
        // match them.
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
            SnippetGenerator::new(terms, analysis::vietnamese_folded(), f.body, 220)
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
                (f.title, f.body)
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
