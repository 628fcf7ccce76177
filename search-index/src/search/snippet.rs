//! Excerpts of a page's Vietnamese text around the words searched for, the words in `<mark>`,
//! the rest escaped.
//!
//! Tantivy's snippets run the analyzer over the whole text and look each token up by its
//! string; for ten results that was a fifth of a query's time. Here the text is scanned once
//! with [`analysis::scan_bytes`] (no allocation a word) and each folded word compared with the
//! few folded query words. The excerpt is the window of at most `max` bytes, starting at a
//! matched word, with the most of the query's words, then the best score (as tantivy's: rarer
//! words score more); the first window with all of them ends the scan.

use super::hits::escape;
use crate::analysis;

/// The text read for an excerpt, at most: a match further into a very long document is not
/// worth scanning the whole of it for every query.
const MAX_SCANNED: usize = 200_000;

/// Bytes before the first match shown at most, for context.
const CONTEXT: usize = 48;

/// The folded query words and their weights.
#[derive(Debug, Default)]
pub(super) struct Cutter {
    terms: Vec<(Vec<u8>, f32)>,
    max: usize,
}

/// A window of the text: its bytes, its score, its matched words.
#[derive(Debug, Default, Clone)]
struct Window {
    from: usize,
    to: usize,
    /// The query words it has, a bit each.
    words: u64,
    score: f32,
    marks: Vec<(usize, usize)>,
}

impl Window {
    fn add(&mut self, term: usize, score: f32, from: usize, to: usize) {
        self.words |= 1u64.checked_shl(term as u32).unwrap_or(0);
        self.score += score;
        self.marks.push((from, to));
    }

    /// More of the query's words, or as many scoring more.
    fn beats(&self, other: &Window) -> bool {
        let (a, b) = (self.words.count_ones(), other.words.count_ones());
        a > b || (a == b && self.score > other.score)
    }
}

impl Cutter {
    /// For `terms` (folded words and their weights), windows of at most `max` bytes.
    pub(super) fn new(terms: impl IntoIterator<Item = (String, f32)>, max: usize) -> Cutter {
        Cutter {
            terms: terms
                .into_iter()
                .map(|(t, s)| (t.into_bytes(), s))
                .collect(),
            max,
        }
    }

    /// The excerpt of `text` (UTF-8, not checked) as HTML, or `None` when no query word is
    /// in it.
    pub(super) fn cut(&self, text: &[u8]) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let end = text.len().min(MAX_SCANNED);
        let all = if self.terms.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.terms.len()) - 1
        };
        let mut best: Option<Window> = None;
        let mut cur: Option<Window> = None;
        analysis::scan_bytes(&text[..end], |w| {
            // The first byte first: most words are not the query's.
            let term = self
                .terms
                .iter()
                .position(|(t, _)| t.first() == w.folded.first() && t.as_slice() == w.folded);
            if let Some(c) = cur.take_if(|c| w.to - c.from > self.max) {
                let done = c.words == all;
                if best.as_ref().is_none_or(|b| c.beats(b)) {
                    best = Some(c);
                }
                if done {
                    // No window can have more of the words.
                    return false;
                }
            }
            match (&mut cur, term) {
                (Some(c), t) => {
                    c.to = w.to;
                    if let Some(t) = t {
                        c.add(t, self.terms[t].1, w.from, w.to);
                    }
                }
                (None, Some(t)) => {
                    let mut c = Window {
                        from: w.from,
                        to: w.to,
                        ..Window::default()
                    };
                    c.add(t, self.terms[t].1, w.from, w.to);
                    cur = Some(c);
                }
                (None, None) => {}
            }
            true
        });
        if let Some(c) = cur {
            if best.as_ref().is_none_or(|b| c.beats(b)) {
                best = Some(c);
            }
        }
        let mut best = best?;
        // Some words before the first match, as room allows, for context.
        let room = self.max.saturating_sub(best.to - best.from).min(CONTEXT);
        let mut from = best.from.saturating_sub(room);
        if from > 0 {
            // From the first word that starts within the room.
            from = text[from..best.from]
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .map_or(best.from, |space| from + space);
        }
        while from < best.from && text[from].is_ascii_whitespace() {
            from += 1;
        }
        best.from = from;
        Some(html(text, &best))
    }

    /// The whole of `text` (a title) as HTML, every query word in it marked.
    pub(super) fn mark(&self, text: &str) -> String {
        let text = text.as_bytes();
        let mut all = Window {
            to: text.len(),
            ..Window::default()
        };
        if !self.terms.is_empty() {
            analysis::scan_bytes(text, |w| {
                if self.terms.iter().any(|(t, _)| t.as_slice() == w.folded) {
                    all.marks.push((w.from, w.to));
                }
                true
            });
        }
        html(text, &all)
    }
}

/// Window `w` of `text` as HTML. Its bounds and marks are at the starts and ends of words or
/// spaces, so on char boundaries of UTF-8; bytes that are not UTF-8 are replaced.
fn html(text: &[u8], w: &Window) -> String {
    let mut html = String::with_capacity(w.to - w.from + 16 * w.marks.len());
    let piece = |from: usize, to: usize| escape(&String::from_utf8_lossy(&text[from..to]));
    let mut at = w.from;
    for (from, to) in &w.marks {
        html.push_str(&piece(at, *from));
        html.push_str("<mark>");
        html.push_str(&piece(*from, *to));
        html.push_str("</mark>");
        at = *to;
    }
    html.push_str(&piece(at, w.to));
    html
}

#[cfg(test)]
mod tests {
    use super::Cutter;

    #[test]
    fn marks_the_words_folded_and_escapes_the_rest() {
        let c = Cutter::new([("duong".to_string(), 1.0)], 60);
        let html = c
            .cut("Mở <b>rộng</b> Đường bộ & đường sắt".as_bytes())
            .unwrap_or_default();
        assert_eq!(
            html,
            "Mở &lt;b&gt;rộng&lt;/b&gt; <mark>Đường</mark> bộ &amp; <mark>đường</mark> sắt"
        );
        assert_eq!(c.cut("không có từ nào".as_bytes()), None);
        // Bytes that are not UTF-8 are not words, and are replaced.
        let html = c.cut(b"\xff duong \xe1\xbb").unwrap_or_default();
        assert_eq!(html, "\u{fffd} <mark>duong</mark>");
        assert_eq!(c.mark("Mở <đường>"), "Mở &lt;<mark>đường</mark>&gt;");
    }

    #[test]
    fn the_window_with_the_most_matches_wins() {
        let c = Cutter::new([("a".to_string(), 1.0), ("b".to_string(), 2.0)], 5);
        // Windows: "a x" (1), then "b a" (3).
        assert_eq!(
            c.cut(b"a x x x x b a").as_deref(),
            Some("<mark>b</mark> <mark>a</mark>")
        );
    }
}
