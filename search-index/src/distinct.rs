//! A set of 64-bit hashes for the marked words of one page (see [`crate::analysis::text_words`]).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A set of word hashes: the standard set, with a hasher that only mixes the bits of a hash
/// already made (SipHash over them would cost more than the set itself). A page has a few
/// hundred marked words, most of them repeated; sorting them all cost more than this.
pub(crate) type Distinct = HashSet<u64, BuildHasherDefault<Premixed>>;

/// The [`Distinct`] hasher: the word's hash, its bits mixed (FNV's low bits vary least between
/// short words, and the set picks a slot by the low bits).
#[derive(Default)]
pub(crate) struct Premixed(u64);

impl Hasher for Premixed {
    fn finish(&self) -> u64 {
        // MurmurHash3's finalizer: every bit of the result depends on every bit of the hash.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64`s are hashed here; any other bytes are folded in all the same.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, h: u64) {
        self.0 = h;
    }
}

#[cfg(test)]
mod tests {
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
        // The set takes a slot from the low bits of `finish`: they must depend on every bit.
        let slots: HashSet<u64> = (0..64u64)
            .map(|i| {
                let mut h = Premixed::default();
                h.write_u64(i << 58);
                h.finish() & 63
            })
            .collect();
        assert!(slots.len() > 32, "{} distinct slots of 64", slots.len());
    }
}
