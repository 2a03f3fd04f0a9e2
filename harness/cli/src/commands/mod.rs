//! One module per subcommand. Each reads its arguments, wires the libraries
//! together and prints what `perflab-render` made; none computes statistics,
//! formats results or parses tool output. `config` and `site` hold what
//! several subcommands share.

pub mod baseline;
pub mod compare;
pub mod config;
pub mod findings;
pub mod gate;
pub mod report;
pub mod run;
pub mod site;

use anyhow::{Context, Result};
use perflab_collect::Workspace;

/// The workspace containing the current directory.
pub fn workspace() -> Result<Workspace> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(Workspace::discover(&cwd)?)
}

/// The workspace's scenarios with their variants in declared order, the
/// reference first.
pub fn declared_variants(workspace: &Workspace) -> Vec<perflab_compare::ScenarioVariants> {
    workspace
        .scenarios
        .iter()
        .map(|s| perflab_compare::ScenarioVariants {
            scenario: s.name.clone(),
            variants: s.variants.clone(),
        })
        .collect()
}

/// Prints, per scenario, each variant against the reference (the first
/// declared): speedups with intervals, and load results side by side.
pub fn print_variant_comparisons(workspace: &Workspace, run: &perflab_schema::Run) {
    let scenarios = declared_variants(workspace);
    let speedups = perflab_compare::variant_speedups(run, &scenarios);
    print!(
        "{}",
        perflab_render::render_variant_comparisons(&scenarios, &speedups, run)
    );
}

/// Prints a warning on stderr.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}
