//! What every search reads of each segment's pages, loaded once when the index is opened: the
//! facets, the date and the key of each page, as plain arrays.
//!
//! A search counts the facets of every match (thousands of pages for a common word). Read from
//! tantivy's columns, that was a tenth of a query's time, most of it decoding the same few
//! values again; as arrays of ordinals it is an index into a small table. The memory is a few
//! bytes a page (a few MiB for a network of a million pages).

use std::collections::HashMap;

use tantivy::columnar::StrColumn;
use tantivy::{DocId, SegmentReader};

use crate::schema::{GROUP_FIELDS, GROUP_SEP};

/// No value (an ordinal).
const NONE: u32 = u32::MAX;

/// The facets counted: [`GROUP_FIELDS`], then taxonomy terms.
const FACETS: usize = GROUP_FIELDS.len() + 1;

/// Every segment's facets and dates, and the facets' values, numbered across segments.
#[derive(Debug, Default)]
pub(super) struct Columns {
    /// The values of each facet, by number.
    values: [Vec<String>; FACETS],
    pub(super) segments: Vec<Segment>,
}

/// One segment's facets and dates.
#[derive(Debug, Default)]
pub(super) struct Segment {
    /// The pages with each facet value: (facet, value number, pages).
    values: Vec<(usize, u32, Pages)>,
    /// The pages not deleted, a bit each (`None`: all).
    pub(super) alive: Option<Vec<u64>>,
    /// The publication date of each page, in seconds ([`i64::MIN`]: none).
    pub(super) date: Vec<i64>,
    /// The key of each page (see [`crate::schema::url_key`]), which finds its text.
    pub(super) key: Vec<u64>,
}

/// A set of pages: a bit each when they are many, a list when few, whichever counts faster.
#[derive(Debug)]
enum Pages {
    Bits(Vec<u64>),
    List(Vec<DocId>),
}

impl Pages {
    fn new(docs: Vec<DocId>, max: usize) -> Pages {
        if docs.len() < max / 64 {
            return Pages::List(docs);
        }
        let mut bits = vec![0u64; max.div_ceil(64)];
        for d in docs {
            if let Some(w) = bits.get_mut(d as usize / 64) {
                *w |= 1 << (d % 64);
            }
        }
        Pages::Bits(bits)
    }

    /// How many of these pages are in `bits`.
    fn count_in(&self, bits: &[u64]) -> u64 {
        match self {
            Pages::Bits(b) => b
                .iter()
                .zip(bits)
                .map(|(a, b)| u64::from((a & b).count_ones()))
                .sum(),
            Pages::List(l) => l
                .iter()
                .filter(|&&d| {
                    bits.get(d as usize / 64)
                        .is_some_and(|w| w >> (d % 64) & 1 == 1)
                })
                .count() as u64,
        }
    }
}

/// Counts of each facet's values, by number.
pub(super) struct Tally([Vec<u64>; FACETS]);

/// The values of a column's dictionary, by ordinal.
fn dictionary(column: &StrColumn) -> tantivy::Result<Vec<String>> {
    let mut out = Vec::with_capacity(column.num_terms());
    let mut stream = column.dictionary().stream()?;
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(out)
}

/// Numbers values as they come.
#[derive(Default)]
struct Numbering(HashMap<String, u32>);

impl Numbering {
    fn number(&mut self, value: &str) -> u32 {
        if value.is_empty() {
            // Undated pages have no year.
            return NONE;
        }
        let next = self.0.len() as u32;
        *self.0.entry(value.to_string()).or_insert(next)
    }

    fn values(self) -> Vec<String> {
        let mut v: Vec<(String, u32)> = self.0.into_iter().collect();
        v.sort_by_key(|(_, n)| *n);
        v.into_iter().map(|(s, _)| s).collect()
    }
}

impl Columns {
    /// Reads the columns of every segment.
    pub(super) fn load(readers: &[SegmentReader]) -> tantivy::Result<Columns> {
        let mut numbering: [Numbering; FACETS] = Default::default();
        let mut segments = Vec::with_capacity(readers.len());
        for reader in readers {
            segments.push(Segment::load(reader, &mut numbering)?);
        }
        Ok(Columns {
            values: numbering.map(Numbering::values),
            segments,
        })
    }

    /// No count yet.
    pub(super) fn tally(&self) -> Tally {
        Tally(std::array::from_fn(|f| vec![0; self.values[f].len()]))
    }

    /// Counts the facets of the pages of segment `ord` that are in `bits`.
    pub(super) fn count(&self, ord: usize, bits: &[u64], tally: &mut Tally) {
        let Some(seg) = self.segments.get(ord) else {
            return;
        };
        for (facet, value, pages) in &seg.values {
            if let Some(n) = tally
                .0
                .get_mut(*facet)
                .and_then(|c| c.get_mut(*value as usize))
            {
                *n += pages.count_in(bits);
            }
        }
    }

    /// The counts of `tally` by value, the values without matches left out.
    pub(super) fn counts(&self, tally: &Tally) -> Counts {
        self.values
            .iter()
            .zip(&tally.0)
            .map(|(values, counts)| {
                values
                    .iter()
                    .zip(counts)
                    .filter(|(_, &n)| n > 0)
                    .map(|(v, &n)| (v.clone(), n))
                    .collect()
            })
            .collect()
    }
}

impl Segment {
    /// Reads the columns of `reader`, numbering their values.
    fn load(
        reader: &SegmentReader,
        numbering: &mut [Numbering; FACETS],
    ) -> tantivy::Result<Segment> {
        let max = reader.max_doc();
        let ff = reader.fast_fields();
        let mut pages: HashMap<(usize, u32), Vec<DocId>> = HashMap::new();
        if let Some(group) = ff.str("group")? {
            let parts: Vec<[u32; GROUP_FIELDS.len()]> = dictionary(&group)?
                .iter()
                .map(|v| {
                    let mut parts = v.split(GROUP_SEP);
                    std::array::from_fn(|f| numbering[f].number(parts.next().unwrap_or_default()))
                })
                .collect();
            let ords = group.ords();
            for d in 0..max {
                let Some(p) = ords.first(d).and_then(|o| parts.get(o as usize)) else {
                    continue;
                };
                for (f, &v) in p.iter().enumerate() {
                    if v != NONE {
                        pages.entry((f, v)).or_default().push(d);
                    }
                }
            }
        }
        if let Some(tax) = ff.str("tax")? {
            let numbers: Vec<u32> = dictionary(&tax)?
                .iter()
                .map(|v| numbering[GROUP_FIELDS.len()].number(v))
                .collect();
            let ords = tax.ords();
            for d in 0..max {
                for o in ords.values_for_doc(d) {
                    if let Some(&v) = numbers.get(o as usize) {
                        pages.entry((GROUP_FIELDS.len(), v)).or_default().push(d);
                    }
                }
            }
        }
        let mut values: Vec<(usize, u32, Pages)> = pages
            .into_iter()
            .map(|((f, v), docs)| (f, v, Pages::new(docs, max as usize)))
            .collect();
        values.sort_by_key(|(f, v, _)| (*f, *v));
        let alive = reader.alive_bitset().map(|a| {
            let mut bits = vec![0u64; (max as usize).div_ceil(64)];
            for d in 0..max {
                if a.is_alive(d) {
                    if let Some(w) = bits.get_mut(d as usize / 64) {
                        *w |= 1 << (d % 64);
                    }
                }
            }
            bits
        });
        let date = ff.date("date")?;
        let date = (0..max)
            .map(|d| date.first(d).map_or(i64::MIN, |t| t.into_timestamp_secs()))
            .collect();
        let keys = ff.u64("key")?;
        let key = (0..max).map(|d| keys.first(d).unwrap_or(0)).collect();
        Ok(Segment {
            values,
            alive,
            date,
            key,
        })
    }
}

/// Counts by value: one map for each of [`GROUP_FIELDS`] in order, then one for the
/// taxonomy terms (`taxonomy/term`).
pub(crate) type Counts = Vec<HashMap<String, u64>>;

#[cfg(test)]
mod tests {
    use tantivy::{doc, DateTime, Index, Term};

    use super::{Columns, Pages};
    use crate::schema::{self, group_value, tax_value};
    use crate::search::bm25::Bm25Stats;
    use crate::search::matcher::{Plan, Prepared};

    /// The facet counts of every page not deleted of an index of `pages` (site, kind, topic)
    /// from which the page of key `deleted` (if any) was deleted; and whether a segment of it
    /// holds a deleted page.
    fn counts(pages: &[(&str, &str, &str)], deleted: Option<u64>) -> (super::Counts, bool) {
        let index = Index::create_in_ram(schema::schema());
        crate::analysis::register(&index);
        let f = schema::fields(&index.schema()).unwrap();
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (key, (site, kind, topic)) in pages.iter().enumerate() {
            w.add_document(doc!(
                f.key => key as u64,
                f.group => group_value(site, kind, "vi", "2024"),
                f.tax => tax_value("topics", topic),
                f.date => DateTime::from_timestamp_secs(1_700_000_000 + key as i64),
            ))
            .unwrap();
        }
        w.commit().unwrap();
        if let Some(key) = deleted {
            w.delete_term(Term::from_field_u64(f.key, key));
            w.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let columns = Columns::load(searcher.segment_readers()).unwrap();
        let stats = Bm25Stats::new(&searcher, &[]).unwrap();
        // No words and no filter: every page matches, as a search by filters alone.
        let prepared = Prepared::new(&searcher, &Plan::default(), &stats).unwrap();
        let mut tally = columns.tally();
        let mut deletions = false;
        for (ord, (seg, data)) in searcher
            .segment_readers()
            .iter()
            .zip(&columns.segments)
            .enumerate()
        {
            deletions |= data.alive.is_some();
            let m = prepared.matches(ord, seg, data.alive.as_deref()).unwrap();
            columns.count(ord, &m.bits, &mut tally);
        }
        (columns.counts(&tally), deletions)
    }

    #[test]
    fn facet_counts_leave_deleted_pages_out() {
        let pages = [
            ("mt", "news", "cao tốc"),
            ("mt", "legal", "cao tốc"),
            ("vr", "news", "đăng kiểm"),
            ("vec", "news", "cao tốc"),
        ];
        let (all, deletions) = counts(&pages, None);
        assert!(!deletions);
        assert_eq!(all[0]["mt"], 2);
        assert_eq!(all[0]["vec"], 1);
        assert_eq!(all[1]["news"], 3);
        assert_eq!(all[3]["2024"], 4);
        assert_eq!(all[4]["topics/cao tốc"], 3);
        // The page of `vec` deleted: its site has no count left, and its kind, year and
        // topic one fewer.
        let (after, deletions) = counts(&pages, Some(3));
        assert!(deletions, "the segment keeps the deleted page, marked");
        assert_eq!(after[0].get("vec"), None, "{after:?}");
        assert_eq!(after[0]["mt"], 2);
        assert_eq!(after[1]["news"], 2);
        assert_eq!(after[3]["2024"], 3);
        assert_eq!(after[4]["topics/cao tốc"], 2);
        assert_eq!(after[4]["topics/đăng kiểm"], 1);
    }

    #[test]
    fn a_set_of_pages_counts_the_same_as_bits_or_as_a_list() {
        let docs: Vec<u32> = vec![0, 3, 64, 65, 130, 199];
        let bits = Pages::new(docs.clone(), 200);
        let list = Pages::new(docs, 64 * 64);
        assert!(matches!(bits, Pages::Bits(_)) && matches!(list, Pages::List(_)));
        // Pages 3, 64 and 199 (deleted ones are not in the matches' bits).
        let mut matches = vec![0u64; 200usize.div_ceil(64)];
        for d in [1u32, 3, 64, 199] {
            matches[d as usize / 64] |= 1 << (d % 64);
        }
        assert_eq!(bits.count_in(&matches), 3);
        assert_eq!(list.count_in(&matches), 3);
    }
}
