//! Sets a top-level field in a page's front matter (TOML `+++` or YAML `---`), changing no
//! other line: how scheduling writes `publish_at` and `unpublish_at` into the content.

/// `text` with the top-level front matter field `key` set to the bare value `value` (a date
/// and time), or removed when `value` is `None`. A page without front matter gets a TOML one.
pub fn set_field(text: &str, key: &str, value: Option<&str>) -> String {
    let (delim, sep) = if text.starts_with("+++") {
        ("+++", " = ")
    } else if text.starts_with("---") {
        ("---", ": ")
    } else {
        return match value {
            Some(v) => format!("+++\n{key} = {v}\n+++\n{text}"),
            None => text.to_string(),
        };
    };
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(close) = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == delim)
        .map(|i| i + 1)
    else {
        // No closing delimiter: the text is broken, and `cms check` says so on save.
        return text.to_string();
    };
    let nl = if lines[0].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    // Top level: in TOML, before the first table header; in YAML, not indented.
    let end_top = if delim == "+++" {
        (1..close)
            .find(|&i| lines[i].trim_start().starts_with('['))
            .unwrap_or(close)
    } else {
        close
    };
    let is_key = |l: &str| {
        let Some(rest) = l.strip_prefix(key) else {
            return false;
        };
        let rest = rest.trim_start_matches([' ', '\t']);
        rest.starts_with(if delim == "+++" { '=' } else { ':' })
    };
    let mut i = 1;
    let mut end = end_top;
    while i < end {
        if is_key(lines[i]) {
            lines.remove(i);
            end -= 1;
        } else {
            i += 1;
        }
    }
    let line = value.map(|v| format!("{key}{sep}{v}{nl}"));
    let mut out = String::with_capacity(text.len() + 40);
    out.push_str(lines[0]);
    if let Some(line) = &line {
        out.push_str(line);
    }
    for l in &lines[1..] {
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_top_level_only() {
        let text = "+++\ntitle = \"A\"\npublish_at = 2020-01-01\n\n[extra]\npublish_at = \"x\"\n+++\nBody\n";
        let out = set_field(text, "publish_at", Some("2026-12-08T09:00:00"));
        assert_eq!(
            out,
            "+++\npublish_at = 2026-12-08T09:00:00\ntitle = \"A\"\n\n[extra]\npublish_at = \"x\"\n+++\nBody\n"
        );
        let removed = set_field(&out, "publish_at", None);
        assert_eq!(
            removed,
            "+++\ntitle = \"A\"\n\n[extra]\npublish_at = \"x\"\n+++\nBody\n"
        );
    }

    #[test]
    fn yaml_and_none() {
        let text = "---\ntitle: A\nunpublish_at: 2020-01-01\nextra:\n  unpublish_at: 1\n---\nB\n";
        let out = set_field(text, "unpublish_at", Some("2027-01-01T00:00:00"));
        assert_eq!(
            out,
            "---\nunpublish_at: 2027-01-01T00:00:00\ntitle: A\nextra:\n  unpublish_at: 1\n---\nB\n"
        );
        assert_eq!(
            set_field("Body", "publish_at", Some("2026-01-01T00:00:00")),
            "+++\npublish_at = 2026-01-01T00:00:00\n+++\nBody"
        );
        assert_eq!(
            set_field("+++\ntitle = 1\n", "publish_at", Some("x")),
            "+++\ntitle = 1\n"
        );
        // A key that only starts the same is another key.
        let t = "+++\npublish_at_note = 1\n+++\n";
        assert_eq!(set_field(t, "publish_at", None), t);
    }
}
