//! Why a report could not be rendered. Every message names the input at
//! fault: the run, the output directory, the template.

use std::path::PathBuf;

/// A report that could not be built or written. Nothing is left half-written
/// in the output directory when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The run has nothing to show: a report of nothing would look like a pass.
    #[error("the run has no measurements, so there is nothing to report")]
    EmptyRun,
    /// A template failed to parse or render (a bug in perflab, not the input).
    #[error("rendering template {template}: {message}")]
    Template { template: String, message: String },
    /// Reading or writing a file of the site failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output directory cannot be used.
    #[error("output directory {path}: {problem}")]
    Output { path: PathBuf, problem: String },
}

impl ReportError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ReportError {
        let path = path.into();
        move |source| ReportError::Io { path, source }
    }

    pub(crate) fn template(template: &str) -> impl FnOnce(tera::Error) -> ReportError {
        let template = template.to_owned();
        move |e| {
            // tera's Display is the top message; the chain holds the detail.
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            ReportError::Template { template, message }
        }
    }
}
