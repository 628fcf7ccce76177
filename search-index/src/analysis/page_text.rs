//! A page's text as the index and the excerpts read it: its words split, lowercased and
//! folded in one pass without allocating ([`scan_words`], [`scan_bytes`]), and the folded
//! text with the hashes of its marked words that the index writer is given ([`TextWords`]).

use super::{decode, letter_in, LETTERS, MAX_TOKEN_BYTES};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::*;

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
}
