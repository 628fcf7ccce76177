//! `cms publish`: the built output to a folder or object storage, incrementally; `--rollback`
//! to the previous deployment; `--list` of the deployments; and the CDN purge list.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The flags of `cms publish`.
#[derive(Args)]
pub struct PublishArgs {
    /// Where to publish: a folder, `s3://bucket/prefix`, `gs://bucket/prefix` or
    /// `az://container/prefix` (credentials from the AWS_*, GOOGLE_*, AZURE_* variables).
    /// Default: the CMS_PUBLISH_TO variable.
    #[arg(long = "to", value_name = "TARGET")]
    to: Option<String>,
    /// The built output folder.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// Show what would be uploaded and deleted, and the purge list; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// POST the changed URLs (JSON `{"urls": [...]}`) to this CDN purge webhook.
    #[arg(long, value_name = "URL")]
    purge_url: Option<String>,
    /// Print the report (or the list) as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Restore the deployment before the live one.
    #[arg(long, conflicts_with_all = ["list", "dry_run"])]
    rollback: bool,
    /// List the deployments recorded at the target.
    #[arg(long)]
    list: bool,
    /// The content repository, for the commit recorded with the deployment.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// The git revision the output was built from (default: HEAD of --content, if a git
    /// repository).
    #[arg(long)]
    rev: Option<String>,
    /// Object operations at once.
    #[arg(long, default_value_t = 16)]
    jobs: usize,
    /// No progress bar, no summary.
    #[arg(long, short)]
    quiet: bool,
}

struct Bar(ProgressBar);

impl publish::Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

fn bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    b.set_style(
        ProgressStyle::with_template("{spinner} Đang xuất bản [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    b
}

/// The commit of `rev` (or HEAD) in the content repository; none when it is not one.
fn commit(content: &Path, rev: Option<&str>) -> Result<Option<String>> {
    let repo = match git2::Repository::discover(content) {
        Ok(r) => r,
        Err(_) if rev.is_none() => return Ok(None),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("--rev: {} is not a git repository", content.display()))
        }
    };
    let spec = rev.unwrap_or("HEAD");
    let id = repo
        .revparse_single(spec)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id().to_string());
    match id {
        Ok(id) => Ok(Some(id)),
        Err(_) if rev.is_none() => Ok(None),
        Err(e) => {
            Err(e).with_context(|| format!("--rev {spec}: no such commit in {}", content.display()))
        }
    }
}

/// Runs `cms publish`.
pub fn run(args: &PublishArgs) -> Result<()> {
    let to = match (&args.to, std::env::var("CMS_PUBLISH_TO")) {
        (Some(t), _) => t.clone(),
        (None, Ok(t)) if !t.is_empty() => t,
        _ => bail!(
            "no target: give --to TARGET (a folder, s3://…, gs://…, az://…) or set CMS_PUBLISH_TO"
        ),
    };
    publish::init_tls();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let writes = !(args.dry_run || args.list);
    let target = publish::Target::open(&to, writes && !args.rollback)?;
    if args.list {
        let listing = rt.block_on(publish::list(&target))?;
        return print_listing(&listing, args.json);
    }
    let progress = Bar(bar(args.quiet));
    let opts = publish::Options {
        commit: if args.rollback {
            None
        } else {
            commit(&args.content, args.rev.as_deref())?
        },
        dry_run: args.dry_run,
        progress: Some(&progress),
        parallel: args.jobs.max(1),
    };
    let report = rt.block_on(async {
        if args.rollback {
            publish::rollback(&target, &opts).await
        } else {
            publish::publish(&args.out, &target, &opts).await
        }
    });
    progress.0.finish_and_clear();
    let report = report?;
    print_report(&report, args)?;
    if let (Some(hook), false) = (&args.purge_url, report.dry_run || report.urls.is_empty()) {
        match rt.block_on(publish::purge::post(hook, &report.urls)) {
            Ok(()) if !args.quiet => eprintln!("Purge: {} URLs sent to {hook}", report.urls.len()),
            Ok(()) => {}
            // The publish is done and live; a CDN that keeps old copies a while longer is
            // not a reason to fail it.
            Err(e) => eprintln!("warning: the purge webhook {hook} failed ({e}); purge the URLs listed above by hand"),
        }
    }
    Ok(())
}

/// Prints `text` on stdout; a closed pipe (`| head`) ends the output quietly.
fn say(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to stdout"),
    }
}

fn print_report(r: &publish::Report, args: &PublishArgs) -> Result<()> {
    if args.json {
        say(&serde_json::to_string_pretty(r).context("writing the report")?)?;
    } else {
        for u in &r.urls {
            say(u)?;
        }
    }
    if args.quiet {
        return Ok(());
    }
    if r.completed_interrupted {
        eprintln!("An interrupted publish to {} was completed first", r.target);
    }
    let what = match (&r.restores, r.dry_run) {
        (_, true) => "Would publish".to_string(),
        (Some(id), false) => format!("Rolled back to {id}:"),
        (None, false) => "Published".to_string(),
    };
    if r.up_to_date {
        eprintln!("{} is up to date: nothing to publish", r.target);
    } else {
        eprintln!(
            "{what} {} files uploaded ({:.2} MB), {} deleted, {} unchanged → {}{}; {} URLs to purge",
            r.uploaded,
            r.uploaded_bytes as f64 / 1e6,
            r.deleted,
            r.unchanged,
            r.target,
            r.deployment.as_ref().map(|d| format!(" (deployment {d})")).unwrap_or_default(),
            r.urls.len()
        );
    }
    Ok(())
}

fn print_listing(l: &publish::Listing, json: bool) -> Result<()> {
    if json {
        say(&serde_json::to_string_pretty(l).context("writing the list")?)?;
        return Ok(());
    }
    say(&format!(
        "  {:<20} {:<20} {:<12} {:>7} {:>8} {:>7}",
        "id", "time", "commit", "files", "uploaded", "deleted"
    ))?;
    for d in l.deployments.iter().rev() {
        let mark = if l.current.as_deref() == Some(d.id.as_str()) {
            "*"
        } else {
            " "
        };
        let commit: String = d
            .commit
            .as_deref()
            .unwrap_or("-")
            .chars()
            .take(12)
            .collect();
        let restores = d
            .restores
            .as_ref()
            .map(|r| format!("  (rollback to {r})"))
            .unwrap_or_default();
        say(&format!(
            "{mark} {:<20} {:<20} {commit:<12} {:>7} {:>8} {:>7}{restores}",
            d.id, d.time, d.files, d.uploaded, d.deleted
        ))?;
    }
    if let Some(p) = &l.pending {
        say(&format!(
            "! {p}: interrupted; the next `cms publish` completes it"
        ))?;
    }
    Ok(())
}
