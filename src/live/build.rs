//! One build of a commit of the published branch into the live output: read from the git
//! object database (no checkout), over the previous output (only what changed is rendered
//! and written), made live in one step by `ssg`'s build switch, and recorded in the output
//! (`.cms/live-commit`) so that a restart does not build the same commit again.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

/// Where a build records the commit it shows and the time its pages were selected at.
const LIVE_COMMIT: &str = ".cms/live-commit";

/// What one build keeps for the next: parsed files and rendered Markdown, so that a build
/// after a small change parses and renders the changed files only.
pub(crate) struct Builder {
    /// The content folder: a bare repository, a work tree, or a folder inside one.
    pub(crate) content: PathBuf,
    /// The output (a link to the live build).
    pub(crate) out: PathBuf,
    /// Where themes are looked for.
    pub(crate) themes: Vec<PathBuf>,
    /// Whether builds write the `.br`/`.gz` variants.
    precompress: bool,
    load: cms_core::LoadCache,
    markdown: ssg::MarkdownCache,
    /// The last commit's blobs: the next reads from git only what it changed.
    blobs: cms_core::BlobCache,
}

/// A good build: the network it shows and what it did.
pub(crate) struct Built {
    pub(crate) network: cms_core::Network,
    pub(crate) report: Option<ssg::BuildReport>,
    pub(crate) took: Duration,
    /// Of which reading and checking the commit's files (before `ssg`'s stages).
    pub(crate) loading: Duration,
}

/// What the output shows, as [`LIVE_COMMIT`] records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark {
    /// The commit built.
    pub(crate) commit: String,
    /// The time (Vietnam) its pages were selected at.
    pub(crate) now: NaiveDateTime,
}

impl Builder {
    pub(crate) fn new(
        content: PathBuf,
        out: PathBuf,
        themes: Vec<PathBuf>,
        precompress: bool,
    ) -> Builder {
        Builder {
            content,
            out,
            themes,
            precompress,
            load: cms_core::LoadCache::new(),
            markdown: ssg::MarkdownCache::new(),
            blobs: cms_core::BlobCache::default(),
        }
    }

    /// Loads `commit` with the pages in their window at `now`; the diagnostics, one a line,
    /// when it is not valid.
    pub(crate) fn load(
        &self,
        commit: &str,
        now: NaiveDateTime,
    ) -> Result<cms_core::Network, String> {
        let source = cms_core::Source::Git {
            dir: self.content.clone(),
            rev: commit.to_string(),
        };
        // Messages name files from the content root (`sites/mt/a.md:4:1`), as an editor
        // knows them: not the server's folders, nor the commit, which the status gives.
        let root = source.display_root();
        let listing = cms_core::list_cached(&source, Some(&self.blobs))
            .map_err(|e| format!("{:#}", anyhow::Error::from(cms_core::Error::Source(e))))?;
        match cms_core::load_listed_at(listing, Some(&self.load), now) {
            Ok(mut n) => {
                n.display_root = String::new();
                for w in &mut n.warnings {
                    relative(w, &root);
                }
                Ok(n)
            }
            Err(cms_core::Error::Invalid(mut ds)) => {
                ds.0.iter_mut().for_each(|d| relative(d, &root));
                Err(lines(&ds.0))
            }
            Err(e) => Err(format!("{:#}", anyhow::Error::from(e))),
        }
    }

    /// Builds `commit` at `now` over the live output and records it; on failure the output
    /// is left as it was, and the diagnostics say why.
    pub(crate) fn build(&self, commit: &str, now: NaiveDateTime) -> Result<Built, String> {
        let started = Instant::now();
        let network = self.load(commit, now)?;
        let loading = started.elapsed();
        for w in &network.warnings {
            tracing::warn!("{w}");
        }
        let theme = ssg::Theme::find(&network.config.theme, &self.themes)
            .map_err(|e| format!("loading the theme: {e}"))?;
        let opts = ssg::BuildOptions {
            out: self.out.clone(),
            sites: Vec::new(),
            dry_run: false,
            theme: &theme,
            progress: None,
            minify_each_page: false,
            today: now.date(),
            search: true,
            tool_version: crate::tool_version(),
            markdown_cache: Some(&self.markdown),
            durable: true,
            precompress: self.precompress,
        };
        let report = match ssg::build(&network, &opts) {
            Ok(r) => r,
            Err(ssg::Error::Content(ds)) => return Err(lines(&ds.0)),
            // With its causes: ssg's errors keep them as sources, not in their message.
            Err(e) => return Err(format!("{:#}", anyhow::Error::new(e))),
        };
        let mark = Mark {
            commit: commit.to_string(),
            now,
        };
        if let Err(e) = write_mark(&self.out, &mark) {
            // Only costs the next start a build of the same commit.
            tracing::warn!("writing {}: {e}", self.out.join(LIVE_COMMIT).display());
        }
        Ok(Built {
            network,
            report: Some(report),
            took: started.elapsed(),
            loading,
        })
    }
}

/// Takes `root` off the front of the diagnostic's file.
fn relative(d: &mut cms_core::Diagnostic, root: &str) {
    if let Some(rel) = d.path.strip_prefix(root) {
        d.path = rel.to_string();
    }
}

/// Diagnostics as `cms check` prints them, one a line.
fn lines(ds: &[cms_core::Diagnostic]) -> String {
    ds.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The commit the output shows and when its pages were selected, if a build recorded them.
pub(crate) fn read_mark(out: &Path) -> Option<Mark> {
    let text = std::fs::read_to_string(out.join(LIVE_COMMIT)).ok()?;
    let mut it = text.lines();
    let commit = it.next()?.trim().to_string();
    let now = cms_core::parse_date(it.next()?)?;
    (!commit.is_empty() && out.join("manifest.json").is_file()).then_some(Mark { commit, now })
}

/// Records `mark` in the output: a new file renamed into place (the build's own files are
/// never written once complete; see `ssg::builds`).
fn write_mark(out: &Path, mark: &Mark) -> std::io::Result<()> {
    let path = out.join(LIVE_COMMIT);
    let dir = out.join(".cms");
    std::fs::create_dir_all(&dir)?;
    let tmp = dir.join(".live-commit.new");
    let text = format!(
        "{}\n{}\n",
        mark.commit,
        mark.now.format("%Y-%m-%dT%H:%M:%S")
    );
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &path)
}

/// The head commit of `branch` in the repository holding `content`: what is published.
pub(crate) fn head(content: &Path, branch: &str) -> Result<String, String> {
    let repo = git2::Repository::discover(content)
        .map_err(|e| format!("{}: not a git repository ({e})", content.display()))?;
    let id = repo
        .refname_to_id(&format!("refs/heads/{branch}"))
        .map_err(|e| {
            format!(
                "{}: no branch `{branch}` ({})",
                content.display(),
                e.message()
            )
        })?;
    Ok(id.to_string())
}

/// The published branch `network.toml` names (`[network] published_branch`), read from the
/// `main` branch, else from `HEAD`; `main` when it names none or cannot be read.
pub(crate) fn published_branch(content: &Path) -> String {
    let named = || -> Option<String> {
        let repo = git2::Repository::discover(content).ok()?;
        let prefix = match repo.workdir() {
            Some(w) => {
                let abs = content.canonicalize().ok()?;
                abs.strip_prefix(w.canonicalize().ok()?).ok()?.to_path_buf()
            }
            None => PathBuf::new(),
        };
        let commit = repo
            .revparse_single("refs/heads/main")
            .or_else(|_| repo.revparse_single("HEAD"))
            .ok()?
            .peel_to_commit()
            .ok()?;
        let entry = commit
            .tree()
            .ok()?
            .get_path(&prefix.join("network.toml"))
            .ok()?;
        let blob = repo.find_blob(entry.id()).ok()?;
        let text = std::str::from_utf8(blob.content()).ok()?;
        cms_core::parse_network("network.toml", text)
            .ok()?
            .published_branch
    };
    named().unwrap_or_else(|| "main".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with `network.toml` (holding `text`) committed on `main`.
    fn repo_with(dir: &Path, text: &str) {
        let repo = git2::Repository::init_bare(dir).unwrap();
        let blob = repo.blob(text.as_bytes()).unwrap();
        let mut tb = repo.treebuilder(None).unwrap();
        tb.insert("network.toml", blob, 0o100644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.com").unwrap();
        repo.commit(Some("refs/heads/main"), &sig, &sig, "c", &tree, &[])
            .unwrap();
    }

    #[test]
    fn the_published_branch_is_network_toml_s_else_main() {
        let tmp = tempfile::tempdir().unwrap();
        let named = tmp.path().join("named.git");
        repo_with(
            &named,
            "[network]\nname = \"B\"\nbase_domain = \"b.vn\"\nportal = \"b\"\npublished_branch = \"xuat-ban\"\n",
        );
        assert_eq!(published_branch(&named), "xuat-ban");
        let plain = tmp.path().join("plain.git");
        repo_with(
            &plain,
            "[network]\nname = \"B\"\nbase_domain = \"b.vn\"\nportal = \"b\"\n",
        );
        assert_eq!(published_branch(&plain), "main");
        assert_eq!(published_branch(&tmp.path().join("none")), "main");
        let id = head(&plain, "main").unwrap();
        assert_eq!(id.len(), 40);
        let err = head(&plain, "xuat-ban").unwrap_err();
        assert!(err.contains("no branch `xuat-ban`"), "{err}");
    }

    #[test]
    fn the_mark_is_read_back_only_beside_a_whole_build() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        let mark = Mark {
            commit: "abc".into(),
            now: cms_core::parse_date("2026-12-07T19:00:05").unwrap(),
        };
        write_mark(out, &mark).unwrap();
        // No manifest: not a build a server could serve.
        assert_eq!(read_mark(out), None);
        std::fs::write(out.join("manifest.json"), "{}").unwrap();
        assert_eq!(read_mark(out), Some(mark));
        std::fs::write(out.join(LIVE_COMMIT), "abc\nnot a date\n").unwrap();
        assert_eq!(read_mark(out), None);
    }
}
