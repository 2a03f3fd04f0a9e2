//! The name of a measurement: scenario, variant, benchmark and metric.

use crate::metric::MetricKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a measurement is of. Orders by scenario, variant, benchmark, metric.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct MeasurementKey {
    /// The scenario crate's scenario name, e.g. `autocomplete`.
    pub scenario: String,
    /// The implementation variant, e.g. `naive` or `optimized`.
    pub variant: String,
    /// The benchmark within the scenario, e.g. `complete/terms=1M/prefix=2`.
    pub benchmark: String,
    pub metric: MetricKind,
}

impl MeasurementKey {
    /// The same benchmark and metric in another variant.
    pub fn with_variant(&self, variant: &str) -> Self {
        MeasurementKey {
            variant: variant.to_owned(),
            ..self.clone()
        }
    }
}

impl fmt::Display for MeasurementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{} [{}]",
            self.scenario, self.variant, self.benchmark, self.metric
        )
    }
}
