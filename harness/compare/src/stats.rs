//! The statistics perflab's verdicts rest on, as pure functions with named
//! constants: medians and quantiles, a seeded percentile bootstrap of the ratio
//! of two medians, and the history noise band of rustc-perf.
//!
//! Everything here is deterministic: the bootstrap draws from perflab-seeded's
//! xoshiro256** ([`Rng`]) so the same inputs and seed always give the same
//! interval, on every machine. This module knows
//! nothing about metrics, directions or verdicts; [`crate::compare_measurement`]
//! turns these numbers into decisions. The method is explained in prose in
//! `docs/statistics.md`.

use perflab_schema::Interval;

/// Fewest samples per side before a bootstrap interval is computed. Below
/// about ten, the percentile bootstrap of a median has only a handful of
/// distinct values to draw from and its intervals come out too narrow, which
/// would claim more confidence than the data gives.
pub const MIN_SAMPLES: usize = 10;

/// Bootstrap resamples per comparison. 2,000 keeps the 2.5% and 97.5%
/// percentiles stable to well under a percent of the ratio while costing
/// about 1.5 ms (release build) for 100 samples per side.
pub const BOOTSTRAP_RESAMPLES: usize = 2_000;

/// The fixed seed of the bootstrap, so a comparison is reproducible.
pub const BOOTSTRAP_SEED: u64 = 0x7065_7266_6c61_6221; // "perflab!"

/// How many interquartile ranges above the third quartile a change must be to
/// stand out from a benchmark's history. rustc-perf's value
/// (`IQR_MULTIPLIER = 3.0` in `site/src/comparison.rs`, described in its
/// `docs/comparison-analysis.md`).
pub const IQR_MULTIPLIER: f64 = 3.0;

/// Fewest history points (earlier baseline estimates) before a noise band is
/// derived from them. Nine adjacent deltas are the least from which the
/// quartiles mean anything; rustc-perf asks for 50 of the last 100 commits,
/// which a per-project baseline history rarely has.
pub const MIN_HISTORY_POINTS: usize = 10;

/// The bootstrap's generator: perflab-seeded's xoshiro256**, whose whole
/// stream is fixed by its seed.
pub use perflab_seeded::Xoshiro256 as Rng;

/// The median of `values`, or `None` when empty. Averages the two middle
/// values of an even count.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut buf = values.to_vec();
    Some(median_in_place(&mut buf))
}

/// The median of a non-empty buffer, reordering it. Linear time: the
/// bootstrap calls this thousands of times per comparison.
fn median_in_place(buf: &mut [f64]) -> f64 {
    let n = buf.len();
    let mid = n / 2;
    let (below, upper, _) = buf.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        upper
    } else {
        let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

/// The `q`-quantile of `values` (`q` in `[0, 1]`) with linear interpolation
/// between order statistics (Hyndman & Fan type 7, the default of R and
/// NumPy). `None` when empty or `q` is out of range.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(quantile_sorted(&sorted, q))
}

fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    if lo == hi {
        sorted[lo]
    } else {
        sorted[lo] + (sorted[hi] - sorted[lo]) * frac
    }
}

/// A percentile-bootstrap confidence interval for `median(new) / median(base)`.
///
/// Each resample draws `base.len()` values from `base` and `new.len()` values
/// from `new`, independently and with replacement, and records the ratio of
/// their medians; the interval is the central `confidence` share of those
/// ratios. Returns `None` ("not enough samples") when either side has fewer
/// than [`MIN_SAMPLES`], when `confidence` is not in `(0, 1)`, when
/// `resamples` is zero, or when the median of `base` is zero (no ratio).
pub fn ratio_of_medians_ci(
    base: &[f64],
    new: &[f64],
    confidence: f64,
    resamples: usize,
    seed: u64,
) -> Option<Interval> {
    if base.len() < MIN_SAMPLES
        || new.len() < MIN_SAMPLES
        || !(confidence > 0.0 && confidence < 1.0)
        || resamples == 0
        || base.iter().chain(new).any(|v| !v.is_finite())
        || median(base)? == 0.0
    {
        return None;
    }
    let mut rng = Rng::new(seed);
    let mut base_buf = vec![0.0; base.len()];
    let mut new_buf = vec![0.0; new.len()];
    let mut ratios = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for slot in base_buf.iter_mut() {
            *slot = base[rng.below(base.len())];
        }
        for slot in new_buf.iter_mut() {
            *slot = new[rng.below(new.len())];
        }
        // A resampled base median of zero gives +inf, which sorts last and
        // honestly widens the interval instead of being dropped.
        ratios.push(median_in_place(&mut new_buf) / median_in_place(&mut base_buf));
    }
    ratios.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    Some(Interval {
        lower: quantile_sorted(&ratios, tail),
        upper: quantile_sorted(&ratios, 1.0 - tail),
        level: confidence,
    })
}

/// The history noise band, in percent: how large a relative change this
/// benchmark shows between adjacent baseline commits without anyone having
/// changed it on purpose.
///
/// rustc-perf's significance threshold: take the relative deltas
/// `|x[i+1] - x[i]| / x[i]` between adjacent points of the history (oldest
/// first), and return `Q3 + IQR_MULTIPLIER * (Q3 - Q1)` of them, where Q1 and
/// Q3 are the medians of the lower and upper halves. `None` with fewer than
/// [`MIN_HISTORY_POINTS`] usable points (a point of zero or a non-finite value
/// cannot start a relative delta and is skipped as such).
pub fn noise_band_pct(history: &[f64]) -> Option<f64> {
    if history.len() < MIN_HISTORY_POINTS {
        return None;
    }
    let mut deltas: Vec<f64> = history
        .windows(2)
        .filter(|w| w[0] != 0.0 && w[0].is_finite() && w[1].is_finite())
        .map(|w| ((w[1] - w[0]) / w[0]).abs())
        .collect();
    if deltas.len() + 1 < MIN_HISTORY_POINTS {
        return None;
    }
    deltas.sort_by(f64::total_cmp);
    let (q1, q3) = quartiles_sorted(&deltas);
    Some((q3 + IQR_MULTIPLIER * (q3 - q1)) * 100.0)
}

/// Tukey's hinges of sorted data with at least two values: the medians of
/// the lower and upper halves, leaving out the middle value of an odd count.
fn quartiles_sorted(sorted: &[f64]) -> (f64, f64) {
    let n = sorted.len();
    let half = n / 2;
    let lower = &sorted[..half];
    let upper = &sorted[n - half..];
    (median_sorted(lower), median_sorted(upper))
}

fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_reproducible_and_seed_dependent() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Rng::new(8);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn rng_below_stays_in_range_and_covers_it() {
        let mut r = Rng::new(1);
        let mut seen = [false; 7];
        for _ in 0..1_000 {
            let i = r.below(7);
            assert!(i < 7);
            seen[i] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn normal_draws_have_roughly_unit_variance() {
        let mut r = Rng::new(3);
        let xs: Vec<f64> = (0..20_000).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[5.0]), Some(5.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&xs, 0.0), Some(1.0));
        assert_eq!(quantile(&xs, 0.25), Some(2.0));
        assert_eq!(quantile(&xs, 0.1), Some(1.4));
        assert_eq!(quantile(&xs, 1.0), Some(5.0));
        assert_eq!(quantile(&xs, 1.5), None);
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn bootstrap_of_identical_constant_samples_is_exactly_one() {
        let xs = vec![100.0; 50];
        let ci = ratio_of_medians_ci(&xs, &xs, 0.95, 500, 1).unwrap();
        assert_eq!((ci.lower, ci.upper, ci.level), (1.0, 1.0, 0.95));
    }

    #[test]
    fn bootstrap_interval_covers_a_known_shift() {
        let mut r = Rng::new(11);
        let base: Vec<f64> = (0..100).map(|_| 100.0 + r.normal()).collect();
        let new: Vec<f64> = (0..100).map(|_| 120.0 + r.normal()).collect();
        let ci = ratio_of_medians_ci(&base, &new, 0.95, BOOTSTRAP_RESAMPLES, 5).unwrap();
        assert!(ci.lower < 1.2 && 1.2 < ci.upper, "{ci:?}");
        assert!(ci.upper - ci.lower < 0.01, "{ci:?}");
    }

    #[test]
    fn bootstrap_is_reproducible_for_a_seed() {
        let mut r = Rng::new(2);
        let base: Vec<f64> = (0..30).map(|_| 10.0 + r.normal()).collect();
        let new: Vec<f64> = (0..30).map(|_| 10.0 + r.normal()).collect();
        let a = ratio_of_medians_ci(&base, &new, 0.9, 300, 42);
        let b = ratio_of_medians_ci(&base, &new, 0.9, 300, 42);
        assert_eq!(a, b);
    }

    #[test]
    fn bootstrap_refuses_too_few_samples_and_bad_parameters() {
        let few = vec![1.0; MIN_SAMPLES - 1];
        let enough = vec![1.0; MIN_SAMPLES];
        assert!(ratio_of_medians_ci(&few, &enough, 0.95, 100, 0).is_none());
        assert!(ratio_of_medians_ci(&enough, &few, 0.95, 100, 0).is_none());
        assert!(ratio_of_medians_ci(&enough, &enough, 0.95, 100, 0).is_some());
        assert!(ratio_of_medians_ci(&enough, &enough, 1.0, 100, 0).is_none());
        assert!(ratio_of_medians_ci(&enough, &enough, 0.95, 0, 0).is_none());
        let zeros = vec![0.0; MIN_SAMPLES];
        assert!(ratio_of_medians_ci(&zeros, &enough, 0.95, 100, 0).is_none());
    }

    #[test]
    fn noise_band_needs_enough_history() {
        assert_eq!(noise_band_pct(&[100.0; MIN_HISTORY_POINTS - 1]), None);
        assert_eq!(noise_band_pct(&[100.0; MIN_HISTORY_POINTS]), Some(0.0));
    }

    #[test]
    fn noise_band_is_q3_plus_three_iqr_of_adjacent_relative_deltas() {
        // Alternating 100, 101, 100, ... gives deltas of 1% and ~0.990%.
        let history: Vec<f64> = (0..11)
            .map(|i| if i % 2 == 0 { 100.0 } else { 101.0 })
            .collect();
        // 10 deltas: five of 0.01 (100 -> 101), five of 1/101 (101 -> 100).
        // Lower half is all 1/101, upper half all 0.01: Q1 = 1/101, Q3 = 0.01.
        let q1 = 1.0 / 101.0;
        let q3 = 0.01;
        let expected = (q3 + 3.0 * (q3 - q1)) * 100.0;
        let got = noise_band_pct(&history).unwrap();
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    }

    #[test]
    fn noise_band_ignores_a_single_outlier_jump() {
        let mut history = vec![100.0, 100.5, 100.0, 100.5, 100.0, 100.5, 100.0, 100.5];
        history.extend([150.0, 150.5, 150.0, 150.5]);
        // One +50% jump among 11 deltas of about 0.5% stays above Q3.
        let band = noise_band_pct(&history).unwrap();
        assert!(band < 1.0, "{band}");
    }

    #[test]
    fn noise_band_skips_zero_points() {
        let mut history = vec![100.0; 12];
        history[3] = 0.0;
        // The delta starting at 0 is skipped; 100 -> 0 is a 100% drop and
        // stays in, but is a lone outlier above Q3.
        assert_eq!(noise_band_pct(&history), Some(0.0));
    }
}
