//! criterion: writes its estimates under `CRITERION_HOME`, which perflab
//! points at the step's fresh output directory, and reads them back with
//! [`perflab_adapters::criterion`].
//!
//! Under `--profile` criterion also makes a second pass with
//! `--profile-time`: criterion then runs each benchmark for that long with
//! the profiler hook (`perflab_profile::CriterionProfiler`) on and measures
//! nothing, so profiling never disturbs the measured numbers.

use super::{BenchTool, Collected, ProfilePass, StepContext};
use crate::error::Result;
use perflab_schema::{Artifact, Filters, Tool};
use std::process::Command;

/// Quick mode's settings: bounded time per benchmark, enough samples for a
/// median and its interval.
const QUICK_FLAGS: [&str; 6] = [
    "--warm-up-time",
    "0.5",
    "--measurement-time",
    "1",
    "--sample-size",
    "10",
];

/// criterion 0.8 benches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Criterion;

impl BenchTool for Criterion {
    fn tool(&self) -> Tool {
        Tool::Criterion
    }

    fn prepare(&self, step: &StepContext<'_>, bench: &mut Command) -> Result<()> {
        bench.env("CRITERION_HOME", step.output()).arg("--noplot");
        if step.quick {
            bench.args(QUICK_FLAGS);
        }
        if let Some(regex) = variant_regex(step.filters, &step.scenario.variants) {
            bench.arg(regex);
        }
        Ok(())
    }

    fn read(&self, step: &StepContext<'_>, _stdout: &str) -> Result<Collected> {
        let measurements = perflab_adapters::criterion::collect(&step.output(), &step.naming())?;
        Ok(measurements.into())
    }

    fn profile_pass(&self) -> Option<&dyn ProfilePass> {
        Some(self)
    }
}

impl ProfilePass for Criterion {
    fn prepare_profile(&self, step: &StepContext<'_>, seconds: f64, bench: &mut Command) {
        bench
            .env(
                "CRITERION_HOME",
                step.dirs.profile_output(step.scenario, step.bench),
            )
            .arg("--profile-time")
            .arg(seconds.to_string());
        if let Some(regex) = variant_regex(step.filters, &step.scenario.variants) {
            bench.arg(regex);
        }
    }

    fn read_profile(&self, step: &StepContext<'_>) -> Result<Vec<Artifact>> {
        let home = step.dirs.profile_output(step.scenario, step.bench);
        let artifacts =
            crate::profiles::collect_criterion(&home, &step.naming(), &step.dirs.profiles)?;
        Ok(artifacts
            .into_iter()
            .filter(|a| step.filters.artifact(a))
            .collect())
    }
}

/// A criterion filter selecting the chosen variants, when a variant filter is
/// given and every pattern is a literal name (criterion filters are regexes,
/// globs are applied afterwards anyway).
fn variant_regex(filters: &Filters, variants: &[String]) -> Option<String> {
    if filters.variant.is_empty() {
        return None;
    }
    let chosen: Vec<&str> = variants
        .iter()
        .filter(|v| filters.variant.iter().any(|g| g.matches(v)))
        .map(String::as_str)
        .collect();
    (!chosen.is_empty()).then(|| format!("/({})(/|$)", chosen.join("|")))
}
