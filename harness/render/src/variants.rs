//! The terminal text that sets each variant of a scenario beside the
//! reference (the order is `perflab_compare::ScenarioVariants`'s)
//! (`perflab run` and `perflab compare` print it): speedups with their
//! intervals, then load-test results side by side.
//!
//! The speedups are handed in finished (`perflab_compare::speedups`); this
//! module only picks and orders what to show.

use crate::load::render_load;
use crate::terminal::render_speedups;
use perflab_compare::{ScenarioVariants, Speedup};
use perflab_schema::Run;

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

    fn declared(scenario: &str, variants: &[&str]) -> ScenarioVariants {
        ScenarioVariants {
            scenario: scenario.into(),
            variants: variants.iter().map(|v| (*v).to_owned()).collect(),
        }
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
