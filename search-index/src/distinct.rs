//! A set of 64-bit hashes for the marked words of one page (see [`crate::analysis::text_words`]).

use std::collections::HashSet;

/// A set of word hashes: the standard set with foldhash's fast hasher, one multiply for a
/// hash already made (SipHash over them would cost more than the set itself), whose result
/// depends on every bit of the word's hash (FNV's low bits vary least between short words, and
/// the set picks a slot by the low bits). Fixed, not seeded: only membership is asked. A page
/// has a few hundred marked words, most of them repeated; sorting them all cost more than this.
pub(crate) type Distinct = HashSet<u64, foldhash::fast::FixedState>;

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn the_distinct_set_keeps_each_hash_once_as_it_grows() {
        let mut set = Distinct::default();
        let hashes: Vec<u64> = (0..2000u64)
            .map(|i| i.wrapping_mul(0x0100_0000_01b3))
            .collect();
        for h in &hashes {
            assert!(set.insert(*h), "{h} is new");
        }
        for h in &hashes {
            assert!(!set.insert(*h), "{h} is there");
        }
        assert_eq!(set.len(), 2000);
    }

    #[test]
    fn hashes_that_differ_only_in_their_high_bits_spread_over_the_slots() {
        // The set takes a slot from the low bits of the hash: they must depend on every bit.
        let state = foldhash::fast::FixedState::default();
        let slots: HashSet<u64> = (0..64u64).map(|i| state.hash_one(i << 58) & 63).collect();
        assert!(slots.len() > 32, "{} distinct slots of 64", slots.len());
    }
}
