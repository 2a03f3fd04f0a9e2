//! A scenario's variants in the order they are shown, the reference first,
//! and the terminal text that sets each variant beside the reference
//! (`perflab run` and `perflab compare` print it): speedups with their
//! intervals, then load-test results side by side.
//!
//! The speedups are handed in finished (`perflab_compare::speedups`); this
//! module only picks and orders what to show.

use crate::load::render_load;
use crate::terminal::render_speedups;
use perflab_compare::Speedup;
use perflab_schema::Run;
use std::collections::BTreeSet;

/// A scenario's variants in declared order; the first is the reference that
/// speedups are measured against (e.g. `naive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioVariants {
    pub scenario: String,
    pub variants: Vec<String>,
}

impl ScenarioVariants {
    /// Every scenario of `run`, each with its variants reference first: as
    /// `declared`, with variants the run has but the declaration lacks after
    /// them; a scenario not declared leads with `naive` if it has one, else
    /// its variants are sorted.
    pub fn of_run(declared: &[ScenarioVariants], run: &Run) -> Vec<ScenarioVariants> {
        let scenarios: BTreeSet<&str> = run
            .measurements
            .iter()
            .map(|m| m.key.scenario.as_str())
            .collect();
        scenarios
            .into_iter()
            .map(|scenario| ScenarioVariants {
                scenario: scenario.to_owned(),
                variants: ordered(declared, scenario, run),
            })
            .collect()
    }

    /// The reference, if the scenario has any variant.
    pub fn reference(&self) -> Option<&str> {
        self.variants.first().map(String::as_str)
    }
}

/// One scenario's variants, reference first: as declared, else `naive`
/// first, else sorted.
pub(crate) fn ordered(declared: &[ScenarioVariants], scenario: &str, run: &Run) -> Vec<String> {
    let mut found: Vec<String> = run
        .measurements
        .iter()
        .filter(|m| m.key.scenario == scenario)
        .map(|m| m.key.variant.clone())
        .collect();
    found.sort();
    found.dedup();
    let mut ordered: Vec<String> = declared
        .iter()
        .find(|s| s.scenario == scenario)
        .map(|s| s.variants.clone())
        .unwrap_or_default();
    if ordered.is_empty()
        && let Some(i) = found.iter().position(|v| v == "naive")
    {
        let naive = found.remove(i);
        found.insert(0, naive);
    }
    for v in found {
        if !ordered.contains(&v) {
            ordered.push(v);
        }
    }
    ordered
}

/// Per scenario, each other variant against the reference (the first of
/// `scenarios`' variants): a speedup table titled `<scenario> <candidate> vs
/// <reference>:`, then the scenario's load tests side by side. Pairs without
/// speedups and scenarios without load results print nothing.
pub fn render_variant_comparisons(
    scenarios: &[ScenarioVariants],
    speedups: &[Speedup],
    run: &Run,
) -> String {
    let mut out = String::new();
    for scenario in scenarios {
        let Some((reference, others)) = scenario.variants.split_first() else {
            continue;
        };
        for candidate in others {
            let mut pair: Vec<Speedup> = speedups
                .iter()
                .filter(|s| {
                    s.key.scenario == scenario.scenario
                        && &s.key.variant == candidate
                        && &s.reference == reference
                })
                .cloned()
                .collect();
            pair.sort_by(|a, b| a.key.cmp(&b.key));
            if !pair.is_empty() {
                out.push_str(&format!(
                    "{} {candidate} vs {reference}:\n",
                    scenario.scenario
                ));
                out.push_str(&render_speedups(&pair));
                out.push('\n');
            }
        }
        let mut own = Run::new(run.started_at, run.environment.clone());
        own.measurements = run
            .measurements
            .iter()
            .filter(|m| m.key.scenario == scenario.scenario)
            .cloned()
            .collect();
        let variants: Vec<&str> = scenario.variants.iter().map(String::as_str).collect();
        let load = render_load(&own, &variants);
        if !load.is_empty() {
            out.push_str(&format!("{} load tests:\n", scenario.scenario));
            out.push_str(&load);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use perflab_gate::testing as fixture;
    use perflab_schema::{Measurement, MeasurementKey, MetricKind, Tool};

    fn declared(scenario: &str, variants: &[&str]) -> ScenarioVariants {
        ScenarioVariants {
            scenario: scenario.into(),
            variants: variants.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    #[test]
    fn the_reference_is_declared_else_naive_else_the_first_sorted() {
        let m = |scenario: &str, variant: &str| {
            let key = MeasurementKey {
                scenario: scenario.into(),
                variant: variant.into(),
                benchmark: "b".into(),
                metric: MetricKind::Instructions,
            };
            Measurement::new(key, 1.0, Tool::Gungraun)
        };
        let run = fixture::run(vec![
            m("a", "fast"),
            m("a", "naive"),
            m("b", "zeta"),
            m("b", "alpha"),
            m("c", "naive"),
            m("c", "extra"),
        ]);
        let got = ScenarioVariants::of_run(&[declared("c", &["naive", "slow"])], &run);
        assert_eq!(
            got,
            [
                declared("a", &["naive", "fast"]),
                declared("b", &["alpha", "zeta"]),
                declared("c", &["naive", "slow", "extra"]),
            ]
        );
        assert_eq!(got[1].reference(), Some("alpha"));
    }

    #[test]
    fn each_variant_is_set_beside_the_reference() {
        let run = fixture::variants();
        let speedups = perflab_compare::speedups(&run, "naive", "optimized");
        let scenarios = [declared("autocomplete", &["naive", "optimized"])];
        let text = render_variant_comparisons(&scenarios, &speedups, &run);
        let expected = format!(
            "autocomplete optimized vs naive:\n{}\n",
            render_speedups(&speedups)
        );
        assert_eq!(text, expected);
        // Reversed, the pair has no speedups computed, so nothing shows.
        let reversed = [declared("autocomplete", &["optimized", "naive"])];
        assert_eq!(render_variant_comparisons(&reversed, &speedups, &run), "");
    }
}
