//! Fragments: measurements written by a bench that perflab runs but has no
//! dedicated adapter for (load tests, heap profiles), with the files that
//! explain them.
//!
//! `perflab run` tells such a bench where to write through the
//! [`FRAGMENT_ENV`](crate::FRAGMENT_ENV) environment variable; the bench writes a [`Fragment`] there
//! (with [`Fragment::to_json`]) and perflab merges it into the run, adding the
//! environment. The bench never needs to know the run's other parts.

use crate::SchemaError;
use crate::artifact::Artifact;
use crate::run::{Environment, Measurement, Run, SCHEMA_VERSION};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
        let mut probe = Run::new(0, Environment::placeholder());
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
