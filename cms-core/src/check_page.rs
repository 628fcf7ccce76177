//! Checks one page's new text as `cms check` would, against a loaded network: what the
//! content API runs on every save, without loading the network again.

use crate::diagnostic::Diagnostic;
use crate::model::Network;

/// The diagnostics `cms check` would give for the file `rel` (`sites/<site>/<path>.md`, a
/// page or a section index) if its text were `text`, the rest of `network` unchanged:
/// front matter syntax, fields and types of the page's kind (its section's), taxonomy terms,
/// languages, dates, `publish_at`/`unpublish_at`. Paths in the diagnostics are `rel`.
/// Empty when the text is valid (warnings are included, with their severity).
pub fn check_page(network: &Network, rel: &str, text: &str) -> Vec<Diagnostic> {
    let _ = (network, rel, text);
    todo!("live helper")
}
