//! Text analysis: Vietnamese syllables indexed with and without diacritics, English with
//! stemming, and identifiers (document numbers, procedure codes) kept whole.
//!
//! The Vietnamese analyzer emits every syllable twice at the same position when its folded
//! form differs: `đường` then `duong`. A query typed with diacritics asks for both forms and
//! ranks the exact one higher; a query typed without asks for the folded form, which every
//! page has. One field instead of two keeps indexing cheap, and phrases match across both.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Name of the Vietnamese analyzer (exact and folded syllables).
pub const VI: &str = "vi";
/// Name of the English analyzer (folded, stemmed).
pub const EN: &str = "en_stem";
/// Name of the identifier analyzer (the whole value, lowercased and folded).
pub const CODE: &str = "code";

/// Words longer than this are noise (base64, hashes) and are dropped.
const MAX_TOKEN_BYTES: usize = 60;

/// The Vietnamese analyzer: simple word split, lowercase, exact and folded forms.
pub fn vietnamese() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(DualFolding)
        .build()
}

/// The English analyzer: lowercase, folded, Porter-stemmed (`regulations` → `regul`).
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The identifier analyzer: one token, the value as [`normalize_code`] writes it.
pub fn code() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(CodeFilter)
        .build()
}

/// Registers the analyzers on an index.
pub fn register(index: &tantivy::Index) {
    let m = index.tokenizers();
    m.register(VI, vietnamese());
    m.register(EN, english());
    m.register(CODE, code());
}

/// Removes Vietnamese (and other Latin) diacritics: `Đường` → `Duong`. Accepts NFC or NFD.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            c if c.is_ascii() => out.push(c),
            c => decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }),
        }
    }
    out
}

/// An identifier as the index keeps it: NFC, lowercase, folded, spaces squeezed, so that
/// `1552/QĐ-BGTVT` and `1552/qd-bgtvt` are the same.
pub fn normalize_code(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    let folded = fold(&nfc.to_lowercase());
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Emits each token, then its folded form at the same position when that differs.
#[derive(Clone, Copy, Debug, Default)]
pub struct DualFolding;

impl TokenFilter for DualFolding {
    type Tokenizer<T: Tokenizer> = DualFoldingWrapper<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> DualFoldingWrapper<T> {
        DualFoldingWrapper { tokenizer }
    }
}

/// [`DualFolding`] around a tokenizer.
#[derive(Clone)]
pub struct DualFoldingWrapper<T> {
    tokenizer: T,
}

impl<T: Tokenizer> Tokenizer for DualFoldingWrapper<T> {
    type TokenStream<'a> = DualFoldingStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DualFoldingStream {
            tail: self.tokenizer.token_stream(text),
            token: Token::default(),
            folded: None,
        }
    }
}

/// The token stream of [`DualFolding`].
pub struct DualFoldingStream<S> {
    tail: S,
    token: Token,
    folded: Option<String>,
}

impl<S: TokenStream> TokenStream for DualFoldingStream<S> {
    fn advance(&mut self) -> bool {
        if let Some(f) = self.folded.take() {
            self.token.text = f;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let t = self.tail.token();
        self.token.offset_from = t.offset_from;
        self.token.offset_to = t.offset_to;
        self.token.position = t.position;
        self.token.position_length = t.position_length;
        self.token.text.clear();
        self.token.text.push_str(&t.text);
        if !t.text.is_ascii() {
            let f = fold(&t.text);
            if f != t.text {
                self.folded = Some(f);
            }
        }
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Rewrites a raw token as [`normalize_code`] does.
#[derive(Clone, Copy, Debug, Default)]
struct CodeFilter;

impl TokenFilter for CodeFilter {
    type Tokenizer<T: Tokenizer> = CodeFilterWrapper<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> CodeFilterWrapper<T> {
        CodeFilterWrapper { tokenizer }
    }
}

#[derive(Clone)]
struct CodeFilterWrapper<T> {
    tokenizer: T,
}

impl<T: Tokenizer> Tokenizer for CodeFilterWrapper<T> {
    type TokenStream<'a> = CodeFilterStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CodeFilterStream {
            tail: self.tokenizer.token_stream(text),
        }
    }
}

struct CodeFilterStream<S> {
    tail: S,
}

impl<S: TokenStream> TokenStream for CodeFilterStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let t = self.tail.token_mut();
        t.text = normalize_code(&t.text);
        true
    }
    fn token(&self) -> &Token {
        self.tail.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The tokens `analyzer` makes of `text`: (text, position).
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut s = analyzer.token_stream(text);
    while s.advance() {
        let t = s.token();
        out.push((t.text.clone(), t.position));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_in_nfc_and_nfd() {
        assert_eq!(fold("Đường bộ cao tốc"), "Duong bo cao toc");
        let nfd: String = "Nghị định".nfd().collect();
        assert_eq!(fold(&nfd), "Nghi dinh");
        assert_eq!(fold("chuyển đổi số"), "chuyen doi so");
    }

    #[test]
    fn vietnamese_tokens_come_exact_then_folded_at_one_position() {
        let got = tokens(&mut vietnamese(), "Đường sắt, QĐ-BGTVT 1552");
        assert_eq!(
            got,
            vec![
                ("đường".into(), 0),
                ("duong".into(), 0),
                ("sắt".into(), 1),
                ("sat".into(), 1),
                ("qđ".into(), 2),
                ("qd".into(), 2),
                ("bgtvt".into(), 3),
                ("1552".into(), 4),
            ]
        );
    }

    #[test]
    fn english_is_stemmed() {
        let got = tokens(&mut english(), "Regulations on inspections");
        let words: Vec<_> = got.into_iter().map(|(t, _)| t).collect();
        assert_eq!(words, ["regul", "on", "inspect"]);
    }

    #[test]
    fn codes_are_one_normalized_token() {
        assert_eq!(
            tokens(&mut code(), "1552/QĐ-BGTVT"),
            vec![("1552/qd-bgtvt".to_string(), 0)]
        );
        assert_eq!(normalize_code("  1552/qđ-bgtvt "), "1552/qd-bgtvt");
    }
}
