//! [`CriterionProfiler`]: criterion's profiler hook backed by
//! [`crate::Profiler`], so `cargo bench -- --profile-time 5` leaves a
//! flamegraph per benchmark.
//!
//! pprof's own `criterion` feature is tied to criterion 0.5; this is the same
//! idea for the criterion perflab uses. Criterion calls the hook around its
//! profiling run only (not around measurements), and passes the per-benchmark
//! directory, usually `target/criterion/<group>/<id>/profile/`, where
//! `flamegraph.folded` and `flamegraph.svg` are written.
//!
//! The hook has no way to return an error, so a failure (profiler already
//! running, no samples, unwritable directory) is printed on stderr and the
//! benchmark run goes on.

use std::path::Path;

use crate::output::write_folded;
use crate::sampler::{Profiler, ProfilerConfig};

use crate::CRITERION_PROFILE_NAME;

/// A `criterion::profiler::Profiler` that writes folded stacks and a
/// flamegraph SVG for every profiled benchmark.
///
/// ```no_run
/// use criterion::Criterion;
/// use perflab_profile::{CriterionProfiler, DEFAULT_FREQUENCY_HZ};
///
/// fn config() -> Criterion {
///     Criterion::default().with_profiler(CriterionProfiler::new(DEFAULT_FREQUENCY_HZ))
/// }
/// ```
#[derive(Debug)]
pub struct CriterionProfiler {
    config: ProfilerConfig,
    active: Option<Profiler>,
}

impl CriterionProfiler {
    /// Samples at `frequency_hz` with the default blocklist.
    pub fn new(frequency_hz: u32) -> Self {
        Self::with_config(ProfilerConfig::new(frequency_hz))
    }

    /// Samples with an explicit configuration.
    pub fn with_config(config: ProfilerConfig) -> Self {
        Self {
            config,
            active: None,
        }
    }
}

impl Default for CriterionProfiler {
    fn default() -> Self {
        Self::with_config(ProfilerConfig::default())
    }
}

impl ::criterion::profiler::Profiler for CriterionProfiler {
    fn start_profiling(&mut self, benchmark_id: &str, _benchmark_dir: &Path) {
        match Profiler::start(&self.config) {
            Ok(profiler) => self.active = Some(profiler),
            Err(err) => eprintln!("perflab-profile: not profiling {benchmark_id}: {err}"),
        }
    }

    fn stop_profiling(&mut self, benchmark_id: &str, benchmark_dir: &Path) {
        let Some(profiler) = self.active.take() else {
            return;
        };
        let written = profiler.stop().and_then(|profile| {
            let title = profile.title(benchmark_id);
            write_folded(
                benchmark_dir,
                CRITERION_PROFILE_NAME,
                &profile.folded,
                &title,
            )
            .map(|files| (files, profile))
        });
        match written {
            Ok((files, profile)) => eprintln!(
                "perflab-profile: {benchmark_id}: {} samples, {:.0} Hz effective ({} Hz requested) -> {}",
                profile.samples,
                profile.effective_hz,
                profile.requested_hz,
                files.svg.display()
            ),
            Err(err) => eprintln!("perflab-profile: no profile for {benchmark_id}: {err}"),
        }
    }
}
