//! Load-test results of one benchmark: a table row per variant, latency
//! percentile bars, and the latency samples in arrival order (the run as it
//! went). Values are the load driver's; nothing is recomputed here.

use super::view::{Bar, Category, value_text};
use perflab_schema::Measurement;
use serde::Serialize;
use std::collections::BTreeMap;

/// One variant's load-test results in a row.
#[derive(Debug, Clone, Serialize)]
pub struct LoadRow {
    pub variant: String,
    pub cells: Vec<String>,
}

/// The load metrics as table columns and percentile bars, in order.
pub const LOAD_COLUMNS: [(&str, &str); 7] = [
    ("latency_p50", "p50"),
    ("latency_p90", "p90"),
    ("latency_p95", "p95"),
    ("latency_p99", "p99"),
    ("latency_max", "max"),
    ("throughput", "throughput"),
    ("errors", "errors"),
];

pub type LoadResults = (
    Vec<LoadRow>,
    Vec<(String, Vec<Bar>)>,
    Vec<(String, Vec<f64>)>,
);

/// Load results per variant: a table row, percentile bars, and the latency
/// samples in arrival order.
pub fn load_results(ms: &[&Measurement], order: &dyn Fn(&str) -> usize) -> LoadResults {
    let mut by_variant: BTreeMap<(usize, &str), Vec<&Measurement>> = BTreeMap::new();
    for m in ms {
        if Category::of(m.key.metric) == Category::Load {
            by_variant
                .entry((order(&m.key.variant), &m.key.variant))
                .or_default()
                .push(m);
        }
    }
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    let mut over_run = Vec::new();
    for ((_, variant), ms) in by_variant {
        let get = |name: &str| ms.iter().find(|m| m.key.metric.name() == name);
        rows.push(LoadRow {
            variant: variant.to_owned(),
            cells: LOAD_COLUMNS
                .iter()
                .map(|(name, _)| {
                    get(name)
                        .map_or_else(|| "-".to_owned(), |m| value_text(Some(m.estimate), m.unit))
                })
                .collect(),
        });
        let percentiles: Vec<Bar> = LOAD_COLUMNS[..5]
            .iter()
            .filter_map(|(name, label)| {
                get(name).map(|m| Bar {
                    label: (*label).to_owned(),
                    value: m.estimate,
                    interval: m.interval,
                })
            })
            .collect();
        if !percentiles.is_empty() {
            bars.push((variant.to_owned(), percentiles));
        }
        if let Some(samples) = ms.iter().find_map(|m| {
            m.key
                .metric
                .name()
                .starts_with("latency_")
                .then_some(m.samples.as_ref())
                .flatten()
        }) {
            over_run.push((variant.to_owned(), samples.clone()));
        }
    }
    (rows, bars, over_run)
}
