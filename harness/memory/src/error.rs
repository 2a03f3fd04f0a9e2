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

    /// A re-executed child (one per variant) failed.
    #[error("{command} failed with {status}")]
    ChildFailed { command: String, status: String },
}
