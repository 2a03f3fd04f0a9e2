//! What a report is made from, as plain values the caller assembles: the
//! current run, the gate's decision against a baseline, the speedups of each
//! scenario's variants over its reference, the baseline's history along git,
//! and which variant of each scenario is the reference.
//!
//! Nothing here reads files or git or computes a statistic; the CLI does
//! that and hands the results in.

use perflab_compare::ScenarioVariants;
use perflab_compare::Speedup;
use perflab_gate::Decision;
use perflab_schema::{MeasurementKey, Run};
use std::collections::HashMap;
use std::path::PathBuf;

/// One commit of the baseline's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Full hex id.
    pub id: String,
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// The commit's summary line.
    pub summary: String,
}

/// A baseline's values across the commits that changed it, oldest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    commits: Vec<Commit>,
    /// Per key: (index into `commits`, estimate), oldest first.
    series: HashMap<MeasurementKey, Vec<(usize, f64)>>,
}

impl History {
    pub fn new() -> Self {
        History::default()
    }

    /// Appends the baseline as stored at `commit` (call oldest first).
    pub fn push(&mut self, commit: Commit, run: &Run) {
        let index = self.commits.len();
        self.commits.push(commit);
        for m in &run.measurements {
            self.series
                .entry(m.key.clone())
                .or_default()
                .push((index, m.estimate));
        }
    }

    /// Appends one value without a whole run (synthetic inputs, tests).
    pub fn push_value(&mut self, commit: usize, key: &MeasurementKey, value: f64) {
        self.series
            .entry(key.clone())
            .or_default()
            .push((commit, value));
    }

    /// Appends a commit with no values yet; returns its index.
    pub fn push_commit(&mut self, commit: Commit) -> usize {
        self.commits.push(commit);
        self.commits.len() - 1
    }

    pub fn commits(&self) -> &[Commit] {
        &self.commits
    }

    /// A key's (commit index, estimate) points, oldest first.
    pub fn series(&self, key: &MeasurementKey) -> &[(usize, f64)] {
        self.series.get(key).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }
}

/// Everything a site is rendered from.
#[derive(Debug)]
pub struct SiteInput<'a> {
    /// The run reported on.
    pub run: &'a Run,
    /// Where the run file lives: relative artifact paths are resolved from it.
    pub run_dir: PathBuf,
    /// The run file's name, for the page header.
    pub run_label: String,
    /// The gate's decision on the run (against a baseline when
    /// `gate.has_baseline`; SLOs only otherwise).
    pub gate: &'a Decision,
    /// Where the baseline came from, for the page header.
    pub baseline_origin: Option<String>,
    /// The baseline's history along git, oldest first (may be empty).
    pub history: &'a History,
    /// Declared variants per scenario; scenarios not listed fall back to a
    /// variant named `naive`, else the alphabetically first, as reference
    /// (see [`ScenarioVariants::of_run`]).
    pub variants: &'a [ScenarioVariants],
    /// Speedups of each scenario's other variants over its reference, as
    /// `perflab_compare::speedups` computes them, for the references that
    /// [`ScenarioVariants::of_run`] gives; speedups over any other variant
    /// are not shown.
    pub speedups: &'a [Speedup],
    /// Problems met while loading (history gaps, machine mismatch).
    pub warnings: Vec<String>,
    /// Directories besides `run_dir` whose files may be copied into the site
    /// (the build directory holding profiles). Artifacts elsewhere are not
    /// copied: a published site must not carry whatever a run file names.
    pub artifact_roots: Vec<PathBuf>,
}
