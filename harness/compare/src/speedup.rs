//! Speedups between two variants of the same benchmarks in one run: how much
//! better the candidate (e.g. `optimized`) is than the reference (`naive`).
//!
//! A speedup above 1 always means the candidate is better: for
//! lower-is-better metrics it is `reference / candidate`, for
//! higher-is-better ones `candidate / reference`. Deterministic counters give
//! exact speedups; noisy metrics get a bootstrap interval when both sides have
//! raw samples, else a conservative interval from the tools' intervals, else
//! only the point ratio.

use crate::limits::DEFAULT_CONFIDENCE;
use crate::stats::{self, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, MIN_SAMPLES, ratio_of_medians_ci};
use crate::variants::ScenarioVariants;
use crate::verdict::Basis;
use perflab_schema::{Direction, Interval, Measurement, MeasurementKey, Nature, Run};
use serde::Serialize;
use std::collections::BTreeMap;

/// How much better `candidate` is than `reference` on one benchmark and
/// metric. `speedup > 1` means the candidate is better; it is infinite when
/// the candidate's lower-is-better value is zero and the reference's is not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Speedup {
    /// The candidate's key: scenario, benchmark, metric, and the candidate
    /// variant as `variant`.
    pub key: MeasurementKey,
    /// The reference variant.
    pub reference: String,
    pub reference_estimate: f64,
    pub candidate_estimate: f64,
    pub speedup: f64,
    /// The interval on `speedup`; `None` for exact counters and point estimates.
    pub ci: Option<Interval>,
    pub basis: Basis,
}

/// Speedups of `candidate` over `reference` for every (scenario, benchmark,
/// metric) measured in both variants, sorted by key.
/// Bootstrap intervals use [`DEFAULT_CONFIDENCE`].
pub fn speedups(run: &Run, reference: &str, candidate: &str) -> Vec<Speedup> {
    let mut out: Vec<Speedup> = run
        .measurements
        .iter()
        .filter(|m| m.key.variant == reference)
        .filter_map(|r| {
            let c = run.get(&r.key.with_variant(candidate))?;
            Some(speedup(r, c))
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn speedup(reference: &Measurement, candidate: &Measurement) -> Speedup {
    // Orient as (numerator, denominator) so that a larger quotient is better
    // for the candidate.
    let (num, den) = match reference.direction {
        Direction::LowerIsBetter => (reference, candidate),
        Direction::HigherIsBetter => (candidate, reference),
    };
    let point = quotient(num.estimate, den.estimate);
    let (speedup, ci, basis) = match reference.key.metric.nature() {
        Nature::Deterministic => (point, None, Basis::Exact),
        Nature::Noisy => noisy(num, den).unwrap_or((point, None, Basis::PointEstimates)),
    };
    Speedup {
        key: candidate.key.clone(),
        reference: reference.key.variant.clone(),
        reference_estimate: reference.estimate,
        candidate_estimate: candidate.estimate,
        speedup,
        ci,
        basis,
    }
}

/// The speedup `num / den` with an interval, from samples or tool intervals.
fn noisy(num: &Measurement, den: &Measurement) -> Option<(f64, Option<Interval>, Basis)> {
    // A growth metric's samples are a series, not replicates (see
    // `MetricKind::samples_are_series`): its interval is the evidence.
    let enough = |m: &Measurement| {
        !m.key.metric.samples_are_series()
            && m.samples.as_ref().is_some_and(|s| s.len() >= MIN_SAMPLES)
    };
    if enough(num) && enough(den) {
        let (n, d) = (num.samples.as_deref()?, den.samples.as_deref()?);
        if let Some(ci) = ratio_of_medians_ci(
            d,
            n,
            DEFAULT_CONFIDENCE,
            BOOTSTRAP_RESAMPLES,
            BOOTSTRAP_SEED,
        ) {
            let point = quotient(stats::median(n)?, stats::median(d)?);
            let basis = Basis::Bootstrap {
                resamples: BOOTSTRAP_RESAMPLES,
            };
            return Some((point, Some(ci), basis));
        }
    }
    let (ni, di) = (num.interval?, den.interval?);
    let ci = Interval {
        lower: quotient(ni.lower, di.upper),
        upper: quotient(ni.upper, di.lower),
        level: ni.level * di.level,
    };
    Some((
        quotient(num.estimate, den.estimate),
        Some(ci),
        Basis::ToolIntervals,
    ))
}

/// `num / den`, with 0/0 read as "no difference" rather than NaN.
fn quotient(num: f64, den: f64) -> f64 {
    if num == 0.0 && den == 0.0 {
        1.0
    } else {
        num / den
    }
}

/// For each of `scenarios`, the speedups of every other variant over the
/// first (the reference), sorted by key; scenarios not listed get none.
/// Benchmarks are independent, so they are computed on every core
/// ([`crate::par::map`]), with the same results as one [`speedups`] call per
/// pair over the whole run.
pub fn variant_speedups(run: &Run, scenarios: &[ScenarioVariants]) -> Vec<Speedup> {
    // One job per (scenario, benchmark), holding just its measurements: the
    // bootstrap intervals are the costly part and independent per benchmark,
    // and `speedups` looks keys up in the run it is given.
    let mut jobs: BTreeMap<(&str, &str), (&ScenarioVariants, Run)> = BTreeMap::new();
    for m in &run.measurements {
        let Some(scenario) = scenarios.iter().find(|s| s.scenario == m.key.scenario) else {
            continue;
        };
        jobs.entry((&m.key.scenario, &m.key.benchmark))
            .or_insert_with(|| (scenario, Run::new(run.started_at, run.environment.clone())))
            .1
            .measurements
            .push(m.clone());
    }
    let jobs: Vec<(&ScenarioVariants, Run)> = jobs.into_values().collect();
    let mut out: Vec<Speedup> = crate::par::map(&jobs, |(scenario, own)| {
        let Some((reference, others)) = scenario.variants.split_first() else {
            return Vec::new();
        };
        let mut done: Vec<&String> = Vec::new();
        let mut found = Vec::new();
        for candidate in others {
            if !done.contains(&candidate) {
                done.push(candidate);
                found.extend(speedups(own, reference, candidate));
            }
        }
        found
    })
    .into_iter()
    .flatten()
    .collect();
    out.sort_by(|a, b| (&a.key, &a.reference).cmp(&(&b.key, &b.reference)));
    out
}

#[cfg(test)]
mod variant_tests {
    use super::*;
    use crate::ScenarioVariants;
    use perflab_schema::{Measurement, MeasurementKey, MetricKind, Tool};

    fn m(scenario: &str, variant: &str, benchmark: &str, v: f64) -> Measurement {
        let key = MeasurementKey {
            scenario: scenario.into(),
            variant: variant.into(),
            benchmark: benchmark.into(),
            metric: MetricKind::Instructions,
        };
        Measurement::new(key, v, Tool::Gungraun)
    }

    #[test]
    fn the_same_speedups_as_one_call_per_pair_over_the_whole_run() {
        let mut ms = Vec::new();
        for b in 0..20 {
            let bench = format!("b{b}");
            ms.push(m("s", "naive", &bench, 3.0 + f64::from(b)));
            ms.push(m("s", "optimized", &bench, 1.0));
            ms.push(m("s", "other", &bench, 2.0));
            ms.push(m("t", "naive", &bench, 5.0));
            ms.push(m("t", "fast", &bench, 1.0));
        }
        let run = perflab_schema::testing::run("m", ms);
        let declared = |s: &str, vs: &[&str]| ScenarioVariants {
            scenario: s.into(),
            variants: vs.iter().map(|v| (*v).to_owned()).collect(),
        };
        let got = variant_speedups(
            &run,
            &[declared("s", &["naive", "optimized", "other", "optimized"])],
        );
        let mut expected: Vec<Speedup> = ["optimized", "other"]
            .into_iter()
            .flat_map(|c| speedups(&run, "naive", c))
            .filter(|s| s.key.scenario == "s")
            .collect();
        expected.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(got, expected);
    }
}
