//! perflab's result format: the one contract every other perflab crate shares.
//!
//! A [`Run`] records where it was measured ([`Environment`]) and a flat list of
//! [`Measurement`]s, each keyed by (scenario, variant, benchmark, metric). The
//! format is versioned ([`SCHEMA_VERSION`]); a generated JSON Schema is checked
//! in beside this crate as `run.v1.schema.json` and a test fails when it is
//! stale (regenerate with `PERFLAB_BLESS=1 cargo test -p perflab-schema`).
//!
//! Besides the run it holds what the stages and the benches share:
//! [`Fragment`]s that benches write, the environment variables `perflab run`
//! sets for them ([`QUICK_ENV`], [`FRAGMENT_ENV`], …), the globs that
//! select measurements by name ([`Glob`], [`Filters`]), and the
//! query-analysis report a scenario prints and the findings stage reads
//! ([`QueryReport`], in [`query`]).
//!
//! This crate does no I/O other than (de)serializing bytes the caller gives it:
//! reading files, running tools and comparing results live elsewhere. A metric
//! that was not measured is absent, never zero.

mod artifact;
mod fragment;
mod key;
mod metric;
mod protocol;
pub mod query;
mod run;
mod select;

pub use artifact::{Artifact, ArtifactKind};
pub use fragment::{FRAGMENT_ID, Fragment};
pub use key::MeasurementKey;
pub use metric::{Direction, MetricKind, Nature, Tool, Unit};
pub use protocol::{ARTIFACT_DIR_ENV, FRAGMENT_ENV, PROFILE_DIR_ENV, QUICK_ENV};
pub use query::{IndexSuggestion, QUERY_REPORT_VERSION, QueryReport, SampleUser, StatementReport};
pub use run::{Environment, GitInfo, Interval, Measurement, Run, SCHEMA_ID, SCHEMA_VERSION};
pub use select::{Filters, Glob, GlobError};

use std::collections::HashSet;

/// Why bytes are not a valid perflab run. Messages name the field at fault;
/// callers add the file name.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("not valid perflab run JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a perflab file: `schema` is {found:?}, expected {SCHEMA_ID:?} or {FRAGMENT_ID:?}")]
    NotARun { found: String },
    #[error(
        "run format version {found} is not supported (this perflab reads version {SCHEMA_VERSION})"
    )]
    Version { found: u32 },
    #[error("measurement {key}: {problem}")]
    Measurement {
        key: Box<MeasurementKey>,
        problem: String,
    },
    #[error("measurement {0} appears more than once")]
    Duplicate(Box<MeasurementKey>),
    #[error("unknown metric {0:?}")]
    UnknownMetric(String),
}

impl Run {
    /// Parses and validates a run from JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Run, SchemaError> {
        // Check identity and version before the strict parse, so an old or
        // foreign file says so instead of reporting a missing field.
        #[derive(serde::Deserialize)]
        struct Header {
            schema: Option<String>,
            version: Option<u32>,
        }
        let header: Header = serde_json::from_slice(bytes)?;
        match header.schema {
            Some(s) if s == SCHEMA_ID => {}
            other => {
                return Err(SchemaError::NotARun {
                    found: other.unwrap_or_default(),
                });
            }
        }
        match header.version {
            Some(SCHEMA_VERSION) => {}
            other => {
                return Err(SchemaError::Version {
                    found: other.unwrap_or(0),
                });
            }
        }
        let run: Run = serde_json::from_slice(bytes)?;
        run.validate()?;
        Ok(run)
    }

    /// Serializes as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a Run always serializes");
        s.push('\n');
        s
    }

    /// Checks invariants serde cannot: consistent units and directions,
    /// finite numbers, no duplicate keys.
    pub fn validate(&self) -> Result<(), SchemaError> {
        let mut seen = HashSet::new();
        for m in &self.measurements {
            let bad = |problem: String| SchemaError::Measurement {
                key: Box::new(m.key.clone()),
                problem,
            };
            if !seen.insert(&m.key) {
                return Err(SchemaError::Duplicate(Box::new(m.key.clone())));
            }
            if m.unit != m.key.metric.unit() {
                return Err(bad(format!(
                    "unit {:?} does not match metric (expected {:?})",
                    m.unit,
                    m.key.metric.unit()
                )));
            }
            if m.direction != m.key.metric.direction() {
                return Err(bad(format!(
                    "direction {:?} does not match metric",
                    m.direction
                )));
            }
            if !m.estimate.is_finite() || m.estimate < 0.0 {
                return Err(bad(format!(
                    "estimate {} is not a finite non-negative number",
                    m.estimate
                )));
            }
            if let Some(i) = m.interval {
                if !(i.lower.is_finite() && i.upper.is_finite() && i.lower <= i.upper) {
                    return Err(bad(format!(
                        "interval [{}, {}] is not ordered",
                        i.lower, i.upper
                    )));
                }
                if !(i.level > 0.0 && i.level < 1.0) {
                    return Err(bad(format!("interval level {} is not in (0, 1)", i.level)));
                }
            }
            if let Some(samples) = &m.samples {
                if samples.is_empty() {
                    return Err(bad("samples is present but empty".into()));
                }
                if let Some(s) = samples.iter().find(|s| !s.is_finite() || **s < 0.0) {
                    return Err(bad(format!(
                        "sample {s} is not a finite non-negative number"
                    )));
                }
            }
            if m.key.scenario.is_empty() || m.key.variant.is_empty() || m.key.benchmark.is_empty() {
                return Err(bad(
                    "scenario, variant and benchmark must not be empty".into()
                ));
            }
        }
        Ok(())
    }
}

/// The JSON Schema of [`Run`], pretty-printed with a trailing newline.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Run);
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    s.push('\n');
    s
}

/// The JSON Schema of [`Fragment`], pretty-printed with a trailing newline.
pub fn fragment_json_schema() -> String {
    let schema = schemars::schema_for!(Fragment);
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    s.push('\n');
    s
}

/// Test support for crates that build synthetic runs.
#[cfg(any(test, feature = "testing"))]
pub mod testing {
    use super::{Environment, Run};
    use crate::query::{
        IndexSuggestion, QUERY_REPORT_VERSION, QueryReport, SampleUser, StatementReport,
    };

    /// A plausible Linux x86-64 environment with the given machine id and
    /// nothing else known.
    pub fn environment(machine_id: &str) -> Environment {
        Environment {
            git: None,
            rustc: None,
            target: "x86_64-unknown-linux-gnu".into(),
            cpu_model: None,
            cores: 2,
            memory_bytes: None,
            os: "linux".into(),
            kernel: None,
            cargo_lock_sha256: None,
            machine_id: machine_id.into(),
        }
    }

    /// A run at time 0 on [`environment`] holding `measurements`, sorted.
    pub fn run(machine_id: &str, measurements: Vec<super::Measurement>) -> Run {
        let mut run = Run::new(0, environment(machine_id));
        run.measurements = measurements;
        run.normalize();
        run
    }

    /// A statement that reads one row through its primary key, taking
    /// `median_us` and run `per_request` times for the light and the heavy
    /// sample user.
    pub fn query_statement(name: &str, median_us: f64, per_request: [u32; 2]) -> StatementReport {
        StatementReport {
            name: name.into(),
            sql: format!("SELECT * FROM {name} WHERE id = $1"),
            plan: vec![format!("SEARCH {name} USING INTEGER PRIMARY KEY (rowid=?)")],
            full_scans: vec![],
            temp_btree: false,
            missing_indexes: vec![],
            unused_indexes: vec![],
            median_us,
            per_request: per_request.to_vec(),
        }
    }

    /// A naive-like query report: `user` once and cheap, `order_items` once
    /// per order, scanning, with an index missing.
    pub fn naive_query_report() -> QueryReport {
        let mut items = query_statement("order_items", 500.0, [0, 40]);
        items.plan = vec!["SCAN order_items".into()];
        items.full_scans = vec!["order_items".into()];
        items.missing_indexes = vec![IndexSuggestion {
            table: "order_items".into(),
            columns: vec!["order_id".into()],
        }];
        QueryReport {
            version: QUERY_REPORT_VERSION,
            variant: "naive".into(),
            backend: "sqlite".into(),
            runs: 20,
            samples: vec![
                SampleUser {
                    user_id: 12,
                    orders: 0,
                    items: 0,
                    events: 0,
                },
                SampleUser {
                    user_id: 6777,
                    orders: 40,
                    items: 90,
                    events: 10,
                },
            ],
            statements: vec![query_statement("user", 50.0, [1, 1]), items],
        }
    }
}

#[cfg(test)]
mod tests;
