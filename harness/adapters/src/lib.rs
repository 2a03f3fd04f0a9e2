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
//! All of them use [`Naming`] to turn a tool's benchmark id into a key. Every
//! failure is an [`AdapterError`] naming the file (or line) and what is
//! wrong; an adapter never panics on its input and never answers with an
//! empty list. Callers pick the module for their tool themselves: in
//! perflab, each tool type of the collect stage (`perflab-collect`) calls
//! its tool's module.
//!
//! This crate does not run tools, decide where they write, compare results or
//! store them: that is the collect stage's, the comparer's and the store's
//! work.

pub mod criterion;
pub mod divan;
mod error;
mod files;
pub mod fragment;
pub mod gungraun;
mod naming;

pub use error::{AdapterError, Problem};
pub use naming::{DEFAULT_BENCHMARK, DEFAULT_VARIANT, Naming};
