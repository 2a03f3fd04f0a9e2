//! Fixed inputs for tests: a small baseline/current pair with a config that
//! makes one of everything (gating and informational regressions, an
//! improvement, an SLO breach, new and removed keys), a run with two
//! variants, and heap-growth series for the leak rule. The gate's own tests
//! and `perflab-render`'s share them (feature `testing`), so a renderer's
//! snapshot shows the very decision the gate's tests check.

use crate::Config;
use perflab_compare::stats::Rng;
use perflab_schema::{Interval, Measurement, MeasurementKey, MetricKind, Run, Tool};

/// The fixture's `perflab.toml`: SLOs on load latency and throughput, and a
/// tighter soft limit on autocomplete's `complete/*` instructions (rule #1).
pub const CONFIG: &str = r#"
[metrics.latency_p95]
max = 500_000_000

[metrics.throughput]
min = 1_000

[[rules]]
scenario = "autocomplete"
benchmark = "complete/*"
metric = "instructions"
soft_pct = 1.0
"#;

/// [`CONFIG`], parsed.
pub fn config() -> Config {
    Config::parse(CONFIG).expect("the fixture config is valid")
}

fn key(scenario: &str, variant: &str, benchmark: &str, metric: MetricKind) -> MeasurementKey {
    MeasurementKey {
        scenario: scenario.into(),
        variant: variant.into(),
        benchmark: benchmark.into(),
        metric,
    }
}

/// A normalized run of `measurements` on the machine `fixture`.
pub fn run(measurements: Vec<Measurement>) -> Run {
    let env = perflab_schema::testing::environment("fixture");
    let mut r = Run::new(0, env);
    r.measurements = measurements;
    r.normalize();
    r
}

fn wall(variant: &str, center: f64, seed: u64) -> Measurement {
    let mut rng = Rng::new(seed);
    let samples: Vec<f64> = (0..60)
        .map(|_| center * (1.0 + 0.02 * rng.normal()))
        .collect();
    let est = perflab_compare::stats::median(&samples).expect("non-empty");
    let k = key(
        "autocomplete",
        variant,
        "complete/terms=1M",
        MetricKind::WallTime,
    );
    Measurement::new(k, est, Tool::Criterion)
        .with_interval(Interval {
            lower: est * 0.99,
            upper: est * 1.01,
            level: 0.95,
        })
        .with_samples(samples)
}

fn count(scenario: &str, variant: &str, bench: &str, metric: MetricKind, v: f64) -> Measurement {
    let tool = match metric {
        MetricKind::HeapTotalBytes => Tool::Dhat,
        MetricKind::LatencyP95 | MetricKind::Throughput => Tool::Goose,
        _ => Tool::Gungraun,
    };
    Measurement::new(key(scenario, variant, bench, metric), v, tool)
}

/// The baseline: what main measured.
pub fn baseline() -> Run {
    use MetricKind::*;
    run(vec![
        count(
            "autocomplete",
            "optimized",
            "complete/terms=1M",
            Instructions,
            1_000_000.0,
        ),
        wall("optimized", 1_000.0, 1),
        count(
            "autocomplete",
            "naive",
            "complete/terms=1M",
            HeapTotalBytes,
            2_097_152.0,
        ),
        count(
            "autocomplete",
            "optimized",
            "build",
            EstimatedCycles,
            52_000_000.0,
        ),
        count(
            "autocomplete",
            "optimized",
            "removed",
            Instructions,
            5_000.0,
        ),
        count("load", "optimized", "search", LatencyP95, 400_000_000.0),
        count("load", "optimized", "search", Throughput, 1_200.0),
    ])
}

/// The current run: one gating regression, one informational regression,
/// one improvement, one SLO breach, one new and one removed benchmark.
pub fn current() -> Run {
    use MetricKind::*;
    run(vec![
        count(
            "autocomplete",
            "optimized",
            "complete/terms=1M",
            Instructions,
            1_030_000.0,
        ),
        wall("optimized", 1_100.0, 2),
        count(
            "autocomplete",
            "naive",
            "complete/terms=1M",
            HeapTotalBytes,
            1_048_576.0,
        ),
        count(
            "autocomplete",
            "optimized",
            "build",
            EstimatedCycles,
            52_100_000.0,
        ),
        count(
            "autocomplete",
            "optimized",
            "new|bench",
            Instructions,
            7_500.0,
        ),
        count("load", "optimized", "search", LatencyP95, 600_000_000.0),
        count("load", "optimized", "search", Throughput, 1_180.0),
    ])
}

/// A run with both variants, for speedups.
pub fn variants() -> Run {
    use MetricKind::*;
    run(vec![
        count(
            "autocomplete",
            "naive",
            "complete/terms=1M",
            Instructions,
            9_000_000.0,
        ),
        count(
            "autocomplete",
            "optimized",
            "complete/terms=1M",
            Instructions,
            1_000_000.0,
        ),
        wall("naive", 3_000.0, 3),
        wall("optimized", 1_000.0, 4),
        count(
            "autocomplete",
            "naive",
            "complete/terms=1M",
            HeapTotalBytes,
            2_097_152.0,
        ),
        count(
            "autocomplete",
            "optimized",
            "complete/terms=1M",
            HeapTotalBytes,
            0.0,
        ),
    ])
}

/// The leak rule on `heap_growth`: growth above 1 KiB per iteration after
/// 20 warm-up iterations fails.
pub fn leak_config() -> Config {
    Config::parse("[[rules]]\nmetric = \"heap_growth\"\nleak_min_slope = 1024\nleak_warmup = 20\n")
        .expect("the leak config is valid")
}

/// A heap-growth measurement of `image-worker/leak` whose series grows by
/// `per_iter` bytes per iteration.
pub fn growth(variant: &str, per_iter: f64) -> Measurement {
    // A series with a little deterministic wobble, as a live heap has.
    let series: Vec<f64> = (0..400)
        .map(|i| 5e6 + per_iter * f64::from(i) + f64::from((i * 7919) % 13) * 100.0)
        .collect();
    let key = key("image-worker", variant, "leak", MetricKind::HeapGrowth);
    Measurement::new(key, per_iter.max(0.0), Tool::Dhat).with_samples(series)
}
