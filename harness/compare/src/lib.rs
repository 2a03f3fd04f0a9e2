//! perflab's statistics and comparisons: verdicts between a baseline and a
//! current run, and speedups between variants of one run. Pure functions.
//!
//! - [`compare_measurement`] compares one metric of one benchmark. Deterministic
//!   counters (instructions, allocations) are compared exactly against a soft
//!   (relative) and a hard (absolute) limit. Noisy metrics (wall time, latency)
//!   regress only when a whole confidence interval on the ratio `new / old`
//!   lies beyond a threshold: the larger of a minimum effect size and the
//!   benchmark's history noise band (rustc-perf's Q3 + 3·IQR).
//! - [`compare_runs`] joins two runs on key; every key appears exactly once.
//! - [`speedups`] compares two variants (e.g. `naive` vs `optimized`);
//!   [`variant_speedups`] every variant of each scenario with its reference
//!   ([`ScenarioVariants`]: declared order, else `naive` first).
//! - [`leak`] judges one memory series sampled once per iteration: growth
//!   fitted by least squares with a Student-t interval, and a typed verdict
//!   (leaks, flat, drifts, not enough data) from a [`LeakRule`]. The gate
//!   applies it to a run's growth series, perflab-memory's runtime monitor
//!   to a sliding window, so both agree on what a leak is.
//! - [`stats`] holds the underlying statistics and their named constants.
//!
//! Results are typed ([`Verdict`], [`Reason`], [`Exceeded`], [`Evidence`]) and
//! say what they rest on ([`Basis`]). This crate reads no files, runs no
//! processes and reads no clocks: history and limits are handed in. Deciding
//! what fails a build is `perflab-gate`'s job, and rendering is too. The method
//! is explained in `docs/statistics.md`.

pub mod leak;
mod limits;
mod measurement;
pub mod par;
mod runs;
mod speedup;
pub mod stats;
mod variants;
mod verdict;

pub use leak::{Growth, LeakRule, LeakRuleError, LeakVerdict};
pub use limits::{DEFAULT_CONFIDENCE, DEFAULT_MIN_EFFECT_PCT, DEFAULT_SOFT_PCT, Limits};
pub use measurement::compare_measurement;
pub use runs::compare_runs;
pub use speedup::{Speedup, speedups, variant_speedups};
pub use variants::{ScenarioVariants, ordered_variants};
pub use verdict::{
    Basis, Comparison, Evidence, ExactEvidence, Exceeded, Reason, StatisticalEvidence, Verdict,
    relative_change_pct,
};

#[cfg(test)]
mod tests;
