//! Snapshots of every renderer on the fixed fixture report.

use super::*;
use crate::fixture;
use crate::report::{GateReport, evaluate};
use perflab_compare::{Limits, compare_runs, speedups};
use perflab_schema::MeasurementKey;

fn report() -> GateReport {
    evaluate(
        &fixture::config(),
        Some(&fixture::baseline()),
        &fixture::current(),
        &|_| Vec::new(),
    )
}

#[test]
fn terminal_table() {
    insta::assert_snapshot!("gate_table", render_table(&report()));
}

#[test]
fn terminal_table_without_baseline() {
    let r = evaluate(&fixture::config(), None, &fixture::current(), &|_| {
        Vec::new()
    });
    insta::assert_snapshot!("gate_table_no_baseline", render_table(&r));
}

#[test]
fn markdown() {
    insta::assert_snapshot!("gate_markdown", render_markdown(&report(), None));
}

#[test]
fn markdown_with_links() {
    let links = |k: &MeasurementKey| {
        (k.metric.name() == "instructions")
            .then(|| format!("https://example.com/{}/{}", k.scenario, k.variant))
    };
    let out = render_markdown(&report(), Some(&links));
    assert!(out.contains(
        "[`autocomplete/complete/terms=1M`](https://example.com/autocomplete/optimized)"
    ));
    // A `|` in a benchmark name must not split the table cell.
    assert!(out.contains("new\\|bench"));
}

#[test]
fn markdown_with_report_links_every_regression_and_the_front_page() {
    let page = |k: &MeasurementKey| Some(format!("https://r.example/bench/{}.html", k.scenario));
    let out = render_markdown_with_report(
        &report(),
        crate::ReportLinks {
            index: "https://r.example/index.html",
            page: &page,
        },
    );
    assert!(out.contains("[Full report](https://r.example/index.html)"));
    let regressions = &out[out.find("#### Regressions").unwrap()..out.find("<details>").unwrap()];
    let rows = regressions
        .lines()
        .filter(|l| l.starts_with("| ❌") || l.starts_with("| ⚠️"));
    for row in rows {
        assert!(row.contains("](https://r.example/bench/"), "{row}");
    }
}

#[test]
fn annotations() {
    insta::assert_snapshot!("gate_annotations", render_annotations(&report()));
}

#[test]
fn comparisons() {
    let c = compare_runs(
        &fixture::baseline(),
        &fixture::current(),
        &|_| Vec::new(),
        &|k| Limits::for_metric(k.metric),
    );
    insta::assert_snapshot!("comparisons", render_comparisons(&c));
}

#[test]
fn speedup_table() {
    let s = speedups(&fixture::variants(), "naive", "optimized");
    insta::assert_snapshot!("speedups", render_speedups(&s));
    assert_eq!(
        render_speedups(&[]),
        "no benchmark was measured in both variants\n"
    );
}

#[test]
fn run_table() {
    let mut run = fixture::variants();
    run.warnings.push("dhat: skipped (feature off)".into());
    insta::assert_snapshot!("run", render_run(&run));
}
