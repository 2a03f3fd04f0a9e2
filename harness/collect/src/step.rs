//! One step of a run: start a bench target's built executable with its
//! tool's flags, then have the tool read what it left; under `--profile`,
//! the tool's profiling pass too.
//!
//! The step knows nothing about any particular tool: it asks the step's
//! [`BenchTool`](crate::tools::BenchTool) for everything tool-specific.
//! Merging the results into the run is the orchestration's work.

use crate::build::Built;
use crate::error::{CollectError, Result};
use crate::launch;
use crate::layout::RunDirs;
use crate::plan::{RunOptions, Step};
use crate::process::Host;
use crate::progress;
use crate::tools::{Collected, ProfilePass, StepContext};
use perflab_schema::Artifact;

/// Runs `step` of a run under `options`, labelled `label` in progress and
/// errors.
pub fn run_step(
    host: &dyn Host,
    built: &Built,
    step: &Step<'_>,
    options: &RunOptions,
    dirs: &RunDirs,
    label: &str,
) -> Result<Collected> {
    let context = &StepContext {
        scenario: step.scenario,
        bench: step.bench,
        quick: options.quick,
        profiling: options.profile_seconds.is_some(),
        filters: &options.filters,
        dirs,
    };
    let executable = built.executable(step.scenario, step.bench)?;
    let mut cmd = launch::bench_command(executable, step.scenario, context.quick);
    step.tool.prepare(context, &mut cmd)?;
    launch::finish(&mut cmd);
    let log = context.dirs.log(step.scenario, step.bench, None);
    let stdout = progress::execute(host, &mut cmd, &log, label, &progress::all_lines)?;
    let mut collected = step.tool.read(context, &stdout)?;
    if collected.measurements.is_empty() {
        return Err(CollectError::NoResults {
            label: label.to_owned(),
            dir: context.output(),
        });
    }
    if let (Some(seconds), Some(pass)) = (options.profile_seconds, step.tool.profile_pass()) {
        let artifacts = profile(host, built, step, context, pass, seconds, label)?;
        collected.artifacts.extend(artifacts);
    }
    Ok(collected)
}

/// The tool's profiling pass: the same executable again, measuring nothing.
fn profile(
    host: &dyn Host,
    built: &Built,
    step: &Step<'_>,
    context: &StepContext<'_>,
    pass: &dyn ProfilePass,
    seconds: f64,
    label: &str,
) -> Result<Vec<Artifact>> {
    let executable = built.executable(step.scenario, step.bench)?;
    let mut cmd = launch::bench_command(executable, step.scenario, context.quick);
    pass.prepare_profile(context, seconds, &mut cmd);
    launch::finish(&mut cmd);
    let log = context.dirs.log(step.scenario, step.bench, Some("profile"));
    let label = format!("{label} profiling");
    progress::execute(host, &mut cmd, &log, &label, &progress::all_lines)?;
    pass.read_profile(context)
}
