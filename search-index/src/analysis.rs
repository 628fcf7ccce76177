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

/// A page's text, analyzed once for the index: its words folded, as the folded analyzer
/// splits and folds them, separated by spaces (the [`WORDS`] analyzer reads them back), and the
/// [`crate::marks::hash`] of each distinct word that has diacritics, lowercase.
///
/// Made on the thread that gives the index its documents, in one pass, so that the index
/// writer's thread, the build's slowest part, only splits on spaces.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TextWords {
    /// The folded words, each followed by a space.
    pub folded: String,
    /// Hashes of the distinct marked words, in the order they first appear.
    pub marked: Vec<u64>,
}

/// See [`TextWords`].
pub fn text_words(text: &str) -> TextWords {
    text_words_with(text, &mut crate::distinct::Distinct::default())
}

/// [`text_words`] with the set of marked words seen passed in, emptied first: reused from
/// page to page, it does not grow (and rehash) again for each.
pub(crate) fn text_words_with(text: &str, seen: &mut crate::distinct::Distinct) -> TextWords {
    let mut out = TextWords::default();
    let mut folded: Vec<u8> = Vec::with_capacity(text.len());
    seen.clear();
    scan_words(text, |w| {
        folded.extend_from_slice(w.folded);
        folded.push(b' ');
        if w.marked && seen.insert(w.hash) {
            out.marked.push(w.hash);
        }
        true
    });
    // Whole chars were written, each encoded: valid UTF-8.
    out.folded = String::from_utf8(folded).unwrap_or_default();
    out
}

/// A word of a text, as [`scan_words`] finds it.
pub(crate) struct Scanned<'a> {
    /// Where it is in the text, in bytes.
    pub from: usize,
    pub to: usize,
    /// Folded, as the folded analyzer writes it.
    pub folded: &'a [u8],
    /// [`crate::marks::hash`] of its exact form (lowercase).
    pub hash: u64,
    /// Whether it has diacritics.
    pub marked: bool,
}

/// Calls `each` with every word of `text`, split and folded as the folded analyzer does
/// (words longer than [`MAX_TOKEN_BYTES`] left out), in one pass without allocating, until it
/// returns false.
#[inline]
pub(crate) fn scan_words(text: &str, mut each: impl FnMut(Scanned<'_>) -> bool) {
    scan(text.as_bytes(), 0, |i| decode(text, i), &mut each);
}

/// [`scan_words`] over bytes that should be UTF-8 (a stored text, not checked first): bytes
/// that are not are not part of a word.
///
/// Decoded by [`decode_checked`] as the scan goes, not checked by [`<[u8]>::utf8_chunks`]
/// first: an excerpt's scan often stops at the first window with all the query's words, and
/// checking the texts first made queries slower (20,000 pages of `gen_corpus.py`, 1,000
/// queries, `examples/latency.rs`, median of 7 interleaved runs: p50 0.78 ms against 0.65
/// checking whole texts, 0.72 ms against 0.63 checking 2 KiB at a time). A test compares the
/// words found with those of `utf8_chunks`.
pub(crate) fn scan_bytes(bytes: &[u8], mut each: impl FnMut(Scanned<'_>) -> bool) {
    scan(bytes, 0, |i| decode_checked(bytes, i), &mut each);
}

/// The char that starts at byte `i` of `bytes` (not ASCII) and its length in bytes, or
/// `(U+FFFD, 1)` where no UTF-8 char starts: what std's check finds (overlong forms,
/// surrogates and code points beyond U+10FFFF are not chars).
#[inline]
fn decode_checked(bytes: &[u8], i: usize) -> (char, usize) {
    let b0 = u32::from(bytes[i]);
    let cont = |k: usize| {
        bytes
            .get(i + k)
            .filter(|b| **b & 0xC0 == 0x80)
            .map(|b| u32::from(*b) & 0x3F)
    };
    let decoded = if (0xC2..0xE0).contains(&b0) {
        cont(1).map(|c1| (((b0 & 0x1F) << 6) | c1, 2))
    } else if (0xE0..0xF0).contains(&b0) {
        cont(1)
            .zip(cont(2))
            .map(|(c1, c2)| (((b0 & 0x0F) << 12) | (c1 << 6) | c2, 3))
    } else if (0xF0..0xF5).contains(&b0) {
        cont(1)
            .zip(cont(2))
            .zip(cont(3))
            .map(|((c1, c2), c3)| (((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4))
    } else {
        None
    };
    decoded
        .filter(|&(c, len)| c >= [0, 0, 0x80, 0x800, 0x1_0000][len])
        .and_then(|(c, len)| char::from_u32(c).map(|c| (c, len)))
        .unwrap_or((char::REPLACEMENT_CHARACTER, 1))
}

/// See [`scan_words`]: the words of `bytes`, which start at byte `base` of what is scanned,
/// `char_at(i)` decoding the char (not ASCII) at byte `i`; false when `each` stopped.
#[inline]
fn scan(
    bytes: &[u8],
    base: usize,
    char_at: impl Fn(usize) -> (char, usize),
    each: &mut impl FnMut(Scanned<'_>) -> bool,
) -> bool {
    let n = bytes.len();
    let table: &[(char, char)] = &LETTERS;
    // A word is made in `word`, a local array the compiler keeps apart from everything else.
    let mut word = [0u8; MAX_TOKEN_BYTES + 1];
    let mut i = 0;
    while i < n {
        // Skip what is not part of a word.
        let b = bytes[i];
        if b < 0x80 {
            if !b.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
        } else {
            let (c, len) = char_at(i);
            if letter_in(table, c).is_none() {
                i += len;
                continue;
            }
        }
        let from = i;
        let mut len = 0usize;
        let mut h = crate::marks::HASH_START;
        let mut marked = false;
        while i < n {
            let b = bytes[i];
            if b < 0x80 {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                let l = b.to_ascii_lowercase();
                h = crate::marks::hash_char(h, char::from(l));
                if let Some(slot) = word.get_mut(len) {
                    *slot = l;
                }
                len += 1;
                i += 1;
            } else {
                let (c, clen) = char_at(i);
                let Some((l, f)) = letter_in(table, c) else {
                    break;
                };
                marked |= l != f;
                h = crate::marks::hash_char(h, l);
                let mut buf = [0u8; 4];
                for &fb in f.encode_utf8(&mut buf).as_bytes() {
                    if let Some(slot) = word.get_mut(len) {
                        *slot = fb;
                    }
                    len += 1;
                }
                i += clen;
            }
        }
        if len > MAX_TOKEN_BYTES {
            // As the analyzers do: too long to be a word.
            continue;
        }
        let go_on = each(Scanned {
            from: base + from,
            to: base + i,
            folded: &word[..len],
            hash: h,
            marked,
        });
        if !go_on {
            return false;
        }
    }
    true
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
    fn page_texts_are_folded_once_with_their_marked_words() {
        let text = "Đường sắt, ĐƯỜNG bộ và QĐ 1552 đường; x ".to_string() + &"a".repeat(61);
        let got = text_words(&text);
        assert_eq!(got.folded, "duong sat duong bo va qd 1552 duong x ");
        let folded: Vec<_> = tokens(&mut vietnamese_folded(), &text)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        let words: Vec<_> = tokens(
            &mut TextAnalyzer::from(WhitespaceTokenizer::default()),
            &got.folded,
        )
        .into_iter()
        .map(|(t, _)| t)
        .collect();
        assert_eq!(
            words, folded,
            "the words, as the folded analyzer gives them"
        );
        let texts = std::sync::Arc::new(crate::words::Progress::default());
        let counted = tokens(&mut crate::words::counted(texts.clone()), &got.folded);
        let whitespace = tokens(
            &mut TextAnalyzer::from(WhitespaceTokenizer::default()),
            &got.folded,
        );
        assert_eq!(
            counted, whitespace,
            "split on spaces as the whitespace tokenizer"
        );
        assert_eq!(texts.split(), 1);
        let marked = ["đường", "sắt", "bộ", "và", "qđ"].map(crate::marks::hash);
        let exact_duong = marked[0];
        assert_eq!(got.marked, marked, "each marked word once, in order");
        // A query's exact forms, as the analyzer gives them, hash the same.
        let exact = tokens(&mut vietnamese(), "ĐƯỜNG");
        assert_eq!(crate::marks::hash(&exact[0].0), exact_duong);
        assert!(text_words("duong sat 1552, a-b").marked.is_empty());
        assert_eq!(text_words(" , ").folded, "");
    }

    #[test]
    fn a_reused_set_of_marked_words_starts_each_page_empty() {
        let mut seen = crate::distinct::Distinct::default();
        let first = text_words_with("đường sắt, đường bộ", &mut seen);
        let second = text_words_with("bộ và đường", &mut seen);
        assert_eq!(first, text_words("đường sắt, đường bộ"));
        assert_eq!(
            second,
            text_words("bộ và đường"),
            "the second page's words, none left out for being on the first"
        );
        assert_eq!(second.marked.len(), 3);
    }

    #[test]
    fn bytes_that_are_not_utf8_split_words_and_keep_the_offsets() {
        let bytes = [
            &b"\xff"[..],
            "đường".as_bytes(),
            b"\xe1\xbb",
            "sắt".as_bytes(),
            b" \xc0\x80b\xf0\x9f\x98\x80\xe0\x83\x80c",
        ]
        .concat();
        let bytes = bytes.as_slice();
        let mut got = Vec::new();
        scan_bytes(bytes, |w| {
            got.push((w.from, w.to, String::from_utf8(w.folded.to_vec()).unwrap()));
            true
        });
        // An overlong `À` (E0 83 80) is not a letter: `c` alone.
        let words = [
            (1, 10, "duong"),
            (12, 17, "sat"),
            (20, 21, "b"),
            (28, 29, "c"),
        ];
        let want: Vec<_> = words
            .iter()
            .map(|(f, t, w)| (*f, *t, w.to_string()))
            .collect();
        assert_eq!(got, want);
        // The same words as in the text made valid.
        let valid = String::from_utf8_lossy(bytes);
        let mut folded = Vec::new();
        scan_words(&valid, |w| {
            folded.push(String::from_utf8(w.folded.to_vec()).unwrap());
            true
        });
        assert_eq!(folded, ["duong", "sat", "b", "c"]);
        // Stopping early stops.
        let mut first = Vec::new();
        scan_bytes(bytes, |w| {
            first.push(w.from);
            false
        });
        assert_eq!(first, [1]);
    }

    /// What is called with each word of a text.
    type Each<'a> = &'a mut dyn FnMut(Scanned<'_>) -> bool;

    /// The words of `scan` (which calls its argument with each word), all of what they hold.
    fn all_words(scan: &dyn Fn(Each<'_>)) -> Vec<(usize, usize, Vec<u8>, u64, bool)> {
        let mut out = Vec::new();
        scan(&mut |w: Scanned<'_>| {
            out.push((w.from, w.to, w.folded.to_vec(), w.hash, w.marked));
            true
        });
        out
    }

    /// [`scan_bytes`] as std would check the bytes: each valid part scanned as text.
    fn scan_chunks(bytes: &[u8], each: Each<'_>) {
        let mut at = 0;
        let mut each = |w: Scanned<'_>| each(w);
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            if !scan(valid.as_bytes(), at, |i| decode(valid, i), &mut each) {
                return;
            }
            at += valid.len() + chunk.invalid().len();
        }
    }

    #[test]
    fn stored_texts_are_decoded_as_utf8_chunks_finds_them() {
        let text = "Đường sắt Bắc Nam, cao tốc 1552/QĐ-BGTVT; Ứng dụng x² 😀 ĩ ữ ".repeat(3);
        let valid = all_words(&|f| scan_bytes(text.as_bytes(), f));
        assert_eq!(valid, all_words(&|f| scan_words(&text, f)));
        assert_eq!(valid, all_words(&|f| scan_chunks(text.as_bytes(), f)));
        // Bytes that are not UTF-8 put in: leads without their continuations, continuations
        // alone, overlong forms, surrogates, beyond U+10FFFF.
        let odd = [
            0x80u8, 0x83, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF,
            0xF0, 0xF4, 0xF5, 0xFF,
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..3000 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..1 + next(6) {
                let at = next(bytes.len());
                let run: Vec<u8> = (0..1 + next(3)).map(|_| odd[next(odd.len())]).collect();
                if next(2) == 0 {
                    bytes.splice(at..at, run);
                } else {
                    let end = (at + run.len()).min(bytes.len());
                    bytes.splice(at..end, run);
                }
            }
            assert_eq!(
                all_words(&|f| scan_bytes(&bytes, f)),
                all_words(&|f| scan_chunks(&bytes, f)),
                "{bytes:x?}"
            );
        }
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
