//! Output paths: the URL folder of a content folder in a language.

use crate::text::slugify;

/// The URL folder of `dir` (site-relative, unslugged) in the language with `lang_prefix`.
pub(crate) fn url_dir(lang_prefix: &str, dir: &str) -> String {
    let mut p = String::from(lang_prefix);
    p.push('/');
    for seg in dir.split('/').filter(|s| !s.is_empty()) {
        p.push_str(&slugify(seg));
        p.push('/');
    }
    p
}

/// The URL prefix of a language: none for the default, `/en` for the others.
pub(crate) fn lang_prefix(lang: &str, default: &str) -> String {
    if lang == default {
        String::new()
    } else {
        format!("/{lang}")
    }
}
