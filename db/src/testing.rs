//! Databases for tests (feature `testing`): a throw-away PostgreSQL server (Debian's package,
//! installed by `scripts/pg-setup`) on a free loopback port, and fresh SQLite files, so that one
//! test body runs against both backends:
//!
//! ```no_run
//! # async fn t() -> Result<(), db::DbError> {
//! for backend in db::testing::backends().await {
//!     let db = db::Db::open(&backend.url).await?;
//!     // … the same assertions for SQLite and PostgreSQL, `backend.name` in messages
//! }
//! # Ok(())
//! # }
//! ```

use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::chown;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What to do when PostgreSQL is missing.
const SETUP_HINT: &str = "run scripts/pg-setup (installs Debian's postgresql)";

/// A PostgreSQL server of its own (a new cluster in a temporary folder, fsync off), stopped and
/// deleted on drop.
#[derive(Debug)]
pub struct PgServer {
    child: Child,
    port: u16,
    // Dropped after the server is stopped (fields drop after `Drop::drop`).
    dir: tempfile::TempDir,
}

/// The newest `/usr/lib/postgresql/<major>/bin`.
fn pg_bin() -> Result<PathBuf, String> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("PostgreSQL not found in /usr/lib/postgresql ({e}): {SETUP_HINT}"))?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").exists().then_some((major, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| format!("no PostgreSQL server in /usr/lib/postgresql: {SETUP_HINT}"))
}

/// The uid and gid of the `postgres` system user (from `/etc/passwd`).
fn postgres_user() -> Result<(u32, u32), String> {
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| format!("/etc/passwd: {e}"))?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&"postgres") && fields.len() > 3)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
        .ok_or_else(|| format!("no postgres system user: {SETUP_HINT}"))
}

/// A command that runs as `postgres` when this process is root (PostgreSQL refuses root).
fn command(program: PathBuf, user: Option<(u32, u32)>) -> Command {
    let mut cmd = Command::new(program);
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
    }
    cmd.env_remove("PGDATA").env("LC_ALL", "C");
    cmd
}

/// A free loopback port (free when asked; the server's start is retried if it is taken since).
fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

impl PgServer {
    /// A new cluster (`initdb`) in a temporary folder, served by `postgres` on a free loopback
    /// port with its socket in that folder; ready when this returns.
    pub fn start() -> Result<PgServer, String> {
        let bin = pg_bin()?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        let user = if root { Some(postgres_user()?) } else { None };
        let dir = tempfile::Builder::new()
            .prefix("cms-pg-")
            .tempdir()
            .map_err(|e| format!("temporary folder: {e}"))?;
        if let Some((uid, gid)) = user {
            chown(dir.path(), Some(uid), Some(gid)).map_err(|e| format!("chown: {e}"))?;
        }
        let data = dir.path().join("data");
        let out = command(bin.join("initdb"), user)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg("-D")
            .arg(&data)
            .output()
            .map_err(|e| format!("initdb: {e}: {SETUP_HINT}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let mut last_error = String::new();
        for _ in 0..3 {
            match Self::serve(&bin, user, dir.path(), &data) {
                Ok((child, port)) => return Ok(PgServer { child, port, dir }),
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }

    /// Starts `postgres` on a free port and waits until it accepts connections.
    fn serve(
        bin: &Path,
        user: Option<(u32, u32)>,
        dir: &Path,
        data: &Path,
    ) -> Result<(Child, u16), String> {
        let port = free_port()?;
        let log = std::fs::File::create(dir.join("postgres.log"))
            .map_err(|e| format!("postgres.log: {e}"))?;
        let mut child = command(bin.join("postgres"), user)
            .arg("-D")
            .arg(data)
            .arg("-k")
            .arg(dir)
            .args(["-p", &port.to_string(), "-h", "127.0.0.1"])
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=200"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("postgres: {e}: {SETUP_HINT}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
                return Err(format!("postgres exited ({status}): {log}"));
            }
            let ready = command(bin.join("pg_isready"), None)
                .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok((child, port));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err("postgres did not start within 30 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's loopback port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its folder: the cluster (`data/`), the socket and `postgres.log`.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The URL of its `postgres` database (user `postgres`, no password).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        // SIGQUIT: immediate shutdown; the cluster is deleted anyway. The pid is our child's.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill takes plain integers; the pid is our unreaped child's.
            unsafe { libc::kill(pid, libc::SIGQUIT) };
        }
        let _ = self.child.wait();
    }
}

/// One backend for a test: its name (`sqlite` or `postgres`), a URL of a new empty database,
/// and what keeps it alive (drop it after the test).
#[derive(Debug)]
pub struct Backend {
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    /// `sqlite:PATH?mode=rwc` or `postgres://…`.
    pub url: String,
    /// The PostgreSQL server, for `postgres`.
    pub server: Option<PgServer>,
    /// The folder of the SQLite file, for `sqlite`.
    pub dir: Option<tempfile::TempDir>,
}

/// A new SQLite database file in a temporary folder.
pub fn sqlite() -> Result<Backend, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
    let url = format!(
        "sqlite:{}?mode=rwc",
        dir.path().join("cms.sqlite3").display()
    );
    Ok(Backend {
        name: "sqlite",
        url,
        server: None,
        dir: Some(dir),
    })
}

/// A new PostgreSQL server (see [`PgServer::start`]).
pub fn postgres() -> Result<Backend, String> {
    let server = PgServer::start()?;
    Ok(Backend {
        name: "postgres",
        url: server.url(),
        server: Some(server),
        dir: None,
    })
}

/// Both backends, each fresh: SQLite, then PostgreSQL. Panics (failing the test) with the
/// setup hint when PostgreSQL cannot start: a missing tool never skips a test silently.
pub async fn backends() -> Vec<Backend> {
    let pg = tokio::task::spawn_blocking(postgres).await;
    let pg = match pg {
        Ok(Ok(pg)) => pg,
        Ok(Err(e)) => panic!("PostgreSQL for the tests: {e}"),
        Err(e) => panic!("PostgreSQL for the tests: {e}"),
    };
    match sqlite() {
        Ok(lite) => vec![lite, pg],
        Err(e) => panic!("SQLite for the tests: {e}"),
    }
}
