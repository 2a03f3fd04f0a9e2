//! The crate's error types. Every message names the input that was wrong: the
//! line of a folded file, the path written, the frequency asked for.
//!
//! This module only defines errors; it does not log or recover from them.

use std::io;
use std::path::PathBuf;

/// What went wrong while profiling, reading, rendering or writing a profile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// A sampling frequency of zero (pprof divides by it) or above `max`,
    /// the sampler's highest (the timer interval would round to zero, which
    /// disarms it).
    #[error("sampling frequency {hz} Hz is out of range (1..={max})")]
    InvalidFrequency { hz: u32, max: u32 },

    /// pprof's profiler is one per process; a second one cannot start.
    #[error("a CPU profiler is already running in this process; stop it first")]
    AlreadyRunning,

    /// pprof refused to start (signal handler or timer setup failed).
    #[error("could not start the pprof CPU profiler")]
    Start(#[source] pprof::Error),

    /// pprof could not build its report when the profiler stopped.
    #[error("could not build the pprof report")]
    Report(#[source] pprof::Error),

    /// A folded-stacks text did not parse.
    #[error(transparent)]
    Parse(#[from] FoldedError),

    /// A folded-stacks file could not be read.
    #[error("could not read folded stacks from {}", path.display())]
    ReadFolded {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A folded-stacks file was read but did not parse.
    #[error("{}: {source}", path.display())]
    ParseFile {
        path: PathBuf,
        #[source]
        source: FoldedError,
    },

    /// A flamegraph was asked for with no samples at all: inferno would draw an
    /// "ERROR" picture, which is worse than saying so.
    #[error("profile `{title}` has no samples; nothing to draw")]
    EmptyProfile { title: String },

    /// inferno failed while drawing.
    #[error("could not render flamegraph `{title}`")]
    Render {
        title: String,
        #[source]
        source: io::Error,
    },

    /// An output name that would escape the output directory or name nothing.
    #[error("output name `{name}` must be non-empty and contain no path separators")]
    InvalidName { name: String },

    /// Writing (or renaming into place) an output file failed.
    #[error("could not write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A line of folded-stacks text that is not `frame;frame;frame count`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct FoldedError {
    /// 1-based line number in the parsed text.
    pub line: usize,
    /// What is wrong with that line.
    pub kind: FoldedErrorKind,
}

/// The ways a folded-stacks line can be malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FoldedErrorKind {
    /// No space separating the stack from its count.
    #[error("missing sample count (expected `frame;frame count`)")]
    MissingCount,
    /// The count is not a whole non-negative number.
    #[error("sample count `{0}` is not a whole non-negative number")]
    BadCount(String),
    /// `a;;b`, a leading `;` or a trailing `;`.
    #[error("empty frame name at position {0} of the stack")]
    EmptyFrame(usize),
    /// Two counts that do not fit in a `u64` when added up.
    #[error("sample counts overflow u64")]
    Overflow,
}

/// Shorthand used throughout the crate.
pub type Result<T, E = ProfileError> = std::result::Result<T, E>;
