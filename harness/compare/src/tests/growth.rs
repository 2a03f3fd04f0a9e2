//! Growth metrics (`heap_growth`, `rss_growth`): their samples are a series
//! over iterations, so comparisons judge the slope's interval.

use super::{key, stat};
use crate::*;
use perflab_schema::{Interval, Measurement, MetricKind, Tool};

/// A growth measurement as perflab-memory writes it: the fitted slope with
/// its interval, and the memory series as samples.
fn growth(slope: f64, half_width: f64, level: f64) -> Measurement {
    let series: Vec<f64> = (0..200).map(|i| level + slope * f64::from(i)).collect();
    let mut m = Measurement::new(
        key("optimized", "leak", MetricKind::HeapGrowth),
        slope,
        Tool::Dhat,
    )
    .with_samples(series);
    m.interval = Some(Interval {
        lower: (slope - half_width).max(0.0),
        upper: slope + half_width,
        level: 0.95,
    });
    m
}

// Regression test: the series used to be bootstrapped as replicates, so a
// higher memory level with the same slope "regressed" and a doubled slope
// at the same level was "unchanged".
#[test]
fn growth_is_judged_by_its_slope_interval_not_by_its_series() {
    let limits = Limits::for_metric(MetricKind::HeapGrowth);
    let same_slope_higher_level = compare_measurement(
        &growth(1_000.0, 50.0, 1e6),
        &growth(1_000.0, 50.0, 1e7),
        &[],
        &limits,
    );
    assert_eq!(same_slope_higher_level.verdict, Verdict::Unchanged);
    assert_eq!(stat(&same_slope_higher_level).basis, Basis::ToolIntervals);

    let doubled = compare_measurement(
        &growth(1_000.0, 50.0, 1e6),
        &growth(2_000.0, 50.0, 1e6),
        &[],
        &limits,
    );
    assert_eq!(doubled.verdict, Verdict::Regressed);

    // From flat (clamped to zero) to a slope whose interval still reaches
    // zero: nothing shown; to a clear slope: a regression.
    let flat = growth(0.0, 0.0, 1e6);
    let still_flat = compare_measurement(&flat, &growth(3.0, 10.0, 1e6), &[], &limits);
    assert_eq!(still_flat.verdict, Verdict::Unchanged);
    let leaking = compare_measurement(&flat, &growth(5_000.0, 100.0, 1e6), &[], &limits);
    assert_eq!(leaking.verdict, Verdict::Regressed);
}
