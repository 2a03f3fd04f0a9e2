//! perflab's findings stage: from a variant's measurements to a ranked list
//! of its slowest parts.
//!
//! Inputs, each optional: the variant's CPU profile as folded stacks
//! ([`perflab_profile::folded::Folded`], as `perflab run --profile` writes
//! them), a query-analysis report ([`QueryReport`], as `dashboard explain
//! --json` prints it) and load results ([`LoadResults`]). Output: ranked
//! [`Finding`]s, each with the numbers behind it. Their terminal and
//! Markdown forms are `perflab-render`'s.
//!
//! Pure: this crate reads no files, runs nothing and formats nothing. Callers
//! load the inputs; see `docs/bottlenecks.md` for the method it implements.

pub mod finding;
pub mod rank;

use serde::{Deserialize, Serialize};

pub use finding::{Evidence, Finding, FindingKind};
// The report format lives in the contract crate, so the dashboard builds it
// without linking this crate (and the profiler behind it); re-exported here
// so callers of the findings stage need one import.
pub use perflab_schema::query;
pub use query::{IndexSuggestion, QUERY_REPORT_VERSION, QueryReport, SampleUser, StatementReport};
pub use rank::{Inputs, findings, is_noise};

/// Load-test results of the variant, as plain numbers; a missing one is
/// `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LoadResults {
    /// 95th percentile latency, in milliseconds.
    pub p95_ms: Option<f64>,
    /// Completed requests per second.
    pub throughput_rps: Option<f64>,
}
