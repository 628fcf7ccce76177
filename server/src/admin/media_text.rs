//! The Markdown side of media: the snippet that inserts a file (`![alt](name)`), and the alt
//! text a page's Markdown gives a file of its bundle (where alt text is kept).

/// Extensions of images (alt text required).
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif", "avif"];

/// The Markdown inserting `name`: an image with its alt text, else a link named by the file.
pub fn markdown_for(name: &str, alt: &str) -> String {
    let target = link_target(name);
    let is_image = name
        .rsplit_once('.')
        .is_some_and(|(_, e)| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
    match is_image {
        true => format!("![{}]({target})", escape_label(alt)),
        false => format!("[{}]({target})", escape_label(name)),
    }
}

/// A link target for a bundle file: as is when plain, else in `<…>` (spaces, parentheses).
fn link_target(name: &str) -> String {
    let plain = !name.contains([' ', '(', ')', '<', '>', '\\']);
    match plain {
        true => name.to_string(),
        false => format!("<{}>", name.replace(['<', '>'], "")),
    }
}

/// Text for a link label: `[`, `]` and `\` escaped, on one line.
fn escape_label(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(one_line.len());
    for c in one_line.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The alt text of the first Markdown image of `text` whose target is the bundle file
/// `name` (`![alt](name)`, `![alt](./name "title")`, `![alt](<a b.png>)`), unescaped.
pub fn alt_of(text: &str, name: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("![") {
        let after = &rest[start + 2..];
        let Some((alt, tail)) = split_label(after) else {
            rest = after;
            continue;
        };
        rest = tail;
        let Some(inner) = tail.strip_prefix('(') else {
            continue;
        };
        let target = match inner.strip_prefix('<') {
            Some(t) => t.split('>').next().unwrap_or_default(),
            None => inner
                .split([')', ' ', '\t', '\n'])
                .next()
                .unwrap_or_default(),
        };
        let target = target.strip_prefix("./").unwrap_or(target);
        let decoded = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
        if target == name || decoded == name {
            return Some(unescape(alt));
        }
    }
    None
}

/// The label up to its closing `]` (escapes skipped) and what follows it.
fn split_label(s: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            ']' if !escaped => return Some((&s[..i], &s[i + 1..])),
            '\n' if s[i + 1..].starts_with('\n') => return None,
            _ => escaped = false,
        }
    }
    None
}

/// A label's backslash escapes removed.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut escaped = false;
    for c in s.chars() {
        if c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_and_alt_text_round_trip() {
        assert_eq!(
            markdown_for("cau.png", "Cầu [mới]"),
            "![Cầu \\[mới\\]](cau.png)"
        );
        assert_eq!(
            markdown_for("báo cáo.pdf", ""),
            "[báo cáo.pdf](<báo cáo.pdf>)"
        );
        let text = format!(
            "Mở đầu ![khác](x.png)\n\n{}\n![Ảnh 2](<a b.jpg> \"t\") ![Ảnh 3](./c%20d.webp)\n",
            markdown_for("cau.png", "Cầu [mới]")
        );
        assert_eq!(alt_of(&text, "cau.png").as_deref(), Some("Cầu [mới]"));
        assert_eq!(alt_of(&text, "a b.jpg").as_deref(), Some("Ảnh 2"));
        assert_eq!(alt_of(&text, "c d.webp").as_deref(), Some("Ảnh 3"));
        assert_eq!(alt_of(&text, "khong-co.png"), None);
        assert_eq!(alt_of("![dở dang", "a.png"), None);
    }
}
