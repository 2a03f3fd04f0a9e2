//! Baselines: named, per-machine snapshots of a run, kept as JSON files under
//! `baselines/` in the repository, so git is the database.
//!
//! A baseline lives at `baselines/<name>/<machine-id>.json`. Keying by machine
//! means a baseline saved on one machine is never silently compared with
//! results from another: looking up a baseline for machine B when only A's
//! exists finds nothing, and the caller says so.
//!
//! Two sources implement [`BaselineSource`]:
//! - [`WorkTree`]: the files on disk (and the only one that saves);
//! - [`GitSnapshot`]: the files as they were at any git ref, read with git2
//!   straight from the object database, never touching the work tree.
//!
//! [`GitRepo::history`] reads one baseline across the commits that changed it,
//! oldest first: the time series that noise bands and change-point detection use.
//!
//! This crate stores and reads; it does not compare or decide anything.

mod git;
mod id;
mod worktree;

pub use git::{GitRepo, GitSnapshot, HistoryPoint};
pub use id::{BaselineId, InvalidName};
pub use worktree::WorkTree;

use perflab_schema::Run;
use std::path::PathBuf;

/// The directory, relative to the repository root, that holds baselines.
pub const BASELINE_DIR: &str = "baselines";

/// Why a baseline could not be read or written. Every message names the file or
/// git object at fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: corrupt baseline: {source}")]
    Corrupt {
        origin: String,
        source: perflab_schema::SchemaError,
    },
    #[error("{origin}: baseline is for machine {found:?} but is stored as {expected:?}")]
    MachineMismatch {
        origin: String,
        found: String,
        expected: String,
    },
    #[error("git: {context}: {source}")]
    Git {
        context: String,
        source: git2::Error,
    },
    #[error("{0}")]
    InvalidName(#[from] InvalidName),
}

impl From<perflab_fs::WriteError> for StoreError {
    fn from(e: perflab_fs::WriteError) -> Self {
        StoreError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

/// Somewhere baselines can be read from.
pub trait BaselineSource {
    /// Where the baselines come from, for messages (a path or `git ref abc123`).
    fn describe(&self) -> String;
    /// The baseline, or `None` if there is none with this name for this machine.
    fn load(&self, id: &BaselineId) -> Result<Option<Run>, StoreError>;
    /// Every baseline present, sorted.
    fn list(&self) -> Result<Vec<BaselineId>, StoreError>;
}

/// Parses a stored baseline and checks it is filed under the right machine.
fn parse_baseline(bytes: &[u8], origin: &str, id: &BaselineId) -> Result<Run, StoreError> {
    let run = Run::from_json(bytes).map_err(|source| StoreError::Corrupt {
        origin: origin.to_owned(),
        source,
    })?;
    if run.environment.machine_id != id.machine_id() {
        return Err(StoreError::MachineMismatch {
            origin: origin.to_owned(),
            found: run.environment.machine_id.clone(),
            expected: id.machine_id().to_owned(),
        });
    }
    Ok(run)
}

/// Turns a run into the form stored as a baseline: sorted, so successive
/// baselines diff cleanly in git.
pub fn normalize_for_baseline(run: &Run) -> Run {
    let mut run = run.clone();
    run.normalize();
    run
}

#[cfg(test)]
mod tests;
