//! `perflab run`: build and run every scenario's benches through `cargo bench`,
//! then normalize each tool's output into one [`Run`].
//!
//! Each tool writes to a fresh directory for this run (criterion through
//! `CRITERION_HOME`, gungraun through `--home`), so results from an earlier run can never leak into this
//! one. Progress is one line per step on stderr, with a spinner showing the
//! tool's latest output line when stderr is a terminal.

use crate::filter::Filters;
use crate::process::Host;
use crate::workspace::{BenchTarget, Scenario, Workspace};
use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use perflab_schema::{ArtifactKind, Measurement, Run, Tool};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Environment variable that tells scenario benches to use their quick sizes.
pub const QUICK_ENV: &str = "PERFLAB_QUICK";

/// What to run and how.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub quick: bool,
    /// Seconds to profile each criterion benchmark for (`--profile`), after measuring.
    pub profile_seconds: Option<f64>,
    pub tools: Vec<Tool>,
    pub filters: Filters,
}

/// One bench target to run.
pub(crate) struct Step<'a> {
    pub(crate) scenario: &'a Scenario,
    pub(crate) bench: &'a BenchTarget,
}

/// Runs the plan and returns the measurements and warnings (skipped tools).
pub fn run(host: &dyn Host, workspace: &Workspace, plan: &RunPlan, run: &mut Run) -> Result<()> {
    let scenarios: Vec<&Scenario> = workspace
        .scenarios
        .iter()
        .filter(|s| plan.filters.scenario(&s.name))
        .collect();
    if scenarios.is_empty() {
        let known: Vec<&str> = workspace
            .scenarios
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        bail!(
            "no scenario matches the --scenario filter (scenarios: {})",
            known.join(", ")
        );
    }
    let mut steps = Vec::new();
    for scenario in &scenarios {
        for bench in scenario
            .benches
            .iter()
            .filter(|b| plan.tools.contains(&b.tool))
        {
            match host.check_tool(bench.tool, &workspace.root) {
                Ok(()) => steps.push(Step { scenario, bench }),
                Err(why) => warn(run, format!("{} {}: {why}", scenario.name, bench.name)),
            }
        }
    }
    if steps.is_empty() {
        bail!(
            "nothing to run: no bench target of the selected tools can run here (see warnings above)"
        );
    }
    let raw_dir = workspace
        .perflab_dir()
        .join("raw")
        .join(run.started_at.to_string());
    let profiles_root = workspace
        .perflab_dir()
        .join("profiles")
        .join(run.started_at.to_string());
    let artifacts_root = workspace
        .perflab_dir()
        .join("artifacts")
        .join(run.started_at.to_string());
    let dirs = step::StepDirs {
        raw: &raw_dir,
        profiles: &profiles_root,
        artifacts: &artifacts_root,
    };
    let total = steps.len() + 1;
    build(host, workspace, &scenarios, plan, total)?;
    for (i, step) in steps.iter().enumerate() {
        let label = format!(
            "[{}/{total}] {} {} ({})",
            i + 2,
            step.scenario.name,
            step.bench.name,
            step.bench.tool
        );
        let started = Instant::now();
        let collected = step::run_step(host, workspace, plan, step, &dirs, &label)?;
        run.artifacts.extend(collected.artifacts);
        for warning in collected.warnings {
            warn(run, format!("{label}: {warning}"));
        }
        let (kept, duplicates): (Vec<Measurement>, Vec<Measurement>) = collected
            .measurements
            .into_iter()
            .filter(|m| plan.filters.key(&m.key))
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
    if plan.profile_seconds.is_some() {
        let diffs = crate::profiles::diffs(&workspace.scenarios, &run.artifacts, &profiles_root)?;
        let flamegraphs = run
            .artifacts
            .iter()
            .filter(|a| a.kind == ArtifactKind::Flamegraph)
            .count();
        eprintln!(
            "profiles: {flamegraphs} flamegraphs and {} differential flamegraphs in {}",
            diffs.len(),
            profiles_root.display()
        );
        if flamegraphs == 0 {
            warn(run, "--profile: no bench produced a profile (does its criterion config use perflab_profile::CriterionProfiler?)".into());
        }
        run.artifacts.extend(diffs);
    }
    Ok(())
}

fn warn(run: &mut Run, message: String) {
    eprintln!("warning: {message}");
    run.warnings.push(message);
}

/// Builds all selected bench targets first, so compile errors surface before
/// any measuring and build time is not mixed into the first bench step.
fn build(
    host: &dyn Host,
    workspace: &Workspace,
    scenarios: &[&Scenario],
    plan: &RunPlan,
    total: usize,
) -> Result<()> {
    let label = format!("[1/{total}] building benches");
    let mut cmd = cargo_bench(workspace, plan);
    for scenario in scenarios {
        cmd.args(["-p", &scenario.package]);
    }
    cmd.arg("--no-run");
    let log = workspace.perflab_dir().join("logs").join("build.log");
    let started = Instant::now();
    execute(host, &mut cmd, &log, &label)?;
    eprintln!("{label}: done in {:.1?}", started.elapsed());
    Ok(())
}

pub(crate) fn cargo_bench(workspace: &Workspace, plan: &RunPlan) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&workspace.root).arg("bench");
    if plan.quick {
        cmd.env(QUICK_ENV, "1");
    } else {
        cmd.env_remove(QUICK_ENV);
    }
    cmd
}

/// Runs a command with a spinner; returns its stdout or fails with the tail
/// of its output and the log's path.
pub(crate) fn execute(
    host: &dyn Host,
    cmd: &mut Command,
    log: &Path,
    label: &str,
) -> Result<String> {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {prefix} {elapsed} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_prefix(label.to_owned());
    spinner.enable_steady_tick(Duration::from_millis(200));
    let finished = host.execute(cmd, log, &mut |line| {
        if !line.trim().is_empty() {
            spinner.set_message(line.trim().to_owned());
        }
    });
    spinner.finish_and_clear();
    let finished = finished?;
    if !finished.status.success() {
        bail!(
            "{label} failed ({}); full output in {}\n{}",
            finished.status,
            log.display(),
            finished.tail.join("\n")
        );
    }
    Ok(finished.stdout)
}

/// Path of the run file for a run started at `started_at`.
pub fn run_file_path(workspace: &Workspace, run: &Run) -> PathBuf {
    let commit = run
        .environment
        .git
        .as_ref()
        .map_or("nogit", |g| &g.commit[..g.commit.len().min(10)]);
    workspace
        .perflab_dir()
        .join("runs")
        .join(format!("{}-{commit}.json", run.started_at))
}

mod step;
#[cfg(test)]
mod tests;
