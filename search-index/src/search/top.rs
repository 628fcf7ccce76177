//! The best few of many matches, in one pass: once a page's worth is known, the matches that
//! cannot beat the worst kept are skipped with one comparison.

use std::cmp::Ordering;

use tantivy::DocAddress;

/// The first `n` matches by key, highest first; equal keys by address, lowest first (the
/// order matches come in, so that a later equal key never displaces a kept one).
pub(super) struct Top<K> {
    n: usize,
    kept: Vec<(K, DocAddress)>,
    /// The worst key kept once `n` are.
    floor: Option<K>,
}

fn order<K: PartialOrd>(a: &(K, DocAddress), b: &(K, DocAddress)) -> Ordering {
    b.0.partial_cmp(&a.0)
        .unwrap_or(Ordering::Equal)
        .then(a.1.cmp(&b.1))
}

impl<K: PartialOrd + Copy> Top<K> {
    pub(super) fn new(n: usize) -> Top<K> {
        Top {
            n,
            kept: Vec::with_capacity(2 * n),
            floor: None,
        }
    }

    /// Adds a match; matches come in increasing address.
    #[inline]
    pub(super) fn push(&mut self, key: K, addr: DocAddress) {
        if self.n == 0 || self.floor.is_some_and(|f| key <= f) {
            return;
        }
        self.kept.push((key, addr));
        if self.kept.len() == 2 * self.n {
            self.cut();
        }
    }

    fn cut(&mut self) {
        if self.kept.len() > self.n {
            self.kept.select_nth_unstable_by(self.n - 1, order);
            self.kept.truncate(self.n);
            self.floor = self
                .kept
                .iter()
                .map(|k| k.0)
                .reduce(|a, b| if b < a { b } else { a });
        }
    }

    /// The kept matches, best first.
    pub(super) fn into_sorted(mut self) -> Vec<(K, DocAddress)> {
        self.cut();
        self.kept.sort_by(order);
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::Top;
    use tantivy::DocAddress;

    #[test]
    fn keeps_the_best_in_order_ties_by_address() {
        let mut top = Top::new(3);
        let scores = [1.0, 5.0, 3.0, 5.0, 2.0, 3.0, 4.0, 0.5, 5.0];
        for (d, s) in scores.iter().enumerate() {
            top.push(*s, DocAddress::new(0, d as u32));
        }
        let got: Vec<(f32, u32)> = top
            .into_sorted()
            .iter()
            .map(|(s, a)| (*s, a.doc_id))
            .collect();
        assert_eq!(got, vec![(5.0, 1), (5.0, 3), (5.0, 8)]);
        let mut top = Top::new(4);
        for (d, s) in scores.iter().enumerate() {
            top.push(*s, DocAddress::new(0, d as u32));
        }
        let got: Vec<u32> = top.into_sorted().iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(got, vec![1, 3, 8, 6]);
    }
}
