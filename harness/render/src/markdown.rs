//! The gate's decision as GitHub-flavoured Markdown, for a pull-request comment
//! or `$GITHUB_STEP_SUMMARY`: a verdict line, a table of what regressed with
//! the reason, and every row in a collapsible section.

use crate::cells::{
    bench_name, change_cell, ci_cell, explain, gate_verdict_cell, slo_text, status_mark,
    summary_counts, value_cell,
};
use crate::table::{Align, Table};
use perflab_compare::Verdict;
use perflab_gate::{Decision, GateRow, Outcome, SloBound, Status};
use perflab_schema::MeasurementKey;

/// Turns a measurement key into a URL, if there is one for it.
pub type Links<'a> = &'a dyn Fn(&MeasurementKey) -> Option<String>;

/// Where an HTML report of the same run lives (`perflab report`): its front
/// page and the page of each key.
#[derive(Clone, Copy)]
pub struct ReportLinks<'a> {
    /// URL of the report's front page.
    pub index: &'a str,
    /// URL of a key's page, anchored at the key's row.
    pub page: Links<'a>,
}

impl std::fmt::Debug for ReportLinks<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportLinks")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// Renders `decision`; `links`, when given, turns benchmark names into links
/// (for example to a flamegraph or a history chart).
pub fn render_markdown(decision: &Decision, links: Option<Links<'_>>) -> String {
    render(decision, links, None)
}

/// Renders `decision` with every benchmark name (each regression first of
/// all) linked to its page of the HTML report, and a link to the report's
/// front page under the verdict line.
pub fn render_markdown_with_report(decision: &Decision, links: ReportLinks<'_>) -> String {
    render(decision, Some(links.page), Some(links.index))
}

fn render(decision: &Decision, links: Option<Links<'_>>, index: Option<&str>) -> String {
    let name = |key: &MeasurementKey| {
        let text = format!("`{}`", bench_name(key));
        match links.and_then(|l| l(key)) {
            Some(url) => format!("[{text}]({url})"),
            None => text,
        }
    };
    let mut out = String::new();
    let title = match decision.outcome() {
        Outcome::Pass => "✅ perflab: pass",
        Outcome::Fail => "❌ perflab: fail",
    };
    out.push_str(&format!("### {title}\n\n{}\n", summary_counts(decision)));
    if let Some(index) = index {
        out.push_str(&format!(
            "\n[Full report]({index}): speedups, history, flamegraphs.\n"
        ));
    }
    if !decision.has_baseline {
        out.push_str("\nNo baseline was found, so only SLOs were checked.\n");
    }

    let rows = decision.rows_by_status();
    let flagged: Vec<&&GateRow> = rows
        .iter()
        .filter(|r| matches!(r.status(), Status::Fail | Status::Warn))
        .collect();
    if !flagged.is_empty() {
        let mut table = Table::new(&[
            ("", Align::Left),
            ("Benchmark", Align::Left),
            ("Variant", Align::Left),
            ("Metric", Align::Left),
            ("Baseline", Align::Right),
            ("Current", Align::Right),
            ("Change", Align::Right),
            ("Why", Align::Left),
            ("Rule", Align::Left),
        ]);
        for row in flagged {
            let c = &row.comparison;
            let unit = c.key.metric.unit();
            let mut why = Vec::new();
            if c.verdict == Verdict::Regressed {
                why.push(explain(c));
            }
            for check in row.slo.iter().filter(|s| s.breached) {
                let what = match check.bound {
                    SloBound::Leak(_) => "Leak rule",
                    SloBound::Max(_) | SloBound::Min(_) => "SLO",
                };
                why.push(format!("{what}: {}", slo_text(check, unit)));
            }
            table.push(vec![
                status_mark(row.status()).to_owned(),
                name(&c.key),
                c.key.variant.clone(),
                c.key.metric.to_string(),
                value_cell(c.baseline, unit),
                value_cell(c.current, unit),
                change_cell(c),
                why.join("; "),
                row.source.to_string(),
            ]);
        }
        out.push_str("\n#### Regressions\n\n");
        out.push_str(&table.to_markdown());
        out.push_str("\n❌ fails the build, ⚠️ is reported only.\n");
    }

    let not_comparable = decision.counts().not_comparable;
    if not_comparable > 0 {
        out.push_str(&format!(
            "\n{not_comparable} not comparable (listed below); these never fail the build.\n"
        ));
    }

    let mut all = Table::new(&[
        ("", Align::Left),
        ("Benchmark", Align::Left),
        ("Variant", Align::Left),
        ("Metric", Align::Left),
        ("Baseline", Align::Right),
        ("Current", Align::Right),
        ("Change", Align::Right),
        ("CI", Align::Left),
        ("Verdict", Align::Left),
    ]);
    for row in &rows {
        let c = &row.comparison;
        let unit = c.key.metric.unit();
        all.push(vec![
            status_mark(row.status()).to_owned(),
            name(&c.key),
            c.key.variant.clone(),
            c.key.metric.to_string(),
            value_cell(c.baseline, unit),
            value_cell(c.current, unit),
            change_cell(c),
            ci_cell(c),
            gate_verdict_cell(row),
        ]);
    }
    out.push_str(&format!(
        "\n<details><summary>All {} results</summary>\n\n{}\n</details>\n",
        rows.len(),
        all.to_markdown()
    ));
    out
}
