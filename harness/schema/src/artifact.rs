//! Artifacts: files a run points to (flamegraphs, heap profiles, metrics
//! scrapes), each tied to one benchmark of one variant.

use crate::key::MeasurementKey;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of file an artifact is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ArtifactKind {
    /// A CPU flamegraph (SVG).
    Flamegraph,
    /// Folded stacks (`frame;frame count`), the flamegraph's data.
    FoldedStacks,
    /// A differential flamegraph between two profiles (SVG).
    DiffFlamegraph,
    /// A heap profile in DHAT's JSON format.
    HeapProfile,
    /// A service's Prometheus `/metrics` text, scraped while it was under load.
    MetricsScrape,
    /// Anything else a person may want to open (logs, raw tool output).
    Other,
}

/// A file produced alongside measurements, e.g. a flamegraph of one benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub scenario: String,
    pub variant: String,
    pub benchmark: String,
    pub kind: ArtifactKind,
    /// Path of the file; relative paths are relative to the run file's directory.
    pub path: String,
    /// For differential artifacts: the variant or run compared against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<String>,
}

impl Artifact {
    /// Whether the artifact belongs to the benchmark of `key` (any metric).
    pub fn is_for(&self, key: &MeasurementKey) -> bool {
        self.scenario == key.scenario
            && self.variant == key.variant
            && self.benchmark == key.benchmark
    }
}
