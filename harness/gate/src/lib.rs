//! perflab's CI gate: `perflab.toml` decides which comparisons fail the
//! build and which only inform. The gate decides; it renders nothing.
//!
//! - [`Config::parse`] reads the configuration from a string (the CLI reads
//!   the file); [`Config::resolve`] gives the [`Policy`] for one key.
//! - [`evaluate`] compares a current run with an optional baseline under a
//!   config and returns a [`Decision`], whose [`Decision::outcome`] is
//!   [`Outcome::Fail`] iff a *gating* row regressed or a gating SLO was
//!   breached. Rows that cannot be compared stay in the decision and are
//!   counted, but never fail it.
//! - Tables, Markdown, GitHub annotations and the HTML site of a decision
//!   are `perflab-render`'s: no text for people is made here beyond the
//!   names of rules ([`Source`]) and verdicts.
//!
//! # Configuration
//!
//! ```toml
//! [defaults]                  # optional; no unit-bound settings here
//! confidence = 0.95           # noisy metrics: bootstrap interval level
//! min_effect_pct = 5.0        # noisy metrics: smaller changes never count
//! soft_pct = 2.0              # deterministic counters: relative limit, %
//! gate = false                # whether regressions fail the build
//!
//! [metrics.instructions]      # one table per metric name (as in run files)
//! gate = true
//! soft_pct = 2.0
//! hard_abs = 100_000          # absolute limit in the metric's unit
//!
//! [metrics.latency_p95]
//! max = 500_000_000           # SLO: ceiling on the current value (ns)
//! [metrics.throughput]
//! min = 1_000                 # SLO: floor on the current value (/s)
//!
//! [[rules]]                   # globs over scenario, variant, benchmark
//! scenario = "autocomplete"   # `*` matches any run, `/` included
//! benchmark = "complete/*"
//! metric = "instructions"     # needed for hard_abs, max and min
//! soft_pct = 1.0
//! ```
//!
//! Settings resolve from built-in defaults, then `[defaults]`, then
//! `[metrics.<name>]`, then matching rules from least to most specific (more
//! selectors, then more selectors without wildcards, then later in the
//! file); each setting comes from the most specific place that sets it.
//! Settings that would be ignored are errors: `soft_pct`/`hard_abs` on a
//! noisy metric, `min_effect_pct`/`confidence` on a deterministic counter.
//! Built-in: instruction and heap counters, statements per request and bytes
//! per item (an index's size per term) gate with `soft_pct = 2.0`; cache
//! simulation events and all noisy metrics only inform (see
//! [`builtin_gate`]); SLOs gate unless `gate = false` applies. A commented
//! example is `perflab.example.toml` beside this crate.
//!
//! This crate reads no files, runs nothing and formats nothing; statistics
//! come from `perflab-compare`. With the `testing` feature, [`testing`] holds
//! the fixed runs and config the gate's and the renderers' tests share.

mod config;
mod decision;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use config::{Config, ConfigError, LeakLimits, Policy, Slo, Source, builtin_gate};
pub use decision::{
    Counts, Decision, GateRow, Outcome, Role, SloBound, SloCheck, Status, evaluate,
};
