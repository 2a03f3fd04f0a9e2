//! A circuit breaker in front of Redis: after a run of failures it stops
//! calling Redis for a cool-down, so a dead or stalled server costs each
//! request nothing instead of a timeout; then it lets one probe through
//! and closes again when the probe succeeds.
//!
//! States (Nygard, *Release It!*, ch. 5): closed (calls go through,
//! consecutive failures counted), open (calls refused until the cool-down
//! ends), half-open (one call at a time is the probe). Lock-free: one
//! atomic word holds the state, another the time the breaker opened.

use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The breaker's state, as `/metrics` shows it (`catalog_redis_breaker_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}

impl BreakerState {
    fn from_u8(v: u8) -> Self {
        match v {
            1 => BreakerState::Open,
            2 => BreakerState::HalfOpen,
            _ => BreakerState::Closed,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct Breaker {
    state: AtomicU8,
    failures: AtomicU32,
    /// Nanoseconds after `epoch` at which the breaker last opened.
    opened_at: AtomicU64,
    /// Whether a half-open probe is in flight.
    probing: AtomicU8,
    threshold: u32,
    cooldown: Duration,
    epoch: Instant,
    /// Times the breaker opened.
    opened: AtomicU64,
}

/// Permission to make one call; say how it went with [`Breaker::record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    Call,
    Probe,
}

impl Breaker {
    /// A closed breaker that opens after `threshold` consecutive failures
    /// and stays open for `cooldown`.
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        Breaker {
            state: AtomicU8::new(BreakerState::Closed as u8),
            failures: AtomicU32::new(0),
            opened_at: AtomicU64::new(0),
            probing: AtomicU8::new(0),
            threshold: threshold.max(1),
            cooldown,
            epoch: Instant::now(),
            opened: AtomicU64::new(0),
        }
    }

    pub fn state(&self) -> BreakerState {
        BreakerState::from_u8(self.state.load(Ordering::Acquire))
    }

    /// Times the breaker has opened since it was made.
    pub fn times_opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// Whether a call may go to Redis now, and as what.
    pub fn allow(&self) -> Option<Permit> {
        match self.state() {
            BreakerState::Closed => Some(Permit::Call),
            BreakerState::Open => {
                let since = self
                    .now()
                    .saturating_sub(self.opened_at.load(Ordering::Acquire));
                if since < self.cooldown.as_nanos() as u64 {
                    return None;
                }
                let _ = self.state.compare_exchange(
                    BreakerState::Open as u8,
                    BreakerState::HalfOpen as u8,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
                self.probe()
            }
            BreakerState::HalfOpen => self.probe(),
        }
    }

    fn probe(&self) -> Option<Permit> {
        self.probing
            .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| Permit::Probe)
    }

    /// How the permitted call went.
    pub fn record(&self, permit: Permit, ok: bool) {
        if ok {
            self.failures.store(0, Ordering::Release);
            if permit == Permit::Probe {
                self.state
                    .store(BreakerState::Closed as u8, Ordering::Release);
                self.probing.store(0, Ordering::Release);
            }
            return;
        }
        match permit {
            Permit::Probe => {
                self.trip();
                self.probing.store(0, Ordering::Release);
            }
            Permit::Call => {
                let n = self.failures.fetch_add(1, Ordering::AcqRel) + 1;
                if n >= self.threshold {
                    self.trip();
                }
            }
        }
    }

    fn trip(&self) {
        self.opened_at.store(self.now(), Ordering::Release);
        let was = self.state.swap(BreakerState::Open as u8, Ordering::AcqRel);
        if was != BreakerState::Open as u8 {
            self.opened.fetch_add(1, Ordering::Relaxed);
        }
        self.failures.store(0, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_refuses_during_the_cooldown() {
        let b = Breaker::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            let p = b.allow().unwrap();
            b.record(p, false);
        }
        assert_eq!(b.state(), BreakerState::Closed);
        let p = b.allow().unwrap();
        b.record(p, false);
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.allow(), None);
        assert_eq!(b.times_opened(), 1);
    }

    #[test]
    fn a_success_resets_the_run_of_failures() {
        let b = Breaker::new(2, Duration::from_secs(60));
        b.record(Permit::Call, false);
        b.record(Permit::Call, true);
        b.record(Permit::Call, false);
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn after_the_cooldown_one_probe_decides() {
        let b = Breaker::new(1, Duration::ZERO);
        b.record(Permit::Call, false);
        assert_eq!(b.state(), BreakerState::Open);
        let probe = b.allow();
        assert_eq!(probe, Some(Permit::Probe));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        // A second caller while the probe is out is refused.
        assert_eq!(b.allow(), None);
        b.record(Permit::Probe, false);
        assert_eq!(b.state(), BreakerState::Open);
        let probe = b.allow().unwrap();
        b.record(probe, true);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.allow(), Some(Permit::Call));
    }
}
