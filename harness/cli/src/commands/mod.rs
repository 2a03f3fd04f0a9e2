//! One module per subcommand. Each reads its arguments, wires the libraries
//! together and prints; none computes statistics or parses tool output.

pub mod baseline;
pub mod compare;
pub mod findings;
pub mod gate;
pub mod report;
pub mod run;

use crate::workspace::Workspace;
use anyhow::{Context, Result};

/// The workspace containing the current directory.
pub fn workspace() -> Result<Workspace> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(Workspace::discover(&cwd)?)
}

/// Prints, per scenario, each variant against the reference (the first
/// declared): speedups with intervals, and load results side by side.
pub fn print_variant_comparisons(workspace: &Workspace, run: &perflab_schema::Run) {
    for scenario in &workspace.scenarios {
        let Some((reference, others)) = scenario.variants.split_first() else {
            continue;
        };
        for candidate in others {
            let speedups: Vec<_> = perflab_compare::speedups(run, reference, candidate)
                .into_iter()
                .filter(|s| s.key.scenario == scenario.name)
                .collect();
            if !speedups.is_empty() {
                println!("{} {candidate} vs {reference}:", scenario.name);
                println!("{}", perflab_gate::render_speedups(&speedups));
            }
        }
        let mut own = run.clone();
        own.measurements.retain(|m| m.key.scenario == scenario.name);
        let variants: Vec<&str> = scenario.variants.iter().map(String::as_str).collect();
        let load = perflab_gate::render_load(&own, &variants);
        if !load.is_empty() {
            println!("{} load tests:", scenario.name);
            println!("{load}");
        }
    }
}

/// Prints a warning on stderr.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}
