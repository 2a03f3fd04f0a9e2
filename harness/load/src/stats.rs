//! Latency statistics over raw per-request timings: pure functions, no I/O,
//! no clocks.
//!
//! Percentiles use the **nearest-rank** method: the p-th percentile of n
//! sorted values is the value at rank ⌈p·n⌉ (1-based), so it is always a
//! latency that some request really had, and p = 1 is the maximum. No
//! interpolation: with the few thousand requests of a short run, an
//! interpolated p99 would invent a time between two observed ones.
//!
//! Inputs are whole microseconds, the resolution goose measures at; outputs
//! are nanoseconds, perflab's latency unit.

/// The most raw latencies attached as samples to one measurement: enough for
/// rank statistics, small enough to keep run files in git.
pub const MAX_SAMPLES: usize = 10_000;

/// Summary of one set of latencies, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LatencyStats {
    pub count: u64,
    pub min_ns: u64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p95_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
    pub mean_ns: f64,
}

/// The nearest-rank `p`-quantile (0 < p ≤ 1) of ascending `sorted`; `None`
/// when empty. p ≤ 0 gives the minimum.
pub fn percentile_nearest_rank(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    debug_assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "input not sorted");
    let n = sorted.len();
    // Rank ⌈p·n⌉, computed with a small tolerance so p·n that should be an
    // integer (0.9 · 10 = 9.000000000000002) is not pushed to the next rank.
    let rank = ((p.clamp(0.0, 1.0) * n as f64) - 1e-9).ceil().max(1.0) as usize;
    Some(sorted[rank.min(n) - 1])
}

impl LatencyStats {
    /// Statistics of `micros` (any order); `None` when empty.
    pub fn from_micros(micros: &[u64]) -> Option<Self> {
        let mut sorted = micros.to_vec();
        sorted.sort_unstable();
        let ns = |p: f64| percentile_nearest_rank(&sorted, p).map(|us| us * 1_000);
        let sum: u128 = sorted.iter().map(|&u| u128::from(u)).sum();
        Some(LatencyStats {
            count: sorted.len() as u64,
            min_ns: ns(0.0)?,
            p50_ns: ns(0.50)?,
            p90_ns: ns(0.90)?,
            p95_ns: ns(0.95)?,
            p99_ns: ns(0.99)?,
            max_ns: ns(1.0)?,
            mean_ns: sum as f64 * 1_000.0 / sorted.len() as f64,
        })
    }
}

/// At most `max` of `values`, evenly spaced in their original (arrival)
/// order, so a subsample still spans the whole run rather than its start.
pub fn decimate(values: &[u64], max: usize) -> Vec<u64> {
    if values.len() <= max {
        return values.to_vec();
    }
    if max == 0 {
        return Vec::new();
    }
    // Index i·len/max for i in 0..max: strictly increasing, within bounds.
    (0..max)
        .map(|i| values[(i as u128 * values.len() as u128 / max as u128) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_matches_hand_computed_values() {
        let v: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile_nearest_rank(&v, 0.5), Some(5));
        assert_eq!(percentile_nearest_rank(&v, 0.9), Some(9));
        assert_eq!(percentile_nearest_rank(&v, 0.95), Some(10));
        assert_eq!(percentile_nearest_rank(&v, 0.99), Some(10));
        assert_eq!(percentile_nearest_rank(&v, 1.0), Some(10));
        assert_eq!(percentile_nearest_rank(&v, 0.0), Some(1));
        assert_eq!(percentile_nearest_rank(&v, 0.11), Some(2));
        assert_eq!(percentile_nearest_rank(&[], 0.5), None);
        assert_eq!(percentile_nearest_rank(&[7], 0.5), Some(7));
        let hundred: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile_nearest_rank(&hundred, 0.99), Some(99));
        assert_eq!(percentile_nearest_rank(&hundred, 0.95), Some(95));
    }

    #[test]
    fn percentiles_are_monotonic_in_p() {
        let v: Vec<u64> = (0..997).map(|i| (i * 7919) % 1013).collect();
        let mut s = v.clone();
        s.sort_unstable();
        let mut last = 0;
        for i in 0..=100 {
            let q = percentile_nearest_rank(&s, f64::from(i) / 100.0).unwrap();
            assert!(q >= last);
            last = q;
        }
    }

    #[test]
    fn stats_convert_micros_to_nanos_in_any_order() {
        let s = LatencyStats::from_micros(&[3, 1, 4, 1, 5, 9, 2, 6, 5, 3]).unwrap();
        assert_eq!(s.count, 10);
        assert_eq!(s.min_ns, 1_000);
        assert_eq!(s.p50_ns, 3_000);
        assert_eq!(s.p90_ns, 6_000);
        assert_eq!(s.max_ns, 9_000);
        assert!((s.mean_ns - 3_900.0).abs() < 1e-9);
        assert_eq!(LatencyStats::from_micros(&[]), None);
    }

    #[test]
    fn decimation_is_bounded_and_spans_the_input() {
        let v: Vec<u64> = (0..25_000).collect();
        let d = decimate(&v, MAX_SAMPLES);
        assert_eq!(d.len(), MAX_SAMPLES);
        assert_eq!(d[0], 0);
        assert!(*d.last().unwrap() >= 24_997);
        assert!(d.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(decimate(&v[..5], 10), v[..5].to_vec());
    }
}
