//! `cms`: build, check, search, serve and publish the portal network.
//!
//! Only this crate knows about flags, the terminal and exit codes; the work is done by
//! `cms-core` (loading and validation), `ssg` (rendering), `search-index` (search), `server`
//! (HTTP) and `publish` (deployments).

mod dev_cmd;
mod live;
mod publish_cmd;
mod search_cmd;
mod serve_cmd;
mod user_cmd;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

// Rendering allocates many small strings on every thread; glibc's allocator spends more time
// than the rendering itself on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Headless CMS and static-site generator for a government portal network.
#[derive(Parser)]
#[command(name = "cms", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build every site of the network into the output folder.
    Build(BuildArgs),
    /// Load, validate and render everything, writing nothing.
    Check(SourceArgs),
    /// Search the built network from the command line.
    Search(search_cmd::SearchArgs),
    /// Serve the built network: every site by host name, with search.
    Serve(serve_cmd::ServeArgs),
    /// Build, serve, watch for changes, rebuild what changed and reload open pages.
    Dev(dev_cmd::DevArgs),
    /// Publish the built output to a folder or object storage; roll back; list deployments.
    Publish(publish_cmd::PublishArgs),
    /// Manage the server's users, their roles per site, and API tokens.
    User(user_cmd::UserArgs),
}

#[derive(Args)]
struct SourceArgs {
    /// The content repository (the folder holding network.toml).
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Build a git revision (read from the repository, uncommitted changes ignored).
    #[arg(long)]
    rev: Option<String>,
    /// Only these sites (repeatable).
    #[arg(long = "site", value_name = "ID")]
    sites: Vec<String>,
    /// No progress bar, no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Print the time spent in each stage.
    #[arg(long)]
    timings: bool,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// The output folder.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// Do not write the search index (`search/`) or the search pages.
    #[arg(long)]
    no_search: bool,
    /// Do not write the precompressed `.br`/`.gz` variants of text files (a host that
    /// compresses by itself, or a quicker local build).
    #[arg(long)]
    no_precompress: bool,
}

/// A failure whose details were already printed.
#[derive(Debug)]
struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("errors reported")
    }
}

impl std::error::Error for Reported {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(a) => run(
            &a.source,
            Some(&a.out),
            Written {
                search: !a.no_search,
                precompress: !a.no_precompress,
            },
        ),
        Command::Check(a) => run(
            &a,
            None,
            Written {
                search: false,
                precompress: false,
            },
        ),
        Command::Search(a) => search_cmd::run(&a),
        Command::Serve(a) => serve_cmd::run(&a),
        Command::Dev(a) => dev_cmd::run(&a),
        Command::Publish(a) => publish_cmd::run(&a),
        Command::User(a) => user_cmd::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<Reported>().is_none() {
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

struct Bar(ProgressBar);

impl ssg::Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

fn print_diagnostics<'a>(ds: impl IntoIterator<Item = &'a cms_core::Diagnostic>) -> usize {
    let mut errors = 0;
    for d in ds {
        if d.severity == cms_core::Severity::Error {
            errors += 1;
        }
        eprintln!("{d}");
    }
    errors
}

fn theme_dirs(content: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![content.join("themes")];
    if let Some(parent) = content
        .canonicalize()
        .ok()
        .and_then(|c| c.parent().map(Path::to_path_buf))
    {
        dirs.push(parent.join("themes"));
    }
    dirs
}

/// A build is a short-lived process that frees most of its memory only at the end: keeping
/// freed pages instead of handing them back to the OS and faulting them in again saves ~10%.
fn keep_freed_memory() {
    // `mi_option_purge_delay` (15) directly precedes `mi_option_use_numa_nodes` in mimalloc 2
    // and 3; the Rust bindings do not name it. -1: never purge.
    let purge_delay = libmimalloc_sys::mi_option_use_numa_nodes - 1;
    // SAFETY: sets a process-wide allocator option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(purge_delay, -1) };
}

/// No transparent huge pages for a build: the allocator asks for them, and each is then zeroed
/// whole at its first touch, where a build touches its memory sparsely. With 4 KiB pages the
/// 20,000-page benchmark's peak memory is ~50 MiB lower (473 MiB against 524 with the index)
/// and its builds no slower (12% faster without the index; medians of 6 runs, 2026-12-03).
fn small_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: takes integers only; it sets a flag of this process that later page faults read.
    // Failing (a kernel without THP) changes nothing, so its result is not checked.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// The date of the build in Vietnam (UTC+7), or SOURCE_DATE_EPOCH's for reproducible builds.
fn today() -> Result<chrono::NaiveDate> {
    Ok(now()?.date())
}

/// The time of the build in Vietnam (UTC+7), or SOURCE_DATE_EPOCH's: pages outside their
/// publishing window at this time are left out.
fn now() -> Result<chrono::NaiveDateTime> {
    cms_core::build_now().map_err(anyhow::Error::msg)
}

/// This binary, as precisely as is cheap to tell: a search index written by another build of
/// the tool is not reused.
fn tool_version() -> String {
    let stamp = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{} bytes, {mtime}", m.len())
        })
        .unwrap_or_default();
    format!("cms {} ({stamp})", env!("CARGO_PKG_VERSION"))
}

/// Where a build records what it was made from, for the next build to skip the work when
/// nothing changed.
const INPUTS_FILE: &str = ".cms/inputs";

/// A hash of everything a build reads: every file of the content folder (as `listing` holds
/// them: the text files read already) and of the theme folders (paths and bytes), the binary,
/// the build date and the options. Reading 20,000 files takes a fraction of loading them.
fn inputs_fingerprint(
    args: &SourceArgs,
    written: Written,
    listing: &cms_core::Listing,
) -> Option<String> {
    use std::hash::Hasher;
    if args.rev.is_some() {
        return None;
    }
    let mut h = twox_hash::XxHash3_64::with_seed(0);
    let mut add = |b: &[u8]| {
        h.write(&(b.len() as u64).to_le_bytes());
        h.write(b);
    };
    add(tool_version().as_bytes());
    add(today().ok()?.to_string().as_bytes());
    // A page entering or leaving its publishing window changes the site with no file changed.
    add(cms_core::schedule_fingerprint(listing, now().ok()?).as_bytes());
    add(format!("{:?} {written:?}", args.sites).as_bytes());
    add(args.content.to_string_lossy().as_bytes());
    for f in &listing.files {
        add(f.rel.as_bytes());
        add(&f.data.read().ok()?);
    }
    for root in theme_dirs(&args.content).into_iter().filter(|d| d.is_dir()) {
        add(root.to_string_lossy().as_bytes());
        let mut files: Vec<PathBuf> = walk(&root)?;
        files.sort();
        for f in files {
            add(f
                .strip_prefix(&root)
                .unwrap_or(&f)
                .to_string_lossy()
                .as_bytes());
            add(&std::fs::read(&f).ok()?);
        }
    }
    Some(format!("{:016x}", h.finish()))
}

/// Every file under `root`, but version-control folders.
fn walk(root: &Path) -> Option<Vec<PathBuf>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && e.file_name() == ".git"))
        .filter(|e| e.as_ref().map_or(true, |e| !e.file_type().is_dir()))
        .map(|e| e.ok().map(walkdir::DirEntry::into_path))
        .collect()
}

/// What a build writes besides the pages.
#[derive(Debug, Clone, Copy)]
struct Written {
    /// The search index and the search pages.
    search: bool,
    /// The precompressed variants of text files.
    precompress: bool,
}

fn run(args: &SourceArgs, out: Option<&Path>, written: Written) -> Result<()> {
    keep_freed_memory();
    small_pages();
    let started = Instant::now();
    let source = match &args.rev {
        Some(rev) => cms_core::Source::Git {
            dir: args.content.clone(),
            rev: rev.clone(),
        },
        None => cms_core::Source::Dir(args.content.clone()),
    };
    let listing = cms_core::list(&source).map_err(cms_core::Error::Source)?;
    // Nothing changed since the last build of this output: nothing to do.
    let fingerprint = out.and_then(|_| inputs_fingerprint(args, written, &listing));
    if let (Some(o), Some(fp)) = (out, &fingerprint) {
        let same = std::fs::read_to_string(o.join(INPUTS_FILE)).is_ok_and(|s| &s == fp);
        if same && o.join("manifest.json").is_file() {
            if !args.quiet {
                eprintln!(
                    "Nothing changed since the last build of {} ({:.2} s)",
                    o.display(),
                    started.elapsed().as_secs_f64()
                );
            }
            return Ok(());
        }
    }
    let network = match cms_core::load_listed_at(listing, None, now()?) {
        Ok(n) => n,
        Err(cms_core::Error::Invalid(ds)) => {
            let n = print_diagnostics(&ds.0);
            eprintln!("error: {n} error(s) in the content; nothing was written");
            return Err(Reported.into());
        }
        Err(e) => return Err(e.into()),
    };
    let loaded = started.elapsed();
    print_diagnostics(&network.warnings);
    let theme = ssg::Theme::find(&network.config.theme, &theme_dirs(&args.content))
        .context("loading the theme")?;

    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b.set_message(if out.is_some() {
            "Đang dựng"
        } else {
            "Đang kiểm tra"
        });
        b
    };
    let progress = Bar(bar);
    let opts = ssg::BuildOptions {
        out: out.map(Path::to_path_buf).unwrap_or_default(),
        sites: args.sites.clone(),
        dry_run: out.is_none(),
        theme: &theme,
        progress: Some(&progress),
        minify_each_page: false,
        today: today()?,
        search: written.search,
        tool_version: tool_version(),
        markdown_cache: None,
        durable: true,
        precompress: written.precompress,
    };
    let report = ssg::build(&network, &opts);
    progress.0.finish_and_clear();
    let report = match report {
        Ok(r) => r,
        Err(ssg::Error::Content(ds)) => {
            let n = print_diagnostics(&ds.0);
            eprintln!("error: {n} error(s); nothing was written");
            return Err(Reported.into());
        }
        Err(e) => return Err(anyhow::Error::new(e).context("building the network")),
    };
    print_diagnostics(&report.warnings);
    // The process ends here: the system takes back the network's memory at once, where
    // dropping its 20,000 pages one allocation at a time took a few percent of a build.
    std::mem::forget(network);
    if let (Some(o), Some(fp)) = (out, &fingerprint) {
        // A failed write only costs the next build its shortcut.
        let _ = std::fs::create_dir_all(o.join(".cms"))
            .and_then(|()| std::fs::write(o.join(INPUTS_FILE), fp));
    }
    if args.timings {
        eprintln!("{:>8.3} s  load and validate", loaded.as_secs_f64());
        for (stage, d) in &report.timings {
            eprintln!("{:>8.3} s  {stage}", d.as_secs_f64());
        }
    }
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        match out {
            Some(o) => {
                eprintln!(
                    "Built {} sites, {} pages, {} files ({:.1} MB) in {secs:.2} s → {}",
                    report.sites,
                    report.pages,
                    report.files,
                    report.bytes as f64 / 1e6,
                    o.display()
                );
                if report.incremental {
                    eprintln!(
                        "Over the previous build: {} outputs rendered, {} unchanged and kept; {} files written, {} deleted, the others left as they were",
                        report.rendered,
                        report.reused,
                        report.written.written,
                        report.written.deleted
                    );
                }
                let im = report.images;
                if im.encoded + im.kept > 0 {
                    eprintln!(
                        "Images: {} encoded, {} kept from the previous build; {} variants",
                        im.encoded, im.kept, im.variants
                    );
                }
                if let Some(s) = &report.search {
                    eprintln!(
                        "Search index: {} pages; {} indexed, {} removed{}",
                        s.documents,
                        s.indexed,
                        s.removed,
                        if s.incremental {
                            " (the rest kept from the previous build)"
                        } else {
                            ""
                        }
                    );
                }
            }
            None => eprintln!(
                "Checked {} sites, {} pages, {} files in {secs:.2} s: no errors",
                report.sites, report.pages, report.files
            ),
        }
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn a_build_turns_transparent_huge_pages_off() {
        super::small_pages();
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        // Linux 5.0 and later show the process's setting; older kernels are not checked.
        if let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) {
            assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
        }
    }
}
