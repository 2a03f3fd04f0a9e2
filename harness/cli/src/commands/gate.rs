//! `perflab gate`: the CI gate. Exit 0 pass, 1 regression, 2 error.

use crate::baselines;
use crate::cli::GateArgs;
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::process::ExitCode;

/// The config file looked for at the workspace root when `--config` is not given.
pub const CONFIG_FILE: &str = "perflab.toml";

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
    let report = perflab_gate::evaluate(&config, Some(&baseline.run), &current, &history);

    println!("{}", perflab_gate::render_table(&report));
    let base = args.report_url.as_deref();
    let index = format!("{}index.html", super::report::site_base(base));
    let page = |key: &perflab_schema::MeasurementKey| Some(super::report::page_link(base, key));
    let markdown = perflab_gate::render_markdown_with_report(
        &report,
        perflab_gate::ReportLinks {
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
        print!("{}", perflab_gate::render_annotations(&report));
    }
    Ok(match report.outcome() {
        perflab_gate::Outcome::Pass => ExitCode::SUCCESS,
        perflab_gate::Outcome::Fail => ExitCode::from(crate::EXIT_REGRESSION),
    })
}

/// `--config FILE` (which must exist), else `perflab.toml` at the workspace
/// root if present, else the built-in rules.
pub fn load_config(
    root: &std::path::Path,
    explicit: Option<&std::path::Path>,
) -> Result<perflab_gate::Config> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => {
            let default = root.join(CONFIG_FILE);
            if !default.exists() {
                return Ok(perflab_gate::Config::default());
            }
            default
        }
    };
    if !path.is_file() {
        bail!("gate config {} does not exist", path.display());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading gate config {}", path.display()))?;
    perflab_gate::Config::parse(&text)
        .with_context(|| format!("{}: invalid gate config", path.display()))
}
