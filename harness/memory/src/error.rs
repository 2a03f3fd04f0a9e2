//! The crate's error type. Every message names what failed: the `/proc` file
//! and field, the command, the profile path.
//!
//! This module only defines errors; it does not log or recover from them.

use std::io;
use std::path::PathBuf;

/// What went wrong while reading memory statistics, running a child or
/// writing a heap profile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// A `/proc` file could not be read (not Linux, or no `/proc` mounted).
    #[error("could not read {}", path.display())]
    ReadProc {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A `/proc` file was read but lacks the field asked for (kernel threads
    /// and zombies have no `VmRSS`).
    #[error("{} has no `{field}` line", path.display())]
    MissingField { path: PathBuf, field: String },

    /// A `/proc` field is not `<number> kB`.
    #[error("{}: `{field}` is {value:?}, expected `<number> kB`", path.display())]
    BadField {
        path: PathBuf,
        field: String,
        value: String,
    },

    /// The kernel refused to reset the peak RSS (`/proc/self/clear_refs` is
    /// missing before Linux 4.0, or not writable in some sandboxes).
    #[error("could not reset the peak RSS through {}", path.display())]
    ResetPeak {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A rule or monitor setting cannot give a verdict.
    #[error("invalid setting `{field}`: {problem}")]
    Config {
        field: &'static str,
        problem: String,
    },

    /// A child process could not be started.
    #[error("could not start {command}")]
    Spawn {
        command: String,
        #[source]
        source: io::Error,
    },

    /// Waiting for a child process failed.
    #[error("could not wait for {command} (pid {pid})")]
    Wait {
        command: String,
        pid: u32,
        #[source]
        source: io::Error,
    },

    /// A heap profile's directory could not be made, or the profile was not
    /// written where it was asked for.
    #[error("could not write the heap profile {}", path.display())]
    WriteProfile {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A growth measurement could not be made from a series.
    #[error("{benchmark} [{metric}]: {problem}")]
    Growth {
        benchmark: String,
        metric: perflab_schema::MetricKind,
        problem: String,
    },

    /// dhat's profiler saw no allocation at all, not even a probe: the
    /// binary's global allocator is not `dhat::Alloc`.
    #[error(
        "profiling {}: dhat saw no allocations; the binary needs \
         `#[global_allocator] static ALLOC: dhat::Alloc = dhat::Alloc;`",
        path.display()
    )]
    NotDhatAllocator { path: PathBuf },

    /// A dhat profiler started elsewhere in the process is still running
    /// (dhat allows one at a time).
    #[error("profiling {}: another dhat profiler is running in this process", path.display())]
    ProfilerBusy { path: PathBuf },

    /// A re-executed child (one per variant) failed.
    #[error("variant `{variant}`: {command} failed with {status}")]
    ChildFailed {
        variant: String,
        command: String,
        status: String,
    },

    /// A re-executed child could not hand its results to the parent.
    #[error("could not write this variant's results to {}", path.display())]
    WriteResults {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A re-executed child's results could not be read or were not a valid
    /// perflab fragment.
    #[error("variant `{variant}`: could not read its results from {}", path.display())]
    ChildResults {
        variant: String,
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
