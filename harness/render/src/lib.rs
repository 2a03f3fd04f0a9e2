//! perflab's renderers: every way a finished result is shown to a person.
//!
//! - Terminal tables ([`render_table`], [`render_comparisons`],
//!   [`render_speedups`], [`render_run`], [`render_load`],
//!   [`render_variant_comparisons`]) for `perflab run`, `compare` and `gate`.
//! - Markdown of the gate's decision for pull requests and
//!   `$GITHUB_STEP_SUMMARY` ([`render_markdown`],
//!   [`render_markdown_with_report`]), and GitHub workflow annotations
//!   ([`render_annotations`]).
//! - Findings as text or Markdown ([`render_findings`],
//!   [`render_findings_markdown`]) and a baseline's history as TSV or JSON
//!   ([`render_history_tsv`], [`render_history_json`]).
//! - The static HTML site of a run ([`html`]).
//! - Numbers for people, shared by all of them ([`format_value`],
//!   [`format_pct`], [`format_signed`], [`format_factor`]).
//!
//! Renderers render: they take finished comparisons, speedups and decisions
//! and pick words, units, order and layout. They compute no statistics
//! (that is `perflab-compare`), decide nothing (`perflab-gate`) and read no
//! git or run files (the CLI hands everything in). Only the HTML site writes
//! files, and only into the directory it is given.

mod annotations;
mod cells;
mod findings;
mod history;
pub mod html;
mod load;
mod markdown;
mod table;
mod terminal;
mod units;
mod variants;

pub use annotations::render_annotations;
pub use findings::{render_findings, render_findings_markdown};
pub use history::{HistoryRow, render_history_json, render_history_tsv};
pub use load::render_load;
pub use markdown::{Links, ReportLinks, render_markdown, render_markdown_with_report};
pub use terminal::{render_comparisons, render_run, render_speedups, render_table};
pub use units::{format_factor, format_pct, format_signed, format_value};
pub use variants::render_variant_comparisons;

#[cfg(test)]
mod tests;
