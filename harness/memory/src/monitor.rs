//! A memory monitor for a long-running worker: an RSS ceiling, and leak
//! detection on a sliding window of recent samples.
//!
//! The worker calls [`MemoryMonitor::record`] after each job (or every n-th)
//! with a [`MemorySample`]; it gets an [`Alert`] back when a condition
//! starts, and nothing while it lasts:
//!
//! - [`Alert::RssOverLimit`] when RSS goes above `rss_limit_bytes`. It clears
//!   once RSS falls below [`RSS_CLEAR_FRACTION`] of the limit, so a worker
//!   hovering at the limit does not raise it on every other job.
//! - [`Alert::Leaking`] when [`crate::leak::judge_points`], run over the last
//!   `window` samples with `min_slope = max_growth_per_iter`, says
//!   [`LeakVerdict::Leaks`]: the same rule as the leak gate, so a bench and a
//!   production worker agree on what a leak is. Drift is not judged here (a
//!   window sliding over a long run sees every step as drift; the RSS limit
//!   covers absolute growth). The verdict must hold for half a window of
//!   consecutive samples ([`LEAK_CONFIRM_DIVISOR`]) before the alert is
//!   raised: the rule is tested after every sample, and over hundreds of
//!   tests a flat but noisy series will show a chance "leaks" now and then
//!   (it did in this module's tests, about once in 500 samples), which does
//!   not last, while a real leak does. It clears when the window's fitted
//!   slope falls below `max_growth_per_iter`: raising needs the interval's
//!   lower bound above it, clearing only the estimate below it, and the gap
//!   between the two keeps a borderline series from flapping.
//!
//! The first `warmup` samples are not put into the leak windows (start-up
//! fills caches); the RSS limit applies from the first sample. At most one
//! alert comes back per call: when two conditions start on the same sample,
//! the second is returned by the next call if it still holds.
//!
//! What it does not do: sample memory itself (see [`MemorySample::read`]),
//! log, or export metrics; the caller does that with the alerts and with
//! [`MemoryMonitor::verdict`].

use crate::counting::HeapSnapshot;
use crate::leak::{LeakRule, LeakVerdict, MIN_JUDGE_POINTS, format_bytes, judge_points};
use crate::{MemoryError, rss};
use std::collections::VecDeque;
use std::fmt;

/// An RSS alert clears when RSS is below this fraction of the limit.
pub const RSS_CLEAR_FRACTION: f64 = 0.95;

/// A leak alert needs the window's verdict to be "leaks" on this fraction
/// (1/n) of a window's worth of consecutive samples. Judging after every
/// sample is hundreds of tests over a worker's life; a single chance
/// "leaks" is then near certain on flat memory, while a real leak keeps
/// saying so (see the module docs).
pub const LEAK_CONFIRM_DIVISOR: usize = 2;

/// Window slots reserved up front; a larger window grows as samples come.
const MAX_RESERVED_WINDOW: usize = 4096;

/// What a [`MemoryMonitor`] watches for. `None` turns a check off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonitorConfig {
    /// Alert when RSS goes above this many bytes.
    pub rss_limit_bytes: Option<u64>,
    /// Alert when RSS or the live heap grows faster than this many bytes per
    /// iteration (by the leak rule's 95% lower bound).
    pub max_growth_per_iter: Option<f64>,
    /// Samples in the sliding window the leak rule judges; at least
    /// [`MIN_JUDGE_POINTS`] when `max_growth_per_iter` is set.
    pub window: usize,
    /// Samples at the start kept out of the leak windows.
    pub warmup: usize,
}

/// Memory at one iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemorySample {
    pub rss_bytes: u64,
    /// Live heap bytes from a [`crate::counting::CountingAlloc`]; `None` when
    /// the worker does not count its heap (then only RSS is judged).
    pub live_heap_bytes: Option<u64>,
}

impl MemorySample {
    /// This process's RSS now, with the live heap from `heap` if given.
    pub fn read(heap: Option<&HeapSnapshot>) -> Result<Self, MemoryError> {
        Ok(MemorySample {
            rss_bytes: rss::current_rss_bytes()?,
            live_heap_bytes: heap.map(|h| h.live_bytes),
        })
    }
}

/// Which memory series a leak alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Series {
    Rss,
    LiveHeap,
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Series::Rss => "RSS",
            Series::LiveHeap => "live heap",
        })
    }
}

/// A condition that has just started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alert {
    /// RSS is above the configured limit.
    RssOverLimit { rss: u64, limit: u64 },
    /// A series leaks over the recent window; `verdict` is a
    /// [`LeakVerdict::Leaks`].
    Leaking { which: Series, verdict: LeakVerdict },
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Alert::RssOverLimit { rss, limit } => write!(
                f,
                "RSS {} is over the limit of {}",
                format_bytes(*rss as f64),
                format_bytes(*limit as f64)
            ),
            Alert::Leaking { which, verdict } => write!(f, "{which} {verdict}"),
        }
    }
}

/// Watches memory samples of a running worker; see the module docs.
#[derive(Debug, Clone)]
pub struct MemoryMonitor {
    config: MonitorConfig,
    rule: Option<LeakRule>,
    recorded: u64,
    rss: VecDeque<(f64, f64)>,
    heap: VecDeque<(f64, f64)>,
    over_limit: bool,
    leaking_rss: bool,
    leaking_heap: bool,
    /// Consecutive samples whose window verdict was "leaks", per series.
    streak_rss: usize,
    streak_heap: usize,
}

impl MemoryMonitor {
    /// A monitor with no samples yet. Fails, naming the setting, when the
    /// growth limit is not a finite number >= 0 or the window is too small
    /// for the leak rule to ever judge.
    pub fn new(config: MonitorConfig) -> Result<Self, MemoryError> {
        let rule = match config.max_growth_per_iter {
            None => None,
            Some(min_slope) => {
                let rule = LeakRule {
                    warmup: 0,
                    min_slope,
                    max_drift_pct: f64::INFINITY,
                };
                rule.check().map_err(|_| MemoryError::Config {
                    field: "max_growth_per_iter",
                    problem: format!("{min_slope} is not a finite number >= 0"),
                })?;
                if config.window < MIN_JUDGE_POINTS {
                    return Err(MemoryError::Config {
                        field: "window",
                        problem: format!(
                            "{} samples are too few to judge growth (at least {MIN_JUDGE_POINTS})",
                            config.window
                        ),
                    });
                }
                Some(rule)
            }
        };
        // Reserve only what a window with leak detection on will hold, and
        // not an absurd `window` up front: the deques grow as needed.
        let reserve = if rule.is_some() {
            config.window.min(MAX_RESERVED_WINDOW)
        } else {
            0
        };
        Ok(MemoryMonitor {
            config,
            rule,
            recorded: 0,
            rss: VecDeque::with_capacity(reserve),
            heap: VecDeque::with_capacity(reserve),
            over_limit: false,
            leaking_rss: false,
            leaking_heap: false,
            streak_rss: 0,
            streak_heap: 0,
        })
    }

    /// Records the sample taken after `iteration` and returns the alert that
    /// starts with it, if any.
    pub fn record(&mut self, iteration: u64, sample: MemorySample) -> Option<Alert> {
        self.recorded += 1;
        if self.rule.is_some() && self.recorded > self.config.warmup as u64 {
            let x = iteration as f64;
            push(
                &mut self.rss,
                self.config.window,
                (x, sample.rss_bytes as f64),
            );
            if let Some(heap) = sample.live_heap_bytes {
                push(&mut self.heap, self.config.window, (x, heap as f64));
            }
        }

        let mut raise_rss = None;
        if let Some(limit) = self.config.rss_limit_bytes {
            if sample.rss_bytes > limit {
                raise_rss = (!self.over_limit).then_some(limit);
            } else if (sample.rss_bytes as f64) < limit as f64 * RSS_CLEAR_FRACTION {
                self.over_limit = false;
            }
        }
        let rss_verdict = self.verdict(Series::Rss);
        let heap_verdict = self.verdict(Series::LiveHeap);
        let min_slope = self.rule.map_or(f64::INFINITY, |r| r.min_slope);
        for (leaking, streak, verdict) in [
            (&mut self.leaking_rss, &mut self.streak_rss, rss_verdict),
            (&mut self.leaking_heap, &mut self.streak_heap, heap_verdict),
        ] {
            *streak = if verdict.is_leak() { *streak + 1 } else { 0 };
            if let LeakVerdict::Flat { slope, .. } = verdict
                && slope < min_slope
            {
                *leaking = false;
            }
        }

        if let Some(limit) = raise_rss {
            self.over_limit = true;
            return Some(Alert::RssOverLimit {
                rss: sample.rss_bytes,
                limit,
            });
        }
        let confirm = (self.config.window / LEAK_CONFIRM_DIVISOR).max(1);
        for (which, leaking, streak, verdict) in [
            (
                Series::Rss,
                &mut self.leaking_rss,
                self.streak_rss,
                rss_verdict,
            ),
            (
                Series::LiveHeap,
                &mut self.leaking_heap,
                self.streak_heap,
                heap_verdict,
            ),
        ] {
            if streak >= confirm && !*leaking {
                *leaking = true;
                return Some(Alert::Leaking { which, verdict });
            }
        }
        None
    }

    /// The leak rule's verdict on the current window of a series:
    /// [`LeakVerdict::NotEnoughData`] until the window is full, or always when
    /// leak detection is off.
    pub fn verdict(&self, which: Series) -> LeakVerdict {
        let window = match which {
            Series::Rss => &self.rss,
            Series::LiveHeap => &self.heap,
        };
        match self.rule {
            Some(rule) if window.len() == self.config.window => {
                let points: Vec<(f64, f64)> = window.iter().copied().collect();
                judge_points(&rule, &points)
            }
            _ => LeakVerdict::NotEnoughData {
                points: window.len(),
                needed: self.config.window.max(MIN_JUDGE_POINTS),
            },
        }
    }

    /// Whether an RSS alert is raised and not yet cleared.
    pub fn rss_over_limit(&self) -> bool {
        self.over_limit
    }

    /// Whether a leak alert for `which` is raised and not yet cleared.
    pub fn leaking(&self, which: Series) -> bool {
        match which {
            Series::Rss => self.leaking_rss,
            Series::LiveHeap => self.leaking_heap,
        }
    }
}

fn push(window: &mut VecDeque<(f64, f64)>, cap: usize, point: (f64, f64)) {
    if window.len() == cap {
        window.pop_front();
    }
    window.push_back(point);
}

#[cfg(test)]
mod tests;
