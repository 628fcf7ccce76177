//! The words of a page's text as the index writer reads them: [`crate::analysis::text_words`]
//! wrote them folded, one space after each, so splitting them back is a byte search; and each
//! text split is counted, for the thread that feeds the writer (see `crate::writer`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// The [`crate::analysis::WORDS`] analyzer, counting in `texts` the texts it splits: the
/// index writer's thread splits one a page, so the thread that feeds it knows how far behind
/// it is.
pub(crate) fn counted(texts: Arc<AtomicUsize>) -> TextAnalyzer {
    TextAnalyzer::from(CountedWords {
        token: Token::default(),
        texts,
    })
}

/// See [`counted`].
#[derive(Clone)]
struct CountedWords {
    token: Token,
    texts: Arc<AtomicUsize>,
}

impl Tokenizer for CountedWords {
    type TokenStream<'a> = SpaceStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpaceStream<'a> {
        self.texts.fetch_add(1, Ordering::Release);
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
