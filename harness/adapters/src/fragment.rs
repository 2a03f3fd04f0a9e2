//! Fragments: measurements a bench wrote itself in perflab's own format
//! ([`perflab_schema::Fragment`]), for tools perflab drives through a library
//! rather than by reading the tool's files (goose load tests, dhat heap
//! profiles).
//!
//! Parsing checks what the schema checks, and that the bench only reported on
//! its own scenario and declared variants: a fragment is the bench's word, so
//! it is held to the scenario's naming like any other adapter's output.

use crate::{AdapterError, Naming, Problem};
use perflab_schema::Fragment;
use std::path::Path;

/// Parses a fragment's JSON.
pub fn parse(json: &str, naming: &Naming, origin: &Path) -> Result<Fragment, AdapterError> {
    let fragment = Fragment::from_json(json.as_bytes())
        .map_err(|e| AdapterError::new(origin, Problem::Invalid(e.to_string())))?;
    if fragment.measurements.is_empty() {
        return Err(AdapterError::new(
            origin,
            Problem::NothingFound("the fragment holds no measurements".into()),
        ));
    }
    for m in &fragment.measurements {
        if m.key.scenario != naming.scenario {
            return Err(AdapterError::field(
                origin,
                "scenario",
                format!(
                    "{} reports on scenario {:?}, not {:?}",
                    m.key, m.key.scenario, naming.scenario
                ),
            ));
        }
        if !naming.variants.contains(&m.key.variant) {
            return Err(AdapterError::field(
                origin,
                "variant",
                format!(
                    "{} reports on variant {:?}, which the scenario does not declare ({})",
                    m.key,
                    m.key.variant,
                    naming.variants.join(", ")
                ),
            ));
        }
    }
    Ok(fragment)
}

/// Reads and parses the fragment a bench wrote to `path`.
pub fn collect(path: &Path, naming: &Naming) -> Result<Fragment, AdapterError> {
    if !path.exists() {
        return Err(AdapterError::new(
            path,
            Problem::NothingFound(
                "the bench wrote no fragment here (does it write to $PERFLAB_FRAGMENT?)".into(),
            ),
        ));
    }
    parse(&crate::files::read(path)?, naming, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perflab_schema::{Measurement, MeasurementKey, MetricKind, Tool};

    fn naming() -> Naming {
        Naming::new("dashboard", ["naive", "optimized"])
    }

    fn fragment(scenario: &str, variant: &str) -> String {
        let key = MeasurementKey {
            scenario: scenario.into(),
            variant: variant.into(),
            benchmark: "load/paced/dashboard".into(),
            metric: MetricKind::LatencyP95,
        };
        Fragment::new(vec![Measurement::new(key, 1.0e6, Tool::Goose)]).to_json()
    }

    #[test]
    fn accepts_the_scenarios_own_measurements() {
        let f = parse(
            &fragment("dashboard", "naive"),
            &naming(),
            Path::new("f.json"),
        )
        .unwrap();
        assert_eq!(f.measurements.len(), 1);
    }

    #[test]
    fn rejects_other_scenarios_and_undeclared_variants_naming_the_file() {
        let err = parse(
            &fragment("autocomplete", "naive"),
            &naming(),
            Path::new("f.json"),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("f.json") && err.to_string().contains("autocomplete"));
        let err = parse(
            &fragment("dashboard", "turbo"),
            &naming(),
            Path::new("f.json"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("turbo"), "{err}");
    }

    #[test]
    fn rejects_empty_truncated_and_missing_fragments() {
        let empty = Fragment::new(Vec::new()).to_json();
        assert!(parse(&empty, &naming(), Path::new("f.json")).is_err());
        let json = fragment("dashboard", "naive");
        let err = parse(&json[..json.len() / 2], &naming(), Path::new("f.json")).unwrap_err();
        assert!(err.to_string().contains("f.json"), "{err}");
        let err = collect(Path::new("/nonexistent/fragment.json"), &naming()).unwrap_err();
        assert!(err.to_string().contains("PERFLAB_FRAGMENT"), "{err}");
    }
}
