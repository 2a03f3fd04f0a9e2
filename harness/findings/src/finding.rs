//! The output type: one ranked finding with the numbers behind it.

use serde::{Deserialize, Serialize};

/// What sort of bottleneck a finding names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FindingKind {
    /// A function with a large share of CPU samples as the leaf.
    HotFunction,
    /// A statement with a large share of the request's statement time.
    SlowStatement,
    /// A statement whose plan reads a whole table.
    FullScan,
    /// An index that would turn a full scan into a search.
    MissingIndex,
    /// A statement issued once per parent row (its count grows with data).
    NPlusOne,
}

impl FindingKind {
    /// A short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::HotFunction => "hot function",
            FindingKind::SlowStatement => "slow statement",
            FindingKind::FullScan => "full scan",
            FindingKind::MissingIndex => "missing index",
            FindingKind::NPlusOne => "N+1",
        }
    }
}

/// One measured number supporting a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What was measured, e.g. `median`.
    pub label: String,
    pub value: f64,
    /// `ms`, `samples`, `per request`, `%`…
    pub unit: String,
}

impl Evidence {
    pub(crate) fn new(label: &str, value: f64, unit: &str) -> Self {
        Self {
            label: label.into(),
            value,
            unit: unit.into(),
        }
    }
}

/// A ranked bottleneck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// 1 is the most important.
    pub rank: usize,
    pub kind: FindingKind,
    /// One line naming the function or statement, with its key number.
    pub title: String,
    /// The measurements behind the finding.
    pub evidence: Vec<Evidence>,
    /// The fraction, 0.0..=1.0, of CPU samples (hot functions) or of the
    /// request's statement time (statements) that the finding covers.
    pub share: f64,
    /// What to do, built from the measurements.
    pub suggestion: String,
}
