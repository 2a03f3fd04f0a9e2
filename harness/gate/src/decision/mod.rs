//! The gate's decision: applying a configuration to two runs says which
//! comparisons regressed, which of those gate the build, which SLOs were
//! breached, and the outcome.
//!
//! Statistics come from `perflab-compare`; this module only attaches policy
//! (gate or inform, the rule that applied, SLO checks) to its comparisons.
//! Nothing is dropped: keys that cannot be compared stay in the decision as
//! rows and are counted, but never fail the gate. How a decision reads is
//! `perflab-render`'s business, not this module's.

use crate::config::{Config, LeakLimits, Source};
use perflab_compare::leak::{LeakVerdict, judge};
use perflab_compare::{Comparison, Verdict, compare_runs};
use perflab_schema::{Measurement, MeasurementKey, Run};
use serde::Serialize;

/// Whether a row can fail the build or is only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Gate,
    Inform,
}

/// The bound an SLO check tested.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SloBound {
    Max(f64),
    Min(f64),
    /// The leak rule on a growth metric's series; the check's `value` is the
    /// fitted growth per iteration (or the drift in percent when the series
    /// drifted), its `detail` the verdict in words.
    Leak(LeakLimits),
}

/// An absolute check of the current value against a configured bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloCheck {
    pub bound: SloBound,
    pub value: f64,
    pub breached: bool,
    pub role: Role,
    /// What the check found, in words, where a bound and a value do not say
    /// it all (the leak verdict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One measurement key: its comparison and the policy applied to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateRow {
    pub comparison: Comparison,
    /// Whether a regression of this row fails the build.
    pub role: Role,
    /// The most specific configuration that applied.
    pub source: Source,
    /// SLO checks on the current value (none when no SLO is configured or
    /// the key is missing from the current run).
    pub slo: Vec<SloCheck>,
}

/// How a row stands, from worst to best; renderers sort by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A gating regression or gating SLO breach: fails the build.
    Fail,
    /// An informational regression or SLO breach.
    Warn,
    Improved,
    NotComparable,
    Unchanged,
}

impl GateRow {
    pub fn slo_breached(&self) -> bool {
        self.slo.iter().any(|s| s.breached)
    }

    pub fn status(&self) -> Status {
        let regressed = self.comparison.verdict == Verdict::Regressed;
        let gating_breach = self.slo.iter().any(|s| s.breached && s.role == Role::Gate);
        if (regressed && self.role == Role::Gate) || gating_breach {
            Status::Fail
        } else if regressed || self.slo_breached() {
            Status::Warn
        } else {
            match self.comparison.verdict {
                Verdict::Improved => Status::Improved,
                Verdict::NotComparable(_) => Status::NotComparable,
                _ => Status::Unchanged,
            }
        }
    }
}

/// Pass or fail, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
}

/// How many rows of each kind a decision has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub total: usize,
    /// Regressions that gate.
    pub regressed_gating: usize,
    /// Regressions that only inform.
    pub regressed_informational: usize,
    /// SLO breaches (gating or not).
    pub slo_breached: usize,
    pub improved: usize,
    pub unchanged: usize,
    pub not_comparable: usize,
}

/// What the gate decided: one row per measurement key of either run, sorted
/// by key, and from them the [`Outcome`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub rows: Vec<GateRow>,
    /// Whether a baseline run was given at all.
    pub has_baseline: bool,
}

impl Decision {
    /// Fail iff any row fails: a gating regression or a gating SLO breach.
    pub fn outcome(&self) -> Outcome {
        if self.rows.iter().any(|r| r.status() == Status::Fail) {
            Outcome::Fail
        } else {
            Outcome::Pass
        }
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            total: self.rows.len(),
            ..Counts::default()
        };
        for row in &self.rows {
            match (&row.comparison.verdict, row.role) {
                (Verdict::Regressed, Role::Gate) => c.regressed_gating += 1,
                (Verdict::Regressed, Role::Inform) => c.regressed_informational += 1,
                (Verdict::Improved, _) => c.improved += 1,
                (Verdict::Unchanged, _) => c.unchanged += 1,
                (Verdict::NotComparable(_), _) => c.not_comparable += 1,
            }
            if row.slo_breached() {
                c.slo_breached += 1;
            }
        }
        c
    }

    /// Rows from worst to best (failures, warnings, improvements, not
    /// comparable, unchanged), by key within each group.
    pub fn rows_by_status(&self) -> Vec<&GateRow> {
        let mut rows: Vec<&GateRow> = self.rows.iter().collect();
        rows.sort_by(|a, b| (a.status(), &a.comparison.key).cmp(&(b.status(), &b.comparison.key)));
        rows
    }
}

/// Compares `current` with `baseline` under `config`.
///
/// Without a baseline every row is "missing in baseline" and only SLOs can
/// fail the gate. `history` gives a key's estimates at earlier baseline
/// commits, oldest first, as in [`perflab_compare::compare_runs`].
pub fn evaluate(
    config: &Config,
    baseline: Option<&Run>,
    current: &Run,
    history: &dyn Fn(&MeasurementKey) -> Vec<f64>,
) -> Decision {
    let has_baseline = baseline.is_some();
    let empty;
    let baseline = match baseline {
        Some(b) => b,
        None => {
            empty = Run::new(current.started_at, current.environment.clone());
            &empty
        }
    };
    let limits = |key: &MeasurementKey| config.resolve(key).limits;
    let rows = compare_runs(baseline, current, history, &limits)
        .into_iter()
        .map(|comparison| {
            let policy = config.resolve(&comparison.key);
            let role = |gate| if gate { Role::Gate } else { Role::Inform };
            let mut slo = Vec::new();
            if let Some(value) = comparison.current {
                if let Some(max) = policy.slo.max {
                    slo.push(SloCheck {
                        bound: SloBound::Max(max),
                        value,
                        breached: value > max,
                        role: role(policy.slo_gate),
                        detail: None,
                    });
                }
                if let Some(min) = policy.slo.min {
                    slo.push(SloCheck {
                        bound: SloBound::Min(min),
                        value,
                        breached: value < min,
                        role: role(policy.slo_gate),
                        detail: None,
                    });
                }
            }
            if let (Some(leak), Some(m)) = (policy.leak, current.get(&comparison.key)) {
                let mut check = leak_check(leak, m);
                check.role = role(policy.slo_gate);
                slo.push(check);
            }
            GateRow {
                comparison,
                role: role(policy.gate),
                source: policy.source,
                slo,
            }
        })
        .collect();
    Decision { rows, has_baseline }
}

/// Judges a growth measurement's series under the leak rule. A measurement
/// without a series cannot be judged: that is said, never read as flat.
fn leak_check(leak: LeakLimits, m: &Measurement) -> SloCheck {
    let rule = leak.rule();
    let verdict = match m.samples.as_deref() {
        Some(series) if m.key.metric.samples_are_series() => judge(&rule, series),
        _ => LeakVerdict::NotEnoughData {
            points: 0,
            needed: rule.warmup + perflab_compare::leak::MIN_JUDGE_POINTS,
        },
    };
    let (value, breached) = match verdict {
        LeakVerdict::Leaks { bytes_per_iter, .. } => (bytes_per_iter, true),
        LeakVerdict::Drifts { drift_pct } => (drift_pct, true),
        LeakVerdict::Flat { slope, .. } => (slope, false),
        LeakVerdict::NotEnoughData { .. } => (m.estimate, false),
    };
    SloCheck {
        bound: SloBound::Leak(leak),
        value,
        breached,
        role: Role::Gate,
        detail: Some(verdict.to_string()),
    }
}

#[cfg(test)]
mod tests;
