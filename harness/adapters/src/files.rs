//! The little I/O the adapters' `collect` functions share: reading a file into
//! a string, walking a directory in a stable order, and refusing two results
//! for one key.
//!
//! Parsing lives in the tool modules and never touches the file system.

use crate::error::{AdapterError, Problem};
use perflab_schema::{Measurement, MeasurementKey};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads a whole file as UTF-8, with an error naming it.
pub(crate) fn read(path: &Path) -> Result<String, AdapterError> {
    std::fs::read_to_string(path).map_err(|e| AdapterError::io(path, e))
}

/// Every file under `dir` (recursively) for which `wanted` is true, sorted by
/// path so results do not depend on directory order. Symbolic links are not
/// followed: tools write plain trees, and a link loop must not hang us.
pub(crate) fn find(
    dir: &Path,
    wanted: &dyn Fn(&Path) -> bool,
) -> Result<Vec<PathBuf>, AdapterError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| AdapterError::io(&current, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| AdapterError::io(&current, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| AdapterError::io(&path, e))?;
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && wanted(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Collects measurements from several sources, failing when two sources (or
/// one source twice) produce the same key: the naming convention can map two
/// different tool ids onto one key, and silently keeping either would be wrong.
#[derive(Debug, Default)]
pub(crate) struct Unique {
    seen: HashMap<MeasurementKey, String>,
    measurements: Vec<Measurement>,
}

impl Unique {
    /// Adds the measurements from `source` (described as `label` in errors).
    pub(crate) fn extend(
        &mut self,
        source: &Path,
        label: &str,
        measurements: Vec<Measurement>,
    ) -> Result<(), AdapterError> {
        for m in measurements {
            if let Some(other) = self.seen.get(&m.key) {
                return Err(AdapterError::new(
                    source,
                    Problem::Duplicate {
                        key: m.key.to_string(),
                        other: other.clone(),
                    },
                ));
            }
            self.seen.insert(m.key.clone(), label.to_owned());
            self.measurements.push(m);
        }
        Ok(())
    }

    /// The measurements sorted by key, or an error when there are none:
    /// an adapter never answers with a silent empty list.
    pub(crate) fn finish(
        mut self,
        origin: &Path,
        nothing: impl FnOnce() -> String,
    ) -> Result<Vec<Measurement>, AdapterError> {
        if self.measurements.is_empty() {
            return Err(AdapterError::new(origin, Problem::NothingFound(nothing())));
        }
        self.measurements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(self.measurements)
    }
}

/// Checks that a number from a tool is finite and not negative.
pub(crate) fn non_negative(origin: &Path, field: &str, value: f64) -> Result<f64, AdapterError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(AdapterError::field(
            origin,
            field,
            format!("{value} is not a finite non-negative number"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perflab_schema::{MetricKind, Tool};

    fn m(bench: &str) -> Measurement {
        let key = crate::Naming::new("s", ["a"]).key(&[bench], MetricKind::WallTime);
        Measurement::new(key, 1.0, Tool::Divan)
    }

    #[test]
    fn duplicates_name_both_sources() {
        let mut u = Unique::default();
        u.extend(Path::new("one"), "one", vec![m("x")]).unwrap();
        let err = u.extend(Path::new("two"), "two", vec![m("x")]).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("two: "), "{text}");
        assert!(text.contains("also from one"), "{text}");
    }

    #[test]
    fn empty_is_an_error() {
        let err = Unique::default()
            .finish(Path::new("dir"), || "nothing here".into())
            .unwrap_err();
        assert_eq!(err.to_string(), "dir: nothing here");
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        assert!(non_negative(Path::new("f"), "x", f64::NAN).is_err());
        assert!(non_negative(Path::new("f"), "x", -1.0).is_err());
        assert_eq!(non_negative(Path::new("f"), "x", 2.5).unwrap(), 2.5);
    }
}
