//! One type per measuring tool, behind [`BenchTool`]: whether the tool can
//! run here, the flags and environment its bench executable needs, and how
//! to read what it left behind.
//!
//! Each tool gets only its own flags (criterion's options make gungraun and
//! divan fail) and writes into its step's output directory, fresh for this
//! run. Parsing is not done here: each type hands the tool's files or stdout
//! to the pure functions in `perflab-adapters`. Starting processes is not
//! done here either: the step runs the command a tool prepared.
//!
//! - [`Criterion`]: `CRITERION_HOME`, `--noplot`, quick-mode timings, a
//!   variant filter; also the `--profile-time` pass of `--profile`.
//! - [`Gungraun`]: `--home=` and `--save-summary=json`; needs valgrind and
//!   the matching `gungraun-runner`.
//! - [`Divan`]: `--color=never`; its results are the table it prints.
//! - [`Fragment`]: goose load tests and dhat heap profiles, which write a
//!   [`perflab_schema::Fragment`] to `$PERFLAB_FRAGMENT` themselves.

mod criterion;
mod divan;
mod fragment;
mod gungraun;

pub use criterion::Criterion;
pub use divan::Divan;
pub use fragment::Fragment;
pub use gungraun::Gungraun;

use crate::error::Result;
use crate::layout::RunDirs;
use crate::workspace::{BenchTarget, Scenario};
use perflab_adapters::Naming;
use perflab_schema::{Artifact, Filters, Measurement, Tool};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A measuring tool as the collect stage drives it.
pub trait BenchTool: std::fmt::Debug + Sync {
    /// The tool this type drives (one type may drive several).
    fn tool(&self) -> Tool;

    /// Whether the tool can run here, or why not and how to fix it: a
    /// tool that cannot run is skipped with this as the warning.
    fn available(&self, _workspace_root: &Path) -> Result<(), String> {
        Ok(())
    }

    /// Adds the tool's arguments and environment to `bench`, the command
    /// that starts the step's bench executable (cargo's own `--bench` is
    /// added after them), and creates any directory the tool will not.
    fn prepare(&self, step: &StepContext<'_>, bench: &mut Command) -> Result<()>;

    /// Reads what the tool left in the step's output directory, or in
    /// `stdout` for a tool that only prints its results.
    fn read(&self, step: &StepContext<'_>, stdout: &str) -> Result<Collected>;

    /// The extra pass this tool makes under `--profile`, if it profiles in
    /// a pass of its own (criterion); `None` for tools that profile while
    /// they measure (fragment benches) or not at all.
    fn profile_pass(&self) -> Option<&dyn ProfilePass> {
        None
    }
}

/// A second run of a bench target that only profiles.
pub trait ProfilePass: std::fmt::Debug + Sync {
    /// Adds the arguments and environment of a pass profiling each
    /// benchmark for `seconds` to `bench`.
    fn prepare_profile(&self, step: &StepContext<'_>, seconds: f64, bench: &mut Command);

    /// Reads the pass's profiles, drawing them under the run's profile root.
    fn read_profile(&self, step: &StepContext<'_>) -> Result<Vec<Artifact>>;
}

/// The type that drives `tool`, or why `perflab run` does not run it.
pub fn for_tool(tool: Tool) -> Result<&'static dyn BenchTool, String> {
    match tool {
        Tool::Criterion => Ok(&Criterion),
        Tool::Gungraun => Ok(&Gungraun),
        Tool::Divan => Ok(&Divan),
        Tool::Goose => Ok(&Fragment(Tool::Goose)),
        Tool::Dhat => Ok(&Fragment(Tool::Dhat)),
        other => Err(format!("{other} benches are not run by `perflab run` yet")),
    }
}

/// What a tool needs to know about the step it runs in.
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'a> {
    pub scenario: &'a Scenario,
    pub bench: &'a BenchTarget,
    /// Quick mode: short, bounded settings.
    pub quick: bool,
    /// Whether the run profiles (`--profile`).
    pub profiling: bool,
    pub filters: &'a Filters,
    pub dirs: &'a RunDirs,
}

impl StepContext<'_> {
    /// The step's fresh output directory.
    pub fn output(&self) -> PathBuf {
        self.dirs.output(self.scenario, self.bench)
    }

    /// How the scenario's benchmark ids become perflab keys.
    pub fn naming(&self) -> Naming {
        Naming {
            scenario: self.scenario.name.clone(),
            variants: self.scenario.variants.clone(),
        }
    }
}

/// What one step produced.
#[derive(Debug, Default)]
pub struct Collected {
    pub measurements: Vec<Measurement>,
    pub artifacts: Vec<Artifact>,
    /// Problems the bench reported that did not stop it.
    pub warnings: Vec<String>,
}

impl From<Vec<Measurement>> for Collected {
    fn from(measurements: Vec<Measurement>) -> Self {
        Collected {
            measurements,
            ..Collected::default()
        }
    }
}
