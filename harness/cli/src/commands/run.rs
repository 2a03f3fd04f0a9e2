//! `perflab run`: turn the arguments into run options, let the collect
//! stage measure, then normalize, validate, write the run file and print.

use crate::cli::RunArgs;
use anyhow::{Context, Result, bail};
use perflab_collect::{Plan, RunOptions, System, Workspace};
use perflab_schema::{Run, Tool};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(args: &RunArgs) -> Result<ExitCode> {
    let workspace = super::workspace()?;
    if workspace.scenarios.is_empty() {
        bail!(
            "no scenario crates in the workspace at {}: a scenario declares [package.metadata.perflab]",
            workspace.root.display()
        );
    }
    let options = RunOptions {
        quick: args.quick,
        profile_seconds: args.profile.then(|| {
            args.profile_time
                .unwrap_or(if args.quick { 2.0 } else { 5.0 })
        }),
        tools: args.tools.iter().map(|&t| Tool::from(t)).collect(),
        filters: args.filters.filters(),
    };
    let started_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut run = Run::new(
        started_at,
        perflab_collect::environment::fingerprint(&workspace.root),
    );
    let names: Vec<&str> = workspace
        .scenarios
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    eprintln!(
        "perflab run: scenarios {}; {} mode; machine {}",
        names.join(", "),
        if options.quick { "quick" } else { "full" },
        run.environment.machine_id
    );
    let plan = Plan::new(&System, &workspace, options)?;
    perflab_collect::collect(&System, &workspace, &plan, &mut run)?;
    run.normalize();
    run.validate()
        .context("the measurements do not form a valid run")?;

    let path = args
        .output
        .clone()
        .unwrap_or_else(|| run_file_path(&workspace, &run));
    let json = run.to_json();
    perflab_fs::write_atomic(&path, json.as_bytes())?;
    perflab_fs::write_atomic(
        &crate::baselines::latest_run_path(&workspace),
        json.as_bytes(),
    )?;

    println!("{}", perflab_render::render_run(&run));
    super::print_variant_comparisons(&workspace, &run);
    eprintln!("run file: {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Path of the run file for `run`: `<time>-<commit>.json` under
/// `target/perflab/runs/`.
fn run_file_path(workspace: &Workspace, run: &Run) -> PathBuf {
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
