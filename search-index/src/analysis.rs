//! Text analysis: Vietnamese syllables indexed with and without diacritics, English with
//! stemming, and identifiers (document numbers, procedure codes) kept whole.
//!
//! Short fields (titles, typed fields) use the Vietnamese analyzer, which emits every syllable
//! twice at the same position when its folded form differs: `đường` then `duong`, in one pass
//! over the text (split, lowercase, fold). A query typed with diacritics asks for both forms and
//! ranks the exact one higher; a query typed without asks for the folded form, which every
//! page has.
//!
//! A page's text, nearly all of what is indexed, is cheaper: its folded syllables in order (for
//! words typed either way, phrases and proximity), and beside them, in a fast field, a Bloom
//! filter of its syllables that carry diacritics (see [`crate::marks`]), so that `đường` ranks a
//! page that has `đường` above one that has only `dương` without a token for each of them.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, WhitespaceTokenizer,
};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

mod page_text;
pub use page_text::text_words;
pub use page_text::TextWords;
pub(crate) use page_text::{scan_bytes, text_words_with};

/// Name of the Vietnamese analyzer (exact and folded syllables).
pub const VI: &str = "vi";
/// Name of the folded Vietnamese analyzer (`đường` → `duong`), for page texts.
pub const VI_FOLDED: &str = "vi_folded";
/// Name of the analyzer of page texts as [`text_words`] writes them: split on spaces only.
pub const WORDS: &str = "words";
/// Name of the English analyzer (folded, stemmed).
pub const EN: &str = "en_stem";
/// Name of the identifier analyzer (the whole value, lowercased and folded).
pub const CODE: &str = "code";

/// Words longer than this are noise (base64, hashes) and are dropped.
pub(crate) const MAX_TOKEN_BYTES: usize = 60;

/// The Vietnamese analyzer: words split on what is not a letter or digit, lowercased, each
/// emitted exact and, when different, folded at the same position; in one pass (see
/// [`VietnameseTokenizer`]).
pub fn vietnamese() -> TextAnalyzer {
    TextAnalyzer::from(VietnameseTokenizer(Forms::Both))
}

/// The folded Vietnamese analyzer: one token a syllable, without diacritics.
pub fn vietnamese_folded() -> TextAnalyzer {
    TextAnalyzer::from(VietnameseTokenizer(Forms::Folded))
}

/// Which forms a [`VietnameseTokenizer`] emits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Forms {
    /// Each syllable as written (lowercase), then folded at the same position if different.
    #[default]
    Both,
    /// Each syllable folded.
    Folded,
}

/// Lowercase and fold one character: (lowercase, folded), with fast paths for ASCII and the
/// precomposed Vietnamese letters; `None` when it is not part of a word.
#[inline]
fn classify(c: char) -> Option<(char, char)> {
    if c.is_ascii() {
        return c
            .is_ascii_alphanumeric()
            .then(|| (c.to_ascii_lowercase(), c.to_ascii_lowercase()));
    }
    let lower = match c {
        // Latin-1 capitals (not ×), Latin Extended-A/B pairs used by Vietnamese, and Latin
        // Extended Additional, where capitals are the even code points.
        '\u{C0}'..='\u{DE}' if c != '\u{D7}' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
        'Đ' | 'Ă' | 'Ĩ' | 'Ũ' | 'Ơ' => char::from_u32(c as u32 + 1).unwrap_or(c),
        'Ư' => 'ư',
        '\u{1EA0}'..='\u{1EF9}' if (c as u32) % 2 == 0 => char::from_u32(c as u32 + 1).unwrap_or(c),
        _ => c,
    };
    let folded = match lower {
        'à' | 'á' | 'â' | 'ã' | 'ă' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ẩ' | 'ẫ' | 'ậ' | 'ắ' | 'ằ' | 'ẳ'
        | 'ẵ' | 'ặ' => 'a',
        'è' | 'é' | 'ê' | 'ẹ' | 'ẻ' | 'ẽ' | 'ế' | 'ề' | 'ể' | 'ễ' | 'ệ' => 'e',
        'ì' | 'í' | 'ĩ' | 'ỉ' | 'ị' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ơ' | 'ọ' | 'ỏ' | 'ố' | 'ồ' | 'ổ' | 'ỗ' | 'ộ' | 'ớ' | 'ờ' | 'ở'
        | 'ỡ' | 'ợ' => 'o',
        'ù' | 'ú' | 'ũ' | 'ư' | 'ụ' | 'ủ' | 'ứ' | 'ừ' | 'ử' | 'ữ' | 'ự' => 'u',
        'ỳ' | 'ý' | 'ỵ' | 'ỷ' | 'ỹ' => 'y',
        'đ' => 'd',
        _ => {
            if !lower.is_alphanumeric() {
                return None;
            }
            let mut lc = lower.to_lowercase();
            let l = match (lc.next(), lc.next()) {
                (Some(l), None) => l,
                _ => lower,
            };
            // Other letters: drop the marks of their canonical decomposition.
            let mut base = None;
            decompose_canonical(l, |d| {
                if base.is_none() && !is_combining_mark(d) {
                    base = Some(d);
                }
            });
            return Some((l, base.unwrap_or(l)));
        }
    };
    Some((lower, folded))
}

/// The char that starts at byte `i` of `text` (not ASCII) and its length in bytes.
#[inline]
fn decode(text: &str, i: usize) -> (char, usize) {
    let c = text[i..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

/// Letters below this are found in [`LETTERS`]; the rest by [`classify`].
const TABLE_END: u32 = 0x1F00;

/// [`classify`] of every char from U+0080 to [`TABLE_END`] (Latin-1, Latin Extended A and B,
/// the combining marks, and Latin Extended Additional, where Vietnamese letters live), made
/// once: `('\0', '\0')` for chars that are not part of a word.
static LETTERS: std::sync::LazyLock<Vec<(char, char)>> = std::sync::LazyLock::new(|| {
    (0x80..TABLE_END)
        .map(|u| char::from_u32(u).and_then(classify).unwrap_or(('\0', '\0')))
        .collect()
});

/// [`classify`] of a char that is not ASCII, from the table when it is in it.
#[cfg(test)]
fn letter(c: char) -> Option<(char, char)> {
    letter_in(&LETTERS, c)
}

/// [`classify`] of a char that is not ASCII, from `table` ([`LETTERS`], dereferenced once a
/// token rather than once a char) when it is in it.
#[inline]
fn letter_in(table: &[(char, char)], c: char) -> Option<(char, char)> {
    let u = c as u32;
    if u < TABLE_END {
        // Below U+0080: ASCII, which the callers look at before (not a letter here).
        let pair = table.get(u.checked_sub(0x80)? as usize)?;
        (pair.0 != '\0').then_some(*pair)
    } else {
        classify(c)
    }
}

/// The Vietnamese tokenizer (see [`vietnamese`], [`vietnamese_folded`]).
#[derive(Clone, Debug, Default)]
pub struct VietnameseTokenizer(pub Forms);

impl Tokenizer for VietnameseTokenizer {
    type TokenStream<'a> = VietnameseStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VietnameseStream<'a> {
        VietnameseStream {
            text,
            at: 0,
            position: usize::MAX,
            token: Token::default(),
            folded: String::new(),
            pending: false,
            forms: self.0,
        }
    }
}

/// The token stream of [`VietnameseTokenizer`].
pub struct VietnameseStream<'a> {
    text: &'a str,
    at: usize,
    position: usize,
    token: Token,
    folded: String,
    pending: bool,
    forms: Forms,
}

impl TokenStream for VietnameseStream<'_> {
    fn advance(&mut self) -> bool {
        if self.pending {
            self.pending = false;
            std::mem::swap(&mut self.token.text, &mut self.folded);
            return true;
        }
        // Bytes, not chars: nearly every letter of a Vietnamese text is ASCII or a two- or
        // three-byte letter found in one table look-up (see `letter`).
        let bytes = self.text.as_bytes();
        let n = bytes.len();
        let table: &[(char, char)] = &LETTERS;
        let exact = self.forms != Forms::Folded;
        loop {
            let mut i = self.at;
            // Skip to a word.
            let first = loop {
                if i >= n {
                    self.at = n;
                    return false;
                }
                let b = bytes[i];
                if b < 0x80 {
                    if b.is_ascii_alphanumeric() {
                        let l = char::from(b.to_ascii_lowercase());
                        break (l, l, 1);
                    }
                    i += 1;
                } else {
                    let (c, len) = decode(self.text, i);
                    if let Some((l, f)) = letter_in(table, c) {
                        break (l, f, len);
                    }
                    i += len;
                }
            };
            let from = i;
            self.token.text.clear();
            self.folded.clear();
            let mut marked = first.0 != first.1;
            if exact {
                self.token.text.push(first.0);
            }
            self.folded.push(first.1);
            i += first.2;
            while i < n {
                let b = bytes[i];
                if b < 0x80 {
                    if !b.is_ascii_alphanumeric() {
                        break;
                    }
                    let l = b.to_ascii_lowercase();
                    if exact {
                        self.token.text.push(char::from(l));
                    }
                    self.folded.push(char::from(l));
                    i += 1;
                } else {
                    let (c, len) = decode(self.text, i);
                    let Some((l, f)) = letter_in(table, c) else {
                        break;
                    };
                    marked |= l != f;
                    if exact {
                        self.token.text.push(l);
                    }
                    self.folded.push(f);
                    i += len;
                }
            }
            self.at = i;
            if self.folded.len() > MAX_TOKEN_BYTES {
                continue;
            }
            self.position = self.position.wrapping_add(1);
            self.token.offset_from = from;
            self.token.offset_to = i;
            self.token.position = self.position;
            self.token.position_length = 1;
            match self.forms {
                Forms::Both => self.pending = marked,
                Forms::Folded => std::mem::swap(&mut self.token.text, &mut self.folded),
            }
            return true;
        }
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
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
    m.register(VI_FOLDED, vietnamese_folded());
    m.register(WORDS, TextAnalyzer::from(WhitespaceTokenizer::default()));
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
    fn the_letter_table_agrees_with_classify() {
        for u in 0x80..TABLE_END {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(letter(c), classify(c), "U+{u:04X}");
            }
        }
        let got = tokens(&mut vietnamese(), "ÀÉ Ứng-dụng x²");
        let words: Vec<_> = got.into_iter().map(|(t, _)| t).collect();
        assert_eq!(words, ["àé", "ae", "ứng", "ung", "dụng", "dung", "x²"]);
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
