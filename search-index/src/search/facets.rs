//! Facet counts from fast fields: a page's site, kind, language and year, read together from
//! one column (see [`crate::schema::GROUP_FIELDS`]), and its taxonomy terms.
//!
//! Tantivy's facet collector reads one multi-valued column holding every facet of a page.
//! Here a page's four single facets are one value of one column, read a block of pages at a
//! time and counted by the column's ordinal; the few distinct values are split into their
//! parts once, at the end.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::{GROUP_FIELDS, GROUP_SEP};

/// Counts by value: one map for each of [`GROUP_FIELDS`] in order, then one for the
/// taxonomy terms (`taxonomy/term`).
pub(crate) type Counts = Vec<HashMap<String, u64>>;

/// Counts the facets of the matching documents.
pub(super) struct FacetCounter;

/// [`FacetCounter`] in one segment.
pub(super) struct SegmentCounter {
    group: Option<StrColumn>,
    tax: Option<StrColumn>,
    /// Documents by ordinal in `group`, and in `tax`.
    groups: Vec<u32>,
    terms: Vec<u32>,
    /// Documents collected and not yet counted.
    pending: Vec<DocId>,
    values: Vec<Option<u64>>,
}

/// Documents counted at a time: a block of `group` values is read in one call.
const BLOCK: usize = 256;

fn count(counts: &mut [u32], ord: u64) {
    if let Some(n) = counts.get_mut(ord as usize) {
        *n += 1;
    }
}

impl SegmentCounter {
    fn flush(&mut self) {
        if let Some(group) = &self.group {
            self.values.clear();
            self.values.resize(self.pending.len(), None);
            group.ords().first_vals(&self.pending, &mut self.values);
            for ord in self.values.iter().flatten() {
                count(&mut self.groups, *ord);
            }
        }
        if let Some(tax) = &self.tax {
            for &doc in &self.pending {
                for ord in tax.ords().values_for_doc(doc) {
                    count(&mut self.terms, ord);
                }
            }
        }
        self.pending.clear();
    }
}

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let ff = reader.fast_fields();
        let (group, tax) = (ff.str("group")?, ff.str("tax")?);
        let size = |c: &Option<StrColumn>| vec![0; c.as_ref().map_or(0, |c| c.num_terms())];
        Ok(SegmentCounter {
            groups: size(&group),
            terms: size(&tax),
            group,
            tax,
            pending: Vec::with_capacity(BLOCK),
            values: Vec::with_capacity(BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut out: Counts = vec![HashMap::new(); GROUP_FIELDS.len() + 1];
        for fruit in fruits {
            for (into, from) in out.iter_mut().zip(fruit) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(out)
    }
}

/// The values of `column` with a count, by value, read from its dictionary in one pass. A
/// dictionary that cannot be read counts nothing rather than failing the search.
fn by_value(column: &Option<StrColumn>, counts: &[u32], mut each: impl FnMut(&str, u64)) {
    let Some(column) = column else {
        return;
    };
    let ords: Vec<(u64, u64)> = counts
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(ord, &n)| (ord as u64, u64::from(n)))
        .collect();
    let mut next = ords.iter();
    let _ = column
        .dictionary()
        .sorted_ords_to_term_cb(ords.iter().map(|(ord, _)| *ord), |bytes| {
            if let (Some((_, n)), Ok(value)) = (next.next(), std::str::from_utf8(bytes)) {
                each(value, *n);
            }
            Ok(())
        });
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() == BLOCK {
            self.flush();
        }
    }

    fn harvest(mut self) -> Counts {
        self.flush();
        let mut out: Counts = vec![HashMap::new(); GROUP_FIELDS.len() + 1];
        by_value(&self.group, &self.groups, |value, n| {
            for (map, part) in out.iter_mut().zip(value.split(GROUP_SEP)) {
                // Undated pages have no year.
                if !part.is_empty() {
                    *map.entry(part.to_string()).or_default() += n;
                }
            }
        });
        by_value(&self.tax, &self.terms, |value, n| {
            if let Some(map) = out.last_mut() {
                *map.entry(value.to_string()).or_default() += n;
            }
        });
        out
    }
}
