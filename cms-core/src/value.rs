//! Front-matter values: TOML and YAML both become `serde_json::Value`, dates become strings,
//! and keys can be located back to their line for error messages.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::Value;

/// Converts a TOML value; datetimes become their RFC 3339 text.
pub(crate) fn from_toml(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// Converts a YAML value; non-string keys become their text.
pub(crate) fn from_yaml(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(from_yaml).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml_ng::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, from_yaml(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => from_yaml(t.value),
    }
}

/// Parses a date as editors write it: `2022-11-25`, `2022-11-25T15:45:00`, `2022-11-25 15:45`,
/// or RFC 3339 with an offset (the local time is kept).
pub fn parse_date(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::MIN));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.naive_local())
}

/// Formats a date as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` when it has a time.
pub fn format_date_iso(d: &NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    // Written out directly: chrono parses the format string on every call, and every page's
    // dates are formatted on every build. Years of other than four digits take chrono's way.
    let (y, t) = (d.year(), d.time());
    match (0..=9999).contains(&y) {
        true if t == NaiveTime::MIN => format!("{y:04}-{:02}-{:02}", d.month(), d.day()),
        true => format!(
            "{y:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            d.month(),
            d.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        false if t == NaiveTime::MIN => d.format("%Y-%m-%d").to_string(),
        false => d.format("%Y-%m-%dT%H:%M:%S").to_string(),
    }
}

/// The syntax a front matter or config file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Toml,
    Yaml,
}

/// Finds the 1-based line and column of `key` inside `table` (`None`: top level) in `text`.
/// It reads the text the way an editor does, line by line, which is what error messages
/// need; when the key is not written (a missing field), it returns the table's header line.
pub(crate) fn locate_key(
    text: &str,
    syntax: Syntax,
    table: Option<&str>,
    key: &str,
) -> Option<(usize, usize)> {
    let mut in_table = table.is_none();
    let mut table_line = None;
    let mut yaml_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match syntax {
            Syntax::Toml => {
                if trimmed.starts_with('[') {
                    let name = trimmed
                        .trim_start_matches('[')
                        .split(']')
                        .next()
                        .unwrap_or("")
                        .trim();
                    in_table = table == Some(name);
                    if in_table {
                        table_line = Some((i + 1, indent + 1));
                    }
                    continue;
                }
            }
            Syntax::Yaml => {
                if let Some(t) = table {
                    if indent == 0 && !trimmed.is_empty() {
                        in_table = trimmed.starts_with(&format!("{t}:"));
                        if in_table {
                            table_line = Some((i + 1, 1));
                            yaml_indent = None;
                            continue;
                        }
                    } else if in_table && !trimmed.is_empty() && yaml_indent.is_none() {
                        yaml_indent = Some(indent);
                    }
                } else if indent > 0 {
                    continue;
                }
            }
        }
        if !in_table {
            continue;
        }
        if syntax == Syntax::Yaml && table.is_some() && yaml_indent.is_some_and(|n| n != indent) {
            continue;
        }
        let rest = trimmed
            .strip_prefix(key)
            .or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")))
            .or_else(|| trimmed.strip_prefix(&format!("'{key}'")));
        if let Some(rest) = rest {
            let sep = if syntax == Syntax::Toml { '=' } else { ':' };
            if rest.trim_start().starts_with(sep) {
                return Some((i + 1, indent + 1));
            }
        }
    }
    table_line
}

/// A short name for the type of a value, for error messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_are_written_as_chrono_writes_them() {
        for text in [
            "2023-04-29",
            "2023-04-29T07:05:09",
            "0099-01-02",
            "2024-12-31T23:59:59",
        ] {
            let d = parse_date(text).unwrap();
            assert_eq!(format_date_iso(&d), text);
            let chrono = if d.time() == NaiveTime::MIN {
                d.format("%Y-%m-%d").to_string()
            } else {
                d.format("%Y-%m-%dT%H:%M:%S").to_string()
            };
            assert_eq!(format_date_iso(&d), chrono);
        }
    }

    #[test]
    fn dates_in_the_forms_editors_write() {
        assert_eq!(
            format_date_iso(&parse_date("2022-11-25").unwrap()),
            "2022-11-25"
        );
        assert_eq!(
            format_date_iso(&parse_date("2022-11-25T15:45:00").unwrap()),
            "2022-11-25T15:45:00"
        );
        assert_eq!(
            format_date_iso(&parse_date("2022-11-25 15:45").unwrap()),
            "2022-11-25T15:45:00"
        );
        assert_eq!(
            format_date_iso(&parse_date("2022-11-25T15:45:00+07:00").unwrap()),
            "2022-11-25T15:45:00"
        );
        assert!(parse_date("25/11/2022").is_none());
        assert!(parse_date("2022-13-01").is_none());
    }

    #[test]
    fn locates_keys_in_toml_tables() {
        let fm = "title = \"x\"\ndate = 2022-01-01\n\n[legal]\nnumber = \"1\"\nissuer = \"B\"\n";
        assert_eq!(locate_key(fm, Syntax::Toml, None, "date"), Some((2, 1)));
        assert_eq!(
            locate_key(fm, Syntax::Toml, Some("legal"), "issuer"),
            Some((6, 1))
        );
        assert_eq!(
            locate_key(fm, Syntax::Toml, Some("legal"), "missing"),
            Some((4, 1))
        );
        assert_eq!(locate_key(fm, Syntax::Toml, None, "missing"), None);
    }

    #[test]
    fn locates_keys_in_yaml_maps() {
        let fm = "title: x\nlegal:\n  number: \"1\"\n  issuer: B\ndate: 2022-01-01\n";
        assert_eq!(locate_key(fm, Syntax::Yaml, None, "date"), Some((5, 1)));
        assert_eq!(
            locate_key(fm, Syntax::Yaml, Some("legal"), "issuer"),
            Some((4, 3))
        );
    }
}
