//! Text helpers: NFC normalization, Vietnamese slugs, safe relative paths.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Returns `s` in Unicode Normalization Form C (composed), as all stored text must be.
pub fn nfc(s: &str) -> String {
    if composed_as_is(s) {
        return s.to_string();
    }
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s.to_string(),
        _ => s.nfc().collect(),
    }
}

/// Whether every char of `s` is one that NFC leaves alone wherever it stands: Latin up to the
/// combining marks (U+0300), the precomposed Vietnamese letters (Latin Extended Additional) and
/// the usual punctuation (quotes, dashes, ellipsis). Nearly all Vietnamese text is, and this is
/// several times faster than the general quick check, which looks every char up in a table.
///
/// It reads the UTF-8 bytes, not chars: a lead byte and the one or two after it tell the range
/// of a char. Each position is judged on its own, with no branch, in blocks the compiler turns
/// into SIMD: Vietnamese has a multi-byte char every few bytes, which a loop that branches on
/// each one mispredicts.
fn composed_as_is(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 3 {
        return b.iter().all(|&x| x < 0xCC);
    }
    // Positions with two bytes after them; the last two can only be ASCII, continuation
    // bytes or leads of two-byte chars (the text is valid UTF-8).
    let n = b.len() - 2;
    const BLOCK: usize = 4096;
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let mut bad = false;
        for j in start..end {
            let (x, y, z) = (b[j], b[j + 1], b[j + 2]);
            // U+1E00..U+1EFF: E1 B8 80 ..= E1 BB BF.
            let e1 = (x == 0xE1) & !(0xB8..=0xBB).contains(&y);
            // U+2002..U+203F: E2 80 82 ..= E2 80 BF; U+2040..U+206F: E2 81 80 ..= E2 81 AF.
            let e2 = (x == 0xE2) & !(((y == 0x80) & (z >= 0x82)) | ((y == 0x81) & (z <= 0xAF)));
            // CC and CD start the combining marks; the rest is other scripts.
            let other = (0xCC..=0xE0).contains(&x) | (x >= 0xE3);
            bad |= e1 | e2 | other;
        }
        if bad {
            return false;
        }
        start = end;
    }
    b[n..].iter().all(|&x| x < 0xCC)
}

/// Makes a URL slug: Vietnamese folded to ASCII (`đ` → `d`), lowercase, words joined by `-`.
///
/// `Đường cao tốc` → `duong-cao-toc`.
pub fn slugify(s: &str) -> String {
    let composed = match composed_as_is(s) {
        true => std::borrow::Cow::Borrowed(s),
        false => std::borrow::Cow::Owned(nfc(s)),
    };
    let folded = deunicode::deunicode(&composed);
    let mut out = String::with_capacity(folded.len());
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// Checks that `p` is a relative path that stays inside its base folder: no absolute path,
/// no `..`, no backslashes or NUL. Returns the path with `.` segments removed.
pub fn safe_relative_path(p: &str) -> Option<String> {
    if p.is_empty() || p.starts_with('/') || p.contains('\\') || p.contains('\0') || p.contains(':')
    {
        return None;
    }
    let mut parts = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_check_rejects_every_other_char() {
        // Long mixed strings take the eight-byte path and the per-char path.
        assert!(composed_as_is(
            "Kế hoạch thực hiện Nghị định 42 — “Cổng” … ‘đường’ plain ascii text"
        ));
        for u in (0x300..0x1E00u32)
            .chain(0x1F00..0x2002)
            .chain(0x2070..0x3000)
        {
            let Some(c) = char::from_u32(u) else { continue };
            assert!(
                !composed_as_is(&format!("abcdefgh{c}ijklmnop")),
                "U+{u:04X}"
            );
        }
        // At the very end and in short texts too.
        for s in ["ae\u{301}", "\u{301}", "e\u{301}", "x\u{2000}"] {
            assert!(!composed_as_is(s), "{s:?}");
        }
        assert!(composed_as_is("é") && composed_as_is("ạ") && composed_as_is("aạ"));
        for s in ["e\u{301} and more ascii", "\u{212B}", "\u{1E9B}\u{323}"] {
            assert_eq!(nfc(s), s.nfc().collect::<String>(), "{s:?}");
        }
    }

    #[test]
    fn slugs_fold_vietnamese() {
        assert_eq!(slugify("Đường cao tốc"), "duong-cao-toc");
        assert_eq!(slugify("Kế hoạch đường bộ"), "ke-hoach-duong-bo");
        assert_eq!(
            slugify("  Quyết định 1552/QĐ-BGTVT "),
            "quyet-dinh-1552-qd-bgtvt"
        );
        // NFD input gives the same slug as NFC.
        assert_eq!(slugify("Đu\u{031b}\u{0300}o\u{031b}ng"), "duong");
    }

    #[test]
    fn the_chars_taken_as_composed_are_so() {
        use unicode_normalization::char::canonical_combining_class;
        for u in (0..0x300).chain(0x1E00..=0x1EFF).chain(0x2002..=0x206F) {
            let Some(c) = char::from_u32(u) else { continue };
            assert!(composed_as_is(c.encode_utf8(&mut [0; 4])), "U+{u:04X}");
            assert_eq!(
                is_nfc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "U+{u:04X}"
            );
            assert_eq!(canonical_combining_class(c), 0, "U+{u:04X}");
        }
        assert!(!composed_as_is("Vie\u{0323}\u{0302}t"));
        assert!(!composed_as_is("\u{2000}"));
    }

    #[test]
    fn nfc_composes() {
        let nfd = "Vie\u{0323}\u{0302}t";
        assert_eq!(nfc(nfd), "Việt");
        assert_eq!(nfc("Việt").len(), "Việt".len());
    }

    #[test]
    fn relative_paths_must_stay_inside() {
        assert_eq!(safe_relative_path("a/./b.pdf").as_deref(), Some("a/b.pdf"));
        assert_eq!(safe_relative_path("../../etc/passwd"), None);
        assert_eq!(safe_relative_path("/etc/passwd"), None);
        assert_eq!(safe_relative_path("a/../../b"), None);
        assert_eq!(safe_relative_path("C:\\x"), None);
        assert_eq!(safe_relative_path(""), None);
    }
}
