//! Static-site generation for the portal network.
//!
//! [`build`] takes a loaded [`cms_core::Network`] and a [`Theme`] and writes every site of the
//! network as static files: pages, paginated section lists, taxonomy pages, RSS and Atom feeds,
//! sitemaps, `robots.txt`, `404.html`, bundle files and static files, under
//! `<out>/sites/<domain>/`, with `<out>/manifest.json` listing every file, and the search index
//! of the network in `<out>/search/` (written while the pages render). Markdown and output
//! rendering each run in parallel (rayon) over every page of every site; each build is written
//! to a new folder that becomes the output in one step when everything succeeded (see
//! [`builds`]), and the same input gives byte-identical output.

pub mod api;
mod assets;
mod build_cache;
pub mod builds;
mod checks;
mod context;
mod cx;
mod deferred;
mod error;
pub mod hosting;
mod images;
mod jobs;
mod lazy_markdown;
mod links;
mod lists;
mod markdown;
mod markdown_cache;
mod mime;
mod output;
mod partials;
mod pipeline;
mod prepare;
mod preview;
mod preview_cache;
mod render;
mod renderings;
mod sanitize;
mod search;
mod templates;
mod theme;

pub use build_cache::BUILD_CACHE_FILE;
pub use error::Error;
pub use images::{is_variant as is_image_variant, ImageStats, Picture};
pub use markdown::{Heading, Rendered};
pub use markdown_cache::MarkdownCache;
pub use output::{mime_of, ManifestEntry, WriteStats};
pub use pipeline::{build, preview_pages, BuildOptions, BuildReport, Progress};
pub use preview::{preview_page, PagePreview};
pub use preview_cache::PreviewCache;
pub use templates::format_date;
pub use theme::Theme;
