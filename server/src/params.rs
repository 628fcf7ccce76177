//! Query strings as browsers and people send them: lenient about bad percent-encoding and
//! invalid UTF-8, which become text rather than errors.

/// The `key=value` pairs of a raw query string, decoded as `application/x-www-form-urlencoded`
/// (`+` is a space; a `%` that starts no valid escape stays as it is; invalid UTF-8 becomes
/// U+FFFD).
pub fn parse(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The first value of `key`.
pub fn get<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Encodes a query-string value.
pub fn encode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(s, KEEP).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_decoding() {
        let p = parse(Some(
            "q=%C4%91%C6%B0%E1%BB%9Dng+b%E1%BB%99&x=%zz&y=%FF&flag",
        ));
        assert_eq!(get(&p, "q"), Some("đường bộ"));
        assert_eq!(get(&p, "x"), Some("%zz"));
        assert_eq!(get(&p, "y"), Some("\u{FFFD}"));
        assert_eq!(get(&p, "flag"), Some(""));
        assert_eq!(get(&p, "missing"), None);
        assert_eq!(parse(None), Vec::new());
        let p = parse(Some("a=1&&a=2&=v&k=x%3Dy=z&%E1"));
        assert_eq!(get(&p, "a"), Some("1"), "the first value");
        assert_eq!(get(&p, ""), Some("v"));
        assert_eq!(get(&p, "k"), Some("x=y=z"));
        assert_eq!(get(&p, "\u{FFFD}"), Some(""), "a truncated UTF-8 key");
        assert_eq!(encode("đ b/&"), "%C4%91%20b%2F%26");
    }
}
