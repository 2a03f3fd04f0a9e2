//! `perflab baseline save | list | history`.

use crate::baselines;
use crate::cli::BaselineCommand;
use crate::filter::Filters;
use anyhow::{Context, Result};
use perflab_render::HistoryRow;
use perflab_schema::MetricKind;
use perflab_store::{BaselineId, WorkTree};
use std::process::ExitCode;

pub fn run(command: &BaselineCommand) -> Result<ExitCode> {
    let workspace = super::workspace()?;
    match command {
        BaselineCommand::Save { run, name } => {
            let run = baselines::current_run(&workspace, run.as_deref())?;
            if run.measurements.is_empty() {
                anyhow::bail!("the run has no measurements: nothing to save as a baseline");
            }
            if run.environment.git.as_ref().is_some_and(|g| g.dirty) {
                super::warn("the run was measured on a work tree with uncommitted changes");
            }
            let path = WorkTree::new(baselines::baselines_dir(&workspace)).save(name, &run)?;
            println!(
                "saved baseline {name} for machine {} ({} measurements) to {}",
                run.environment.machine_id,
                run.measurements.len(),
                path.display()
            );
            println!("commit it to make it the baseline others compare with");
        }
        BaselineCommand::List { source } => {
            let repo = baselines::git_repo(&workspace);
            let source = baselines::source(&workspace, source, repo.as_ref())?;
            let ids = source.list()?;
            if ids.is_empty() {
                println!("no baselines in {}", source.describe());
            }
            for id in ids {
                println!("{id}");
            }
        }
        BaselineCommand::History {
            name,
            machine,
            filters,
            metric,
            limit,
            json,
        } => {
            let machine = match machine {
                Some(m) => m.clone(),
                None => perflab_collect::environment::fingerprint(&workspace.root).machine_id,
            };
            let id = BaselineId::new(name, &machine)?;
            let repo = baselines::git_repo(&workspace).context(
                "baseline history is read from git, but the workspace is not in a git repository",
            )?;
            let (points, skipped) = repo.history(&id, *limit)?;
            for s in &skipped {
                super::warn(&format!("skipped {s}"));
            }
            if points.is_empty() {
                anyhow::bail!("baseline {id} has no committed history");
            }
            let metric: Option<MetricKind> = metric.as_deref().map(str::parse).transpose()?;
            let filters = filters.filters();
            print_history(&points, &filters, metric, *json);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per (commit, key) that passes the filters, oldest first; the
/// text or JSON is `perflab_render`'s.
fn print_history(
    points: &[perflab_store::HistoryPoint],
    filters: &Filters,
    metric: Option<MetricKind>,
    json: bool,
) {
    let rows: Vec<HistoryRow<'_>> = points
        .iter()
        .flat_map(|p| {
            p.run
                .measurements
                .iter()
                .filter(|m| filters.key(&m.key) && metric.is_none_or(|k| m.key.metric == k))
                .map(move |m| HistoryRow {
                    commit: &p.commit,
                    time: p.time,
                    summary: &p.summary,
                    measurement: m,
                })
        })
        .collect();
    if json {
        print!("{}", perflab_render::render_history_json(&rows));
    } else {
        print!("{}", perflab_render::render_history_tsv(&rows));
    }
}
