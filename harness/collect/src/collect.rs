//! The stage's orchestration: build once, run each step of the plan, and
//! merge what the steps produced into one [`Run`].
//!
//! Progress is one line per step on stderr (`[i/n] scenario bench (tool)`),
//! with a spinner showing the tool's latest output line when stderr is a
//! terminal. A key a second tool measures again is kept from the first and
//! reported once; key filters apply to every step's measurements. Under
//! `--profile`, differential flamegraphs are drawn once all steps are done.

use crate::build;
use crate::error::{CollectError, Result};
use crate::layout::RunDirs;
use crate::plan::Plan;
use crate::process::Host;
use crate::progress::warn;
use crate::step::run_step;
use crate::workspace::Workspace;
use perflab_schema::{ArtifactKind, Measurement, Run};
use std::time::Instant;

/// Builds the plan's scenarios once and runs its steps in order, adding
/// their measurements, artifacts and warnings to `run` (the plan's skipped
/// bench targets are warned about first).
pub fn collect(
    host: &dyn Host,
    workspace: &Workspace,
    plan: &Plan<'_>,
    run: &mut Run,
) -> Result<()> {
    let options = &plan.options;
    for skipped in &plan.skipped {
        warn(run, skipped.clone());
    }
    if plan.steps.is_empty() {
        return Err(CollectError::NothingToRun);
    }
    let dirs = RunDirs::new(workspace, run.started_at);
    let total = plan.steps.len() + 1;
    let label = format!("[1/{total}] building benches");
    let started = Instant::now();
    let built = build::build(
        host,
        workspace,
        &plan.scenarios,
        options.quick,
        &dirs.build_log,
        &label,
    )?;
    eprintln!("{label}: done in {:.1?}", started.elapsed());
    for (i, step) in plan.steps.iter().enumerate() {
        let label = format!(
            "[{}/{total}] {} {} ({})",
            i + 2,
            step.scenario.name,
            step.bench.name,
            step.bench.tool
        );
        let started = Instant::now();
        let collected = run_step(host, &built, step, options, &dirs, &label)?;
        run.artifacts.extend(collected.artifacts);
        for warning in collected.warnings {
            warn(run, format!("{label}: {warning}"));
        }
        let (kept, duplicates): (Vec<Measurement>, Vec<Measurement>) = collected
            .measurements
            .into_iter()
            .filter(|m| options.filters.key(&m.key))
            .partition(|m| run.get(&m.key).is_none());
        eprintln!(
            "{label}: {} measurements in {:.1?}",
            kept.len(),
            started.elapsed()
        );
        if let Some(first) = duplicates.first() {
            let earlier = run
                .get(&first.key)
                .map_or("another tool".to_owned(), |m| m.tool.to_string());
            warn(
                run,
                format!(
                    "{label}: {} measurements (e.g. {}) were already measured by {earlier} and were \
                     not recorded; run this tool alone (--tools {}) to record them",
                    duplicates.len(),
                    first.key,
                    step.bench.tool
                ),
            );
        } else if kept.is_empty() {
            warn(
                run,
                format!("{label}: produced no measurements matching the filters"),
            );
        }
        run.measurements.extend(kept);
    }
    if options.profile_seconds.is_some() {
        draw_diffs(workspace, &dirs, run)?;
    }
    Ok(())
}

/// Adds the differential flamegraphs of every benchmark profiled in `run`.
fn draw_diffs(workspace: &Workspace, dirs: &RunDirs, run: &mut Run) -> Result<()> {
    let diffs = crate::profiles::diffs(&workspace.scenarios, &run.artifacts, &dirs.profiles)?;
    let flamegraphs = run
        .artifacts
        .iter()
        .filter(|a| a.kind == ArtifactKind::Flamegraph)
        .count();
    eprintln!(
        "profiles: {flamegraphs} flamegraphs and {} differential flamegraphs in {}",
        diffs.len(),
        dirs.profiles.display()
    );
    if flamegraphs == 0 {
        warn(run, "--profile: no bench produced a profile (does its criterion config use perflab_profile::CriterionProfiler?)".into());
    }
    run.artifacts.extend(diffs);
    Ok(())
}
