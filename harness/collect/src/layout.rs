//! Where one run's files go, under `target/perflab/`:
//!
//! ```text
//! logs/build.log                               the shared build
//! raw/<run>/<package>/<bench>/                 what each tool wrote (fresh per run)
//! raw/<run>/<package>/<bench>.profile/         criterion's profiling pass
//! raw/<run>/logs/<package>.<bench>[.profile].log
//! profiles/<run>/<scenario>/<benchmark>/       flamegraphs (see `profiles`)
//! artifacts/<run>/<package>/<bench>/           files fragment benches keep
//! ```
//!
//! Every tool writes into a directory that is new for this run, so results
//! from an earlier run can never leak into this one. This module only names
//! paths; it creates nothing.

use crate::workspace::{BenchTarget, Scenario, Workspace};
use std::path::PathBuf;

/// The directories of one run, named after its start time.
#[derive(Debug, Clone)]
pub struct RunDirs {
    /// Tools' raw output and the steps' logs.
    pub raw: PathBuf,
    /// Flamegraphs and folded stacks (`--profile`).
    pub profiles: PathBuf,
    /// Files that fragment-writing benches keep as artifacts.
    pub artifacts: PathBuf,
    /// The shared build's log (not per run: the build is not part of the results).
    pub build_log: PathBuf,
}

impl RunDirs {
    /// The directories of the run started at `started_at` (Unix seconds).
    pub fn new(workspace: &Workspace, started_at: i64) -> Self {
        let perflab = workspace.perflab_dir();
        let run = started_at.to_string();
        RunDirs {
            raw: perflab.join("raw").join(&run),
            profiles: perflab.join("profiles").join(&run),
            artifacts: perflab.join("artifacts").join(&run),
            build_log: perflab.join("logs").join("build.log"),
        }
    }

    /// Where a bench target's tool writes its output.
    pub fn output(&self, scenario: &Scenario, bench: &BenchTarget) -> PathBuf {
        self.raw.join(&scenario.package).join(&bench.name)
    }

    /// Where criterion writes during a bench target's profiling pass.
    pub fn profile_output(&self, scenario: &Scenario, bench: &BenchTarget) -> PathBuf {
        self.raw
            .join(&scenario.package)
            .join(format!("{}.profile", bench.name))
    }

    /// The log of a bench target's step; `pass` names a second pass
    /// (`Some("profile")`).
    pub fn log(&self, scenario: &Scenario, bench: &BenchTarget, pass: Option<&str>) -> PathBuf {
        let name = match pass {
            None => format!("{}.{}.log", scenario.package, bench.name),
            Some(pass) => format!("{}.{}.{pass}.log", scenario.package, bench.name),
        };
        self.raw.join("logs").join(name)
    }

    /// Where a fragment-writing bench keeps the files it lists as artifacts.
    pub fn artifacts(&self, scenario: &Scenario, bench: &BenchTarget) -> PathBuf {
        self.artifacts.join(&scenario.package).join(&bench.name)
    }
}
