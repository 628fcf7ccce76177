//! The time the database works with: the system clock, which tests may move forward (sessions
//! expiring, lockouts ending) without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Seconds since the epoch, plus an offset shared by every clone of a [`crate::Db`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Now, seconds since the epoch.
    pub(crate) fn now(&self) -> i64 {
        // A clock before 1970 is not a case to handle: count it as the epoch.
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        system + self.offset.load(Ordering::Relaxed)
    }

    /// Moves this clock (and its clones') forward by `secs`.
    #[cfg(feature = "testing")]
    pub(crate) fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }
}
