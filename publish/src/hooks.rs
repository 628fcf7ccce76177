//! Test hooks: stop the process at a named step of a publish, or after a number of object
//! operations, as a SIGKILL would (`CMS_KILL_AT=<step>` or `CMS_KILL_AT=op:<n>`), and slow each
//! operation down (`CMS_PUBLISH_OP_DELAY_MS`) so that kills after timed delays land midway.
//! Unset, they cost one comparison.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

fn kill_at() -> Option<&'static str> {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    AT.get_or_init(|| std::env::var("CMS_KILL_AT").ok())
        .as_deref()
}

fn die() {
    // SAFETY: signals this process; nothing after it runs.
    #[cfg(unix)]
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
    std::process::abort();
}

/// Stops the process here when `CMS_KILL_AT` names `step` (`pending`, `assets`, `pages`,
/// `switched`, `deleted`).
pub fn step(step: &str) {
    if kill_at() == Some(step) {
        die();
    }
}

/// Counts one object operation done; stops the process after the `n`th when
/// `CMS_KILL_AT=op:<n>`. Waits `CMS_PUBLISH_OP_DELAY_MS` first, when set.
pub async fn op_done() {
    static DELAY: OnceLock<Option<Duration>> = OnceLock::new();
    static DONE: AtomicU64 = AtomicU64::new(0);
    let delay = DELAY.get_or_init(|| {
        std::env::var("CMS_PUBLISH_OP_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis)
    });
    if let Some(d) = delay {
        tokio::time::sleep(*d).await;
    }
    let n = DONE.fetch_add(1, Ordering::SeqCst) + 1;
    if let Some(at) = kill_at().and_then(|a| a.strip_prefix("op:")) {
        if at.parse::<u64>().ok() == Some(n) {
            die();
        }
    }
}
