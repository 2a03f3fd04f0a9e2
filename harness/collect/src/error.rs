//! The collect stage's one error type. Every message names what was wrong:
//! the manifest and field, the step and its log, the directory perflab read.
//!
//! A variant that wraps another error keeps it as its `source()`, so a
//! caller printing the chain (the CLI joins it with `: `) shows the same
//! line that `anyhow`'s `.context(…)` used to. This module only defines
//! errors; it does not print or recover from them.

use std::path::PathBuf;
use std::process::ExitStatus;

/// Why collecting a run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// `cargo metadata` failed: most often perflab was started outside a
    /// cargo workspace.
    #[error("running `cargo metadata` (is this inside a cargo workspace?)")]
    Metadata(#[source] cargo_metadata::Error),

    /// A scenario's `[package.metadata.perflab]` table is wrong.
    #[error("{}: [package.metadata.perflab] {message}", manifest.display())]
    Manifest {
        manifest: PathBuf,
        /// The field and what is wrong with it.
        message: String,
        #[source]
        source: Option<serde_json::Error>,
    },

    /// The `--scenario` filter matched nothing.
    #[error("no scenario matches the --scenario filter (scenarios: {known})")]
    NoScenario {
        /// Every scenario's name, comma-separated.
        known: String,
    },

    /// Every selected bench target was skipped (the warnings say why).
    #[error(
        "nothing to run: no bench target of the selected tools can run here (see warnings above)"
    )]
    NothingToRun,

    /// A child process (the build, a bench) exited unsuccessfully.
    #[error("{label} failed ({status}); full output in {}\n{tail}", log.display())]
    Failed {
        label: String,
        status: ExitStatus,
        log: PathBuf,
        /// The last lines it printed, one per line.
        tail: String,
    },

    /// The build succeeded but cargo named no executable for a bench target.
    #[error(
        "the build produced no executable for bench target {bench} of {package} (full output in {})",
        log.display()
    )]
    NoExecutable {
        package: String,
        bench: String,
        log: PathBuf,
    },

    /// A tool exited successfully but left nothing to read.
    #[error("{label}: the tool ran but perflab found no results in {}", dir.display())]
    NoResults { label: String, dir: PathBuf },

    /// A tool's output did not parse; the adapter's error names the file.
    #[error(transparent)]
    Adapter(#[from] perflab_adapters::AdapterError),

    /// A profile could not be read or drawn.
    #[error(transparent)]
    Profile(#[from] perflab_profile::ProfileError),

    /// Drawing one benchmark's differential flamegraph failed.
    #[error("differential flamegraph of {scenario} {benchmark}")]
    Diff {
        scenario: String,
        benchmark: String,
        #[source]
        source: perflab_profile::ProfileError,
    },

    /// A file or directory perflab reads or writes itself.
    #[error("{action} {}", path.display())]
    Io {
        /// What perflab was doing: `creating`, `writing`, `reading`.
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A child process could not be started.
    #[error("starting {command}")]
    Start {
        /// The command as `Debug` prints it.
        command: String,
        #[source]
        source: std::io::Error,
    },

    /// Waiting for a started child failed.
    #[error("waiting for child process")]
    Wait(#[source] std::io::Error),
}

impl CollectError {
    /// An I/O error while `action` (`creating`, `writing`, …) `path`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        CollectError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A problem with a manifest's `[package.metadata.perflab]` table.
    pub(crate) fn manifest(manifest: &std::path::Path, message: impl Into<String>) -> Self {
        CollectError::Manifest {
            manifest: manifest.to_owned(),
            message: message.into(),
            source: None,
        }
    }
}

/// The stage's result type.
pub type Result<T, E = CollectError> = std::result::Result<T, E>;

/// Creates `dir` and its parents, naming it in the error.
pub(crate) fn create_dir_all(dir: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| CollectError::io("creating", dir, e))
}
