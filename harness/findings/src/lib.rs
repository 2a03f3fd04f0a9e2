//! perflab's findings stage: from a variant's measurements to a ranked list
//! of its slowest parts.
//!
//! Inputs, each optional: the variant's CPU profile as folded stacks
//! ([`perflab_profile::folded::Folded`], as `perflab run --profile` writes
//! them), a query-analysis report ([`QueryReport`], as `dashboard explain
//! --json` prints it) and load results ([`LoadResults`]). Output: ranked
//! [`Finding`]s, each with the numbers behind it, and renderers for the
//! terminal and Markdown.
//!
//! Pure: this crate reads no files and runs nothing. Callers load the
//! inputs; see `docs/bottlenecks.md` for the method it implements.

pub mod query;

pub use query::{IndexSuggestion, QUERY_REPORT_VERSION, QueryReport, SampleUser, StatementReport};
