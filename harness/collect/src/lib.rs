//! perflab's collect stage: from a cargo workspace's scenario crates to one
//! [`Run`](perflab_schema::Run) of raw measurements.
//!
//! ```text
//! Workspace::discover ─► Plan::new ─► build once ─► each step: start the bench,
//! (cargo metadata)      (filters,     (cargo bench   the tool reads its output
//!                        tool checks)  --no-run)     (perflab-adapters)
//! ```
//!
//! - [`workspace`]: the scenarios, from `[package.metadata.perflab]`.
//! - [`plan`]: [`RunOptions`] in, a [`Plan`] out: a list of [`Step`]s
//!   (scenario, bench target, tool) that [`collect`] runs in order. Because a
//!   plan is a plain list, a caller can later repeat it in rounds (base and
//!   head interleaved) or split it into shards without the steps changing.
//! - [`tools`]: one type per tool behind [`BenchTool`], which prepares the
//!   bench's invocation and reads what it left.
//! - `build`, `launch`, `step`, `collect`: the one shared `cargo bench
//!   --no-run`, starting a built bench as cargo would, one step, and the loop
//!   over the steps; [`layout`]: where a run's files go.
//! - [`environment`]: the machine fingerprint recorded with the run.
//! - [`process`]: the [`Host`] trait behind which every side effect sits
//!   ([`System`] is the real machine), so the orchestration is tested with a
//!   scripted host.
//!
//! This crate does not normalize, validate, store, compare or print runs:
//! the caller does that with the run it gets back (the stage prints only
//! progress and warnings, on stderr). Parsing a tool's output is
//! `perflab-adapters`' work, drawing flamegraphs `perflab-profile`'s. Every
//! failure is a [`CollectError`] naming what was wrong.

mod build;
mod collect;
pub mod environment;
mod error;
mod launch;
pub mod layout;
pub mod plan;
pub mod process;
mod profiles;
mod progress;
mod step;
pub mod tools;
pub mod workspace;

pub use collect::collect;
pub use error::{CollectError, Result};
pub use plan::{Plan, RunOptions, Step};
pub use process::{Finished, Host, System};
pub use tools::BenchTool;
pub use workspace::{BenchTarget, Scenario, Workspace};
