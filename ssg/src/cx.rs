//! What every stage of the build shares: the template context being built, the sizes of the
//! lists every site shows, and how a library error is told to the user. Kept apart from the
//! pipeline so that rendering and the deferred context parts need not import the pipeline
//! that calls them.

use serde_json::Value;

/// A template context being built: moved into Tera without copying.
pub(crate) type Cx = serde_json::Map<String, Value>;

/// How many items a feed holds.
pub(crate) const FEED_ITEMS: usize = 20;
/// How many items the home pages list.
pub(crate) const HOME_ITEMS: usize = 10;

/// `e` and every cause under it, `: `-separated, for a diagnostic (Tera puts the useful part
/// of a template error in its sources).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        cur = s.source();
    }
    msg
}
