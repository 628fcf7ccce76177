//! The builds of an output folder, and the one step that makes a new one live.
//!
//! The output path `<out>` is a symbolic link to one complete build in
//! `<parent>/.<name>.builds/<id>/` (same file system). Each build writes a new folder there,
//! named `<id>.partial` while it is written; files unchanged since the live build are
//! hard-linked from it, so a build over a previous one costs a link per file, not a copy.
//! When everything is written, the folder is renamed to `<id>` and flushed to disk, and the
//! link is replaced with one `rename` of a new link over it: a reader, or a build killed at any
//! moment, sees the old build or the new one, never a mix. An output folder left by an older
//! version (a real folder) is exchanged with the link in one `renameat2(RENAME_EXCHANGE)`.
//!
//! The last [`KEEP`] builds stay, for [`list`] and [`switch`] (a local deploy history and
//! rollback); older ones, and what killed builds left behind, are removed by the next build,
//! while it renders. A build that completed but was killed before its switch stays among
//! them, never live.
//!
//! Files in a build folder are never written once the folder is complete: a later build may
//! share them (hard links), so a change is always a new file renamed into place.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// How many complete builds are kept (the live one included).
pub const KEEP: usize = 3;

/// The suffix of a build folder being written.
const PARTIAL: &str = ".partial";

/// The lock file in the builds folder: one build of an output at a time.
const LOCK: &str = ".lock";

/// One complete build of an output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// Its name in the builds folder: a number, larger for later builds.
    pub id: String,
    /// Its folder.
    pub path: PathBuf,
    /// Whether `<out>` shows it now.
    pub live: bool,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The folder `out` is in (`.` for a bare name).
fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The name of `out` (`public` when it has none, as `.`).
fn name_of(out: &Path) -> String {
    out.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into())
}

/// The folder holding the builds of `out`: `<parent>/.<name>.builds`.
pub fn builds_dir(out: &Path) -> PathBuf {
    parent_of(out).join(format!(".{}.builds", name_of(out)))
}

/// The folder `out` shows now: the build its link points to, or `out` itself when it is a
/// real folder (an output of an older version); `None` when there is no output yet.
pub fn live_dir(out: &Path) -> Option<PathBuf> {
    let meta = std::fs::symlink_metadata(out).ok()?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(out).ok()?;
        let dir = parent_of(out).join(target);
        return dir.is_dir().then_some(dir);
    }
    meta.is_dir().then(|| out.to_path_buf())
}

/// The id of the build `out` links to, if it links to one of its builds.
fn live_id(out: &Path) -> Option<String> {
    let target = std::fs::read_link(out).ok()?;
    let builds = builds_dir(out);
    let in_builds = target.parent().and_then(Path::file_name) == builds.file_name();
    let id = target.file_name()?.to_str()?;
    (in_builds && is_id(id)).then(|| id.to_string())
}

/// Whether `name` is the name of a complete build.
fn is_id(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

/// The complete builds of `out`, latest first.
pub fn list(out: &Path) -> Result<Vec<Build>, Error> {
    let dir = builds_dir(out);
    let live = live_id(out);
    let mut builds = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(builds),
        Err(e) => return Err(io_err(&dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io_err(&dir))?;
        let Some(id) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if is_id(&id) && entry.path().is_dir() {
            builds.push(Build {
                live: live.as_deref() == Some(id.as_str()),
                path: entry.path(),
                id,
            });
        }
    }
    builds.sort_by_key(|b| std::cmp::Reverse(sequence(&b.id)));
    Ok(builds)
}

/// The number of a build id, or of a partial build folder's name.
fn sequence(name: &str) -> u64 {
    name.trim_end_matches(PARTIAL).parse().unwrap_or(0)
}

/// Makes the build `id` of `out` the live one (a rollback, or forward again), in one step.
pub fn switch(out: &Path, id: &str) -> Result<(), Error> {
    let dir = builds_dir(out);
    let _lock = Lock::take(&dir)?;
    let build = dir.join(id);
    if !is_id(id) || !build.is_dir() {
        return Err(Error::Io {
            path: build,
            source: io::ErrorKind::NotFound.into(),
        });
    }
    point(out, &dir, id)
}

/// An exclusive lock on the builds of an output, held while a build writes, so that two
/// builds of one output (`cms dev` and `cms build`) take turns instead of removing each
/// other's folders. The system releases it when the process ends, however it ends.
#[derive(Debug)]
struct Lock(#[allow(dead_code)] File);

impl Lock {
    fn take(builds: &Path) -> Result<Lock, Error> {
        std::fs::create_dir_all(builds).map_err(io_err(builds))?;
        let path = builds.join(LOCK);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            loop {
                // SAFETY: flock takes a file descriptor this function owns, and an integer.
                if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                    break;
                }
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(io_err(&path)(e));
                }
            }
        }
        Ok(Lock(file))
    }
}

/// A build being written into a new folder of the builds of an output.
#[derive(Debug)]
pub(crate) struct NewBuild {
    out: PathBuf,
    builds: PathBuf,
    id: String,
    /// The folder being written (`<id>.partial`).
    dir: PathBuf,
    /// The folder shown before this build, if any.
    base: Option<PathBuf>,
    /// Whether the folder was made live (else it is removed when dropped).
    done: bool,
    /// The thread removing old builds and leftovers.
    cleaning: Option<std::thread::JoinHandle<()>>,
    /// Whether the folder is flushed to disk before it is made live.
    pub(crate) durable: bool,
    _lock: Lock,
}

impl NewBuild {
    /// Takes the lock, removes what earlier builds left behind, and makes a new, empty
    /// build folder.
    pub fn begin(out: &Path) -> Result<NewBuild, Error> {
        let builds = builds_dir(out);
        let lock = Lock::take(&builds)?;
        // Room for this build; the old ones go while it renders (no reader sees them now).
        let doomed = to_remove(out, &builds, KEEP - 1)?;
        let mut next = std::fs::read_dir(&builds)
            .map_err(io_err(&builds))?
            .filter_map(|e| e.ok()?.file_name().to_str().map(sequence))
            .max()
            .unwrap_or(0)
            + 1;
        let (id, dir) = loop {
            let id = format!("{next:06}");
            let dir = builds.join(format!("{id}{PARTIAL}"));
            match std::fs::create_dir(&dir) {
                Ok(()) => break (id, dir),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => next += 1,
                Err(e) => return Err(io_err(&dir)(e)),
            }
        };
        let cleaning = std::thread::Builder::new()
            .name("cms-clean".into())
            .spawn(move || remove_all(&doomed))
            .map_err(io_err(&dir))?;
        Ok(NewBuild {
            cleaning: Some(cleaning),
            base: live_dir(out),
            out: out.to_path_buf(),
            builds,
            id,
            dir,
            done: false,
            durable: true,
            _lock: lock,
        })
    }

    /// The folder being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder shown before this build, whose unchanged files this one links.
    pub fn base(&self) -> Option<&Path> {
        self.base.as_deref()
    }

    /// Makes the build live: renamed complete and flushed to disk, then the link swapped in
    /// one step; then waits for the removal of the builds beyond [`KEEP`].
    pub fn finish(mut self) -> Result<(), Error> {
        kill_point("written");
        let done = self.builds.join(&self.id);
        std::fs::rename(&self.dir, &done).map_err(io_err(&done))?;
        self.dir = done;
        if self.durable {
            sync(&self.dir)?;
        }
        kill_point("renamed");
        point(&self.out, &self.builds, &self.id)?;
        self.done = true;
        kill_point("swapped");
        if let Some(t) = self.cleaning.take() {
            let _ = t.join();
        }
        Ok(())
    }
}

impl Drop for NewBuild {
    // A build that failed or panicked leaves no folder behind.
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        // Old builds half removed would stay for the next build to finish.
        if let Some(t) = self.cleaning.take() {
            let _ = t.join();
        }
    }
}

/// Where a preview records the files it wrote over the live build: their hashes in the
/// manifest are no longer theirs, so the next build writes them again.
pub(crate) const PREVIEWED: &str = ".cms/previewed";

/// Pages rendered alone over the live build (`cms dev`'s preview, which a full build follows):
/// written into a scratch folder, then each renamed over its file in the live build. The
/// renames are not one step, as the full build that follows is.
#[derive(Debug)]
pub(crate) struct Preview {
    /// The scratch folder.
    dir: PathBuf,
    /// The live build.
    live: PathBuf,
    _lock: Lock,
}

impl Preview {
    /// Takes the lock and makes a scratch folder.
    pub fn begin(out: &Path) -> Result<Preview, Error> {
        let builds = builds_dir(out);
        let lock = Lock::take(&builds)?;
        let live = match live_dir(out) {
            Some(d) => d,
            None => {
                std::fs::create_dir_all(out).map_err(io_err(out))?;
                out.to_path_buf()
            }
        };
        let dir = builds.join(format!(".preview-{}", std::process::id()));
        remove_any(&dir)?;
        std::fs::create_dir(&dir).map_err(io_err(&dir))?;
        Ok(Preview {
            dir,
            live,
            _lock: lock,
        })
    }

    /// The scratch folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Moves `files` (written in the scratch folder) into the live build. They are recorded
    /// first: a preview stopped halfway leaves no file the next build would trust.
    pub fn finish(self, files: &[String]) -> Result<(), Error> {
        let record = self.live.join(PREVIEWED);
        if let Some(p) = record.parent() {
            std::fs::create_dir_all(p).map_err(io_err(p))?;
        }
        {
            use std::io::Write as _;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&record)
                .map_err(io_err(&record))?;
            let lines: String = files.iter().map(|f| format!("{f}\n")).collect();
            f.write_all(lines.as_bytes()).map_err(io_err(&record))?;
        }
        for rel in files {
            let to = self.live.join(rel);
            if let Some(p) = to.parent() {
                std::fs::create_dir_all(p).map_err(io_err(p))?;
            }
            // A rename, never a write: the file may be shared with other builds.
            std::fs::rename(self.dir.join(rel), &to).map_err(io_err(&to))?;
        }
        Ok(())
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Points `out` at the build `id` with one `rename` of a new link over it; a real folder at
/// `out` (an older version's output) is exchanged with the link in one step, then removed.
fn point(out: &Path, builds: &Path, id: &str) -> Result<(), Error> {
    let tmp = builds.join(format!(".link-{}", std::process::id()));
    remove_any(&tmp)?;
    // Relative, so the output's parent folder can move.
    let target = Path::new(builds.file_name().unwrap_or_default()).join(id);
    symlink(&target, &tmp).map_err(io_err(&tmp))?;
    let real_dir = std::fs::symlink_metadata(out).is_ok_and(|m| m.is_dir());
    if real_dir {
        exchange(&tmp, out).map_err(io_err(out))?;
        kill_point("exchanged");
        // `tmp` is the old folder now.
        remove_any(&tmp)?;
    } else {
        std::fs::rename(&tmp, out).map_err(io_err(out))?;
    }
    // The new link survives a power loss once its folder's entry is on disk; until then the
    // old link, to a complete build, is what the disk holds.
    if let Ok(dir) = File::open(parent_of(out)) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// Swaps the entries `a` and `b` in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths that live until the call returns.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Without `renameat2`: the old folder moves aside first (readers briefly see no output).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let aside = a.with_extension("aside");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

/// Flushes the file system holding `dir` to disk, so that a power loss after the switch
/// finds the whole build (free on tmpfs).
fn sync(dir: &Path) -> Result<(), Error> {
    let f = File::open(dir).map_err(io_err(dir))?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs takes a file descriptor this function owns.
        if unsafe { libc::syncfs(f.as_raw_fd()) } != 0 {
            return Err(io_err(dir)(io::Error::last_os_error()));
        }
    }
    #[cfg(not(target_os = "linux"))]
    f.sync_all().map_err(io_err(dir))?;
    Ok(())
}

/// Removes a file, link or folder, if there is one.
fn remove_any(path: &Path) -> Result<(), Error> {
    let r = match std::fs::symlink_metadata(path) {
        Err(_) => return Ok(()),
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
    };
    match r {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(path)(e)),
        _ => Ok(()),
    }
}

/// What killed builds left (partial folders, links not swapped in, an old folder exchanged
/// but not removed, the staging folders of older versions) and the complete builds beyond the
/// `keep` latest (never the live one): the complete ones are renamed out of the list first,
/// so that removing them can take its time (see [`NewBuild::begin`]).
fn to_remove(out: &Path, builds: &Path, keep: usize) -> Result<Vec<PathBuf>, Error> {
    let name = name_of(out);
    let mut doomed = Vec::new();
    if let Ok(entries) = std::fs::read_dir(parent_of(out)) {
        let staging = format!(".{name}.staging-");
        let swapped = format!(".{name}.old");
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(&staging) || n == swapped {
                doomed.push(e.path());
            }
        }
    }
    for e in std::fs::read_dir(builds).map_err(io_err(builds))? {
        let e = e.map_err(io_err(builds))?;
        let n = e.file_name().to_string_lossy().into_owned();
        if n != LOCK && !is_id(&n) {
            doomed.push(e.path());
        }
    }
    let room = keep.saturating_sub(usize::from(live_id(out).is_some()));
    for old in list(out)?.into_iter().filter(|b| !b.live).skip(room) {
        let trash = builds.join(format!("{}.old", old.id));
        std::fs::rename(&old.path, &trash).map_err(io_err(&old.path))?;
        doomed.push(trash);
    }
    Ok(doomed)
}

/// Removes `paths`, as far as it can: what is left is removed by the next build.
fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        let _ = remove_any(p);
    }
}

/// A test's way to stop the process at a named point of the switch, as a SIGKILL would:
/// `CMS_KILL_AT=<name>` (`written`, `renamed`, `exchanged`, `swapped`).
fn kill_point(name: &str) {
    static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if AT
        .get_or_init(|| std::env::var("CMS_KILL_AT").ok())
        .as_deref()
        == Some(name)
    {
        // SAFETY: signals this process; nothing after it runs.
        #[cfg(unix)]
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(out: &Path, file: &str, text: &str) -> String {
        let b = NewBuild::begin(out).unwrap();
        std::fs::write(b.dir().join(file), text).unwrap();
        let id = b.id.clone();
        b.finish().unwrap();
        id
    }

    #[test]
    fn builds_are_flushed_unless_told_not_to() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let durable = NewBuild::begin(&out).unwrap();
        assert!(durable.durable, "a build is flushed to disk by default");
        drop(durable);
        let mut quick = NewBuild::begin(&out).unwrap();
        quick.durable = false;
        std::fs::write(quick.dir().join("a"), "1").unwrap();
        quick.finish().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "1");
    }

    #[test]
    fn each_build_is_a_folder_the_output_links_to() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = build(&out, "a", "1");
        assert!(std::fs::symlink_metadata(&out)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "1");
        let second = build(&out, "a", "2");
        assert!(second > first);
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "2");
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn the_last_builds_are_kept_and_the_link_switches_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let ids: Vec<String> = (0..5).map(|i| build(&out, "a", &i.to_string())).collect();
        let kept = list(&out).unwrap();
        assert_eq!(
            kept.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
            vec![ids[4].as_str(), ids[3].as_str(), ids[2].as_str()]
        );
        assert!(kept[0].live && !kept[1].live && !kept[2].live);
        switch(&out, &ids[2]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "2");
        assert!(list(&out).unwrap()[2].live);
        // The live build is kept, however old: the two latest others with it.
        build(&out, "a", "5");
        let kept: Vec<String> = list(&out).unwrap().into_iter().map(|b| b.id).collect();
        assert_eq!(kept.len(), KEEP);
        assert!(switch(&out, "999999").is_err());
        assert!(switch(&out, &ids[0]).is_err(), "removed");
    }

    #[test]
    fn a_real_output_folder_is_exchanged_for_the_link() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("old")).unwrap();
        std::fs::write(out.join("old/a"), "old").unwrap();
        assert_eq!(live_dir(&out).as_deref(), Some(out.as_path()));
        build(&out, "b", "new");
        assert!(!out.join("old").exists());
        assert_eq!(std::fs::read_to_string(out.join("b")).unwrap(), "new");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
    }

    #[test]
    fn leftovers_of_killed_builds_go_and_a_failed_build_leaves_none() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build(&out, "a", "1");
        let builds = builds_dir(&out);
        std::fs::create_dir_all(builds.join("000007.partial/x")).unwrap();
        symlink(Path::new("000001"), &builds.join(".link-1")).unwrap();
        std::fs::create_dir_all(tmp.path().join(".public.staging-42/sites")).unwrap();
        {
            let failed = NewBuild::begin(&out).unwrap();
            std::fs::write(failed.dir().join("a"), "half").unwrap();
        }
        let mut left: Vec<String> = std::fs::read_dir(&builds)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec![".lock", "000001"]);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "1");
    }
}
