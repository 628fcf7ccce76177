//! The words of a page's text as the index writer reads them: [`crate::analysis::text_words`]
//! wrote them folded, one space after each, so splitting them back is a byte search; and each
//! text split is counted, for the thread that feeds the writer (see `crate::writer`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// How many texts the index writer's thread has split, and a way to wait for a count.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    split: AtomicUsize,
    /// The count a waiting thread wants reached (0: none waits).
    wanted: AtomicUsize,
    lock: Mutex<()>,
    reached: Condvar,
}

impl Progress {
    /// Texts split so far.
    pub(crate) fn split(&self) -> usize {
        self.split.load(Ordering::Acquire)
    }

    fn add_one(&self) {
        let n = self.split.fetch_add(1, Ordering::AcqRel) + 1;
        // Only the text that reaches the count wakes the waiting thread: one wake-up a wait,
        // not one a text.
        if n == self.wanted.load(Ordering::Acquire) {
            let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.reached.notify_all();
        }
    }

    /// Waits until `count` texts are split, or `timeout` has passed; whether they are.
    pub(crate) fn wait_for(&self, count: usize, timeout: Duration) -> bool {
        if self.split() >= count {
            return true;
        }
        self.wanted.store(count, Ordering::Release);
        let held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        // Checked again under the lock: the count may have been reached (and its wake-up
        // missed) before `wanted` was set.
        let (_held, _) = self
            .reached
            .wait_timeout_while(held, timeout, |_| self.split() < count)
            .unwrap_or_else(|e| e.into_inner());
        self.wanted.store(0, Ordering::Release);
        self.split() >= count
    }
}

/// The [`crate::analysis::WORDS`] analyzer, counting in `progress` the texts it splits: the
/// index writer's thread splits one a page, so the thread that feeds it knows how far behind
/// it is.
pub(crate) fn counted(progress: Arc<Progress>) -> TextAnalyzer {
    TextAnalyzer::from(CountedWords {
        token: Token::default(),
        progress,
    })
}

/// See [`counted`].
#[derive(Clone)]
struct CountedWords {
    token: Token,
    progress: Arc<Progress>,
}

impl Tokenizer for CountedWords {
    type TokenStream<'a> = SpaceStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpaceStream<'a> {
        self.progress.add_one();
        self.token.reset();
        SpaceStream {
            text,
            at: 0,
            token: &mut self.token,
        }
    }
}

/// The words of [`TextWords::folded`]: split on its single spaces, by byte (the whitespace
/// tokenizer decodes every char and asks if it is Unicode whitespace).
pub(crate) struct SpaceStream<'a> {
    text: &'a str,
    at: usize,
    token: &'a mut Token,
}

impl TokenStream for SpaceStream<'_> {
    fn advance(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() && bytes[self.at] == b' ' {
            self.at += 1;
        }
        if self.at >= bytes.len() {
            return false;
        }
        let from = self.at;
        let len = bytes[from..]
            .iter()
            .position(|&b| b == b' ')
            .unwrap_or(bytes.len() - from);
        self.at = from + len;
        self.token.text.clear();
        // Spaces are ASCII: both ends are char boundaries.
        self.token
            .text
            .push_str(self.text.get(from..self.at).unwrap_or_default());
        self.token.offset_from = from;
        self.token.offset_to = self.at;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.position_length = 1;
        true
    }
    fn token(&self) -> &Token {
        self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_ends_when_the_count_is_reached_by_another_thread() {
        let progress = Arc::new(Progress::default());
        let mut analyzer = counted(progress.clone());
        assert!(
            !progress.wait_for(1, Duration::from_millis(1)),
            "nothing split yet"
        );
        let splitter = std::thread::spawn(move || {
            for _ in 0..100 {
                let mut stream = analyzer.token_stream("a b ");
                while stream.advance() {}
            }
        });
        assert!(progress.wait_for(100, Duration::from_secs(30)));
        assert_eq!(progress.split(), 100);
        splitter.join().unwrap();
        assert!(
            progress.wait_for(50, Duration::ZERO),
            "a count passed already"
        );
    }
}
