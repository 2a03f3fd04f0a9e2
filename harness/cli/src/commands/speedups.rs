//! The speedups of every scenario's variants over its reference, computed
//! once per command and handed to whichever renderer shows them (the
//! terminal's variant tables, the HTML site). The statistics are
//! `perflab_compare::speedups`'; this module only chooses the pairs and
//! spreads the work.

use perflab_compare::Speedup;
use perflab_render::ScenarioVariants;
use perflab_schema::Run;
use std::collections::BTreeMap;
use std::num::NonZeroUsize;

/// For each of `scenarios`, the speedups of every other variant over the
/// first (the reference), sorted by key. Scenarios not listed get none.
pub fn of_variants(run: &Run, scenarios: &[ScenarioVariants]) -> Vec<Speedup> {
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
    let mut out: Vec<Speedup> = parallel_map(&jobs, |(scenario, own)| {
        let Some((reference, others)) = scenario.variants.split_first() else {
            return Vec::new();
        };
        let mut done: Vec<&String> = Vec::new();
        let mut found = Vec::new();
        for candidate in others {
            if !done.contains(&candidate) {
                done.push(candidate);
                found.extend(perflab_compare::speedups(own, reference, candidate));
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

/// `items.iter().map(f).collect()` on every core, in the input's order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(items.len().max(1));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let got = of_variants(
            &run,
            &[declared("s", &["naive", "optimized", "other", "optimized"])],
        );
        let mut expected: Vec<Speedup> = ["optimized", "other"]
            .into_iter()
            .flat_map(|c| perflab_compare::speedups(&run, "naive", c))
            .filter(|s| s.key.scenario == "s")
            .collect();
        expected.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(got, expected);
    }
}
