//! Scenario plumbing: what every perflab scenario (`autocomplete`,
//! `dashboard`, `image-worker`, and the ones to come) needs around its own
//! problem, written once.
//!
//! - [`Variant`]: the two implementations a scenario compares, `naive` and
//!   `optimized`, with their names and parsing ([`UnknownVariant`] names the
//!   bad input and the accepted names).
//! - [`RunMode`]: how much a bench runs (`cargo bench`, `perflab run
//!   --quick`, `cargo test --benches`), detected from
//!   [`perflab_schema::QUICK_ENV`] and the `--bench` argument. The sizes of
//!   each mode stay with each bench.
//! - [`seeded`]: perflab's one seeded generator and one stable hash
//!   ([`SplitMix64`], [`fnv1a`]), re-exported so inputs are drawn the same
//!   way everywhere.
//! - [`BenchOutput`]: the bench side of `perflab run`'s protocol: where to
//!   write the fragment, artifacts and profiles (read from
//!   [`perflab_schema::FRAGMENT_ENV`], [`perflab_schema::ARTIFACT_DIR_ENV`],
//!   [`perflab_schema::PROFILE_DIR_ENV`]), with every file written
//!   atomically.
//! - `ServiceThread` (cargo feature `service`): a server on its own named
//!   thread and tokio runtime, listening on a free loopback port, stopped
//!   cleanly; for the tests and load benches of scenarios that are services.
//!
//! - [`sql`]: SQL text the seeders share (the multi-row INSERT).
//!
//! What it does not do: measure, choose a scenario's sizes, or know any
//! scenario. A scenario depends on this crate and never on another
//! scenario; this crate depends on no scenario.

#[cfg(feature = "service")]
pub mod http;
mod mode;
mod output;
#[cfg(feature = "service")]
mod service;
pub mod sql;
mod variant;

#[cfg(feature = "metrics")]
pub mod http_metrics;
pub use mode::RunMode;
pub use output::{BenchOutput, OutputError};
#[cfg(feature = "service")]
pub use service::{LOOPBACK, ServiceError, ServiceThread};
pub use variant::{UnknownVariant, Variant};

/// perflab's seeded generator and stable hash (the `perflab-seeded` crate).
pub use perflab_seeded as seeded;
pub use perflab_seeded::{Fnv1a, SplitMix64, fnv1a, mix64};
