//! Each page's and section's Markdown, rendered the first time an output needs it.
//!
//! An output's cache key hashes the Markdown's key (its text and everything the renderer reads
//! besides it, see [`crate::markdown_cache::markdown_key`]) instead of its HTML, so a build over a
//! previous output renders the Markdown of the outputs that changed only. A key that the
//! previous build used had no problems: a build with a problem writes no cache.

use std::sync::{Arc, OnceLock};

use cms_core::{Diagnostic, Diagnostics};

use crate::error::Error;
use crate::links::LinkIndex;
use crate::markdown::{self, MdContext, Rendered};
use crate::markdown_cache::{markdown_key, CachedMarkdown, MarkdownCache};

/// Changed when [`crate::sanitize`] keeps or drops other markup: the HTML it cleaned before
/// is not reused.
const SANITIZER_VERSION: u64 = 1 << 40;

/// What rendering any page's Markdown reads besides the page.
pub(crate) struct MdEnv<'a> {
    /// Every link target of the network.
    pub links: &'a LinkIndex,
    /// [`LinkIndex::fingerprint`] of `links`.
    pub links_key: u64,
    /// Renderings of earlier builds of this process.
    pub markdown_cache: Option<&'a MarkdownCache>,
    /// How files are named in messages (the content root as shown).
    pub root: &'a str,
    /// The pages' processed images, which their Markdown shows as `<picture>`s.
    pub images: Option<&'a crate::images::Images>,
    /// By site index: whether the site keeps raw HTML (`raw_html` in `network.toml`).
    pub raw_html: Vec<bool>,
}

/// The Markdown of one page or section.
pub(crate) struct LazyMd<'a> {
    /// What it is rendered from (see [`markdown_key`]).
    pub key: u64,
    site: usize,
    body: &'a str,
    path: &'a str,
    lang: &'a str,
    file: &'a str,
    body_line: usize,
    raw_html: bool,
    done: OnceLock<CachedMarkdown>,
}

impl<'a> LazyMd<'a> {
    /// The Markdown `body` of the page or section at `path` of site `site`, from `file` where
    /// the body starts on line `body_line`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        env: &MdEnv<'_>,
        site: usize,
        body: &'a str,
        path: &'a str,
        lang: &'a str,
        file: &'a str,
        body_line: usize,
    ) -> LazyMd<'a> {
        // Only `@/` links read the link index: a text without them keeps its key when pages
        // are added or removed elsewhere. `&` too, as `&#64;/` is `@/` in a link.
        let links = if memchr::memchr2(b'@', b'&', body.as_bytes()).is_some() {
            env.links_key
        } else {
            0
        };
        // A page's images are named by their bytes' hash: the HTML that shows them changes
        // with them.
        let images = env
            .images
            .and_then(|i| i.page(site, path))
            .map_or(0, |p| p.key);
        let raw_html = env.raw_html.get(site).copied().unwrap_or(false);
        // Sanitized or not, the same text gives another HTML.
        let inputs = links ^ images.rotate_left(1) ^ (SANITIZER_VERSION + u64::from(raw_html));
        LazyMd {
            key: markdown_key(inputs, site, path, lang, body),
            site,
            body,
            path,
            lang,
            file,
            body_line,
            raw_html,
            done: OnceLock::new(),
        }
    }

    /// The rendering and its problems: rendered now, or taken from the Markdown cache, the first time.
    pub fn get(&self, env: &MdEnv<'_>) -> &CachedMarkdown {
        self.done.get_or_init(|| {
            env.markdown_cache
                .and_then(|m| m.get(self.key))
                .unwrap_or_else(|| {
                    let cx = MdContext {
                        links: env.links,
                        site: self.site,
                        page_path: self.path,
                        lang: self.lang,
                        images: env.images.and_then(|i| i.page(self.site, self.path)),
                        raw_html: self.raw_html,
                    };
                    Arc::new(markdown::render(self.body, &cx))
                })
        })
    }

    /// The rendering, if it was asked for.
    pub fn rendered(&self) -> Option<&CachedMarkdown> {
        self.done.get()
    }

    /// The problems of the Markdown, as messages at their line and column of the file.
    pub fn diagnostics(&self, env: &MdEnv<'_>) -> Vec<Diagnostic> {
        self.get(env)
            .1
            .iter()
            .map(|(at, msg, hint)| {
                let (l, c) = markdown::line_of(self.body, *at, self.body_line);
                Diagnostic::error(format!("{}{}", env.root, self.file), l, c, msg.clone())
                    .with_hint(hint.clone())
            })
            .collect()
    }

    /// The rendered HTML, or its problems as a content error.
    pub fn html(&self, env: &MdEnv<'_>) -> Result<&Rendered, Error> {
        let ds = self.diagnostics(env);
        if ds.is_empty() {
            Ok(&self.get(env).0)
        } else {
            Err(Error::Content(Diagnostics(ds)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::empty_index;

    #[test]
    fn only_a_text_that_can_link_depends_on_the_link_index() {
        let idx = empty_index();
        let env = |links_key| MdEnv {
            links: &idx,
            links_key,
            markdown_cache: None,
            root: "",
            images: None,
            raw_html: Vec::new(),
        };
        let key =
            |links_key, body| LazyMd::new(&env(links_key), 0, body, "/a/", "vi", "a.md", 1).key;
        assert_eq!(key(1, "Nội dung."), key(2, "Nội dung."));
        for body in ["[x](@/mt/_index.md)", "[x](&#64;/mt/_index.md)"] {
            assert_ne!(key(1, body), key(2, body), "{body}");
        }
        assert_ne!(key(1, "Nội dung."), key(1, "Nội dung mới."));
    }

    #[test]
    fn problems_name_the_file_line_and_column() {
        let idx = empty_index();
        let env = MdEnv {
            links: &idx,
            links_key: 0,
            markdown_cache: None,
            root: "content/",
            images: None,
            raw_html: Vec::new(),
        };
        let md = LazyMd::new(
            &env,
            0,
            "Dòng một.\n\n[x](@/mt/khong-co.md)\n",
            "/a/",
            "vi",
            "sites/mt/a.md",
            5,
        );
        assert!(
            md.rendered().is_none(),
            "nothing is rendered until asked for"
        );
        let Err(Error::Content(ds)) = md.html(&env) else {
            panic!("a broken link is an error");
        };
        assert_eq!(ds.0.len(), 1);
        assert_eq!(ds.0[0].path, "content/sites/mt/a.md");
        assert_eq!(ds.0[0].line, 7);
        assert!(md.rendered().is_some());
    }
}
