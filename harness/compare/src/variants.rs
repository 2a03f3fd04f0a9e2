//! Which variant of a scenario is the reference: the one every other
//! variant's speedup is measured against. The order is the scenario's
//! declared one (`variants = ["naive", "optimized"]` in its Cargo.toml), and
//! for a scenario nobody declared, `naive` first if there is one, else the
//! variants sorted. Everything that shows variants side by side (speedups,
//! the terminal's tables, the HTML report) takes the order from here.

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
                variants: ordered_variants(declared, scenario, run),
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
pub fn ordered_variants(declared: &[ScenarioVariants], scenario: &str, run: &Run) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
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
        let run = perflab_schema::testing::run(
            "fixture",
            vec![
                m("a", "fast"),
                m("a", "naive"),
                m("b", "zeta"),
                m("b", "alpha"),
                m("c", "naive"),
                m("c", "extra"),
            ],
        );
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
}
