//! Baseline names and machine ids, validated once at the edge.

use std::fmt;
use std::path::PathBuf;

/// A name or machine id that cannot be used as a path component.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid {what} {value:?}: use 1-64 characters from A-Z a-z 0-9 . _ - (not starting with '.')"
)]
pub struct InvalidName {
    pub what: &'static str,
    pub value: String,
}

fn check(what: &'static str, value: &str) -> Result<(), InvalidName> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && !value.starts_with('.')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(InvalidName {
            what,
            value: value.to_owned(),
        })
    }
}

/// Which baseline: its name (e.g. `main`) and the machine it was measured on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BaselineId {
    name: String,
    machine_id: String,
}

impl BaselineId {
    pub fn new(name: &str, machine_id: &str) -> Result<Self, InvalidName> {
        check("baseline name", name)?;
        check("machine id", machine_id)?;
        Ok(BaselineId {
            name: name.to_owned(),
            machine_id: machine_id.to_owned(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn machine_id(&self) -> &str {
        &self.machine_id
    }

    /// The file's path relative to the baselines directory.
    pub fn relative_path(&self) -> PathBuf {
        PathBuf::from(&self.name).join(format!("{}.json", self.machine_id))
    }

    /// Recognizes `<name>/<machine>.json`, relative to the baselines directory.
    pub(crate) fn from_relative(name: &str, file: &str) -> Option<Self> {
        let machine = file.strip_suffix(".json")?;
        BaselineId::new(name, machine).ok()
    }
}

impl fmt::Display for BaselineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (machine {})", self.name, self.machine_id)
    }
}
