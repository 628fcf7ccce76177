//! The key under which the load cache keeps a parsed Markdown file.

/// What a parse depends on: the file's path (relative to its site and to the content root),
/// its bytes, its site and the languages. Each part is written with its length first, so
/// that no two different inputs run together into the same stream of bytes.
pub(crate) fn parse_key(
    site: usize,
    rel: &str,
    file: &str,
    bytes: &[u8],
    langs: &[String],
    default: &str,
) -> u64 {
    use std::hash::Hasher;
    let mut h = twox_hash::XxHash3_64::with_seed(0);
    for part in [rel.as_bytes(), file.as_bytes(), default.as_bytes(), bytes] {
        h.write(&(part.len() as u64).to_le_bytes());
        h.write(part);
    }
    h.write(&(site as u64).to_le_bytes());
    for l in langs {
        h.write(&(l.len() as u64).to_le_bytes());
        h.write(l.as_bytes());
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_changes_the_key() {
        let langs = ["vi".to_string(), "en".to_string()];
        let base = parse_key(0, "a.md", "sites/x/a.md", b"x", &langs, "vi");
        assert_eq!(
            base,
            parse_key(0, "a.md", "sites/x/a.md", b"x", &langs, "vi")
        );
        assert_ne!(
            base,
            parse_key(1, "a.md", "sites/x/a.md", b"x", &langs, "vi")
        );
        assert_ne!(
            base,
            parse_key(0, "b.md", "sites/x/a.md", b"x", &langs, "vi")
        );
        assert_ne!(
            base,
            parse_key(0, "a.md", "sites/x/a.md", b"y", &langs, "vi")
        );
        assert_ne!(
            base,
            parse_key(0, "a.md", "sites/x/a.md", b"x", &langs[..1], "vi")
        );
        assert_ne!(
            base,
            parse_key(0, "a.md", "sites/x/a.md", b"x", &langs, "en")
        );
        // Lengths keep parts apart: "a" + "b" is not "ab" + "".
        assert_ne!(
            parse_key(0, "a", "b", b"", &[], "vi"),
            parse_key(0, "ab", "", b"", &[], "vi")
        );
    }
}
