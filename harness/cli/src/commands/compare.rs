//! `perflab compare`: a run against a baseline, and variants against each other.

use crate::baselines;
use crate::cli::CompareArgs;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(args: &CompareArgs) -> Result<ExitCode> {
    let workspace = super::workspace()?;
    let filters = args.filters.filters();
    let mut current = baselines::current_run(&workspace, args.baseline.run.as_deref())?;
    current.measurements.retain(|m| filters.key(&m.key));
    if current.measurements.is_empty() {
        anyhow::bail!("the run has no measurements matching the filters");
    }

    // Scenarios filtered out have no measurements left, so print nothing.
    super::print_variant_comparisons(&workspace, &current);
    if args.variants_only {
        return Ok(ExitCode::SUCCESS);
    }

    let baseline = baselines::load(&workspace, &args.baseline, &current)?;
    for warning in &baseline.warnings {
        super::warn(warning);
    }
    let mut base_run = baseline.run.clone();
    base_run.measurements.retain(|m| filters.key(&m.key));
    let config = super::config::load_config(&workspace.root, args.config.as_deref())?;
    let history = |key: &perflab_schema::MeasurementKey| baseline.history_of(key);
    let comparisons =
        perflab_compare::compare_runs(&base_run, &current, &history, &|key| config.limits(key));
    println!("against baseline {}:", baseline.origin);
    println!("{}", perflab_render::render_comparisons(&comparisons));
    Ok(ExitCode::SUCCESS)
}
