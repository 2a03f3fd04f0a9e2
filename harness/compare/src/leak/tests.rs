//! Synthetic series with seeded noise: lines are found with the right slope,
//! flat noise stays flat, a one-off step is not a leak, and too little data
//! says so.

use super::*;
use perflab_seeded::SplitMix64;

const KIB: f64 = 1024.0;

/// Roughly normal noise with standard deviation `sd` (Irwin–Hall: the sum of
/// 12 uniforms minus 6 has variance 1).
fn noise(rng: &mut SplitMix64, sd: f64) -> f64 {
    ((0..12).map(|_| rng.unit()).sum::<f64>() - 6.0) * sd
}

fn series(n: usize, seed: u64, f: impl Fn(usize) -> f64, sd: f64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    (0..n).map(|i| f(i) + noise(&mut rng, sd)).collect()
}

const RULE: LeakRule = LeakRule {
    warmup: 10,
    min_slope: 4.0 * KIB,
    max_drift_pct: 5.0,
};

#[test]
fn a_noisy_linear_leak_is_found_with_its_slope() {
    // 48 KiB per job on a 200 MiB process with 256 KiB of noise. A 95%
    // interval misses the true slope one time in twenty, so coverage is
    // counted over seeds rather than asserted for each.
    let truth = 48.0 * KIB;
    let mut covered = 0;
    for seed in 0..40 {
        let s = series(
            200,
            seed,
            |i| 200.0 * KIB * KIB + truth * i as f64,
            256.0 * KIB,
        );
        match judge(&RULE, &s) {
            LeakVerdict::Leaks {
                bytes_per_iter,
                ci95: (lo, hi),
            } => {
                covered += usize::from(lo <= truth && truth <= hi);
                assert!((bytes_per_iter - truth).abs() < 3.0 * KIB, "seed {seed}");
            }
            other => panic!("seed {seed}: {other}"),
        }
    }
    assert!(
        covered >= 34,
        "the interval covered the true slope {covered}/40 times"
    );
}

#[test]
fn flat_noise_is_flat() {
    for seed in 0..20 {
        let s = series(300, seed, |_| 100.0 * KIB * KIB, 512.0 * KIB);
        match judge(&RULE, &s) {
            LeakVerdict::Flat {
                slope, drift_pct, ..
            } => {
                assert!(slope.abs() < RULE.min_slope, "seed {seed}: {slope}");
                assert!(drift_pct.abs() < 1.0, "seed {seed}: {drift_pct}");
            }
            other => panic!("seed {seed}: {other}"),
        }
    }
}

#[test]
fn a_small_wobble_clears_zero_but_not_the_minimum_effect() {
    // 200 B per iteration with little noise: the lower bound is well above
    // zero, which is why the rule asks for a minimum effect instead.
    let s = series(1000, 7, |i| 50.0 * KIB * KIB + 200.0 * i as f64, 2.0 * KIB);
    let g = fit_growth(&s[RULE.warmup..]).unwrap();
    assert!(g.ci95.0 > 0.0, "{g:?}");
    assert!(matches!(judge(&RULE, &s), LeakVerdict::Flat { .. }));
}

#[test]
fn a_step_is_not_a_leak_over_a_long_series() {
    // A cache fills once at iteration 60 (+4 MiB) and stays: the whole-run
    // fit has a clear slope, the later half does not.
    let s = series(
        400,
        3,
        |i| 100.0 * KIB * KIB + if i >= 60 { 4.0 * KIB * KIB } else { 0.0 },
        64.0 * KIB,
    );
    let whole = fit_growth(&s[RULE.warmup..]).unwrap();
    assert!(
        whole.ci95.0 > RULE.min_slope,
        "the step fools plain OLS: {whole:?}"
    );
    let verdict = judge(&RULE, &s);
    assert!(!verdict.is_leak(), "{verdict}");
    // 4 MiB on 100 MiB is a 4% rise: under the 5% drift limit.
    assert!(matches!(verdict, LeakVerdict::Flat { .. }), "{verdict}");
    // With a tighter drift limit the same step is a drift, still not a leak.
    let strict = LeakRule {
        max_drift_pct: 2.0,
        ..RULE
    };
    match judge(&strict, &s) {
        LeakVerdict::Drifts { drift_pct } => assert!((drift_pct - 4.0).abs() < 0.5),
        other => panic!("{other}"),
    }
}

#[test]
fn growth_during_warmup_is_neither_leak_nor_drift() {
    // +512 KiB per iteration for 10 iterations, then flat for 30.
    let s = series(
        40,
        11,
        |i| 10.0 * KIB * KIB + (i.min(10) as f64) * 512.0 * KIB,
        16.0 * KIB,
    );
    assert!(matches!(judge(&RULE, &s), LeakVerdict::Flat { .. }));
    // Judged from the start, the ramp fills the first drift window.
    let no_warmup = LeakRule { warmup: 0, ..RULE };
    assert!(matches!(judge(&no_warmup, &s), LeakVerdict::Drifts { .. }));
}

#[test]
fn too_few_points_say_how_many_are_needed() {
    let s = vec![1.0; RULE.warmup + MIN_JUDGE_POINTS - 1];
    assert_eq!(
        judge(&RULE, &s),
        LeakVerdict::NotEnoughData {
            points: s.len(),
            needed: RULE.warmup + MIN_JUDGE_POINTS,
        }
    );
    // Non-finite points are not data.
    let mut s = vec![1.0; RULE.warmup + MIN_JUDGE_POINTS];
    s[RULE.warmup] = f64::NAN;
    assert!(matches!(
        judge(&RULE, &s),
        LeakVerdict::NotEnoughData { .. }
    ));
}

#[test]
fn uneven_iterations_give_a_slope_per_iteration() {
    // Sampled every 10th iteration, 1 KiB per iteration.
    let points: Vec<(f64, f64)> = (0..50)
        .map(|k| {
            let it = (k * 10) as f64;
            (it, 1e6 + 1024.0 * it)
        })
        .collect();
    let rule = LeakRule {
        warmup: 0,
        min_slope: 512.0,
        max_drift_pct: f64::INFINITY,
    };
    match judge_points(&rule, &points) {
        LeakVerdict::Leaks { bytes_per_iter, .. } => {
            assert!((bytes_per_iter - 1024.0).abs() < 1e-6)
        }
        other => panic!("{other}"),
    }
}

#[test]
fn rules_with_unusable_thresholds_are_rejected_by_name() {
    let bad = LeakRule {
        min_slope: f64::NAN,
        ..RULE
    };
    assert!(bad.check().unwrap_err().to_string().contains("min_slope"));
    let bad = LeakRule {
        max_drift_pct: -1.0,
        ..RULE
    };
    assert!(
        bad.check()
            .unwrap_err()
            .to_string()
            .contains("max_drift_pct")
    );
    assert!(RULE.check().is_ok());
}
