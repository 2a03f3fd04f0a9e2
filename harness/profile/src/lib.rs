//! perflab's profiling stage: CPU profiles with pprof, flamegraphs and
//! differential flamegraphs with inferno.
//!
//! The flow is `Profiler` → [`Profile`] (folded stacks + sample count +
//! measured rate) → [`write_profile`] (`<name>.folded` + `<name>.svg`), and
//! later [`write_diff`] between two kept profiles. The folded text is the
//! durable artifact: every SVG can be redrawn from it, and stacks from other
//! tools can be read with [`Folded::parse`].
//!
//! - [`sampler`]: start/stop the process-wide pprof profiler; read its docs
//!   for the sampling caveats (process-wide, CPU-time timer, ~250 Hz cap,
//!   blocklisted libraries).
//! - [`folded`]: the folded format: parse, serialize, merge, totals.
//! - [`symbols`]: demangling and `::h…` hash stripping, so two builds diff.
//! - [`render`]: flamegraph and differential SVGs (red grew, blue shrank).
//! - [`output`]: atomic writes of the files.
//! - [`hot`]: self and total time per function, hottest first.
//! - [`criterion_profiler`] (feature `criterion`, on by default):
//!   [`CriterionProfiler`] for `cargo bench -- --profile-time N`.
//!
//! This crate does not decide whether a profile is a regression, store
//! baselines, or run load; those are other stages' jobs.

#[cfg(feature = "criterion")]
pub mod criterion_profiler;
pub mod error;
pub mod folded;
pub mod hot;
pub mod output;
pub mod render;
pub mod sampler;
pub mod symbols;

#[cfg(feature = "criterion")]
pub use crate::criterion_profiler::CriterionProfiler;

/// The file stem [`CriterionProfiler`] writes in criterion's per-benchmark
/// profile directory (`flamegraph.folded`, `flamegraph.svg`); outside the
/// feature so readers of those files need not build criterion.
pub const CRITERION_PROFILE_NAME: &str = "flamegraph";
pub use crate::error::{FoldedError, FoldedErrorKind, ProfileError, Result};
pub use crate::folded::Folded;
pub use crate::hot::{HotFunction, hot_functions};
pub use crate::output::{ProfileFiles, benchmark_dir, write_diff, write_folded, write_profile};
pub use crate::render::{
    DiffOptions, DiffWidths, diff_flamegraph_svg, diff_flamegraph_svg_with, flamegraph_svg,
};
pub use crate::sampler::{
    DEFAULT_BLOCKLIST, DEFAULT_FREQUENCY_HZ, MAX_FREQUENCY_HZ, Profile, Profiler, ProfilerConfig,
    profile_for, profile_while,
};
pub use crate::symbols::{UNKNOWN_FRAME, clean_frame, strip_hash_suffix};
