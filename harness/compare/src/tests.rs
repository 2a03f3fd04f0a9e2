//! Known data sets and seeded property checks for the comparison rules.

use crate::stats::{MIN_SAMPLES, Rng};
use crate::*;
use perflab_schema::{Interval, Measurement, MeasurementKey, MetricKind, Run, Tool};
use std::cell::RefCell;

mod growth;

fn key(variant: &str, benchmark: &str, metric: MetricKind) -> MeasurementKey {
    MeasurementKey {
        scenario: "autocomplete".into(),
        variant: variant.into(),
        benchmark: benchmark.into(),
        metric,
    }
}

fn tool_for(metric: MetricKind) -> Tool {
    match metric {
        MetricKind::WallTime => Tool::Criterion,
        MetricKind::Throughput | MetricKind::LatencyP95 => Tool::Goose,
        _ => Tool::Gungraun,
    }
}

fn counter(metric: MetricKind, value: f64) -> Measurement {
    Measurement::new(key("naive", "b", metric), value, tool_for(metric))
}

/// `n` samples around `center` with normal noise of relative size `noise`.
fn draw(rng: &mut Rng, center: f64, noise: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| (center * (1.0 + noise * rng.normal())).max(0.0))
        .collect()
}

fn sampled(metric: MetricKind, samples: Vec<f64>) -> Measurement {
    let est = stats::median(&samples).unwrap();
    Measurement::new(key("naive", "b", metric), est, tool_for(metric)).with_samples(samples)
}

fn wall(samples: Vec<f64>) -> Measurement {
    sampled(MetricKind::WallTime, samples)
}

fn noisy_limits(min_effect_pct: f64) -> Limits {
    Limits {
        min_effect_pct,
        ..Limits::for_metric(MetricKind::WallTime)
    }
}

fn stat(c: &Comparison) -> &StatisticalEvidence {
    match &c.evidence {
        Some(Evidence::Statistical(s)) => s,
        other => panic!("expected statistical evidence, got {other:?}"),
    }
}

fn exact(c: &Comparison) -> &ExactEvidence {
    match &c.evidence {
        Some(Evidence::Exact(e)) => e,
        other => panic!("expected exact evidence, got {other:?}"),
    }
}

// ---- deterministic counters -------------------------------------------------

#[test]
fn identical_counters_are_unchanged() {
    let m = counter(MetricKind::Instructions, 1_000_000.0);
    let c = compare_measurement(&m, &m, &[], &Limits::for_metric(MetricKind::Instructions));
    assert_eq!(c.verdict, Verdict::Unchanged);
    assert_eq!(c.change_pct, Some(0.0));
    assert!(exact(&c).exceeded.is_empty());
}

#[test]
fn counter_past_the_soft_limit_regresses_with_soft_evidence() {
    let old = counter(MetricKind::Instructions, 1_000_000.0);
    let new = counter(MetricKind::Instructions, 1_030_000.0);
    let c = compare_measurement(
        &old,
        &new,
        &[],
        &Limits::for_metric(MetricKind::Instructions),
    );
    assert_eq!(c.verdict, Verdict::Regressed);
    match exact(&c).exceeded.as_slice() {
        [
            Exceeded::Soft {
                metric,
                old,
                new,
                diff_pct,
                limit_pct,
            },
        ] => {
            assert_eq!(*metric, MetricKind::Instructions);
            assert_eq!((*old, *new, *limit_pct), (1_000_000.0, 1_030_000.0, 2.0));
            assert!((diff_pct - 3.0).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn counter_within_soft_limit_is_unchanged_and_past_it_improves() {
    let limits = Limits::for_metric(MetricKind::Instructions);
    let old = counter(MetricKind::Instructions, 1_000.0);
    let small = compare_measurement(
        &old,
        &counter(MetricKind::Instructions, 1_015.0),
        &[],
        &limits,
    );
    assert_eq!(small.verdict, Verdict::Unchanged);
    let better = compare_measurement(
        &old,
        &counter(MetricKind::Instructions, 900.0),
        &[],
        &limits,
    );
    assert_eq!(better.verdict, Verdict::Improved);
    assert!(exact(&better).exceeded.is_empty());
}

#[test]
fn hard_limit_catches_a_small_relative_change() {
    let limits = Limits {
        soft_pct: Some(1.0),
        hard_abs: Some(100_000.0),
        ..Limits::for_metric(MetricKind::Instructions)
    };
    let old = counter(MetricKind::Instructions, 100_000_000.0);
    let new = counter(MetricKind::Instructions, 100_200_000.0); // +0.2%, +200k
    let c = compare_measurement(&old, &new, &[], &limits);
    assert_eq!(c.verdict, Verdict::Regressed);
    assert_eq!(
        exact(&c).exceeded,
        vec![Exceeded::Hard {
            metric: MetricKind::Instructions,
            old: 100_000_000.0,
            new: 100_200_000.0,
            diff_abs: 200_000.0,
            limit_abs: 100_000.0,
        }]
    );
}

#[test]
fn both_limits_are_reported_when_both_are_exceeded() {
    let limits = Limits {
        soft_pct: Some(1.0),
        hard_abs: Some(10.0),
        ..Limits::for_metric(MetricKind::HeapTotalBytes)
    };
    let c = compare_measurement(
        &counter(MetricKind::HeapTotalBytes, 1_000.0),
        &counter(MetricKind::HeapTotalBytes, 1_100.0),
        &[],
        &limits,
    );
    assert_eq!(exact(&c).exceeded.len(), 2);
}

#[test]
fn counter_rising_from_zero_is_an_infinite_regression() {
    // A leak appearing where there was none must not hide behind a
    // relative limit.
    let c = compare_measurement(
        &counter(MetricKind::HeapLeakedBytes, 0.0),
        &counter(MetricKind::HeapLeakedBytes, 64.0),
        &[],
        &Limits::for_metric(MetricKind::HeapLeakedBytes),
    );
    assert_eq!(c.verdict, Verdict::Regressed);
    assert_eq!(c.change_pct, Some(f64::INFINITY));
}

#[test]
fn without_limits_any_counter_change_counts() {
    let limits = Limits {
        soft_pct: None,
        hard_abs: None,
        ..Limits::for_metric(MetricKind::Instructions)
    };
    let old = counter(MetricKind::Instructions, 1_000.0);
    let up = compare_measurement(
        &old,
        &counter(MetricKind::Instructions, 1_001.0),
        &[],
        &limits,
    );
    let down = compare_measurement(
        &old,
        &counter(MetricKind::Instructions, 999.0),
        &[],
        &limits,
    );
    assert_eq!(
        (up.verdict, down.verdict),
        (Verdict::Regressed, Verdict::Improved)
    );
}

// ---- noisy metrics with samples ---------------------------------------------

#[test]
fn identical_samples_are_unchanged() {
    let mut rng = Rng::new(1);
    let m = wall(draw(&mut rng, 1_000.0, 0.02, 100));
    let c = compare_measurement(&m, &m, &[], &Limits::for_metric(MetricKind::WallTime));
    assert_eq!(c.verdict, Verdict::Unchanged);
    let s = stat(&c);
    assert_eq!(
        s.basis,
        Basis::Bootstrap {
            resamples: stats::BOOTSTRAP_RESAMPLES
        }
    );
    assert_eq!(s.ratio, 1.0);
    let ci = s.ci.unwrap();
    assert!(ci.lower <= 1.0 && 1.0 <= ci.upper);
}

#[test]
fn ten_percent_shift_with_tight_noise_regresses() {
    let mut rng = Rng::new(2);
    let old = wall(draw(&mut rng, 1_000.0, 0.02, 100));
    let new = wall(draw(&mut rng, 1_100.0, 0.02, 100));
    let c = compare_measurement(&old, &new, &[], &Limits::for_metric(MetricKind::WallTime));
    assert_eq!(c.verdict, Verdict::Regressed);
    let s = stat(&c);
    assert!(s.ci.unwrap().lower > 1.05);
    assert_eq!(s.threshold_pct, DEFAULT_MIN_EFFECT_PCT);
    let (lo, hi) = c.change_ci_pct().unwrap();
    assert!(lo < 10.0 && 10.0 < hi, "[{lo}, {hi}]");
}

#[test]
fn ten_percent_shift_buried_in_thirty_percent_noise_is_unchanged() {
    let mut rng = Rng::new(3);
    let old = wall(draw(&mut rng, 1_000.0, 0.30, 50));
    let new = wall(draw(&mut rng, 1_100.0, 0.30, 50));
    let c = compare_measurement(&old, &new, &[], &Limits::for_metric(MetricKind::WallTime));
    assert_eq!(c.verdict, Verdict::Unchanged, "{:?}", stat(&c));
}

#[test]
fn ten_percent_speedup_with_tight_noise_improves() {
    let mut rng = Rng::new(4);
    let old = wall(draw(&mut rng, 1_000.0, 0.02, 100));
    let new = wall(draw(&mut rng, 900.0, 0.02, 100));
    let c = compare_measurement(&old, &new, &[], &Limits::for_metric(MetricKind::WallTime));
    assert_eq!(c.verdict, Verdict::Improved);
}

#[test]
fn shift_below_the_min_effect_is_unchanged_even_when_certain() {
    let mut rng = Rng::new(5);
    let old = wall(draw(&mut rng, 1_000.0, 0.001, 100));
    let new = wall(draw(&mut rng, 1_030.0, 0.001, 100));
    let c = compare_measurement(&old, &new, &[], &Limits::for_metric(MetricKind::WallTime));
    assert!(stat(&c).ci.unwrap().lower > 1.02);
    assert_eq!(c.verdict, Verdict::Unchanged);
}

#[test]
fn history_noise_band_widens_the_threshold() {
    let mut rng = Rng::new(6);
    let old = wall(draw(&mut rng, 1_000.0, 0.02, 100));
    let new = wall(draw(&mut rng, 1_100.0, 0.02, 100));
    let limits = Limits::for_metric(MetricKind::WallTime);
    // Baselines that wander by about ±4% between commits: the band is wider
    // than the 10% shift, which is then ordinary for this benchmark.
    let history: Vec<f64> = draw(&mut rng, 1_000.0, 0.04, 20);
    let band = stats::noise_band_pct(&history).unwrap();
    assert!(band > 11.0, "band {band}");
    let c = compare_measurement(&old, &new, &history, &limits);
    assert_eq!(c.verdict, Verdict::Unchanged);
    assert_eq!(stat(&c).noise_band_pct, Some(band));
    assert_eq!(stat(&c).threshold_pct, band);

    // A quiet history leaves the minimum effect in charge.
    let quiet: Vec<f64> = draw(&mut rng, 1_000.0, 0.001, 20);
    let c = compare_measurement(&old, &new, &quiet, &limits);
    assert_eq!(c.verdict, Verdict::Regressed);
    assert_eq!(stat(&c).threshold_pct, DEFAULT_MIN_EFFECT_PCT);

    // Too short a history is ignored.
    let c = compare_measurement(&old, &new, &history[..5], &limits);
    assert_eq!(stat(&c).noise_band_pct, None);
    assert_eq!(c.verdict, Verdict::Regressed);
}

#[test]
fn higher_is_better_flips_the_direction() {
    let mut rng = Rng::new(7);
    let limits = Limits::for_metric(MetricKind::Throughput);
    let old = sampled(MetricKind::Throughput, draw(&mut rng, 30_000.0, 0.02, 60));
    let lower = sampled(MetricKind::Throughput, draw(&mut rng, 27_000.0, 0.02, 60));
    let higher = sampled(MetricKind::Throughput, draw(&mut rng, 33_000.0, 0.02, 60));
    assert_eq!(
        compare_measurement(&old, &lower, &[], &limits).verdict,
        Verdict::Regressed
    );
    assert_eq!(
        compare_measurement(&old, &higher, &[], &limits).verdict,
        Verdict::Improved
    );
}

// ---- noisy metrics without (enough) samples ---------------------------------

fn with_interval(metric: MetricKind, est: f64, lower: f64, upper: f64) -> Measurement {
    Measurement::new(key("naive", "b", metric), est, tool_for(metric)).with_interval(Interval {
        lower,
        upper,
        level: 0.95,
    })
}

#[test]
fn too_few_samples_without_intervals_is_not_comparable() {
    let few = wall(vec![1.0; MIN_SAMPLES - 1]);
    let many = wall(vec![1.0; 50]);
    let c = compare_measurement(&few, &many, &[], &Limits::for_metric(MetricKind::WallTime));
    assert_eq!(
        c.verdict,
        Verdict::NotComparable(Reason::NotEnoughSamples {
            baseline: MIN_SAMPLES - 1,
            current: 50,
            min: MIN_SAMPLES,
        })
    );
}

#[test]
fn tool_intervals_are_used_when_samples_are_missing() {
    let limits = Limits::for_metric(MetricKind::WallTime);
    let old = with_interval(MetricKind::WallTime, 100.0, 98.0, 102.0);
    let apart = with_interval(MetricKind::WallTime, 120.0, 118.0, 122.0);
    let c = compare_measurement(&old, &apart, &[], &limits);
    assert_eq!(c.verdict, Verdict::Regressed);
    let s = stat(&c);
    assert_eq!(s.basis, Basis::ToolIntervals);
    let ci = s.ci.unwrap();
    assert!((ci.lower - 118.0 / 102.0).abs() < 1e-12);
    assert!((ci.upper - 122.0 / 98.0).abs() < 1e-12);
    // Two 95% intervals do not make a 95% statement about their ratio.
    assert!((ci.level - 0.95 * 0.95).abs() < 1e-12);

    let overlapping = with_interval(MetricKind::WallTime, 108.0, 101.0, 115.0);
    assert_eq!(
        compare_measurement(&old, &overlapping, &[], &limits).verdict,
        Verdict::Unchanged
    );

    // Too few samples, but intervals exist: fall back to them.
    let few = with_interval(MetricKind::WallTime, 120.0, 118.0, 122.0).with_samples(vec![120.0; 3]);
    let c = compare_measurement(&old, &few, &[], &limits);
    assert_eq!(stat(&c).basis, Basis::ToolIntervals);
}

#[test]
fn point_estimates_are_the_last_resort_and_say_so() {
    let limits = Limits::for_metric(MetricKind::LatencyP95);
    let old = counter(MetricKind::LatencyP95, 1_000_000.0);
    let new = counter(MetricKind::LatencyP95, 1_200_000.0);
    let c = compare_measurement(&old, &new, &[], &limits);
    assert_eq!(c.verdict, Verdict::Regressed);
    assert_eq!(stat(&c).basis, Basis::PointEstimates);
    assert_eq!(stat(&c).ci, None);
    assert_eq!(c.change_ci_pct(), None);
}

#[test]
fn from_a_zero_noisy_baseline_none_is_unchanged_and_some_regress() {
    let limits = Limits::for_metric(MetricKind::Errors);
    let still_none = compare_measurement(
        &counter(MetricKind::Errors, 0.0),
        &counter(MetricKind::Errors, 0.0),
        &[],
        &limits,
    );
    assert_eq!(still_none.verdict, Verdict::Unchanged);
    let appeared = compare_measurement(
        &counter(MetricKind::Errors, 0.0),
        &counter(MetricKind::Errors, 3.0),
        &[],
        &limits,
    );
    assert_eq!(appeared.verdict, Verdict::Regressed);
    assert_eq!(
        (appeared.baseline, appeared.current),
        (Some(0.0), Some(3.0))
    );
}

#[test]
fn different_tools_are_not_comparable() {
    let old = counter(MetricKind::WallTime, 1.0);
    let mut new = old.clone();
    new.tool = Tool::Divan;
    let c = compare_measurement(&old, &new, &[], &Limits::for_metric(MetricKind::WallTime));
    assert_eq!(
        c.verdict,
        Verdict::NotComparable(Reason::ToolsDiffer {
            baseline: Tool::Criterion,
            current: Tool::Divan
        })
    );
}

// ---- seeded property checks -------------------------------------------------

const TRIALS: usize = 200;

#[test]
fn same_distribution_is_almost_never_flagged() {
    let mut rng = Rng::new(0xfa15e);
    let defaults = Limits::for_metric(MetricKind::WallTime);
    // With no minimum effect the interval alone decides: a 95% interval
    // should exclude 1 in about 5% of trials. Allow 10% for the percentile
    // bootstrap's slight undercoverage at 50 samples.
    let bare = noisy_limits(0.0);
    let (mut flagged_default, mut flagged_bare) = (0, 0);
    for _ in 0..TRIALS {
        let old = wall(draw(&mut rng, 1_000.0, 0.05, 50));
        let new = wall(draw(&mut rng, 1_000.0, 0.05, 50));
        if compare_measurement(&old, &new, &[], &defaults).verdict != Verdict::Unchanged {
            flagged_default += 1;
        }
        if compare_measurement(&old, &new, &[], &bare).verdict != Verdict::Unchanged {
            flagged_bare += 1;
        }
    }
    assert!(
        flagged_default <= TRIALS / 100,
        "{flagged_default} of {TRIALS} flagged"
    );
    assert!(
        flagged_bare <= TRIALS / 10,
        "{flagged_bare} of {TRIALS} flagged without min effect"
    );
}

#[test]
fn ten_percent_shift_in_two_percent_noise_is_always_flagged() {
    let mut rng = Rng::new(0x5_41f7);
    let limits = Limits::for_metric(MetricKind::WallTime);
    for trial in 0..TRIALS {
        let old = wall(draw(&mut rng, 1_000.0, 0.02, 50));
        let new = wall(draw(&mut rng, 1_100.0, 0.02, 50));
        let c = compare_measurement(&old, &new, &[], &limits);
        assert_eq!(
            c.verdict,
            Verdict::Regressed,
            "trial {trial}: {:?}",
            stat(&c)
        );
    }
}

// ---- whole runs and speedups ------------------------------------------------

fn run(measurements: Vec<Measurement>) -> Run {
    let env = perflab_schema::testing::environment("test");
    let mut r = Run::new(0, env);
    r.measurements = measurements;
    r
}

fn at(variant: &str, benchmark: &str, m: Measurement) -> Measurement {
    Measurement {
        key: key(variant, benchmark, m.key.metric),
        ..m
    }
}

#[test]
fn compare_runs_lists_every_key_once_sorted_with_reasons() {
    let base = run(vec![
        at("naive", "z", counter(MetricKind::Instructions, 100.0)),
        at("naive", "gone", counter(MetricKind::Instructions, 100.0)),
        at("naive", "a", counter(MetricKind::WallTime, 100.0)),
    ]);
    let cur = run(vec![
        at("naive", "a", counter(MetricKind::WallTime, 150.0)),
        at("naive", "new", counter(MetricKind::Instructions, 5.0)),
        at("naive", "z", counter(MetricKind::Instructions, 100.0)),
    ]);
    let asked = RefCell::new(Vec::new());
    let history = |k: &MeasurementKey| {
        asked.borrow_mut().push(k.clone());
        vec![]
    };
    let out = compare_runs(&base, &cur, &history, &|k| Limits::for_metric(k.metric));
    let summary: Vec<(&str, &Verdict)> = out
        .iter()
        .map(|c| (c.key.benchmark.as_str(), &c.verdict))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("a", &Verdict::Regressed),
            ("gone", &Verdict::NotComparable(Reason::MissingInCurrent)),
            ("new", &Verdict::NotComparable(Reason::MissingInBaseline)),
            ("z", &Verdict::Unchanged),
        ]
    );
    // History is only needed for noisy metrics present on both sides.
    assert_eq!(asked.borrow().len(), 1);
    assert_eq!(asked.borrow()[0].benchmark, "a");
    assert_eq!(out[1].baseline, Some(100.0));
    assert_eq!(out[2].current, Some(5.0));
}

#[test]
fn speedups_are_oriented_so_that_above_one_is_better() {
    let mut rng = Rng::new(9);
    let r = run(vec![
        at("naive", "q", counter(MetricKind::Instructions, 9_000.0)),
        at("optimized", "q", counter(MetricKind::Instructions, 3_000.0)),
        at("naive", "q", wall(draw(&mut rng, 3_000.0, 0.02, 100))),
        at("optimized", "q", wall(draw(&mut rng, 1_000.0, 0.02, 100))),
        at("naive", "q", counter(MetricKind::Throughput, 100.0)),
        at("optimized", "q", counter(MetricKind::Throughput, 400.0)),
        at(
            "naive",
            "only-naive",
            counter(MetricKind::Instructions, 1.0),
        ),
    ]);
    let s = speedups(&r, "naive", "optimized");
    let metrics: Vec<MetricKind> = s.iter().map(|s| s.key.metric).collect();
    assert_eq!(
        metrics,
        vec![
            MetricKind::WallTime,
            MetricKind::Instructions,
            MetricKind::Throughput
        ]
    );
    let (wall_s, ir, tput) = (&s[0], &s[1], &s[2]);
    assert_eq!((ir.speedup, ir.basis, ir.ci), (3.0, Basis::Exact, None));
    assert_eq!(tput.speedup, 4.0);
    assert_eq!(tput.basis, Basis::PointEstimates);
    let ci = wall_s.ci.unwrap();
    assert!(
        ci.lower < 3.0 && 3.0 < ci.upper && ci.lower > 2.8 && ci.upper < 3.2,
        "{ci:?}"
    );
    assert!(matches!(wall_s.basis, Basis::Bootstrap { .. }));
    assert_eq!(
        (wall_s.reference.as_str(), wall_s.key.variant.as_str()),
        ("naive", "optimized")
    );
}

#[test]
fn speedup_to_zero_allocations_is_infinite() {
    let r = run(vec![
        at("naive", "q", counter(MetricKind::HeapTotalBlocks, 10.0)),
        at("optimized", "q", counter(MetricKind::HeapTotalBlocks, 0.0)),
        at("naive", "q", counter(MetricKind::HeapLeakedBlocks, 0.0)),
        at("optimized", "q", counter(MetricKind::HeapLeakedBlocks, 0.0)),
    ]);
    let s = speedups(&r, "naive", "optimized");
    assert_eq!(s[0].speedup, f64::INFINITY);
    assert_eq!(s[1].speedup, 1.0);
}
