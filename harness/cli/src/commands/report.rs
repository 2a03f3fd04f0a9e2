//! `perflab report`: the static HTML site of a run, against the baseline and
//! its git history. This module only gathers inputs (run file, baseline,
//! history, gate verdicts, declared variants) and hands them to
//! `perflab-report`; it renders and computes nothing itself.
//!
//! Without a baseline the site still renders (verdicts say "no baseline"),
//! unless `--against`/`--merge-base` asked for one explicitly: then a missing
//! baseline is an error, as in `perflab gate`. A baseline that exists but
//! cannot be read is always an error.

use crate::baselines;
use crate::cli::ReportArgs;
use anyhow::{Context, Result};
use perflab_report::{Commit, History, ScenarioVariants, SiteInput};
use perflab_schema::MeasurementKey;
use perflab_store::BaselineId;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Where the site goes without `--out`, relative to the workspace root.
pub const DEFAULT_OUT: &str = "reports/site";

/// Renders with a progress line on stderr every this many pages.
const PROGRESS_EVERY: usize = 250;

pub fn run(args: &ReportArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let workspace = super::workspace()?;
    let run_path = args
        .baseline
        .run
        .clone()
        .unwrap_or_else(|| baselines::latest_run_path(&workspace));
    let current = baselines::current_run(&workspace, args.baseline.run.as_deref())?;
    if current.measurements.is_empty() {
        anyhow::bail!(
            "{}: the run has no measurements, so there is nothing to report",
            run_path.display()
        );
    }
    let config = super::gate::load_config(&workspace.root, args.config.as_deref())?;
    let mut warnings = Vec::new();
    let explicit =
        args.baseline.source.against.is_some() || args.baseline.source.merge_base.is_some();
    let baseline = match baselines::load(&workspace, &args.baseline, &current) {
        Ok(b) => Some(b),
        // A baseline that is not there is reported on the page; one that is
        // there but unreadable (corrupt, wrong machine, git failing) is an error.
        Err(e) if !explicit && e.downcast_ref::<perflab_store::StoreError>().is_none() => {
            warnings.push(format!("no baseline: {e:#}"));
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(b) = &baseline {
        warnings.extend(b.warnings.iter().cloned());
    }
    let history = match &baseline {
        Some(_) => load_history(&workspace, args, &current, &mut warnings)?,
        None => History::new(),
    };
    let past = |key: &MeasurementKey| {
        baseline
            .as_ref()
            .map_or_else(Vec::new, |b| b.history_of(key))
    };
    let report =
        perflab_gate::evaluate(&config, baseline.as_ref().map(|b| &b.run), &current, &past);
    let variants: Vec<ScenarioVariants> = workspace
        .scenarios
        .iter()
        .map(|s| ScenarioVariants {
            scenario: s.name.clone(),
            variants: s.variants.clone(),
        })
        .collect();
    for w in &warnings {
        super::warn(w);
    }
    let run_dir = run_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    let input = SiteInput {
        run: &current,
        run_dir,
        run_label: run_path.display().to_string(),
        gate: &report,
        baseline_origin: baseline.as_ref().map(|b| b.origin.clone()),
        history: &history,
        variants: &variants,
        warnings,
        // Profiles and artifact files live in the build directory.
        artifact_roots: vec![workspace.target_dir.clone()],
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| workspace.root.join(DEFAULT_OUT));
    let progress = |done: usize, total: usize| {
        if total > PROGRESS_EVERY && (done.is_multiple_of(PROGRESS_EVERY) || done == total) {
            eprintln!("report: {done}/{total} pages");
        }
    };
    let rendered =
        perflab_report::render_site(&input, &out, Some(&progress)).with_context(|| {
            format!(
                "rendering the report of {} into {}",
                run_path.display(),
                out.display()
            )
        })?;
    eprintln!(
        "report: {} pages, {} files copied{}, {:.1} MiB in {:.1} s",
        rendered.pages,
        rendered.copied,
        if rendered.missing > 0 {
            format!(" ({} missing, see the pages' warnings)", rendered.missing)
        } else {
            String::new()
        },
        rendered.bytes as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64()
    );
    println!("{}", rendered.index.display());
    Ok(ExitCode::SUCCESS)
}

/// The baseline's versions along git, oldest first, as report history.
fn load_history(
    workspace: &crate::workspace::Workspace,
    args: &ReportArgs,
    current: &perflab_schema::Run,
    warnings: &mut Vec<String>,
) -> Result<History> {
    let mut history = History::new();
    let Some(repo) = baselines::git_repo(workspace) else {
        return Ok(history);
    };
    let machine = args
        .baseline
        .machine
        .as_deref()
        .unwrap_or(&current.environment.machine_id);
    let id = BaselineId::new(&args.baseline.name, machine)?;
    match repo.history(&id, args.history) {
        Ok((points, skipped)) => {
            warnings.extend(skipped.into_iter().map(|s| format!("history: skipped {s}")));
            for p in points {
                let commit = Commit {
                    id: p.commit,
                    time: p.time,
                    summary: p.summary,
                };
                history.push(commit, &p.run);
            }
        }
        Err(e) => warnings.push(format!("history unavailable: {e}")),
    }
    Ok(history)
}

/// The link to a key's page for the gate's Markdown: under `base` when the
/// site is published, else relative to the workspace root.
pub fn page_link(base: Option<&str>, key: &MeasurementKey) -> String {
    format!("{}{}", site_base(base), perflab_report::page_for_key(key))
}

/// The site's root URL with a trailing slash.
pub fn site_base(base: Option<&str>) -> String {
    match base.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => format!("{}/", b.trim_end_matches('/')),
        None => format!("{DEFAULT_OUT}/"),
    }
}
