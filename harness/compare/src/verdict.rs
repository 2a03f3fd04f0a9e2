//! What a comparison concludes and why: typed verdicts, the reasons two
//! values could not be compared, and the evidence a verdict rests on.
//!
//! These are plain values for renderers and the gate to read; nothing here
//! computes statistics.

use perflab_schema::{Interval, MeasurementKey, MetricKind, Tool, Unit};
use serde::Serialize;
use std::fmt;

/// The outcome of comparing one metric of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Better beyond the limits, with the evidence required.
    Improved,
    /// Worse beyond the limits, with the evidence required.
    Regressed,
    /// Within the limits, or not distinguishable from noise.
    Unchanged,
    /// No verdict is possible; the reason says why.
    NotComparable(Reason),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Improved => f.write_str("improved"),
            Verdict::Regressed => f.write_str("regressed"),
            Verdict::Unchanged => f.write_str("unchanged"),
            Verdict::NotComparable(reason) => write!(f, "not comparable: {reason}"),
        }
    }
}

/// Why two values could not be compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The current run has it; the baseline does not (a new benchmark).
    MissingInBaseline,
    /// The baseline has it; the current run does not (removed or failed).
    MissingInCurrent,
    /// Raw samples were given but too few for a bootstrap, and no tool
    /// interval was there to fall back to.
    NotEnoughSamples {
        baseline: usize,
        current: usize,
        min: usize,
    },
    /// A noisy metric's baseline is zero, so no relative change exists.
    ZeroBaseline,
    UnitsDiffer {
        baseline: Unit,
        current: Unit,
    },
    /// Different tools measure differently (criterion vs divan wall time).
    ToolsDiffer {
        baseline: Tool,
        current: Tool,
    },
    /// The two measurements are not of the same benchmark and metric.
    KeysDiffer,
    /// An estimate or sample is not a finite number.
    InvalidValue,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::MissingInBaseline => f.write_str("missing in baseline"),
            Reason::MissingInCurrent => f.write_str("missing in current run"),
            Reason::NotEnoughSamples {
                baseline,
                current,
                min,
            } => write!(
                f,
                "not enough samples ({baseline} vs {current}, need {min} each)"
            ),
            Reason::ZeroBaseline => f.write_str("baseline is zero"),
            Reason::UnitsDiffer { baseline, current } => {
                write!(f, "units differ ({baseline:?} vs {current:?})")
            }
            Reason::ToolsDiffer { baseline, current } => {
                write!(f, "tools differ ({baseline} vs {current})")
            }
            Reason::KeysDiffer => f.write_str("different benchmarks or metrics"),
            Reason::InvalidValue => f.write_str("a value is not a finite number"),
        }
    }
}

/// A limit a deterministic counter went past, in gungraun's style. Only
/// regressions exceed limits; `old` and `new` are in the metric's unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exceeded {
    /// The relative change in the worse direction passed `limit_pct`.
    /// `diff_pct` is signed as measured, `(new - old) / old * 100`.
    Soft {
        metric: MetricKind,
        old: f64,
        new: f64,
        diff_pct: f64,
        limit_pct: f64,
    },
    /// The absolute change in the worse direction passed `limit_abs`.
    /// `diff_abs` is signed as measured, `new - old`.
    Hard {
        metric: MetricKind,
        old: f64,
        new: f64,
        diff_abs: f64,
        limit_abs: f64,
    },
}

/// What a verdict rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// A deterministic counter, compared exactly.
    Exact(ExactEvidence),
    /// A noisy metric, compared with statistics.
    Statistical(StatisticalEvidence),
}

/// The exact change of a deterministic counter and the limits it was held to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactEvidence {
    /// `new - old`, in the metric's unit.
    pub diff_abs: f64,
    /// `(new - old) / old * 100`; infinite when `old` is zero and `new` not.
    pub diff_pct: f64,
    pub soft_pct: Option<f64>,
    pub hard_abs: Option<f64>,
    /// The limits the change went past; non-empty exactly when regressed.
    pub exceeded: Vec<Exceeded>,
}

/// How a noisy comparison was made, and with what threshold.
///
/// `ratio` and `ci` are always `new / old` as measured. For lower-is-better
/// metrics a ratio above 1 is worse; for higher-is-better ones (throughput)
/// below 1 is worse. The verdict needs the whole interval beyond
/// `threshold_pct` in one direction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatisticalEvidence {
    pub basis: Basis,
    /// The point ratio `new / old` (of sample medians with a bootstrap, else
    /// of the estimates).
    pub ratio: f64,
    /// The interval on `ratio`; `None` when only point estimates existed.
    pub ci: Option<Interval>,
    pub min_effect_pct: f64,
    /// The history noise band, when the history had enough points.
    pub noise_band_pct: Option<f64>,
    /// The threshold applied: the larger of `min_effect_pct` and the band.
    pub threshold_pct: f64,
}

/// What data a ratio (or speedup) and its interval came from, from strongest
/// to weakest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Deterministic counters: exact values, no interval needed.
    Exact,
    /// A percentile bootstrap over raw samples of both sides.
    Bootstrap { resamples: usize },
    /// The tools' own intervals, combined conservatively: the ratio range
    /// runs from the most favourable to the least favourable pairing of
    /// bounds, at a level of the product of the two levels.
    ToolIntervals,
    /// Only point estimates: no statement about noise is possible.
    PointEstimates,
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Basis::Exact => f.write_str("exact"),
            Basis::Bootstrap { resamples } => write!(f, "bootstrap ({resamples} resamples)"),
            Basis::ToolIntervals => f.write_str("tool intervals"),
            Basis::PointEstimates => f.write_str("point estimates"),
        }
    }
}

/// The comparison of one metric of one benchmark between a baseline and a
/// current run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub key: MeasurementKey,
    /// The baseline's estimate, when it has one.
    pub baseline: Option<f64>,
    /// The current run's estimate, when it has one.
    pub current: Option<f64>,
    /// `(current - baseline) / baseline * 100` of the estimates, signed as
    /// measured; infinite when the baseline is zero and the current is not.
    pub change_pct: Option<f64>,
    pub verdict: Verdict,
    /// What the verdict rests on; `None` for most "not comparable" verdicts.
    pub evidence: Option<Evidence>,
}

impl Comparison {
    /// A comparison that could not be made.
    pub fn not_comparable(
        key: MeasurementKey,
        baseline: Option<f64>,
        current: Option<f64>,
        reason: Reason,
    ) -> Comparison {
        let change_pct = match (baseline, current) {
            (Some(old), Some(new)) => Some(relative_change_pct(old, new)),
            _ => None,
        };
        Comparison {
            key,
            baseline,
            current,
            change_pct,
            verdict: Verdict::NotComparable(reason),
            evidence: None,
        }
    }

    /// The interval on the change in percent (`(ratio - 1) * 100`, signed as
    /// measured), when the evidence has one.
    pub fn change_ci_pct(&self) -> Option<(f64, f64)> {
        match &self.evidence {
            Some(Evidence::Statistical(StatisticalEvidence { ci: Some(ci), .. })) => {
                Some(((ci.lower - 1.0) * 100.0, (ci.upper - 1.0) * 100.0))
            }
            _ => None,
        }
    }
}

/// `(new - old) / old * 100`: 0 when both are zero, signed infinity when
/// only `old` is.
pub fn relative_change_pct(old: f64, new: f64) -> f64 {
    if old == 0.0 {
        if new == 0.0 {
            0.0
        } else {
            f64::INFINITY.copysign(new)
        }
    } else {
        (new - old) / old * 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_change_handles_zero_baselines() {
        assert!((relative_change_pct(100.0, 110.0) - 10.0).abs() < 1e-9);
        assert_eq!(relative_change_pct(0.0, 0.0), 0.0);
        assert_eq!(relative_change_pct(0.0, 5.0), f64::INFINITY);
    }

    #[test]
    fn reasons_read_as_sentences() {
        let r = Reason::NotEnoughSamples {
            baseline: 3,
            current: 40,
            min: 10,
        };
        assert_eq!(
            Verdict::NotComparable(r).to_string(),
            "not comparable: not enough samples (3 vs 40, need 10 each)"
        );
    }
}
