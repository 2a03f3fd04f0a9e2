//! Turning `--against`, `--merge-base`, `--name` and `--machine` into a
//! baseline run and its history, and loading run files.
//!
//! The history is read from git once per command: the noise bands of the
//! comparisons and, for `perflab report`, the history charts both come from
//! the one read ([`load_with_history`]).

use crate::cli::{BaselineArgs, SourceArgs};
use anyhow::{Context, Result, bail};
use perflab_collect::Workspace;
use perflab_schema::{MeasurementKey, Run};
use perflab_store::{BaselineId, BaselineSource, GitRepo, HistoryPoint, WorkTree};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How many past versions of a baseline feed the noise band.
pub const HISTORY_POINTS: usize = 200;

/// A baseline ready to compare with.
#[derive(Debug)]
pub struct Loaded {
    pub run: Run,
    /// Where it came from, for messages.
    pub origin: String,
    /// Earlier estimates per key, oldest first, from the baseline's git history.
    pub history: HashMap<MeasurementKey, Vec<f64>>,
    /// Problems met on the way that did not stop the comparison.
    pub warnings: Vec<String>,
}

impl Loaded {
    /// A key's earlier estimates, oldest first; empty without history.
    pub fn history_of(&self, key: &MeasurementKey) -> Vec<f64> {
        self.history.get(key).cloned().unwrap_or_default()
    }
}

/// Reads a run file, naming it in any error.
pub fn read_run(path: &Path) -> Result<Run> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading run file {}", path.display()))?;
    Run::from_json(&bytes).with_context(|| format!("{}: invalid run file", path.display()))
}

/// The run file `perflab run` wrote last.
pub fn latest_run_path(workspace: &Workspace) -> PathBuf {
    workspace.perflab_dir().join("latest.json")
}

/// `--run FILE` or the latest run.
pub fn current_run(workspace: &Workspace, run: Option<&Path>) -> Result<Run> {
    match run {
        Some(path) => read_run(path),
        None => {
            let path = latest_run_path(workspace);
            if !path.exists() {
                bail!(
                    "no run yet ({} does not exist): run `perflab run` first, or pass --run FILE",
                    path.display()
                );
            }
            read_run(&path)
        }
    }
}

/// Where baselines are kept: `baselines/` at the workspace root.
pub fn baselines_dir(workspace: &Workspace) -> PathBuf {
    workspace.root.join(perflab_store::BASELINE_DIR)
}

/// Opens the git repository holding the baselines, if there is one.
pub fn git_repo(workspace: &Workspace) -> Option<GitRepo> {
    GitRepo::discover(&baselines_dir(workspace)).ok()
}

/// The baseline source the flags select: the work tree, a ref, or a merge-base.
pub fn source<'r>(
    workspace: &Workspace,
    args: &SourceArgs,
    repo: Option<&'r GitRepo>,
) -> Result<Box<dyn BaselineSource + 'r>> {
    let git = |what: &str| {
        repo.with_context(|| {
            format!(
                "{what} needs a git repository, but {} is not in one",
                workspace.root.display()
            )
        })
    };
    if let Some(spec) = &args.against {
        let repo = git("--against")?;
        let commit = repo.resolve(spec)?;
        Ok(Box::new(repo.snapshot(commit, spec)))
    } else if let Some(branch) = &args.merge_base {
        let repo = git("--merge-base")?;
        let commit = repo.merge_base_with(branch)?;
        Ok(Box::new(
            repo.snapshot(commit, &format!("merge-base with {branch}")),
        ))
    } else {
        Ok(Box::new(WorkTree::new(baselines_dir(workspace))))
    }
}

/// Loads the baseline the flags name, for the current run's machine unless
/// `--machine` says otherwise; with its history when git has one.
pub fn load(workspace: &Workspace, args: &BaselineArgs, current: &Run) -> Result<Loaded> {
    load_with_history(workspace, args, current, 0).map(|(loaded, _)| loaded)
}

/// [`load`], also handing back the baseline's newest `keep` versions along
/// git, oldest first (for charts). Git is read once for both: the newest
/// [`HISTORY_POINTS`] of the versions read feed the noise bands.
pub fn load_with_history(
    workspace: &Workspace,
    args: &BaselineArgs,
    current: &Run,
    keep: usize,
) -> Result<(Loaded, Vec<HistoryPoint>)> {
    let repo = git_repo(workspace);
    let source = source(workspace, &args.source, repo.as_ref())?;
    let machine = args
        .machine
        .as_deref()
        .unwrap_or(&current.environment.machine_id);
    let id = BaselineId::new(&args.name, machine)?;
    let Some(run) = source.load(&id)? else {
        let available = source.list()?;
        let listed = if available.is_empty() {
            "none".to_owned()
        } else {
            available
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        bail!(
            "no baseline {id} in {}. Baselines there: {listed}.\n\
             Save one on this machine with `perflab baseline save --name {}` (and commit it), \
             or compare with another machine's deliberately with --machine ID.",
            source.describe(),
            args.name,
        );
    };
    let mut warnings = Vec::new();
    if run.environment.machine_id != current.environment.machine_id {
        warnings.push(format!(
            "comparing across machines: the baseline was measured on {} and this run on {}; \
             wall-time differences may be the machines, not the code",
            run.environment.machine_id, current.environment.machine_id
        ));
    }
    let mut history: HashMap<MeasurementKey, Vec<f64>> = HashMap::new();
    let mut kept = Vec::new();
    if let Some(repo) = &repo {
        match repo.history(&id, HISTORY_POINTS.max(keep)) {
            Ok((mut points, skipped)) => {
                warnings.extend(skipped.into_iter().map(|s| format!("history: skipped {s}")));
                let band_from = points.len().saturating_sub(HISTORY_POINTS);
                for point in &points[band_from..] {
                    for m in &point.run.measurements {
                        // Clone a key only the first time it is seen.
                        match history.get_mut(&m.key) {
                            Some(values) => values.push(m.estimate),
                            None => {
                                history.insert(m.key.clone(), vec![m.estimate]);
                            }
                        }
                    }
                }
                kept = points.split_off(points.len().saturating_sub(keep));
            }
            Err(e) => warnings.push(format!("history unavailable: {e}")),
        }
    }
    let loaded = Loaded {
        run,
        origin: format!("{id} from {}", source.describe()),
        history,
        warnings,
    };
    Ok((loaded, kept))
}
