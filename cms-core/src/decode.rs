//! A content file's bytes as text: UTF-8 checked (with the line and column of a bad byte)
//! and normalized to NFC, so that every later stage compares text the same way.

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use crate::text::nfc;

/// Reads a file as NFC text; invalid UTF-8 is an error at its line and column.
pub(crate) fn read_text(f: &SourceFile) -> Result<String, Diagnostic> {
    let bytes = f.data.read().map_err(|e| cannot_read(&f.rel, &e))?;
    text_of(&f.rel, &bytes)
}

/// The error for a file that cannot be read.
pub(crate) fn cannot_read(rel: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(rel, 0, 0, format!("cannot read: {e}"))
}

/// The bytes of the file `rel` as NFC text; invalid UTF-8 is an error at its line and column.
pub(crate) fn text_of(rel: &str, bytes: &[u8]) -> Result<String, Diagnostic> {
    // SIMD validation is several times faster on Vietnamese text, which is mostly multi-byte;
    // the standard library's says where the error is.
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok(nfc(s));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(nfc(s)),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = good
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|p| p + 1)
                .unwrap_or(0);
            let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            Err(Diagnostic::error(
                rel,
                line,
                col,
                format!("invalid UTF-8 (byte {})", e.valid_up_to()),
            )
            .with_hint("save the file as UTF-8"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_utf8_is_located_at_its_line_and_column() {
        let e = text_of("a.md", b"+++\ntitle = \"\xc3\xa2\xff\"\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 11), "{e}");
        assert!(e.message.contains("invalid UTF-8 (byte 15)"), "{e}");
    }

    #[test]
    fn text_is_normalized_to_nfc() {
        // "ế" written as e + circumflex + acute becomes one code point.
        assert_eq!(
            text_of("a.md", "e\u{302}\u{301}".as_bytes()).unwrap(),
            "\u{1ebf}"
        );
    }
}
