//! A run: where it was measured (the environment) and what was measured.

use crate::key::MeasurementKey;
use crate::metric::{Direction, Tool, Unit};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The schema version this crate reads and writes. Bump it on any change that
/// an older reader would misread, and regenerate the checked-in JSON Schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Identifies perflab run files among other JSON.
pub const SCHEMA_ID: &str = "perflab.run";

/// One execution of some benchmarks on one machine at one commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Run {
    /// Always [`SCHEMA_ID`].
    pub schema: String,
    /// Always [`SCHEMA_VERSION`] for files this version writes.
    pub version: u32,
    /// When the run started, seconds since the Unix epoch (UTC).
    pub started_at: i64,
    pub environment: Environment,
    /// Every measured value, one per (scenario, variant, benchmark, metric).
    pub measurements: Vec<Measurement>,
    /// Files that explain the measurements: flamegraphs, folded stacks, heap profiles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<crate::artifact::Artifact>,
    /// Things the reader must know: skipped tools, partial results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Run {
    /// An empty run in the current format.
    pub fn new(started_at: i64, environment: Environment) -> Self {
        Run {
            schema: SCHEMA_ID.to_owned(),
            version: SCHEMA_VERSION,
            started_at,
            environment,
            measurements: Vec::new(),
            artifacts: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The measurement for a key, if it was measured.
    pub fn get(&self, key: &MeasurementKey) -> Option<&Measurement> {
        self.measurements.iter().find(|m| &m.key == key)
    }

    /// Sorts measurements by key, so files diff cleanly and lookups are stable.
    pub fn normalize(&mut self) {
        self.measurements.sort_by(|a, b| a.key.cmp(&b.key));
        self.artifacts.sort_by(|a, b| {
            (&a.scenario, &a.variant, &a.benchmark, a.kind, &a.path).cmp(&(
                &b.scenario,
                &b.variant,
                &b.benchmark,
                b.kind,
                &b.path,
            ))
        });
    }
}

/// Where a run was measured. Two runs are comparable when their
/// [`Environment::machine_id`] match; everything else explains differences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The commit and state of the work tree, when run inside a git repository.
    pub git: Option<GitInfo>,
    /// `rustc --version` output.
    pub rustc: Option<String>,
    /// The target triple the benchmarks were built for.
    pub target: String,
    pub cpu_model: Option<String>,
    /// Logical cores.
    pub cores: u32,
    /// Total memory in bytes.
    pub memory_bytes: Option<u64>,
    /// Operating system name and version.
    pub os: String,
    pub kernel: Option<String>,
    /// SHA-256 of Cargo.lock (hex), so dependency changes are visible.
    pub cargo_lock_sha256: Option<String>,
    /// A stable identifier of the machine: results are only compared between
    /// runs with the same id unless the user explicitly asks otherwise.
    pub machine_id: String,
}

impl Environment {
    /// An environment that knows nothing: only for validating measurements
    /// outside a run (fragments).
    pub(crate) fn placeholder() -> Self {
        Environment {
            git: None,
            rustc: None,
            target: String::new(),
            cpu_model: None,
            cores: 0,
            memory_bytes: None,
            os: String::new(),
            kernel: None,
            cargo_lock_sha256: None,
            machine_id: String::new(),
        }
    }
}

/// The git state a run was measured at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GitInfo {
    /// Full hex commit id of HEAD.
    pub commit: String,
    /// Whether tracked files differed from HEAD.
    pub dirty: bool,
    /// The checked-out branch, if any.
    pub branch: Option<String>,
}

/// One measured value with its uncertainty and, where the tool gives them, the
/// raw samples it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    #[serde(flatten)]
    pub key: MeasurementKey,
    /// Always `key.metric.unit()`; written out so files are self-describing.
    pub unit: Unit,
    /// Always `key.metric.direction()`; written out so files are self-describing.
    pub direction: Direction,
    /// The point estimate (for wall time, the median per-iteration time).
    pub estimate: f64,
    /// Confidence bounds on the estimate, when the tool computed them.
    pub interval: Option<Interval>,
    /// Raw per-iteration samples in `unit`, when the tool exposes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<Vec<f64>>,
    pub tool: Tool,
}

impl Measurement {
    /// A measurement with unit and direction taken from the metric kind.
    pub fn new(key: MeasurementKey, estimate: f64, tool: Tool) -> Self {
        Measurement {
            unit: key.metric.unit(),
            direction: key.metric.direction(),
            key,
            estimate,
            interval: None,
            samples: None,
            tool,
        }
    }

    pub fn with_interval(mut self, interval: Interval) -> Self {
        self.interval = Some(interval);
        self
    }

    pub fn with_samples(mut self, samples: Vec<f64>) -> Self {
        self.samples = Some(samples);
        self
    }
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
    /// Confidence level in (0, 1), e.g. 0.95.
    pub level: f64,
}
