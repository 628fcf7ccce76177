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
/// It reads the UTF-8 bytes, not chars: a lead byte tells the range of its char. Bytes below
/// 0xCC (ASCII, continuation bytes, leads of U+0080..U+02FF) need no look at all.
fn composed_as_is(s: &str) -> bool {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        i += 1;
        if lead < 0xCC {
            continue;
        }
        let ok = match lead {
            // U+1E00..U+1EFF: E1 B8 80 ..= E1 BB BF.
            0xE1 => (0xB8..=0xBB).contains(&at(i)),
            // U+2002..U+203F: E2 80 82 ..= E2 80 BF; U+2040..U+206F: E2 81 80 ..= E2 81 AF.
            0xE2 => (at(i) == 0x80 && at(i + 1) >= 0x82) || (at(i) == 0x81 && at(i + 1) <= 0xAF),
            // CC and CD start the combining marks; the rest is other scripts.
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Makes a URL slug: Vietnamese folded to ASCII (`đ` → `d`), lowercase, words joined by `-`.
///
/// `Đường cao tốc` → `duong-cao-toc`.
pub fn slugify(s: &str) -> String {
    let folded = deunicode::deunicode(&nfc(s));
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
