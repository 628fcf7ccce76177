//! A set of 64-bit hashes for the marked words of one page (see [`crate::analysis::text_words`]).

/// A set of hashes, open addressing in a table kept at most half full: a page has a few
/// hundred marked words, most of them repeated, and sorting them all cost more than this.
#[derive(Default)]
pub(crate) struct Distinct {
    /// `0` for an empty slot; a hash of `0` is kept in `zero`.
    slots: Vec<u64>,
    len: usize,
    zero: bool,
}

impl Distinct {
    /// Adds `h`; whether it was not there yet.
    pub(crate) fn insert(&mut self, h: u64) -> bool {
        if h == 0 {
            return !std::mem::replace(&mut self.zero, true);
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        // The high bits: FNV's low bits vary least between short words.
        let mut i = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = h;
                    self.len += 1;
                    return true;
                }
                s if s == h => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(256);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        self.len = 0;
        for h in old.into_iter().filter(|h| *h != 0) {
            self.insert(h);
        }
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
        assert_eq!(set.len, 1999, "every hash but 0 in the table");
        assert!(set.zero);
    }
}
