//! gungraun 0.20: one benchmark's `summary.json` (format version
//! [`SUPPORTED_VERSION`]) becomes its instruction count, cache-simulation
//! counts and heap counts.
//!
//! Values come from each tool profile's `data.total.metrics`, which gungraun
//! sums over every part of the run (all threads and subprocesses), and only
//! from the `new` side: an `old` value belongs to gungraun's own previous run,
//! and a metric with only an `old` value was not measured this time, so it is
//! left out. Mapping:
//!
//! - Callgrind: `Ir` → instructions; with cache simulation (`--cache-sim=yes`,
//!   gungraun's default) also `L1hits`, `LLhits`, `RamHits`, `TotalRW` and
//!   `EstimatedCycles`. Cachegrind's metrics of the same names are used only
//!   when the summary has no Callgrind profile.
//! - DHAT: `TotalBytes`/`TotalBlocks`, `AtTGmaxBytes`/`AtTGmaxBlocks` (peak)
//!   and `AtTEndBytes`/`AtTEndBlocks` (leaked).
//!
//! The id segments are the `module_path` without its first element (the bench
//! file), then the bench `id`: `instructions::sort::naive` with id `n_100` is
//! `sort/naive/n_100`. Other tools' profiles (Memcheck, Massif, …), rates and
//! gungraun's regression verdicts are ignored.

use crate::error::{AdapterError, Problem};
use crate::files::{self, Unique, non_negative};
use crate::naming::Naming;
use perflab_schema::{Measurement, MetricKind, Tool};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The summary format version this adapter reads.
pub const SUPPORTED_VERSION: &str = "7";

/// The file gungraun writes per benchmark with `--save-summary=json`.
pub const SUMMARY_FILE: &str = "summary.json";

const CALLGRIND_METRICS: &[(&str, MetricKind)] = &[
    ("Ir", MetricKind::Instructions),
    ("L1hits", MetricKind::L1Hits),
    ("LLhits", MetricKind::LlHits),
    ("RamHits", MetricKind::RamHits),
    ("TotalRW", MetricKind::TotalReadWrite),
    ("EstimatedCycles", MetricKind::EstimatedCycles),
];

const DHAT_METRICS: &[(&str, MetricKind)] = &[
    ("TotalBytes", MetricKind::HeapTotalBytes),
    ("TotalBlocks", MetricKind::HeapTotalBlocks),
    ("AtTGmaxBytes", MetricKind::HeapPeakBytes),
    ("AtTGmaxBlocks", MetricKind::HeapPeakBlocks),
    ("AtTEndBytes", MetricKind::HeapLeakedBytes),
    ("AtTEndBlocks", MetricKind::HeapLeakedBlocks),
];

#[derive(Deserialize)]
struct Header {
    version: Option<Value>,
}

#[derive(Deserialize)]
struct Summary {
    module_path: String,
    id: Option<String>,
    profiles: Vec<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    tool: String,
    data: Value,
}

#[derive(Deserialize)]
struct ProfileData {
    total: Total,
}

#[derive(Deserialize)]
struct Total {
    metrics: BTreeMap<String, MetricResult>,
}

#[derive(Deserialize)]
struct MetricResult {
    values: Values,
}

#[derive(Deserialize)]
struct Values {
    new: Option<Value>,
}

/// Parses one `summary.json`. `origin` names the file in errors.
pub fn parse_summary(
    json: &str,
    naming: &Naming,
    origin: &Path,
) -> Result<Vec<Measurement>, AdapterError> {
    // The version first, so a future format says so instead of reporting
    // whichever field moved.
    let header: Header = serde_json::from_str(json).map_err(|e| AdapterError::json(origin, e))?;
    let found = match header.version {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => return Err(AdapterError::field(origin, "version", "is missing")),
    };
    if found != SUPPORTED_VERSION {
        return Err(AdapterError::new(
            origin,
            Problem::Version {
                tool: "gungraun summary",
                found,
                supported: SUPPORTED_VERSION,
            },
        ));
    }
    let summary: Summary = serde_json::from_str(json).map_err(|e| AdapterError::json(origin, e))?;

    let mut segments: Vec<&str> = summary.module_path.split("::").skip(1).collect();
    segments.extend(summary.id.as_deref());

    let has_callgrind = summary.profiles.iter().any(|p| p.tool == "Callgrind");
    let mut measurements = Vec::new();
    for (i, profile) in summary.profiles.iter().enumerate() {
        let table = match profile.tool.as_str() {
            "Callgrind" => CALLGRIND_METRICS,
            "Cachegrind" if !has_callgrind => CALLGRIND_METRICS,
            "DHAT" => DHAT_METRICS,
            _ => continue,
        };
        let field = format!("profiles[{i}].data.total.metrics");
        let data: ProfileData = serde_json::from_value(profile.data.clone()).map_err(|e| {
            AdapterError::field(origin, &format!("profiles[{i}].data"), e.to_string())
        })?;
        for &(name, metric) in table {
            let Some(new) = data
                .total
                .metrics
                .get(name)
                .and_then(|m| m.values.new.as_ref())
            else {
                continue;
            };
            let value = number(origin, &format!("{field}.{name}.values.new"), new)?;
            let key = naming.key(&segments, metric);
            measurements.push(Measurement::new(key, value, Tool::Gungraun));
        }
    }
    if measurements.is_empty() {
        return Err(AdapterError::new(
            origin,
            Problem::NothingFound(
                "no Callgrind, Cachegrind or DHAT metric with a `new` value in this summary".into(),
            ),
        ));
    }
    Ok(measurements)
}

/// Walks a gungraun home (`target/gungraun`, or what `--home`/`GUNGRAUN_HOME`
/// named) and parses every `summary.json` below it. Results are sorted by key;
/// none at all is an error, as are two benchmarks mapped onto one key.
pub fn collect(dir: &Path, naming: &Naming) -> Result<Vec<Measurement>, AdapterError> {
    let found = files::find(dir, &|p: &Path| {
        p.file_name().is_some_and(|n| n == SUMMARY_FILE)
    })?;
    let mut all = Unique::default();
    for path in found {
        let json = files::read(&path)?;
        let measurements = parse_summary(&json, naming, &path)?;
        all.extend(&path, &path.display().to_string(), measurements)?;
    }
    all.finish(dir, || {
        "no gungraun summary.json found; did the benches run with --save-summary=json and this \
         --home?"
            .to_owned()
    })
}

/// A metric value: gungraun writes integers as JSON numbers and may write
/// floats as strings (to keep infinities), so both are accepted.
fn number(origin: &Path, field: &str, value: &Value) -> Result<f64, AdapterError> {
    let parsed = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match parsed {
        Some(v) => non_negative(origin, field, v),
        None => Err(AdapterError::field(
            origin,
            field,
            format!("{value} is not a number"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_may_be_strings() {
        let p = Path::new("s.json");
        assert_eq!(number(p, "x", &Value::from(5652)).unwrap(), 5652.0);
        assert_eq!(number(p, "x", &Value::from("36.5")).unwrap(), 36.5);
        assert!(number(p, "x", &Value::from("inf")).is_err());
        assert!(number(p, "x", &Value::Null).is_err());
    }
}
