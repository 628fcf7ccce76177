//! Scheduled publishing (`publish_at`, `unpublish_at`): a page is in the build only inside
//! its window, against the build's "now" in Vietnam time (UTC+7), which is
//! `SOURCE_DATE_EPOCH`'s for a reproducible build, else the clock's.

use chrono::NaiveDateTime;

use crate::model::Network;
use crate::source::Listing;
use crate::value::parse_date;

/// Vietnam's offset from UTC, in seconds (no daylight saving time).
const VIETNAM_OFFSET: i64 = 7 * 3600;

/// A page that has a publishing window, visible now or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// Its file, relative to the content root (`sites/<site>/<path>.md`).
    pub file: String,
    /// Left out before this time.
    pub publish_at: Option<NaiveDateTime>,
    /// Left out from this time on.
    pub unpublish_at: Option<NaiveDateTime>,
}

impl Scheduled {
    /// Whether the page is inside its window at `now`.
    pub fn visible_at(&self, now: NaiveDateTime) -> bool {
        self.publish_at.is_none_or(|t| t <= now) && self.unpublish_at.is_none_or(|t| now < t)
    }
}

/// The time in Vietnam `secs` seconds after the epoch.
pub fn vietnam_time(secs: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp(secs.checked_add(VIETNAM_OFFSET)?, 0).map(|d| d.naive_utc())
}

/// Seconds since the epoch of a time in Vietnam (the inverse of [`vietnam_time`]).
pub fn epoch_of_vietnam_time(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp() - VIETNAM_OFFSET
}

/// The build's "now" in Vietnam: `SOURCE_DATE_EPOCH` (seconds) when it is set, else the
/// clock. An unreadable `SOURCE_DATE_EPOCH` is an error naming it.
pub fn build_now() -> Result<NaiveDateTime, String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("SOURCE_DATE_EPOCH={v} is not a number of seconds"))?,
        Err(_) => clock_secs(),
    };
    vietnam_time(secs).ok_or_else(|| format!("SOURCE_DATE_EPOCH={secs} is out of range"))
}

/// Seconds since the epoch by the clock (0 before it, which no clock here is).
fn clock_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The soonest `publish_at` or `unpublish_at` of the network's pages after `now`: when the
/// next build must run for the site to change by itself. `None` when nothing is scheduled.
pub fn next_schedule_change(network: &Network, now: NaiveDateTime) -> Option<NaiveDateTime> {
    network
        .scheduled
        .iter()
        .flat_map(|s| [s.publish_at, s.unpublish_at])
        .flatten()
        .filter(|t| *t > now)
        .min()
}

/// Which pages of `listing` are inside their window at `now`, as text: cheap (a scan of the
/// lines of the files that name `publish_at`/`unpublish_at`, no parsing), for a build's
/// "nothing changed" shortcut, which must not skip a build when a page enters or leaves its
/// window. A line that only looks like a field changes the text more often, never less.
pub fn schedule_fingerprint(listing: &Listing, now: NaiveDateTime) -> String {
    let mut out = String::new();
    for f in listing.files.iter().filter(|f| f.rel.ends_with(".md")) {
        let Ok(bytes) = f.data.read() else { continue };
        if memchr_publish(&bytes) {
            for (key, t) in window_lines(&String::from_utf8_lossy(&bytes)) {
                let passed = t.is_some_and(|t| t <= now);
                out.push_str(&format!("{} {key} {passed}\n", f.rel));
            }
        }
    }
    out
}

/// Whether the bytes hold `publish_at` (which `unpublish_at` holds too).
fn memchr_publish(bytes: &[u8]) -> bool {
    bytes.windows(10).any(|w| w == b"publish_at")
}

/// The `publish_at`/`unpublish_at` lines of a front matter and their times (`None`: not a
/// date, which the load reports).
fn window_lines(text: &str) -> Vec<(&'static str, Option<NaiveDateTime>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        for key in ["publish_at", "unpublish_at"] {
            let Some(rest) = line.strip_prefix(key) else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(value) = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':')) else {
                continue;
            };
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            out.push((key, parse_date(value)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        parse_date(s).unwrap()
    }

    #[test]
    fn windows_include_their_start_and_exclude_their_end() {
        let s = Scheduled {
            file: "a.md".into(),
            publish_at: Some(at("2026-01-01T08:00")),
            unpublish_at: Some(at("2026-01-02")),
        };
        assert!(!s.visible_at(at("2026-01-01T07:59:59")));
        assert!(s.visible_at(at("2026-01-01T08:00")));
        assert!(s.visible_at(at("2026-01-01T23:59")));
        assert!(!s.visible_at(at("2026-01-02")));
    }

    #[test]
    fn vietnam_time_is_seven_hours_ahead() {
        // 2026-01-01T00:00:00Z
        let t = vietnam_time(1_767_225_600).unwrap();
        assert_eq!(t, at("2026-01-01T07:00"));
        assert_eq!(epoch_of_vietnam_time(t), 1_767_225_600);
    }

    #[test]
    fn window_lines_read_both_syntaxes() {
        let toml = "+++\ntitle = \"A\"\npublish_at = 2026-01-01T08:00:00\nunpublish_at = \"2026-02-01\"\n+++\n";
        let yaml = "---\ntitle: A\npublish_at: '2026-01-01 08:00'\n---\n";
        assert_eq!(
            window_lines(toml),
            [
                ("publish_at", Some(at("2026-01-01T08:00"))),
                ("unpublish_at", Some(at("2026-02-01")))
            ]
        );
        assert_eq!(
            window_lines(yaml),
            [("publish_at", Some(at("2026-01-01T08:00")))]
        );
    }
}
