use super::*;
use crate::testing;
use perflab_compare::Reason;

fn no_history(_: &MeasurementKey) -> Vec<f64> {
    Vec::new()
}

fn row<'a>(report: &'a Decision, benchmark: &str, metric: &str) -> &'a GateRow {
    report
        .rows
        .iter()
        .find(|r| {
            r.comparison.key.benchmark == benchmark && r.comparison.key.metric.name() == metric
        })
        .unwrap_or_else(|| panic!("no row {benchmark} {metric}"))
}

#[test]
fn the_fixture_fails_on_its_gating_regression_and_slo() {
    let report = evaluate(
        &testing::config(),
        Some(&testing::baseline()),
        &testing::current(),
        &no_history,
    );
    assert_eq!(report.outcome(), Outcome::Fail);
    assert_eq!(
        report.counts(),
        Counts {
            total: 8,
            regressed_gating: 1,
            regressed_informational: 2,
            slo_breached: 1,
            improved: 1,
            unchanged: 2,
            not_comparable: 2,
        }
    );
    let ir = row(&report, "complete/terms=1M", "instructions");
    assert_eq!((ir.role, ir.status()), (Role::Gate, Status::Fail));
    assert_eq!(ir.source, Source::Rule { number: 1, line: 8 });
    let wall = row(&report, "complete/terms=1M", "wall_time");
    assert_eq!((wall.role, wall.status()), (Role::Inform, Status::Warn));
    let p95 = row(&report, "search", "latency_p95");
    assert_eq!(p95.status(), Status::Fail);
    assert_eq!(
        p95.slo,
        vec![SloCheck {
            bound: SloBound::Max(5e8),
            value: 6e8,
            breached: true,
            role: Role::Gate,
            detail: None,
        }]
    );
    let tput = row(&report, "search", "throughput");
    assert!(!tput.slo_breached());
    assert_eq!(
        row(&report, "new|bench", "instructions").comparison.verdict,
        Verdict::NotComparable(Reason::MissingInBaseline)
    );
    assert_eq!(
        row(&report, "removed", "instructions").status(),
        Status::NotComparable
    );
}

#[test]
fn rows_by_status_puts_failures_first_and_unchanged_last() {
    let report = evaluate(
        &testing::config(),
        Some(&testing::baseline()),
        &testing::current(),
        &no_history,
    );
    let statuses: Vec<Status> = report.rows_by_status().iter().map(|r| r.status()).collect();
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(statuses, sorted);
    assert_eq!(statuses.first(), Some(&Status::Fail));
    assert_eq!(statuses.last(), Some(&Status::Unchanged));
}

#[test]
fn informational_regressions_and_not_comparable_rows_pass() {
    let config = crate::Config::parse(
        "[metrics.instructions]\ngate = false\n[metrics.latency_p95]\nmax = 5e8\ngate = false\n",
    )
    .unwrap();
    let report = evaluate(
        &config,
        Some(&testing::baseline()),
        &testing::current(),
        &no_history,
    );
    assert_eq!(report.outcome(), Outcome::Pass);
    assert!(report.counts().regressed_informational >= 2);
}

#[test]
fn without_a_baseline_only_slos_can_fail() {
    let report = evaluate(&testing::config(), None, &testing::current(), &no_history);
    assert!(!report.has_baseline);
    assert_eq!(report.counts().not_comparable, 7);
    assert_eq!(report.outcome(), Outcome::Fail);
    let lenient = crate::Config::parse("").unwrap();
    assert_eq!(
        evaluate(&lenient, None, &testing::current(), &no_history).outcome(),
        Outcome::Pass
    );
}

#[test]
fn history_reaches_noisy_comparisons() {
    // A history that wanders by ±20% makes the 10% wall-time shift ordinary.
    let history = |k: &MeasurementKey| {
        assert_eq!(
            k.metric.nature(),
            perflab_schema::Nature::Noisy,
            "only noisy keys ask"
        );
        (0..12)
            .map(|i| if i % 2 == 0 { 1_000.0 } else { 1_200.0 })
            .collect()
    };
    let report = evaluate(
        &testing::config(),
        Some(&testing::baseline()),
        &testing::current(),
        &history,
    );
    assert_eq!(
        row(&report, "complete/terms=1M", "wall_time")
            .comparison
            .verdict,
        Verdict::Unchanged
    );
}

#[test]
fn the_leak_rule_fails_a_leaking_series_and_passes_a_flat_one() {
    let config = testing::leak_config();
    let current = testing::run(vec![
        testing::growth("naive", 48_000.0),
        testing::growth("optimized", 0.0),
    ]);
    let report = evaluate(&config, None, &current, &no_history);
    assert_eq!(report.outcome(), Outcome::Fail);
    let naive = report
        .rows
        .iter()
        .find(|r| r.comparison.key.variant == "naive")
        .unwrap();
    assert_eq!(naive.status(), Status::Fail);
    let check = &naive.slo[0];
    assert!(matches!(check.bound, SloBound::Leak(_)));
    assert!(check.breached);
    assert!((check.value - 48_000.0).abs() < 100.0, "{}", check.value);
    let detail = check.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("leaks about 46.9 KiB per iteration"),
        "{detail}"
    );
    let optimized = report
        .rows
        .iter()
        .find(|r| r.comparison.key.variant == "optimized")
        .unwrap();
    assert!(!optimized.slo_breached(), "{:?}", optimized.slo);
    assert!(
        optimized.slo[0]
            .detail
            .as_deref()
            .unwrap()
            .starts_with("flat")
    );

    // How the renderers word this decision is tested in perflab-render
    // (`a_failed_leak_rule_is_named_in_every_text`).
}

#[test]
fn a_growth_measurement_without_its_series_is_not_judged() {
    let config =
        Config::parse("[[rules]]\nmetric = \"heap_growth\"\nleak_min_slope = 1\n").unwrap();
    let mut m = testing::growth("optimized", 5_000.0);
    m.samples = None;
    let report = evaluate(&config, None, &testing::run(vec![m]), &no_history);
    let check = &report.rows[0].slo[0];
    assert!(!check.breached);
    assert!(
        check.detail.as_deref().unwrap().contains("not enough"),
        "{check:?}"
    );
}
