//! `perflab gate`: the CI gate. Exit 0 pass, 1 regression, 2 error.

use super::config::load_config;
use super::site::{page_link, site_base};
use crate::baselines;
use crate::cli::GateArgs;
use anyhow::{Context, Result};
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: &GateArgs) -> Result<ExitCode> {
    let workspace = super::workspace()?;
    let config = load_config(&workspace.root, args.config.as_deref())?;
    let current = baselines::current_run(&workspace, args.baseline.run.as_deref())?;
    let baseline = baselines::load(&workspace, &args.baseline, &current)?;
    for warning in current.warnings.iter().chain(&baseline.warnings) {
        super::warn(warning);
    }
    eprintln!(
        "gate: {} measurements against baseline {}",
        current.measurements.len(),
        baseline.origin
    );
    let history = |key: &perflab_schema::MeasurementKey| baseline.history_of(key);
    let decision = perflab_gate::evaluate(&config, Some(&baseline.run), &current, &history);

    println!("{}", perflab_render::render_table(&decision));
    let base = args.report_url.as_deref();
    let index = format!("{}index.html", site_base(base));
    let page = |key: &perflab_schema::MeasurementKey| Some(page_link(base, key));
    let markdown = perflab_render::render_markdown_with_report(
        &decision,
        perflab_render::ReportLinks {
            index: &index,
            page: &page,
        },
    );
    if let Some(path) = &args.markdown {
        perflab_fs::write_atomic(path, markdown.as_bytes())?;
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .with_context(|| {
                format!(
                    "opening $GITHUB_STEP_SUMMARY ({})",
                    summary.to_string_lossy()
                )
            })?;
        file.write_all(markdown.as_bytes())
            .context("appending to $GITHUB_STEP_SUMMARY")?;
    }
    if args.annotations || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        print!("{}", perflab_render::render_annotations(&decision));
    }
    Ok(match decision.outcome() {
        perflab_gate::Outcome::Pass => ExitCode::SUCCESS,
        perflab_gate::Outcome::Fail => ExitCode::from(crate::EXIT_REGRESSION),
    })
}
