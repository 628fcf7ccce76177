//! Tera setup: the theme's templates with a site's overrides, and the filters and functions
//! templates use (UI strings, Vietnamese dates, file sizes, feed dates).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Datelike, NaiveDateTime};
use serde_json::Value;
use tera::Tera;

use crate::theme::Theme;

/// Builds a Tera instance from the theme's templates, with `overrides` replacing or adding some.
///
/// With `preminify`, every HTML template is minified once here with minify-html, so pages need
/// not be minified one by one; that is only done when every HTML template passes
/// [`preminify_template`]'s check. Returns whether it was done.
pub fn make_tera(
    theme: &Theme,
    overrides: &[(String, String)],
    preminify: bool,
) -> Result<(Tera, bool), tera::Error> {
    let mut by_name: BTreeMap<&str, &str> = theme
        .templates
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    for (n, t) in overrides {
        by_name.insert(n, t);
    }
    let mut minified = Vec::new();
    if preminify {
        for (name, text) in &by_name {
            if !name.ends_with(".html") {
                continue;
            }
            match preminify_template(text) {
                Some(m) => minified.push((name.to_string(), m)),
                None => {
                    minified.clear();
                    break;
                }
            }
        }
    }
    let done = preminify && !minified.is_empty();
    let mut sources: Vec<(String, String)> = by_name
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    if done {
        let by: BTreeMap<String, String> = minified.into_iter().collect();
        for (n, t) in sources.iter_mut() {
            if let Some(m) = by.get(n) {
                *t = m.clone();
            }
        }
    }
    let mut tera = Tera::default();
    tera.add_raw_templates(sources)?;
    // HTML and XML outputs are escaped; robots.txt is not markup.
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape);
    let i18n = Arc::new(theme.i18n.clone());
    // What each does, for theme authors: docs/templates.md, "Functions and filters".
    tera.register_function("t", Translate { i18n });
    tera.register_filter("format_date", format_date_filter);
    tera.register_filter("filesize", filesize_filter);
    tera.register_filter("rfc3339", rfc3339_filter);
    tera.register_filter("rfc2822", rfc2822_filter);
    tera.register_filter("urlencode_strict", urlencode_filter);
    Ok((tera, done))
}

/// Minifies a template's source with minify-html, keeping tera's `{{ }}`, `{% %}` and `{# #}`
/// intact, when that cannot change what the template means: tera tags must stand in text, or
/// inside quoted attribute values that contain a space (so the minifier keeps their quotes);
/// never between attributes, in a tag name, or in `<script>` or `<style>`. Returns `None` for
/// a template that does not qualify.
pub fn preminify_template(src: &str) -> Option<String> {
    if !tera_tags_are_safe(src) {
        return None;
    }
    let cfg = minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        preserve_brace_template_syntax: true,
        ..minify_html::Cfg::new()
    };
    String::from_utf8(minify_html::minify(src.as_bytes(), &cfg)).ok()
}

fn tera_tags_are_safe(src: &str) -> bool {
    let b = src.as_bytes();
    let is_tag_open =
        |i: usize| b.get(i) == Some(&b'{') && matches!(b.get(i + 1), Some(b'{' | b'%' | b'#'));
    let lower = src.to_ascii_lowercase();
    for raw in ["<script", "<style", "<textarea", "<pre"] {
        let mut from = 0;
        while let Some(p) = lower[from..].find(raw) {
            let start = from + p;
            let end_tag = format!("</{}", &raw[1..]);
            let end = lower[start..]
                .find(&end_tag)
                .map(|e| start + e)
                .unwrap_or(lower.len());
            // The element's content (its opening tag is checked below, as any tag).
            let body = lower[start..end]
                .find('>')
                .map(|g| start + g + 1)
                .unwrap_or(end)
                .min(end);
            if src[body..end].contains("{{") || src[body..end].contains("{%") {
                return false;
            }
            from = end.max(start + 1);
        }
    }
    let mut i = 0;
    while i < b.len() {
        // Skip tera tags in text.
        if is_tag_open(i) {
            let close: &[u8] = match b[i + 1] {
                b'{' => b"}}",
                b'%' => b"%}",
                _ => b"#}",
            };
            match src[i + 2..].find(std::str::from_utf8(close).unwrap_or("}}")) {
                Some(e) => i = i + 2 + e + 2,
                None => return false,
            }
            continue;
        }
        if b[i] == b'<'
            && b.get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/')
        {
            // Inside a tag: tera tags only in quoted values with a space.
            let mut j = i + 1;
            loop {
                let Some(&c) = b.get(j) else { return false };
                if c == b'>' {
                    break;
                }
                if is_tag_open(j) {
                    return false;
                }
                if c == b'"' || c == b'\'' {
                    let end = match src[j + 1..].find(c as char) {
                        Some(e) => j + 1 + e,
                        None => return false,
                    };
                    let value = &src[j + 1..end];
                    let has_tera =
                        value.contains("{{") || value.contains("{%") || value.contains("{#");
                    if has_tera && !value.contains(' ') {
                        return false;
                    }
                    j = end;
                }
                j += 1;
            }
            i = j + 1;
            continue;
        }
        i += 1;
    }
    true
}

/// Escapes text for HTML and XML: [`search_index::escape`], one escaper for the pages and the
/// search results. Unlike Tera's default it leaves `/` alone, so URLs stay readable in feeds
/// and pages.
pub fn escape(s: &str) -> String {
    search_index::escape(s)
}

/// `t(key=…, lang=…)`: a UI string of the theme's `i18n/<lang>.toml`, else of `i18n/vi.toml`.
struct Translate {
    i18n: Arc<BTreeMap<String, BTreeMap<String, String>>>,
}

impl tera::Function for Translate {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let key = args
            .get("key")
            .and_then(Value::as_str)
            .ok_or("t() needs key=\"…\"")?;
        let lang = args.get("lang").and_then(Value::as_str).unwrap_or("vi");
        let text = self
            .i18n
            .get(lang)
            .and_then(|m| m.get(key))
            .or_else(|| self.i18n.get("vi").and_then(|m| m.get(key)))
            .ok_or_else(|| format!("no UI string `{key}` in i18n/{lang}.toml"))?;
        Ok(Value::String(text.clone()))
    }

    fn is_safe(&self) -> bool {
        false
    }
}

const WEEKDAYS_VI: [&str; 7] = [
    "Thứ Hai",
    "Thứ Ba",
    "Thứ Tư",
    "Thứ Năm",
    "Thứ Sáu",
    "Thứ Bảy",
    "Chủ Nhật",
];

/// A date filter's input: a content date as text, or null.
fn parse(v: &Value) -> tera::Result<Option<NaiveDateTime>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => cms_core::parse_date(s)
            .map(Some)
            .ok_or_else(|| format!("`{s}` is not a date").into()),
        other => Err(format!("a date filter got {other}, not a date").into()),
    }
}

/// Formats a date as Vietnamese readers write it (`25/11/2022`, `Thứ Sáu, 25/11/2022`,
/// `25/11/2022 15:45`) or in English (`25 November 2022`, `Friday, 25 November 2022`).
pub fn format_date(d: &NaiveDateTime, lang: &str, style: &str) -> String {
    let has_time = d.time() != chrono::NaiveTime::MIN;
    if lang == "en" {
        let date = d.format("%-d %B %Y").to_string();
        match style {
            "weekday" => format!("{}, {date}", d.format("%A")),
            "datetime" if has_time => format!("{date}, {}", d.format("%H:%M")),
            "month" => d.format("%B %Y").to_string(),
            _ => date,
        }
    } else {
        let date = d.format("%d/%m/%Y").to_string();
        match style {
            "weekday" => format!(
                "{}, {date}",
                WEEKDAYS_VI[d.weekday().num_days_from_monday() as usize]
            ),
            "datetime" if has_time => format!("{date} {}", d.format("%H:%M")),
            "month" => format!("Tháng {}/{}", d.month(), d.year()),
            _ => date,
        }
    }
}

/// `format_date(lang=…, style=…)`: see [`format_date`]; null gives empty text.
fn format_date_filter(v: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let Some(d) = parse(v)? else {
        return Ok(Value::String(String::new()));
    };
    let lang = args.get("lang").and_then(Value::as_str).unwrap_or("vi");
    let style = args.get("style").and_then(Value::as_str).unwrap_or("date");
    Ok(Value::String(format_date(&d, lang, style)))
}

/// `rfc3339`: a content date as `2022-11-25T15:45:00+07:00`, for Atom; null gives empty text.
fn rfc3339_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let Some(d) = parse(v)? else {
        return Ok(Value::String(String::new()));
    };
    // Content dates are Vietnam local time.
    Ok(Value::String(format!(
        "{}+07:00",
        d.format("%Y-%m-%dT%H:%M:%S")
    )))
}

/// `rfc2822`: a content date as `Fri, 25 Nov 2022 15:45:00 +0700`, for RSS; null gives empty
/// text.
fn rfc2822_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let Some(d) = parse(v)? else {
        return Ok(Value::String(String::new()));
    };
    Ok(Value::String(format!(
        "{} +0700",
        d.format("%a, %d %b %Y %H:%M:%S")
    )))
}

/// Percent-encodes everything but letters and digits, for URLs inside URLs (share links).
fn urlencode_filter(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let s = v.as_str().ok_or("urlencode_strict needs text")?;
    Ok(Value::String(
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string(),
    ))
}

/// `12345` → `12,1 KB` (Vietnamese decimal comma) or `12.1 KB` with `lang="en"`.
fn filesize_filter(v: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let n = v.as_u64().ok_or("filesize needs a number of bytes")? as f64;
    let lang = args.get("lang").and_then(Value::as_str).unwrap_or("vi");
    let (value, unit) = if n < 1024.0 {
        return Ok(Value::String(format!("{n} B")));
    } else if n < 1024.0 * 1024.0 {
        (n / 1024.0, "KB")
    } else {
        (n / 1024.0 / 1024.0, "MB")
    };
    let s = format!("{value:.1}");
    let s = if lang == "en" { s } else { s.replace('.', ",") };
    Ok(Value::String(format!("{s} {unit}")))
}

pub(crate) fn page_template(
    network: &cms_core::Network,
    site: &cms_core::Site,
    p: &cms_core::Page,
    tera: &Tera,
) -> String {
    if let Some(t) = &p.meta.template {
        return t.clone();
    }
    if let Some(t) = p
        .section
        .and_then(|s| site.sections[s].meta.page_template.clone())
    {
        return t;
    }
    if let Some(t) = network
        .schemas
        .get(&p.kind)
        .and_then(|k| k.template.clone())
    {
        return t;
    }
    let by_kind = format!("{}.html", p.kind);
    if tera.get_template_names().any(|n| n == by_kind) {
        by_kind
    } else {
        "page.html".into()
    }
}

pub(crate) fn section_template(s: &cms_core::Section) -> String {
    match &s.meta.template {
        Some(t) => t.clone(),
        None if s.dir.is_empty() => "index.html".into(),
        None => "section.html".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_dates() {
        let d = cms_core::parse_date("2022-11-25T15:45:00").unwrap();
        assert_eq!(format_date(&d, "vi", "weekday"), "Thứ Sáu, 25/11/2022");
        assert_eq!(format_date(&d, "vi", "date"), "25/11/2022");
        assert_eq!(format_date(&d, "vi", "datetime"), "25/11/2022 15:45");
        assert_eq!(format_date(&d, "en", "weekday"), "Friday, 25 November 2022");
    }

    #[test]
    fn templates_escape_with_the_search_pages_escaper() {
        let mut tera = tera::Tera::default();
        tera.set_escape_fn(escape);
        tera.add_raw_template("a.html", "{{ x }}").unwrap();
        let mut cx = tera::Context::new();
        cx.insert("x", "<a href=\"/b?c=1&d=2\">'Đ'</a>");
        let html = tera.render("a.html", &cx).unwrap();
        assert_eq!(html, search_index::escape("<a href=\"/b?c=1&d=2\">'Đ'</a>"));
    }

    #[test]
    fn templates_are_minified_only_when_tera_tags_are_safe() {
        let ok = "<ul>\n  {% for x in xs %}\n    <li class=\"a {{ x.c }}\">{{ x.name }}</li>\n  {% endfor %}\n</ul>\n";
        let m = preminify_template(ok).unwrap();
        assert_eq!(
            m,
            // The space left after a tera tag collapses to one, as in any text.
            "<ul>{% for x in xs %} <li class=\"a {{ x.c }}\">{{ x.name }}</li>{% endfor %}</ul>"
        );
        // Between attributes, unquoted, quoted without a space, in a script: left alone.
        assert!(preminify_template("<a href=x{% if c %} rel=next{% endif %}>y</a>").is_none());
        assert!(preminify_template("<a href={{ x }}>y</a>").is_none());
        assert!(preminify_template("<a href=\"{{x}}\">y</a>").is_none());
        assert!(preminify_template("<script>var a = {{ x }};</script>").is_none());
        assert!(preminify_template("<p>{{ x }}</p><a href=\"/\">y</a>").is_some());
        // A script's opening tag is a tag like any other.
        assert!(preminify_template("<script src=\"{{ js }}\" defer></script>").is_some());
    }

    #[test]
    fn the_default_theme_is_minified_once_not_per_page() {
        let theme = crate::theme::Theme::embedded().unwrap();
        for (name, text) in theme.templates.iter().filter(|(n, _)| n.ends_with(".html")) {
            assert!(
                preminify_template(text).is_some(),
                "{name} keeps pages from the fast path"
            );
        }
        let (_, done) = make_tera(&theme, &[], true).unwrap();
        assert!(done);
    }

    #[test]
    fn file_sizes() {
        let f = |n: u64, lang: &str| {
            let mut a = HashMap::new();
            a.insert("lang".to_string(), Value::from(lang));
            filesize_filter(&Value::from(n), &a).unwrap()
        };
        assert_eq!(f(500, "vi"), "500 B");
        assert_eq!(f(12390, "vi"), "12,1 KB");
        assert_eq!(f(12390, "en"), "12.1 KB");
    }
}
