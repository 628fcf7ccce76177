//! One page rendered in memory for the web editor's live preview ([`preview_page`]): the
//! stages of [`crate::preview_pages`] on the page's site, into a [`Staging::memory`] instead
//! of the output folder, so the editor gets the page as its site's theme renders it, cleaned
//! as the build cleans it, without touching the live build. Every stage before the render
//! grows with the network (tens of milliseconds on 20,000 pages): the editor keeps them in a
//! [`crate::PreviewCache`], which ends with the same render ([`render_in_memory`]).

use cms_core::{Diagnostic, Diagnostics, Network};

use crate::error::Error;
use crate::images::Images;
use crate::jobs::{Job, JobKind};
use crate::lazy_markdown::MdEnv;
use crate::links::LinkIndex;
use crate::output::Staging;
use crate::pipeline::{md_env, prepare_sites, renderer, BuildOptions, Laps};
use crate::prepare::{select_sites, SiteInputs, Templates};

/// A page rendered for the preview.
#[derive(Debug, Clone, Default)]
pub struct PagePreview {
    /// The whole HTML document, as the site serves it (`None` when the page could not be
    /// rendered: its Markdown has errors, listed in `problems`).
    pub html: Option<String>,
    /// The rendered body alone (cleaned as the build cleans it).
    pub body_html: String,
    /// What rendering found wrong or doubtful: broken `@/` links, images without a
    /// description, template errors.
    pub problems: Vec<Diagnostic>,
    /// Time spent in each stage.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Renders the page whose source file is `file` (`sites/<site>/<path>.md`, as
/// [`cms_core::Page::file`] names it) in memory, with the network's theme, as the build
/// would. `network` holds the page as the editor has it (see [`cms_core::with_page`]).
/// `opts.out` is read for nothing; nothing is written.
pub fn preview_page(
    network: &Network,
    opts: &BuildOptions<'_>,
    file: &str,
) -> Result<PagePreview, Error> {
    let mut laps = Laps::start();
    let Some((s, p)) = network.sites.iter().enumerate().find_map(|(s, site)| {
        site.pages
            .iter()
            .position(|pg| pg.file == file)
            .map(|p| (s, p))
    }) else {
        return Ok(PagePreview {
            problems: vec![Diagnostic::error(file, 0, 0, "no such page to preview")],
            ..PagePreview::default()
        });
    };
    let selected = select_sites(network, &[], |i| i == s)?;
    let links = LinkIndex::new(network);
    let mut diags = Diagnostics::default();
    let images = Images::probe(network, &selected, |si, pi| (si, pi) == (s, p), &mut diags);
    let env = md_env(network, opts, &links, &images);
    laps.lap("links and images");
    let (templates, inputs) =
        prepare_sites(network, opts, &selected, &env, false, &mut laps, &mut diags)?;
    render_in_memory(
        network,
        opts,
        &inputs,
        &templates,
        &env,
        (s, p),
        diags.0,
        laps,
    )
}

/// Renders page `p` of site `s` of `inputs` in memory, after the stages before it found
/// `problems` (warnings): what both [`preview_page`] and [`crate::PreviewCache`] end with.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render_in_memory(
    network: &Network,
    opts: &BuildOptions<'_>,
    inputs: &SiteInputs<'_>,
    templates: &Templates,
    env: &MdEnv<'_>,
    (s, p): (usize, usize),
    mut problems: Vec<Diagnostic>,
    mut laps: Laps,
) -> Result<PagePreview, Error> {
    let Some(d) = inputs.datas.get(&s) else {
        return Ok(PagePreview::default());
    };
    let body_html = match d.pages_md.get(p) {
        Some(md) => {
            problems.extend(md.diagnostics(env));
            md.get(env).0.html.clone()
        }
        None => String::new(),
    };
    let staging = Staging::memory();
    let selected = [s];
    let r = renderer(network, opts, inputs, templates, &staging, env, &selected);
    let job = Job {
        site: s,
        kind: JobKind::Page { page: p },
    };
    let failed = match r.run(&job) {
        Ok(_) => false,
        Err(Error::Content(ds)) => {
            problems.extend(ds.0);
            true
        }
        Err(e) => return Err(e),
    };
    laps.lap("render");
    let main = format!(
        "sites/{}{}index.html",
        d.site.config.domain, d.site.pages[p].path
    );
    let mut files = staging.into_memory();
    let html = match files.remove(&main) {
        Some(b) => Some(b),
        None => files
            .into_iter()
            .filter(|(k, _)| k.ends_with(".html"))
            .min_by_key(|(k, _)| k.len())
            .map(|(_, v)| v),
    }
    .filter(|_| !failed)
    .map(|b| String::from_utf8_lossy(&b).into_owned());
    // The same problem may be found by the Markdown and by the page's rendering.
    problems.dedup_by(|a, b| a.line == b.line && a.col == b.col && a.message == b.message);
    Ok(PagePreview {
        html,
        body_html,
        problems,
        timings: laps.timings,
    })
}
