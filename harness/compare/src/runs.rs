//! Comparing two whole runs: join their measurements on key and compare each
//! pair, so that every key of either run appears exactly once in the result.
//!
//! Where history and limits come from is the caller's business (the CLI reads
//! baselines from git and limits from perflab.toml); this module asks for
//! them per key through plain functions.

use crate::limits::Limits;
use crate::measurement::compare_measurement;
use crate::verdict::{Comparison, Reason};
use perflab_schema::{Measurement, MeasurementKey, Nature, Run};
use std::collections::BTreeMap;

/// Compares every measurement of `current` with the same key in `baseline`.
///
/// The result has one [`Comparison`] per key found in either run, sorted by
/// key; a key on one side only is "not comparable" with the reason. `history`
/// gives a key's estimates at earlier baseline commits, oldest first (it is
/// only asked for noisy metrics present on both sides); `limits` gives the
/// limits for a key.
pub fn compare_runs(
    baseline: &Run,
    current: &Run,
    history: &dyn Fn(&MeasurementKey) -> Vec<f64>,
    limits: &dyn Fn(&MeasurementKey) -> Limits,
) -> Vec<Comparison> {
    type Pair<'a> = (Option<&'a Measurement>, Option<&'a Measurement>);
    let mut joined: BTreeMap<&MeasurementKey, Pair<'_>> = BTreeMap::new();
    for m in &baseline.measurements {
        joined.entry(&m.key).or_default().0 = Some(m);
    }
    for m in &current.measurements {
        joined.entry(&m.key).or_default().1 = Some(m);
    }
    joined
        .into_iter()
        .map(|(key, pair)| match pair {
            (Some(old), Some(new)) => {
                let past = match key.metric.nature() {
                    Nature::Noisy => history(key),
                    Nature::Deterministic => Vec::new(),
                };
                compare_measurement(old, new, &past, &limits(key))
            }
            (Some(old), None) => Comparison::not_comparable(
                key.clone(),
                Some(old.estimate),
                None,
                Reason::MissingInCurrent,
            ),
            (None, Some(new)) => Comparison::not_comparable(
                key.clone(),
                None,
                Some(new.estimate),
                Reason::MissingInBaseline,
            ),
            (None, None) => unreachable!("every joined key came from one of the runs"),
        })
        .collect()
}
