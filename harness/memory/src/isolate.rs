//! One variant per process: a bench binary runs itself again once per
//! variant and merges what the children measured.
//!
//! Heap and RSS numbers of two variants measured in one process are not
//! independent: one-time initialisation is charged to whichever runs first,
//! what the first leaked stays resident, and the allocator's free lists
//! carry over. A bench therefore starts like this:
//!
//! ```ignore
//! use perflab_memory::isolate::{ChildTask, run_variants, this_process_args};
//!
//! fn main() -> anyhow::Result<()> {
//!     if let Some(task) = ChildTask::from_env() {
//!         let fragment = measure_one(&task.variant)?; // profile_heap etc.
//!         return Ok(task.finish(&fragment)?);
//!     }
//!     let runs = run_variants(&["naive", "optimized"], &this_process_args())?;
//!     // write runs.fragment to $PERFLAB_FRAGMENT
//! }
//! ```
//!
//! [`run_variants`] starts the same executable with the same arguments and
//! [`VARIANT_ENV`] / [`RESULTS_ENV`] set, one child after another (never in
//! parallel, so they do not disturb each other's timing or RSS), waits for
//! each with [`crate::rss::measure_child`], and reads the
//! [`Fragment`] each child wrote with [`ChildTask::finish`].
//!
//! What it does not do: choose what a child measures, write the merged
//! fragment (the caller does, to [`perflab_schema::FRAGMENT_ENV`]), or retry
//! a failed child.

use crate::MemoryError;
use crate::rss::{ChildUsage, measure_child};
use perflab_schema::{Fragment, Measurement, MeasurementKey, MetricKind, Tool};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

/// Set in a child: the variant it runs.
pub const VARIANT_ENV: &str = "PERFLAB_MEMORY_VARIANT";

/// Set in a child: the file its [`Fragment`] goes to.
pub const RESULTS_ENV: &str = "PERFLAB_MEMORY_RESULTS";

/// What a child started by [`run_variants`] has to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildTask {
    /// The variant this process measures.
    pub variant: String,
    results: PathBuf,
}

impl ChildTask {
    /// `Some` in a child started by [`run_variants`], `None` otherwise.
    pub fn from_env() -> Option<ChildTask> {
        let variant = std::env::var(VARIANT_ENV).ok()?;
        let results = PathBuf::from(std::env::var_os(RESULTS_ENV)?);
        Some(ChildTask { variant, results })
    }

    /// Hands the child's measurements, artifacts and warnings to the parent,
    /// written atomically: a child killed halfway leaves no half fragment.
    pub fn finish(self, fragment: &Fragment) -> Result<(), MemoryError> {
        perflab_fs::write_atomic(&self.results, fragment.to_json().as_bytes()).map_err(|e| {
            MemoryError::WriteResults {
                path: e.path,
                source: e.source,
            }
        })
    }
}

/// One child's run.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantRun {
    pub variant: String,
    /// Exit status, times and peak RSS of the child process.
    pub usage: ChildUsage,
}

impl VariantRun {
    /// The child's peak RSS as a `peak_rss` measurement, when it is known
    /// (see [`ChildUsage::child_peak_rss_bytes`]).
    pub fn peak_rss(&self, scenario: &str, benchmark: &str) -> Option<Measurement> {
        let key = MeasurementKey {
            scenario: scenario.to_owned(),
            variant: self.variant.clone(),
            benchmark: benchmark.to_owned(),
            metric: MetricKind::PeakRss,
        };
        let bytes = self.usage.child_peak_rss_bytes()?;
        Some(Measurement::new(key, bytes as f64, Tool::Dhat))
    }
}

/// Everything the children measured, merged, and how each child ran.
#[derive(Debug, Clone, PartialEq)]
pub struct IsolatedRuns {
    pub fragment: Fragment,
    pub runs: Vec<VariantRun>,
}

/// This process's arguments, without the program name: what a child gets
/// when the bench should run the same way.
pub fn this_process_args() -> Vec<OsString> {
    std::env::args_os().skip(1).collect()
}

/// Runs this executable once per variant, one after another, with `args` and
/// the task in the environment, and merges the fragments they wrote. Fails
/// on the first child that fails or writes no valid fragment, naming its
/// variant.
pub fn run_variants(variants: &[&str], args: &[OsString]) -> Result<IsolatedRuns, MemoryError> {
    let exe = std::env::current_exe().map_err(|source| MemoryError::Spawn {
        command: "this executable (current_exe)".into(),
        source,
    })?;
    let mut merged = Fragment::new(Vec::new());
    let mut runs = Vec::with_capacity(variants.len());
    for &variant in variants {
        let results = std::env::temp_dir().join(format!(
            "perflab-memory-{}-{}.fragment.json",
            std::process::id(),
            variant.replace(['/', '\\'], "-")
        ));
        let results_error =
            |source: Box<dyn std::error::Error + Send + Sync>| MemoryError::ChildResults {
                variant: variant.to_owned(),
                path: results.clone(),
                source,
            };
        if let Err(e) = std::fs::remove_file(&results)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(results_error(e.into()));
        }
        let mut cmd = Command::new(&exe);
        cmd.args(args)
            .env(VARIANT_ENV, variant)
            .env(RESULTS_ENV, &results);
        let usage = measure_child(&mut cmd)?;
        if !usage.status.success() {
            let _ = std::fs::remove_file(&results);
            return Err(MemoryError::ChildFailed {
                variant: variant.to_owned(),
                command: format!("{cmd:?}"),
                status: usage.status.to_string(),
            });
        }
        let bytes = std::fs::read(&results).map_err(|e| results_error(e.into()))?;
        let _ = std::fs::remove_file(&results);
        let fragment = Fragment::from_json(&bytes).map_err(|e| results_error(e.into()))?;
        merged.measurements.extend(fragment.measurements);
        merged.artifacts.extend(fragment.artifacts);
        merged.warnings.extend(fragment.warnings);
        runs.push(VariantRun {
            variant: variant.to_owned(),
            usage,
        });
    }
    Ok(IsolatedRuns {
        fragment: merged,
        runs,
    })
}

#[cfg(test)]
mod tests {
    //! This test binary re-executes itself: `child_side` is the child's whole
    //! program when the task variables are set, and a no-op otherwise.

    use super::*;

    fn child_args() -> Vec<OsString> {
        ["--exact", "isolate::tests::child_side", "--test-threads=1"]
            .map(OsString::from)
            .to_vec()
    }

    #[test]
    fn child_side() {
        let Some(task) = ChildTask::from_env() else {
            return;
        };
        if task.variant == "broken" {
            std::process::exit(7);
        }
        if task.variant == "silent" {
            return;
        }
        let key = MeasurementKey {
            scenario: "s".into(),
            variant: task.variant.clone(),
            benchmark: "b".into(),
            metric: MetricKind::HeapTotalBytes,
        };
        let pid = std::process::id() as f64;
        let fragment = Fragment::new(vec![Measurement::new(key, pid, Tool::Dhat)]);
        task.finish(&fragment).unwrap();
    }

    #[test]
    fn each_variant_runs_in_its_own_process_and_results_merge() {
        let runs = run_variants(&["naive", "optimized"], &child_args()).unwrap();
        let ms = &runs.fragment.measurements;
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].key.variant, "naive");
        assert_eq!(ms[1].key.variant, "optimized");
        // The estimate is the child's pid: two processes, neither this one.
        assert_ne!(ms[0].estimate, ms[1].estimate);
        assert!(ms.iter().all(|m| m.estimate != std::process::id() as f64));
        assert_eq!(runs.runs.len(), 2);
        assert!(runs.runs.iter().all(|r| r.usage.status.success()));
    }

    #[test]
    fn a_failing_or_silent_child_is_an_error_naming_the_variant() {
        let err = run_variants(&["broken"], &child_args()).unwrap_err();
        assert!(matches!(err, MemoryError::ChildFailed { .. }), "{err}");
        assert!(err.to_string().contains("`broken`"), "{err}");
        let err = run_variants(&["silent"], &child_args()).unwrap_err();
        assert!(matches!(err, MemoryError::ChildResults { .. }), "{err}");
        assert!(err.to_string().contains("`silent`"), "{err}");
    }

    #[test]
    fn not_a_child_without_the_variables() {
        // The test runner does not set them (run_variants sets them only in
        // the children it starts).
        assert_eq!(ChildTask::from_env(), None);
    }
}
