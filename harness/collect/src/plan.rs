//! What a run will do, decided before anything is built: the scenarios the
//! filters select, and one [`Step`] per bench target whose tool is selected
//! and can run here. A tool that cannot run is skipped with a warning that
//! says why and how to fix it, never silently.
//!
//! A plan is a plain list of steps, so a caller can repeat it in rounds
//! (base and head interleaved) or split it into shards; this module only
//! plans and runs nothing.

use crate::error::{CollectError, Result};
use crate::process::Host;
use crate::tools::{self, BenchTool};
use crate::workspace::{BenchTarget, Scenario, Workspace};
use perflab_schema::{Filters, Tool};

/// How to run: the settings a caller (the CLI) turns its arguments into.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Quick mode: short, bounded settings for smoke tests.
    pub quick: bool,
    /// Seconds to profile each criterion benchmark for (`--profile`), after measuring.
    pub profile_seconds: Option<f64>,
    /// The tools whose bench targets run.
    pub tools: Vec<Tool>,
    pub filters: Filters,
}

/// One bench target to run, with the type that drives its tool.
#[derive(Debug, Clone, Copy)]
pub struct Step<'w> {
    pub scenario: &'w Scenario,
    pub bench: &'w BenchTarget,
    pub tool: &'static dyn BenchTool,
}

/// The scenarios to build and the steps to run, in order, under the options
/// they were planned with.
#[derive(Debug, Clone)]
pub struct Plan<'w> {
    pub options: RunOptions,
    /// The scenarios the filters select; all of their benches are built.
    pub scenarios: Vec<&'w Scenario>,
    pub steps: Vec<Step<'w>>,
    /// Bench targets skipped because their tool cannot run here, and why.
    pub skipped: Vec<String>,
}

impl<'w> Plan<'w> {
    /// Plans a run of `workspace` under `options`, asking `host` whether
    /// each selected tool can run.
    pub fn new(host: &dyn Host, workspace: &'w Workspace, options: RunOptions) -> Result<Self> {
        let scenarios: Vec<&Scenario> = workspace
            .scenarios
            .iter()
            .filter(|s| options.filters.scenario(&s.name))
            .collect();
        if scenarios.is_empty() {
            let known: Vec<&str> = workspace
                .scenarios
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            return Err(CollectError::NoScenario {
                known: known.join(", "),
            });
        }
        let mut steps = Vec::new();
        let mut skipped = Vec::new();
        for scenario in &scenarios {
            for bench in scenario
                .benches
                .iter()
                .filter(|b| options.tools.contains(&b.tool))
            {
                let checked = tools::for_tool(bench.tool)
                    .and_then(|tool| host.check_tool(tool, &workspace.root).map(|()| tool));
                match checked {
                    Ok(tool) => steps.push(Step {
                        scenario,
                        bench,
                        tool,
                    }),
                    Err(why) => skipped.push(format!("{} {}: {why}", scenario.name, bench.name)),
                }
            }
        }
        Ok(Plan {
            options,
            scenarios,
            steps,
            skipped,
        })
    }
}
