//! `perflab report`: the static HTML site of a run, against the baseline and
//! its git history. This module only gathers inputs (run file, baseline and
//! its history, read from git once; the gate's decision; the variants'
//! speedups, computed once) and hands them to `perflab_render::html`; it
//! renders nothing itself.
//!
//! Without a baseline the site still renders (verdicts say "no baseline"),
//! unless `--against`/`--merge-base` asked for one explicitly: then a missing
//! baseline is an error, as in `perflab gate`. A baseline that exists but
//! cannot be read is always an error.

use super::config::load_config;
use super::site::DEFAULT_OUT;
use crate::baselines;
use crate::cli::ReportArgs;
use anyhow::{Context, Result};
use perflab_compare::ScenarioVariants;
use perflab_render::html::{Commit, History, SiteInput};
use perflab_schema::MeasurementKey;
use perflab_store::HistoryPoint;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

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
    let config = load_config(&workspace.root, args.config.as_deref())?;
    let mut warnings = Vec::new();
    let explicit =
        args.baseline.source.against.is_some() || args.baseline.source.merge_base.is_some();
    let mut history = History::new();
    let loaded = baselines::load_with_history(&workspace, &args.baseline, &current, args.history);
    let baseline = match loaded {
        Ok((b, points)) => {
            history = chart_history(points);
            Some(b)
        }
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
    let past = |key: &MeasurementKey| {
        baseline
            .as_ref()
            .map_or_else(Vec::new, |b| b.history_of(key))
    };
    let decision =
        perflab_gate::evaluate(&config, baseline.as_ref().map(|b| &b.run), &current, &past);
    let variants = super::declared_variants(&workspace);
    let speedups =
        perflab_compare::variant_speedups(&current, &ScenarioVariants::of_run(&variants, &current));
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
        gate: &decision,
        baseline_origin: baseline.as_ref().map(|b| b.origin.clone()),
        history: &history,
        variants: &variants,
        speedups: &speedups,
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
        perflab_render::html::render_site(&input, &out, Some(&progress)).with_context(|| {
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

/// The baseline's versions along git, oldest first, as the charts' history.
fn chart_history(points: Vec<HistoryPoint>) -> History {
    let mut history = History::new();
    for p in points {
        let commit = Commit {
            id: p.commit,
            time: p.time,
            summary: p.summary,
        };
        history.push(commit, &p.run);
    }
    history
}
