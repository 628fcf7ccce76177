//! Searches allowed per client address: a burst, then a steady rate (governor's GCRA, which
//! is a token bucket by another name), one state per address.
//!
//! The states of addresses that have gone quiet are forgotten every [`SWEEP_EVERY`] checks,
//! so the memory held follows the addresses active in the last few seconds, not every
//! address ever seen.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;

/// Every this many checks, the states indistinguishable from a fresh one are dropped.
pub const SWEEP_EVERY: u64 = 1024;

/// governor's limiter with one state per address.
type Keyed<C> = governor::RateLimiter<
    IpAddr,
    DashMapStateStore<IpAddr>,
    C,
    NoOpMiddleware<<C as Clock>::Instant>,
>;

/// Requests allowed per client address.
#[derive(Debug)]
pub struct RateLimiter<C: Clock = DefaultClock> {
    /// `None`: no limit.
    inner: Option<Keyed<C>>,
    clock: C,
    checks: AtomicU64,
}

impl RateLimiter {
    /// `per_second` requests a second after a burst of `burst`; 0 (or less, or not a number)
    /// turns the limit off.
    pub fn new(per_second: f64, burst: f64) -> RateLimiter {
        RateLimiter::with_clock(per_second, burst, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    /// [`RateLimiter::new`] on the time of `clock` (tests move a fake clock by hand).
    pub fn with_clock(per_second: f64, burst: f64, clock: C) -> RateLimiter<C> {
        let inner = quota(per_second, burst)
            .map(|q| governor::RateLimiter::new(q, DashMapStateStore::default(), clock.clone()));
        RateLimiter {
            inner,
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// Whether the limit is on.
    pub fn enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// Takes one request for `ip`: `Ok` or `Err(how long to wait)`.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.inner else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        limiter
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets the addresses whose state is the same as a fresh one (their bucket has filled
    /// up again), and gives back the memory they held.
    pub fn sweep(&self) {
        if let Some(limiter) = &self.inner {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// The addresses whose state is kept now.
    pub fn tracked(&self) -> usize {
        self.inner.as_ref().map_or(0, |l| l.len())
    }
}

/// One request every `1 / per_second` seconds, after a burst of `burst` (at least 1); `None`
/// when the limit is off or the rate cannot be expressed.
fn quota(per_second: f64, burst: f64) -> Option<Quota> {
    if !(per_second.is_finite() && per_second > 0.0) {
        return None;
    }
    let period = Duration::try_from_secs_f64(1.0 / per_second).ok()?;
    // A rate above a billion a second rounds to a zero period: effectively no limit.
    let quota = Quota::with_period(period)?;
    let burst = burst.clamp(1.0, f64::from(u32::MAX)) as u32;
    Some(quota.allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn a_burst_then_the_steady_rate() {
        let clock = FakeRelativeClock::default();
        let l = RateLimiter::with_clock(2.0, 3.0, clock.clone());
        for _ in 0..3 {
            assert!(l.check(ip(1)).is_ok());
        }
        let wait = l.check(ip(1)).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        assert!(l.check(ip(2)).is_ok(), "each address has its own bucket");
        clock.advance(Duration::from_millis(600));
        assert!(l.check(ip(1)).is_ok(), "one more after half a second");
        assert!(l.check(ip(1)).is_err());
    }

    #[test]
    fn zero_turns_it_off() {
        for rate in [0.0, -1.0, f64::NAN] {
            let l = RateLimiter::new(rate, 1.0);
            assert!(!l.enabled());
            for _ in 0..100 {
                assert!(l.check(ip(1)).is_ok());
            }
            assert_eq!(l.tracked(), 0);
        }
        assert!(RateLimiter::new(0.5, 0.0).enabled());
    }

    #[test]
    fn idle_addresses_are_forgotten() {
        let clock = FakeRelativeClock::default();
        let l = RateLimiter::with_clock(10.0, 30.0, clock.clone());
        for i in 0..200u32 {
            assert!(l
                .check(IpAddr::from((0x0a00_0000 + i).to_be_bytes()))
                .is_ok());
        }
        assert_eq!(l.tracked(), 200);
        // Still within the time their buckets take to fill up: kept.
        l.sweep();
        assert_eq!(l.tracked(), 200, "recent addresses are kept");
        // After the time the bucket takes to fill up again, they are the same as new ones.
        clock.advance(Duration::from_secs(5));
        assert!(l.check(ip(1)).is_ok());
        l.sweep();
        assert_eq!(l.tracked(), 1, "only the address seen since is kept");
    }

    #[test]
    fn checks_sweep_on_their_own() {
        let clock = FakeRelativeClock::default();
        let l = RateLimiter::with_clock(10.0, 30.0, clock.clone());
        for i in 0..500u32 {
            let _ = l.check(IpAddr::from((0x0a00_0000 + i).to_be_bytes()));
        }
        clock.advance(Duration::from_secs(10));
        // One address keeps asking: within SWEEP_EVERY checks the idle ones go.
        for _ in 0..SWEEP_EVERY {
            let _ = l.check(ip(1));
        }
        assert_eq!(l.tracked(), 1);
    }
}
