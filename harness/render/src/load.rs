//! Load-test results side by side: one row per benchmark and variant with its
//! latency percentiles, throughput and errors, so naive and optimized (or any
//! variants) read as before and after.

use crate::table::{Align, Table};
use crate::units::format_value;
use perflab_schema::{MetricKind, Run};
use std::collections::BTreeMap;

/// The metrics shown, in column order.
const COLUMNS: [(MetricKind, &str); 8] = [
    (MetricKind::LatencyP50, "p50"),
    (MetricKind::LatencyP90, "p90"),
    (MetricKind::LatencyP95, "p95"),
    (MetricKind::LatencyP99, "p99"),
    (MetricKind::LatencyMax, "max"),
    (MetricKind::Throughput, "throughput"),
    (MetricKind::Errors, "errors"),
    (MetricKind::PeakRss, "peak RSS"),
];

fn is_load_metric(metric: MetricKind) -> bool {
    COLUMNS[..7].iter().any(|(m, _)| *m == metric)
}

/// Estimates by variant, then metric, for one benchmark.
type ByVariant<'a> = BTreeMap<&'a str, BTreeMap<MetricKind, f64>>;

/// Every benchmark with load metrics, one row per variant in the order given
/// (variants not listed follow, sorted). Empty when the run has no load results.
pub fn render_load(run: &Run, variants: &[&str]) -> String {
    // (scenario, benchmark) -> variant -> metric -> estimate
    let mut rows: BTreeMap<(&str, &str), ByVariant<'_>> = BTreeMap::new();
    for m in &run.measurements {
        if is_load_metric(m.key.metric) || m.key.metric == MetricKind::PeakRss {
            rows.entry((m.key.scenario.as_str(), m.key.benchmark.as_str()))
                .or_default()
                .entry(m.key.variant.as_str())
                .or_default()
                .insert(m.key.metric, m.estimate);
        }
    }
    rows.retain(|_, by_variant| {
        by_variant
            .values()
            .any(|ms| ms.keys().any(|k| is_load_metric(*k)))
    });
    if rows.is_empty() {
        return String::new();
    }
    let mut headers = vec![("benchmark", Align::Left), ("variant", Align::Left)];
    headers.extend(COLUMNS.iter().map(|(_, title)| (*title, Align::Right)));
    let mut table = Table::new(&headers);
    let rank = |v: &str| {
        variants
            .iter()
            .position(|x| *x == v)
            .unwrap_or(variants.len())
    };
    for ((scenario, benchmark), by_variant) in rows {
        let mut ordered: Vec<_> = by_variant.into_iter().collect();
        ordered.sort_by(|a, b| (rank(a.0), a.0).cmp(&(rank(b.0), b.0)));
        for (variant, metrics) in ordered {
            let mut cells = vec![format!("{scenario}/{benchmark}"), variant.to_owned()];
            cells.extend(COLUMNS.iter().map(|(metric, _)| {
                metrics
                    .get(metric)
                    .map_or_else(|| "—".to_owned(), |v| format_value(*v, metric.unit()))
            }));
            table.push(cells);
        }
    }
    table.to_text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use perflab_schema::{Measurement, MeasurementKey, Tool};

    fn m(variant: &str, metric: MetricKind, value: f64) -> Measurement {
        let key = MeasurementKey {
            scenario: "dashboard".into(),
            variant: variant.into(),
            benchmark: "load/paced".into(),
            metric,
        };
        Measurement::new(key, value, Tool::Goose)
    }

    #[test]
    fn shows_variants_side_by_side_in_the_given_order() {
        let run = perflab_schema::testing::run(
            "m",
            vec![
                m("optimized", MetricKind::LatencyP95, 3.2e6),
                m("naive", MetricKind::LatencyP95, 1.4e9),
                m("naive", MetricKind::Throughput, 190.0),
                m("optimized", MetricKind::Throughput, 200.0),
                m("optimized", MetricKind::Errors, 0.0),
            ],
        );
        let text = render_load(&run, &["naive", "optimized"]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].contains("p95") && lines[0].contains("throughput"),
            "{text}"
        );
        assert!(
            lines[2].contains("naive") && lines[2].contains("1.400 s"),
            "{text}"
        );
        assert!(
            lines[3].contains("optimized") && lines[3].contains("3.200 ms"),
            "{text}"
        );
        assert!(
            lines[2].contains('—'),
            "a metric not measured is shown as missing, not 0: {text}"
        );
    }

    #[test]
    fn runs_without_load_results_render_nothing() {
        let run = perflab_schema::testing::run("m", vec![m("naive", MetricKind::PeakRss, 1e6)]);
        assert_eq!(render_load(&run, &["naive"]), "");
    }
}
