//! Plain-text tables for the terminal: the gate's decision, a comparison of two
//! runs, speedups between variants, and the results of one run.

use crate::cells::{
    bench_name, change_cell, ci_cell, gate_verdict_cell, summary_counts, value_cell, verdict_text,
};
use crate::table::{Align, Table};
use crate::units::{format_factor, format_value};
use perflab_compare::{Comparison, Speedup, Verdict};
use perflab_gate::{Decision, Outcome, Status};
use perflab_schema::Run;

const COMPARISON_COLUMNS: [(&str, Align); 8] = [
    ("benchmark", Align::Left),
    ("variant", Align::Left),
    ("metric", Align::Left),
    ("baseline", Align::Right),
    ("current", Align::Right),
    ("change", Align::Right),
    ("CI", Align::Left),
    ("verdict", Align::Left),
];

fn comparison_cells(c: &Comparison) -> Vec<String> {
    let unit = c.key.metric.unit();
    vec![
        bench_name(&c.key),
        c.key.variant.clone(),
        c.key.metric.to_string(),
        value_cell(c.baseline, unit),
        value_cell(c.current, unit),
        change_cell(c),
        ci_cell(c),
    ]
}

/// The gate's decision: regressions first, then improvements, not comparable
/// and unchanged rows, with the rule that applied; a summary line last.
pub fn render_table(decision: &Decision) -> String {
    let mut columns = COMPARISON_COLUMNS.to_vec();
    columns.push(("rule", Align::Left));
    let mut table = Table::new(&columns);
    for row in decision.rows_by_status() {
        let mut cells = comparison_cells(&row.comparison);
        cells.push(gate_verdict_cell(row));
        cells.push(row.source.to_string());
        table.push(cells);
    }
    let outcome = match decision.outcome() {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
    };
    let mut out = table.to_text();
    if !decision.has_baseline {
        out.push_str("\nno baseline: only SLOs were checked\n");
    }
    // The rows that fail the build again, right above the verdict, so a
    // log that keeps only its last lines (CI) still says what failed.
    let failing: Vec<_> = decision
        .rows
        .iter()
        .filter(|r| r.status() == Status::Fail)
        .collect();
    if !failing.is_empty() {
        out.push_str("\nfailing:\n");
        for row in failing {
            let c = &row.comparison;
            let unit = c.key.metric.unit();
            out.push_str(&format!(
                "  {} {} {}: {} -> {} ({}), {} [{}]\n",
                bench_name(&c.key),
                c.key.variant,
                c.key.metric,
                value_cell(c.baseline, unit),
                value_cell(c.current, unit),
                change_cell(c),
                gate_verdict_cell(row),
                row.source,
            ));
        }
    }
    out.push_str(&format!(
        "\nperflab gate: {outcome}: {}\n",
        summary_counts(decision)
    ));
    out
}

/// A comparison of two runs, regressions first.
pub fn render_comparisons(comparisons: &[Comparison]) -> String {
    let rank = |v: &Verdict| match v {
        Verdict::Regressed => 0,
        Verdict::Improved => 1,
        Verdict::NotComparable(_) => 2,
        Verdict::Unchanged => 3,
    };
    let mut sorted: Vec<&Comparison> = comparisons.iter().collect();
    sorted.sort_by(|a, b| (rank(&a.verdict), &a.key).cmp(&(rank(&b.verdict), &b.key)));
    let mut table = Table::new(&COMPARISON_COLUMNS);
    for c in sorted {
        let mut cells = comparison_cells(c);
        cells.push(verdict_text(&c.verdict));
        table.push(cells);
    }
    table.to_text()
}

/// Speedups of one variant over another; above 1× the candidate is better.
pub fn render_speedups(speedups: &[Speedup]) -> String {
    let Some(first) = speedups.first() else {
        return "no benchmark was measured in both variants\n".to_owned();
    };
    // Column titles are the variant names; `speedups` uses one pair throughout.
    let (reference, candidate) = (first.reference.as_str(), first.key.variant.as_str());
    let mut table = Table::new(&[
        ("benchmark", Align::Left),
        ("metric", Align::Left),
        (reference, Align::Right),
        (candidate, Align::Right),
        ("speedup", Align::Right),
        ("CI", Align::Left),
        ("basis", Align::Left),
    ]);
    for s in speedups {
        let unit = s.key.metric.unit();
        let ci = s.ci.map_or_else(String::new, |ci| {
            format!(
                "[{}, {}] {:.0}%",
                format_factor(ci.lower),
                format_factor(ci.upper),
                ci.level * 100.0
            )
        });
        table.push(vec![
            bench_name(&s.key),
            s.key.metric.to_string(),
            format_value(s.reference_estimate, unit),
            format_value(s.candidate_estimate, unit),
            format_factor(s.speedup),
            ci,
            s.basis.to_string(),
        ]);
    }
    let mut out = table.to_text();
    out.push_str(&format!(
        "\nspeedup > 1× means {candidate} is better than {reference}\n"
    ));
    out
}

/// The results of one run, sorted by key, with the run's warnings after.
pub fn render_run(run: &Run) -> String {
    let mut table = Table::new(&[
        ("scenario", Align::Left),
        ("variant", Align::Left),
        ("benchmark", Align::Left),
        ("metric", Align::Left),
        ("estimate", Align::Right),
        ("CI", Align::Left),
        ("samples", Align::Right),
        ("tool", Align::Left),
    ]);
    let mut measurements: Vec<_> = run.measurements.iter().collect();
    measurements.sort_by(|a, b| a.key.cmp(&b.key));
    for m in measurements {
        let unit = m.key.metric.unit();
        let ci = m.interval.map_or_else(String::new, |i| {
            format!(
                "[{}, {}] {:.0}%",
                format_value(i.lower, unit),
                format_value(i.upper, unit),
                i.level * 100.0
            )
        });
        table.push(vec![
            m.key.scenario.clone(),
            m.key.variant.clone(),
            m.key.benchmark.clone(),
            m.key.metric.to_string(),
            format_value(m.estimate, unit),
            ci,
            m.samples
                .as_ref()
                .map_or_else(String::new, |s| s.len().to_string()),
            m.tool.to_string(),
        ]);
    }
    let mut out = table.to_text();
    for w in &run.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}
