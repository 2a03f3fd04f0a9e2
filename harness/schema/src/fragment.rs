//! Fragments: measurements written by a bench that perflab runs but has no
//! dedicated adapter for (load tests, heap profiles), and files a run points to.
//!
//! `perflab run` tells such a bench where to write through the
//! [`FRAGMENT_ENV`] environment variable; the bench writes a [`Fragment`] there
//! (with [`Fragment::to_json`]) and perflab merges it into the run, adding the
//! environment. The bench never needs to know the run's other parts.

use crate::run::{Measurement, MeasurementKey, SCHEMA_VERSION};
use crate::{Run, SchemaError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Environment variable holding the path a bench writes its fragment to.
pub const FRAGMENT_ENV: &str = "PERFLAB_FRAGMENT";

/// Environment variable holding a directory a bench may write profiles to
/// (set by `perflab run --profile`).
pub const PROFILE_DIR_ENV: &str = "PERFLAB_PROFILE_DIR";

/// Environment variable holding a directory, fresh for the run, where a bench
/// keeps the files its artifacts point to (heap profiles, metrics scrapes).
/// `perflab run` always sets it for fragment-writing benches.
pub const ARTIFACT_DIR_ENV: &str = "PERFLAB_ARTIFACT_DIR";

/// Identifies fragment files among other JSON.
pub const FRAGMENT_ID: &str = "perflab.fragment";

/// Measurements (and the files that explain them) produced by one bench.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fragment {
    /// Always [`FRAGMENT_ID`].
    pub schema: String,
    /// Always [`SCHEMA_VERSION`].
    pub version: u32,
    pub measurements: Vec<Measurement>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Fragment {
    pub fn new(measurements: Vec<Measurement>) -> Self {
        Fragment {
            schema: FRAGMENT_ID.to_owned(),
            version: SCHEMA_VERSION,
            measurements,
            artifacts: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Parses and validates a fragment with the same checks as a run.
    pub fn from_json(bytes: &[u8]) -> Result<Fragment, SchemaError> {
        #[derive(Deserialize)]
        struct Header {
            schema: Option<String>,
            version: Option<u32>,
        }
        let header: Header = serde_json::from_slice(bytes)?;
        match header.schema {
            Some(s) if s == FRAGMENT_ID => {}
            other => {
                return Err(SchemaError::NotARun {
                    found: other.unwrap_or_default(),
                });
            }
        }
        if header.version != Some(SCHEMA_VERSION) {
            return Err(SchemaError::Version {
                found: header.version.unwrap_or(0),
            });
        }
        let fragment: Fragment = serde_json::from_slice(bytes)?;
        let mut probe = Run::new(0, crate::run::Environment::placeholder());
        probe.measurements = fragment.measurements.clone();
        probe.validate()?;
        Ok(fragment)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a Fragment always serializes");
        s.push('\n');
        s
    }
}

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
