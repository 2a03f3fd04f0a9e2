//! perflab's HTML report (`perflab report`): a static site, rendered with
//! tera, that works from `file://` offline and when published (for example
//! to GitHub Pages).
//!
//! The site has an overview (every scenario with its speedups of the
//! optimized over the reference variant and its memory savings, the gate's
//! status, regressions first), a page per scenario and a page per benchmark
//! (samples, variants with intervals, current against baseline, history over
//! the baseline's commits, flamegraphs and differential flamegraphs, memory,
//! load results). Charts are inline SVG; a small script filters, sorts,
//! searches and plots several benchmarks together. Nothing is fetched from a
//! network.
//!
//! Layout, relative to the output directory:
//!
//! ```text
//! index.html                     overview
//! scenario/<slug>.html           one per scenario
//! bench/<slug>.html              one per (scenario, benchmark); see page_for_key
//! files/<bench-slug>/…           copies of the run's artifacts (SVG, folded, DHAT)
//! data/<bench-slug>.js           history for "plot together", loaded on demand
//! data/commits.js, assets/       commit list, stylesheet and script
//! ```
//!
//! The module is split into a pure model ([`model`]: selection, grouping
//! and words over the speedups and the gate's decision it is handed) and
//! writing (templates, [`svg`] charts, files). It computes no statistics
//! (not even the speedups: [`SiteInput::speedups`] comes finished), reads no
//! git and no run files: the CLI hands everything in as a [`SiteInput`]. A
//! site replaces the previous one in one step, through `perflab_fs`.

mod charts;
mod error;
mod input;
pub mod model;
pub mod slug;
pub mod svg;
mod write;

pub use error::ReportError;
pub use input::{Commit, History, SiteInput};
pub use perflab_compare::ScenarioVariants;
pub use slug::page_for_key;
pub use write::{MARKER, Progress, Rendered};

use std::path::Path;

/// Builds the site for `input` and writes it to `out`, replacing a previous
/// perflab report there. On error nothing in `out` has changed.
pub fn render_site(
    input: &SiteInput<'_>,
    out: &Path,
    progress: Option<Progress<'_>>,
) -> Result<Rendered, ReportError> {
    let mut site = model::build(input)?;
    write::write_site(&mut site, out, progress)
}

#[cfg(test)]
mod tests;
