//! The syllables with diacritics of a page's text, as a Bloom filter kept in a fast field.
//!
//! The text is indexed folded (`đường` → `duong`), so that words typed either way find it. A
//! query typed with diacritics should still rank a page that has `đường` above one that has
//! only `dương`: the page needs to say which marked syllables it has. As tokens, that set was a
//! third of every token indexed and a third of the indexing time; as a filter of ten bits a
//! syllable it costs one pass over the text, off the index writer's thread, and a few
//! hundred bytes a page. A false positive (well under 1%) only gives one page a small bonus it
//! did not earn.

use tantivy::columnar::Column;
use tantivy::DocId;

/// Bits of the filter for each syllable.
const BITS_PER_SYLLABLE: usize = 10;
/// Bits set for each syllable: the best for ten bits a syllable.
const PROBES: u64 = 7;

/// Where [`hash`] starts (FNV-1a: syllables are a few bytes, where it beats SipHash several
/// times over).
pub(crate) const HASH_START: u64 = 0xcbf2_9ce4_8422_2325;

/// One char more of [`hash`] (chars, not bytes: a Vietnamese letter is two or three bytes).
#[inline]
pub(crate) fn hash_char(h: u64, c: char) -> u64 {
    (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3)
}

/// The hash of a syllable as the analyzer writes its exact form (lowercase, NFC).
pub(crate) fn hash(syllable: &str) -> u64 {
    syllable.chars().fold(HASH_START, hash_char)
}

/// The filter of a set of syllable hashes: whole 64-bit words, ten bits a syllable.
pub(crate) fn filter(hashes: &[u64]) -> Vec<u64> {
    if hashes.is_empty() {
        return Vec::new();
    }
    let words = (hashes.len() * BITS_PER_SYLLABLE).div_ceil(64);
    let mut out = vec![0u64; words];
    let bits = (words * 64) as u64;
    for &h in hashes {
        for bit in probes(h, bits) {
            out[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }
    out
}

/// The bits of syllable `h` in a filter of `bits` bits (double hashing; each 32-bit probe
/// mapped to the range by a multiply, not a division).
#[inline]
fn probes(h: u64, bits: u64) -> impl Iterator<Item = u64> {
    let (a, b) = (h as u32, ((h >> 32) as u32) | 1);
    (0..PROBES as u32).map(move |i| (u64::from(a.wrapping_add(i.wrapping_mul(b))) * bits) >> 32)
}

/// Whether the filter read by `word` (its `len` words) may hold syllable `h`.
#[inline]
pub(crate) fn may_contain(len: u32, word: impl Fn(u32) -> u64, h: u64) -> bool {
    if len == 0 {
        return false;
    }
    let bits = u64::from(len) * 64;
    probes(h, bits).all(|bit| word((bit / 64) as u32) & (1 << (bit % 64)) != 0)
}

/// Whether document `doc` of a segment, whose filters are the multi-valued `column`, may hold
/// each of `hashes`: a bit for each, in order.
#[inline]
pub(crate) fn holds(column: &Column<u64>, doc: DocId, hashes: &[u64]) -> u32 {
    let rows = column.index.value_row_ids(doc);
    let len = rows.end - rows.start;
    let mut found = 0;
    for (k, &h) in hashes.iter().enumerate() {
        if may_contain(len, |w| column.values.get_val(rows.start + w), h) {
            found |= 1 << k;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_holds_what_was_put_in_and_rarely_anything_else() {
        let words: Vec<String> = (0..300).map(|i| format!("tiếng{i}")).collect();
        let hashes: Vec<u64> = words.iter().map(|w| hash(w)).collect();
        let f = filter(&hashes);
        assert_eq!(f.len(), (300 * BITS_PER_SYLLABLE).div_ceil(64));
        let len = f.len() as u32;
        for h in &hashes {
            assert!(may_contain(len, |w| f[w as usize], *h));
        }
        let false_positives = (0..10_000)
            .filter(|i| may_contain(len, |w| f[w as usize], hash(&format!("khác{i}"))))
            .count();
        assert!(
            false_positives < 200,
            "{false_positives} false positives in 10,000"
        );
        assert!(!may_contain(0, |_| u64::MAX, hash("đường")));
        assert!(filter(&[]).is_empty());
    }
}
