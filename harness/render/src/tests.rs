//! Snapshots of every text renderer on the gate's fixed fixture decision.

use super::*;
use perflab_compare::{Limits, compare_runs, speedups};
use perflab_gate::testing as fixture;
use perflab_gate::{Decision, evaluate};
use perflab_schema::MeasurementKey;

fn report() -> Decision {
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
        ReportLinks {
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

/// The leak rule's verdict in every text (the decision itself is tested in
/// the gate: `the_leak_rule_fails_a_leaking_series_and_passes_a_flat_one`).
#[test]
fn a_failed_leak_rule_is_named_in_every_text() {
    let current = fixture::run(vec![
        fixture::growth("naive", 48_000.0),
        fixture::growth("optimized", 0.0),
    ]);
    let report = evaluate(&fixture::leak_config(), None, &current, &|_| Vec::new());
    let table = render_table(&report);
    assert!(
        table.contains("LEAK RULE FAILED: leaks about 46.9 KiB per iteration"),
        "{table}"
    );
    let markdown = render_markdown(&report, None);
    assert!(markdown.contains("Leak rule: leaks about"), "{markdown}");
    let annotations = render_annotations(&report);
    assert!(
        annotations.contains("title=Memory leak%3A image-worker/leak"),
        "{annotations}"
    );
}
