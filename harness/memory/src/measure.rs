//! perflab [`Measurement`]s from the memory stage's numbers: heap totals from
//! a dhat profile, and growth per iteration from a leak run.
//!
//! Conversion only: nothing here profiles, samples or judges. All
//! measurements name [`Tool::Dhat`], the tool perflab runs the memory
//! stage's fragment-writing benches as.

use crate::MemoryError;
use crate::leak::{MIN_FIT_POINTS, fit_growth};
use perflab_schema::{Interval, Measurement, MeasurementKey, MetricKind, Tool, Unit};

/// Heap counters of one profiled run, in dhat's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeapTotals {
    /// Bytes allocated over the run.
    pub total_bytes: u64,
    /// Blocks allocated over the run.
    pub total_blocks: u64,
    /// Live bytes at the peak (dhat's t-gmax).
    pub peak_bytes: u64,
    /// Live blocks at the peak.
    pub peak_blocks: u64,
    /// Bytes still live at the end: leaked, as far as the run can tell.
    pub end_bytes: u64,
    /// Blocks still live at the end.
    pub end_blocks: u64,
}

#[cfg(feature = "dhat")]
impl From<&dhat::HeapStats> for HeapTotals {
    fn from(s: &dhat::HeapStats) -> Self {
        HeapTotals {
            total_bytes: s.total_bytes,
            total_blocks: s.total_blocks,
            peak_bytes: s.max_bytes as u64,
            peak_blocks: s.max_blocks as u64,
            end_bytes: s.curr_bytes as u64,
            end_blocks: s.curr_blocks as u64,
        }
    }
}

fn key(scenario: &str, variant: &str, benchmark: &str, metric: MetricKind) -> MeasurementKey {
    MeasurementKey {
        scenario: scenario.to_owned(),
        variant: variant.to_owned(),
        benchmark: benchmark.to_owned(),
        metric,
    }
}

/// The six heap metrics of a profiled run: `heap_total_bytes`/`_blocks`,
/// `heap_peak_bytes`/`_blocks` and `heap_leaked_bytes`/`_blocks` (live at
/// the end). Deterministic counts: no interval, no samples.
pub fn heap_measurements(
    scenario: &str,
    variant: &str,
    benchmark: &str,
    totals: &HeapTotals,
) -> Vec<Measurement> {
    [
        (MetricKind::HeapTotalBytes, totals.total_bytes),
        (MetricKind::HeapTotalBlocks, totals.total_blocks),
        (MetricKind::HeapPeakBytes, totals.peak_bytes),
        (MetricKind::HeapPeakBlocks, totals.peak_blocks),
        (MetricKind::HeapLeakedBytes, totals.end_bytes),
        (MetricKind::HeapLeakedBlocks, totals.end_blocks),
    ]
    .into_iter()
    .map(|(metric, value)| {
        Measurement::new(
            key(scenario, variant, benchmark, metric),
            value as f64,
            Tool::Dhat,
        )
    })
    .collect()
}

/// A growth measurement (`heap_growth` or `rss_growth`) from a series
/// sampled once per iteration: the estimate is the fitted slope in bytes per
/// iteration with its 95% interval, and the samples are the series itself,
/// so a report can draw it. Pass the series after warm-up: every point is
/// fitted.
///
/// The samples are **not replicates of the estimate**, unlike every other
/// metric's: their median is a memory level, not a growth. A comparison must
/// use the interval (or the estimate), never a bootstrap over the samples.
/// (Checked against perflab-compare at the time of writing: with samples
/// present it bootstraps their medians, and called a level shift at the
/// same slope "regressed" and a doubled slope at the same median
/// "unchanged"; without samples it judged both right from the intervals.)
///
/// perflab measurements are not negative, so a shrinking series reads as no
/// growth: the slope and both bounds are clamped at zero (the series in the
/// samples still shows the shrinking). Errors name the benchmark when the
/// metric is not in bytes, when the series is too short to fit, or when a
/// point is not a finite number of bytes >= 0.
pub fn growth_measurements(
    scenario: &str,
    variant: &str,
    benchmark: &str,
    series: &[f64],
    metric: MetricKind,
) -> Result<Measurement, MemoryError> {
    let bad = |problem: String| MemoryError::Growth {
        benchmark: benchmark.to_owned(),
        metric,
        problem,
    };
    if metric.unit() != Unit::Bytes {
        return Err(bad(format!(
            "{metric} is measured in {:?}, not bytes",
            metric.unit()
        )));
    }
    if let Some((i, y)) = series
        .iter()
        .enumerate()
        .find(|(_, y)| !(y.is_finite() && **y >= 0.0))
    {
        return Err(bad(format!("point {i} is {y}, not a number of bytes")));
    }
    let growth = fit_growth(series).ok_or_else(|| {
        bad(format!(
            "{} points are too few to fit a slope (at least {MIN_FIT_POINTS})",
            series.len()
        ))
    })?;
    Ok(Measurement::new(
        key(scenario, variant, benchmark, metric),
        growth.slope.max(0.0),
        Tool::Dhat,
    )
    .with_interval(Interval {
        lower: growth.ci95.0.max(0.0),
        upper: growth.ci95.1.max(0.0),
        level: 0.95,
    })
    .with_samples(series.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use perflab_schema::Fragment;

    #[test]
    fn heap_totals_become_six_valid_measurements() {
        let totals = HeapTotals {
            total_bytes: 1_000_000,
            total_blocks: 2_000,
            peak_bytes: 300_000,
            peak_blocks: 40,
            end_bytes: 4_096,
            end_blocks: 2,
        };
        let ms = heap_measurements("image-worker", "naive", "thumbnail/jpeg", &totals);
        let by = |k: MetricKind| ms.iter().find(|m| m.key.metric == k).unwrap().estimate;
        assert_eq!(ms.len(), 6);
        assert_eq!(by(MetricKind::HeapTotalBytes), 1_000_000.0);
        assert_eq!(by(MetricKind::HeapPeakBlocks), 40.0);
        assert_eq!(by(MetricKind::HeapLeakedBytes), 4_096.0);
        assert!(ms.iter().all(|m| m.tool == Tool::Dhat));
        // Valid as perflab data: the fragment parser re-validates.
        let json = Fragment::new(ms).to_json();
        Fragment::from_json(json.as_bytes()).unwrap();
    }

    #[test]
    fn growth_is_the_slope_with_the_series_as_samples() {
        let series: Vec<f64> = (0..20).map(|i| 1e6 + 2048.0 * i as f64).collect();
        let m = growth_measurements("s", "naive", "jobs", &series, MetricKind::HeapGrowth).unwrap();
        assert!((m.estimate - 2048.0).abs() < 1e-6);
        let i = m.interval.unwrap();
        assert!(i.lower <= m.estimate && m.estimate <= i.upper && i.level == 0.95);
        assert_eq!(m.samples.as_deref(), Some(series.as_slice()));
        assert_eq!(m.unit, Unit::Bytes);
        Fragment::from_json(Fragment::new(vec![m]).to_json().as_bytes()).unwrap();
    }

    #[test]
    fn shrinking_reads_as_no_growth() {
        let series: Vec<f64> = (0..20).map(|i| 1e6 - 100.0 * i as f64).collect();
        let m = growth_measurements("s", "v", "b", &series, MetricKind::RssGrowth).unwrap();
        assert_eq!(m.estimate, 0.0);
        let i = m.interval.unwrap();
        assert_eq!((i.lower, i.upper), (0.0, 0.0));
    }

    #[test]
    fn unusable_input_is_an_error_naming_the_benchmark() {
        let ok = [1.0, 2.0, 3.0];
        let err = growth_measurements("s", "v", "jobs/1k", &ok, MetricKind::WallTime).unwrap_err();
        assert!(err.to_string().contains("jobs/1k"), "{err}");
        let err = growth_measurements("s", "v", "jobs/1k", &[1.0, 2.0], MetricKind::HeapGrowth)
            .unwrap_err();
        assert!(err.to_string().contains("too few"), "{err}");
        let err = growth_measurements("s", "v", "b", &[1.0, -2.0, 3.0], MetricKind::HeapGrowth)
            .unwrap_err();
        assert!(err.to_string().contains("point 1"), "{err}");
    }
}
