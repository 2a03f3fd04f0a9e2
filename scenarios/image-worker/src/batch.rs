//! A batch: a folder of images run through one worker as numbered jobs,
//! with monitoring after each job and a progress report every so often.
//! This is what `image-worker run` does; it holds no CLI types.
//!
//! Inputs are the folder's `.jpg`, `.jpeg` and `.png` files (any case),
//! sorted by name; with more jobs than files the list is cycled, as a
//! worker sees the same kinds of photos again and again.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use perflab_memory::{Alert, MemorySample};

use crate::job::{Job, JobError, JobInput};
use crate::monitoring::Monitoring;
use crate::worker::Worker;

/// Why a batch could not run.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("cannot list input folder {}", dir.display())]
    List {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("input folder {} has no .jpg, .jpeg or .png files", dir.display())]
    Empty { dir: PathBuf },
    /// A job failed in a way that is not the input's fault (the store).
    #[error(transparent)]
    Job(JobError),
}

/// The JPEG and PNG files of `dir`, sorted.
pub fn list_inputs(dir: &Path) -> Result<Vec<PathBuf>, BatchError> {
    let list_error = |source| BatchError::List {
        dir: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(list_error)? {
        let path = entry.map_err(list_error)?.path();
        let image = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["jpg", "jpeg", "png"].contains(&e.to_ascii_lowercase().as_str()));
        if image && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(BatchError::Empty {
            dir: dir.to_owned(),
        });
    }
    Ok(files)
}

/// Where a batch stands, as reported every few jobs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub done: u64,
    pub failed: u64,
    pub total: u64,
    pub memory: Option<MemorySample>,
    pub elapsed: Duration,
}

/// One finished job, as [`run_batch`] hands it to its per-job callback.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JobRecord<'a> {
    /// The job's number, from 0.
    pub index: u64,
    pub input: &'a Path,
    /// Whether the job succeeded.
    pub ok: bool,
    /// RSS and live heap right after the job (the monitoring's sample).
    pub memory: Option<MemorySample>,
    /// How long the job took.
    pub elapsed: Duration,
}

/// How a batch ended.
#[derive(Debug)]
pub struct BatchSummary {
    pub done: u64,
    pub failed: u64,
    /// The first few failures (input and cause).
    pub failures: Vec<String>,
    /// The worker passed its memory cap ([`JobError::Crashed`]).
    pub crashed: Option<JobError>,
    pub alerts: Vec<Alert>,
    pub memory: Option<MemorySample>,
    pub elapsed: Duration,
}

/// Failures kept in [`BatchSummary::failures`].
pub const KEPT_FAILURES: usize = 10;

/// Runs `jobs` jobs over `inputs`, calling `after_job` after every job
/// (the one that crashed included) and `progress` every `every` jobs.
pub fn run_batch(
    worker: &mut Worker,
    monitoring: &mut Monitoring,
    inputs: &[PathBuf],
    jobs: u64,
    every: u64,
    mut progress: impl FnMut(&Progress),
    mut after_job: impl FnMut(&JobRecord<'_>),
) -> Result<BatchSummary, BatchError> {
    let started = Instant::now();
    let mut summary = BatchSummary {
        done: 0,
        failed: 0,
        failures: Vec::new(),
        crashed: None,
        alerts: Vec::new(),
        memory: None,
        elapsed: Duration::ZERO,
    };
    for (index, path) in (0..jobs).zip(inputs.iter().cycle()) {
        let job = Job::standard(JobInput::Path(path.clone()));
        let job_started = Instant::now();
        let result = worker.process(&job);
        let ok = result.is_ok();
        let elapsed = job_started.elapsed();
        summary
            .alerts
            .extend(monitoring.after_job(index, elapsed, ok));
        after_job(&JobRecord {
            index,
            input: path,
            ok,
            memory: monitoring.last_sample(),
            elapsed,
        });
        match result {
            Ok(_) => summary.done += 1,
            Err(e @ JobError::Crashed { .. }) => {
                summary.crashed = Some(e);
                break;
            }
            Err(e @ JobError::Store { .. }) => return Err(BatchError::Job(e)),
            Err(e) => {
                summary.failed += 1;
                if summary.failures.len() < KEPT_FAILURES {
                    summary.failures.push(e.chain());
                }
            }
        }
        if every > 0 && (index + 1) % every == 0 {
            progress(&Progress {
                done: summary.done,
                failed: summary.failed,
                total: jobs,
                memory: monitoring.last_sample(),
                elapsed: started.elapsed(),
            });
        }
    }
    summary.memory = monitoring.last_sample();
    summary.elapsed = started.elapsed();
    Ok(summary)
}
