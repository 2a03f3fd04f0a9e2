//! One step of `perflab run`: the command line a bench target's tool needs,
//! and collecting what the tool left behind.
//!
//! Each tool gets only its own flags (criterion's options make gungraun and
//! divan fail) and writes into `out_dir`, fresh for this run. Benches that
//! perflab drives through a library (goose load tests, dhat heap profiles)
//! write a [`perflab_schema::Fragment`] to the path in `$PERFLAB_FRAGMENT`.

use super::{RunPlan, Step, cargo_bench, execute};
use crate::filter::Filters;
use crate::process::Host;
use crate::workspace::Workspace;
use anyhow::{Context, Result, bail};
use perflab_adapters::Naming;
use perflab_schema::{
    ARTIFACT_DIR_ENV, Artifact, FRAGMENT_ENV, Measurement, PROFILE_DIR_ENV, Tool,
};
use std::path::Path;

/// Where a fragment-writing bench is told to write, inside its output directory.
const FRAGMENT_FILE: &str = "fragment.json";

/// What one step produced.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub(crate) measurements: Vec<Measurement>,
    pub(crate) artifacts: Vec<Artifact>,
    pub(crate) warnings: Vec<String>,
}

/// Where a run's files go: tools' raw output, profiles, and the files that
/// fragment-writing benches keep as artifacts.
#[derive(Clone, Copy)]
pub(crate) struct StepDirs<'a> {
    pub(crate) raw: &'a Path,
    pub(crate) profiles: &'a Path,
    pub(crate) artifacts: &'a Path,
}

pub(crate) fn run_step(
    host: &dyn Host,
    workspace: &Workspace,
    plan: &RunPlan,
    step: &Step<'_>,
    dirs: &StepDirs<'_>,
    label: &str,
) -> Result<Collected> {
    let StepDirs {
        raw: raw_dir,
        profiles: profiles_root,
        artifacts: artifacts_root,
    } = *dirs;
    let scenario = step.scenario;
    let naming = Naming {
        scenario: scenario.name.clone(),
        variants: scenario.variants.clone(),
    };
    let out_dir = raw_dir.join(&scenario.package).join(&step.bench.name);
    let mut cmd = cargo_bench(workspace, plan);
    cmd.args(["-p", &scenario.package, "--bench", &step.bench.name, "--"]);
    match step.bench.tool {
        Tool::Criterion => {
            cmd.env("CRITERION_HOME", &out_dir).arg("--noplot");
            if plan.quick {
                cmd.args([
                    "--warm-up-time",
                    "0.5",
                    "--measurement-time",
                    "1",
                    "--sample-size",
                    "10",
                ]);
            }
            if let Some(regex) = variant_regex(&plan.filters, &scenario.variants) {
                cmd.arg(regex);
            }
        }
        Tool::Gungraun => {
            let mut home = std::ffi::OsString::from("--home=");
            home.push(&out_dir);
            cmd.arg("--save-summary=json").arg(home);
        }
        Tool::Divan => {
            cmd.arg("--color=never");
        }
        Tool::Goose | Tool::Dhat => {
            // The bench only writes its file; the directory is ours to make.
            std::fs::create_dir_all(&out_dir)
                .with_context(|| format!("creating {}", out_dir.display()))?;
            cmd.env(FRAGMENT_ENV, out_dir.join(FRAGMENT_FILE));
            let artifacts = artifacts_root
                .join(&scenario.package)
                .join(&step.bench.name);
            std::fs::create_dir_all(&artifacts)
                .with_context(|| format!("creating {}", artifacts.display()))?;
            cmd.env(ARTIFACT_DIR_ENV, artifacts);
            if plan.profile_seconds.is_some() {
                cmd.env(PROFILE_DIR_ENV, profiles_root);
            }
        }
        other => bail!("{other} is not a bench tool perflab runs"),
    }
    let log = raw_dir
        .join("logs")
        .join(format!("{}.{}.log", scenario.package, step.bench.name));
    let finished = execute(host, &mut cmd, &log, label)?;
    if matches!(step.bench.tool, Tool::Goose | Tool::Dhat) {
        let fragment = perflab_adapters::fragment::collect(&out_dir.join(FRAGMENT_FILE), &naming)?;
        return Ok(Collected {
            measurements: fragment.measurements,
            artifacts: fragment.artifacts,
            warnings: fragment.warnings,
        });
    }
    let measurements = match step.bench.tool {
        Tool::Criterion => perflab_adapters::criterion::collect(&out_dir, &naming)?,
        Tool::Gungraun => perflab_adapters::gungraun::collect(&out_dir, &naming)?,
        Tool::Divan => {
            let stdout_file = out_dir.join("divan.txt");
            std::fs::create_dir_all(&out_dir)
                .with_context(|| format!("creating {}", out_dir.display()))?;
            std::fs::write(&stdout_file, &finished)
                .with_context(|| format!("writing {}", stdout_file.display()))?;
            perflab_adapters::divan::parse_table(&finished, &naming, &stdout_file)?
        }
        _ => Vec::new(),
    };
    if measurements.is_empty() {
        bail!(
            "{label}: the tool ran but perflab found no results in {}",
            out_dir.display()
        );
    }
    let artifacts = match (step.bench.tool, plan.profile_seconds) {
        (Tool::Criterion, Some(seconds)) => {
            let profiled = ProfilePass {
                raw_dir,
                profiles_root,
                seconds,
                label,
            };
            profile_criterion(host, workspace, plan, step, &profiled)?
        }
        _ => Vec::new(),
    };
    Ok(Collected {
        measurements,
        artifacts,
        ..Collected::default()
    })
}

/// Where and how long a profiling pass runs.
struct ProfilePass<'a> {
    raw_dir: &'a Path,
    profiles_root: &'a Path,
    seconds: f64,
    label: &'a str,
}

/// A second criterion pass under `--profile-time`: criterion runs each
/// benchmark for that long with the profiler hook on and measures nothing.
fn profile_criterion(
    host: &dyn Host,
    workspace: &Workspace,
    plan: &RunPlan,
    step: &Step<'_>,
    pass: &ProfilePass<'_>,
) -> Result<Vec<Artifact>> {
    let scenario = step.scenario;
    let home = pass
        .raw_dir
        .join(&scenario.package)
        .join(format!("{}.profile", step.bench.name));
    let mut cmd = cargo_bench(workspace, plan);
    cmd.args(["-p", &scenario.package, "--bench", &step.bench.name, "--"])
        .env("CRITERION_HOME", &home)
        .arg("--profile-time")
        .arg(pass.seconds.to_string());
    if let Some(regex) = variant_regex(&plan.filters, &scenario.variants) {
        cmd.arg(regex);
    }
    let log = pass.raw_dir.join("logs").join(format!(
        "{}.{}.profile.log",
        scenario.package, step.bench.name
    ));
    let label = format!("{} profiling", pass.label);
    execute(host, &mut cmd, &log, &label)?;
    let naming = Naming {
        scenario: scenario.name.clone(),
        variants: scenario.variants.clone(),
    };
    let artifacts = crate::profiles::collect_criterion(&home, &naming, pass.profiles_root)?;
    Ok(artifacts
        .into_iter()
        .filter(|a| plan.filters.artifact(a))
        .collect())
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
