//! Why a tool's output could not be read: one error type for every adapter.
//!
//! An [`AdapterError`] always names the input it is about (a file, a
//! directory, or a label such as `stdout of cargo bench`) and says what is
//! wrong with it: a JSON error with its line and column, the field that is
//! missing or out of range, the table line that does not parse. Messages are
//! self-contained, so no `source()` chain repeats them.

use std::path::{Path, PathBuf};

/// A tool's output could not be turned into measurements.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", origin.display())]
pub struct AdapterError {
    /// The file or directory (or label for captured output) at fault.
    pub origin: PathBuf,
    pub problem: Problem,
}

/// What is wrong with the input named by [`AdapterError::origin`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    #[error("cannot read: {error}")]
    Io { error: std::io::Error },
    #[error("file ends in the middle of the JSON (truncated?) at line {line}, column {column}")]
    Truncated { line: usize, column: usize },
    #[error("not valid JSON: {error}")]
    Syntax { error: serde_json::Error },
    /// Valid JSON of the wrong shape: a missing field, a wrong type.
    #[error("unexpected content: {error}")]
    Shape { error: serde_json::Error },
    #[error("field `{field}`: {problem}")]
    Field { field: String, problem: String },
    #[error(
        "{tool} format version {found} is not supported (this perflab reads version {supported})"
    )]
    Version {
        tool: &'static str,
        found: String,
        supported: &'static str,
    },
    /// Files that should describe one benchmark do not agree.
    #[error("files disagree: {0}")]
    Mismatch(String),
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: String },
    #[error("{0}")]
    NothingFound(String),
    /// perflab's own format, failing its validation.
    #[error("{0}")]
    Invalid(String),
    #[error("measurement {key} appears twice (also from {other})")]
    Duplicate { key: String, other: String },
}

impl AdapterError {
    pub fn new(origin: impl Into<PathBuf>, problem: Problem) -> Self {
        AdapterError {
            origin: origin.into(),
            problem,
        }
    }

    /// Classifies a serde_json error so a truncated file reads as truncated.
    pub(crate) fn json(origin: &Path, error: serde_json::Error) -> Self {
        use serde_json::error::Category;
        let problem = match error.classify() {
            Category::Eof => Problem::Truncated {
                line: error.line(),
                column: error.column(),
            },
            Category::Syntax | Category::Io => Problem::Syntax { error },
            Category::Data => Problem::Shape { error },
        };
        AdapterError::new(origin, problem)
    }

    pub(crate) fn field(origin: &Path, field: &str, problem: impl Into<String>) -> Self {
        AdapterError::new(
            origin,
            Problem::Field {
                field: field.to_owned(),
                problem: problem.into(),
            },
        )
    }

    pub(crate) fn io(origin: &Path, error: std::io::Error) -> Self {
        AdapterError::new(origin, Problem::Io { error })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_file_and_the_problem() {
        let err = AdapterError::field(Path::new("a/estimates.json"), "median", "is negative");
        assert_eq!(
            err.to_string(),
            "a/estimates.json: field `median`: is negative"
        );
    }

    #[test]
    fn truncated_json_is_reported_as_truncated() {
        let e = serde_json::from_str::<serde_json::Value>("{\"a\": [1, 2").unwrap_err();
        let err = AdapterError::json(Path::new("x.json"), e);
        assert!(
            matches!(err.problem, Problem::Truncated { line: 1, .. }),
            "{err}"
        );
        assert!(err.to_string().starts_with("x.json: file ends"), "{err}");
    }
}
