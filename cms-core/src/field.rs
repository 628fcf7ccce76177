//! Front-matter fields as serde reads them, forgiving: a field of the wrong type does not stop
//! the file's other fields from being read, so every mistake in it is reported at once, each
//! at its own line and naming its field.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::frontmatter::FrontMatter;
use crate::value::type_name;

/// A front-matter field: not written, written with the expected type, or written with
/// another (named, for the message).
#[derive(Debug, Default)]
pub(crate) enum Field<T> {
    /// Not in the front matter.
    #[default]
    Absent,
    /// Read.
    Ok(T),
    /// Of another type than `T`: the type it has, in words (`a string`).
    Wrong(&'static str),
}

impl<T> Field<T> {
    /// Whether the field is written, whatever its type.
    pub(crate) fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read as a value first: when it is not a `T`, serde would give up on the whole file;
        // this names the value's type for the message, and goes on with the next field.
        let v = Value::deserialize(d)?;
        let what = type_name(&v);
        Ok(match T::deserialize(v) {
            Ok(t) => Field::Ok(t),
            Err(_) => Field::Wrong(what),
        })
    }
}

/// What a field of type `T` must be, for messages.
pub(crate) trait Expected {
    /// The type in words: `a string`.
    const WHAT: &'static str;
    /// How to write the field `key`: `key = "…"`.
    fn example(key: &str) -> String;
}

impl Expected for String {
    const WHAT: &'static str = "a string";
    fn example(key: &str) -> String {
        format!("{key} = \"…\"")
    }
}

impl Expected for bool {
    const WHAT: &'static str = "true or false";
    fn example(key: &str) -> String {
        format!("{key} = true")
    }
}

impl Expected for i64 {
    const WHAT: &'static str = "an integer";
    fn example(key: &str) -> String {
        format!("{key} = 10")
    }
}

impl Expected for Vec<String> {
    const WHAT: &'static str = "a list of strings";
    fn example(key: &str) -> String {
        format!("{key} = [\"…\", \"…\"]")
    }
}

impl Expected for Map<String, Value> {
    const WHAT: &'static str = "a table";
    fn example(key: &str) -> String {
        format!("[{key}]")
    }
}

impl<T> Expected for BTreeMap<String, T> {
    const WHAT: &'static str = "a table";
    fn example(key: &str) -> String {
        format!("[{key}]")
    }
}

/// A date as written: TOML dates are read as their text, so both syntaxes give a string.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct DateText(pub(crate) String);

impl Expected for DateText {
    const WHAT: &'static str = "a date";
    fn example(key: &str) -> String {
        format!("{key} = 2022-11-25")
    }
}

/// Turns the fields of one front matter into values, collecting a message for each
/// mistake at the line of its field.
pub(crate) struct Checker<'a> {
    pub(crate) fm: &'a FrontMatter,
    pub(crate) path: &'a str,
    pub(crate) diags: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(fm: &'a FrontMatter, path: &'a str) -> Self {
        Checker {
            fm,
            path,
            diags: Vec::new(),
        }
    }

    /// An error at the line of the top-level `key`.
    pub(crate) fn error_at(&mut self, key: &str, message: String, hint: impl Into<String>) {
        let (l, c) = self.fm.locate(None, key);
        self.diags
            .push(Diagnostic::error(self.path, l, c, message).with_hint(hint));
    }

    /// The line of the top-level `key` when `present`, else where the front matter starts.
    pub(crate) fn line_of(&self, key: &str, present: bool) -> usize {
        match present {
            true => self.fm.locate(None, key).0,
            false => self.fm.start_line(),
        }
    }

    /// The value of the optional field `key`; a wrong type is reported.
    pub(crate) fn get<T: Expected>(&mut self, key: &str, field: Field<T>) -> Option<T> {
        match field {
            Field::Absent => None,
            Field::Ok(v) => Some(v),
            Field::Wrong(got) => {
                let message = format!("field `{key}` must be {}, not {got}", T::WHAT);
                self.error_at(key, message, format!("write it as {}", T::example(key)));
                None
            }
        }
    }

    /// The text of the required field `key`: missing, of another type or blank is reported
    /// (and gives an empty string).
    pub(crate) fn required(&mut self, key: &str, field: Field<String>) -> String {
        if !field.is_present() {
            let line = self.fm.start_line();
            self.diags.push(
                Diagnostic::error(
                    self.path,
                    line,
                    1,
                    format!("missing required field `{key}`"),
                )
                .with_hint(format!("add `{key} = \"…\"` to the front matter")),
            );
            return String::new();
        }
        match self.get(key, field) {
            Some(s) if !s.trim().is_empty() => s,
            Some(_) => {
                self.error_at(key, format!("field `{key}` is empty"), "write some text");
                String::new()
            }
            // A wrong type was reported already.
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Two {
        #[serde(default)]
        n: Field<i64>,
        #[serde(default)]
        s: Field<String>,
        #[serde(default)]
        absent: Field<bool>,
    }

    #[test]
    fn a_wrong_type_keeps_the_value_and_the_other_fields() {
        let two: Two = serde_json::from_value(serde_json::json!({"n": "x", "s": "y"})).unwrap();
        assert!(matches!(two.n, Field::Wrong("a string")));
        assert!(matches!(two.s, Field::Ok(ref s) if s == "y"));
        assert!(!two.absent.is_present());
    }
}
