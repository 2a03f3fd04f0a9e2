//! perflab's memory stage: how much memory a scenario uses, and whether it
//! keeps growing.
//!
//! - [`counting`]: a global-allocator wrapper counting live, peak and total
//!   heap bytes and blocks, cheap enough to leave on in a worker.
//! - [`rss`]: resident memory of this process (`/proc/self/status`) and the
//!   peak RSS of a child process (`wait4`), for comparing with external tools.
//! - [`leak`]: growth per iteration fitted by least squares, and a typed
//!   verdict (leaks, flat, drifts, not enough data) from a [`leak::LeakRule`].
//!   Pure statistics, so they live in `perflab-compare` (where the gate
//!   takes them from without linking this crate); re-exported here.
//! - [`monitor`]: the same rule on a sliding window inside a running worker,
//!   plus an RSS ceiling; typed alerts, raised once per crossing.
//! - `dhat_profile` (cargo feature `dhat`, off by default): run a closure
//!   under dhat's heap profiler (DHAT JSON for the viewer) and turn its
//!   counters into measurements and an artifact. Without the feature the
//!   crate does not link dhat.
//! - [`isolate`]: run each variant of a bench in a fresh process of the same
//!   binary and merge their fragments.
//! - [`measure`]: perflab measurements from heap totals and from growth per
//!   iteration.
//!
//! What it does not do: install a global allocator (a binary chooses its
//! own), log, export metrics or write perflab runs; callers do that with the
//! values and [`Measurement`](perflab_schema::Measurement)s it returns.

pub mod counting;
#[cfg(feature = "dhat")]
pub mod dhat_profile;
mod error;
pub mod isolate;
pub mod measure;
pub mod monitor;
pub mod rss;

pub use counting::{CountingAlloc, HeapSnapshot};
pub use error::MemoryError;
pub use measure::{HeapTotals, growth_measurements, heap_measurements};
pub use monitor::{Alert, MemoryMonitor, MemorySample, MonitorConfig, Series};
pub use perflab_compare::leak;
pub use perflab_compare::leak::{Growth, LeakRule, LeakVerdict, fit_growth, judge};
pub use rss::{ChildUsage, current_rss_bytes, measure_child, peak_rss_bytes, reset_peak_rss};
