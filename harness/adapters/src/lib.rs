//! Adapters: pure functions from each benchmark tool's raw output to
//! perflab's result format ([`perflab_schema::Measurement`]).
//!
//! One module per tool, each the same shape: a pure parser from the tool's
//! output as strings to measurements, and a thin `collect` that finds the
//! tool's files and hands their contents to the parser.
//!
//! - [`criterion`]: `new/{benchmark,estimates,sample}.json` → wall time with
//!   its confidence interval and per-iteration samples.
//! - [`gungraun`]: `summary.json` → instructions, cache-simulation counts and
//!   DHAT heap counts.
//! - [`divan`]: the printed table → wall time (median only).
//! - [`fragment`]: measurements a bench wrote itself in perflab's format
//!   (load tests, heap profiles).
//!
//! All three use [`Naming`] to turn a tool's benchmark id into a key, and the
//! [`Adapter`] trait puts them behind one interface for callers that pick a
//! tool at run time. Every failure is an [`AdapterError`] naming the file (or
//! line) and what is wrong; an adapter never panics on its input and never
//! answers with an empty list.
//!
//! This crate does not run tools, decide where they write, compare results or
//! store them: that is the CLI's, the comparer's and the store's work.

pub mod criterion;
pub mod divan;
mod error;
mod files;
pub mod fragment;
pub mod gungraun;
mod naming;

pub use error::{AdapterError, Problem};
pub use naming::{DEFAULT_BENCHMARK, DEFAULT_VARIANT, Naming};

use perflab_schema::{Measurement, Tool};
use std::path::Path;

/// Reads one tool's output into measurements.
pub trait Adapter: std::fmt::Debug + Send + Sync {
    /// The tool whose output this adapter reads.
    fn tool(&self) -> Tool;

    /// Reads the tool's output at `source`: the tool's output directory for
    /// criterion and gungraun, the file holding the captured stdout for divan.
    /// Results are sorted by key.
    fn collect(&self, source: &Path, naming: &Naming) -> Result<Vec<Measurement>, AdapterError>;
}

/// Reads a criterion home ([`criterion::collect`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Criterion;

/// Reads a gungraun home ([`gungraun::collect`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Gungraun;

/// Reads a file of divan's stdout ([`divan::collect`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Divan;

impl Adapter for Criterion {
    fn tool(&self) -> Tool {
        Tool::Criterion
    }

    fn collect(&self, source: &Path, naming: &Naming) -> Result<Vec<Measurement>, AdapterError> {
        criterion::collect(source, naming)
    }
}

impl Adapter for Gungraun {
    fn tool(&self) -> Tool {
        Tool::Gungraun
    }

    fn collect(&self, source: &Path, naming: &Naming) -> Result<Vec<Measurement>, AdapterError> {
        gungraun::collect(source, naming)
    }
}

impl Adapter for Divan {
    fn tool(&self) -> Tool {
        Tool::Divan
    }

    fn collect(&self, source: &Path, naming: &Naming) -> Result<Vec<Measurement>, AdapterError> {
        divan::collect(source, naming)
    }
}

/// The adapter for a tool, if perflab reads that tool's output.
pub fn adapter(tool: Tool) -> Option<&'static dyn Adapter> {
    match tool {
        Tool::Criterion => Some(&Criterion),
        Tool::Gungraun => Some(&Gungraun),
        Tool::Divan => Some(&Divan),
        _ => None,
    }
}
