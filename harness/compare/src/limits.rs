//! How far a metric may move before it counts: the limits a comparison is
//! judged against, with built-in defaults per metric nature.
//!
//! This module only holds numbers. Where they come from (perflab.toml, rules,
//! command-line flags) is the gate's business; how they are applied is
//! [`crate::compare_measurement`]'s.

use perflab_schema::{MetricKind, Nature};
use serde::Serialize;

/// Default soft limit for deterministic counters, in percent. Instruction and
/// allocation counts repeat exactly for one binary, but an unrelated change
/// elsewhere can shift inlining and code layout by a fraction of a percent;
/// 2% stays clear of that while catching real algorithmic regressions.
pub const DEFAULT_SOFT_PCT: f64 = 2.0;

/// Default minimum effect for noisy metrics, in percent: a change smaller
/// than this is not reported even when the statistics are sure of it, because
/// on shared machines such shifts come and go with rebuilds.
pub const DEFAULT_MIN_EFFECT_PCT: f64 = 5.0;

/// Default confidence level of bootstrap intervals.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// The limits one metric of one benchmark is judged against.
///
/// Deterministic counters use `soft_pct` and `hard_abs`; noisy metrics use
/// `min_effect_pct` and `confidence`. Each kind ignores the other's fields.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    /// A relative limit in percent: worse by more than this regresses, better
    /// by more than this improves.
    pub soft_pct: Option<f64>,
    /// An absolute limit in the metric's unit: worse by more than this
    /// regresses, whatever the relative change.
    pub hard_abs: Option<f64>,
    /// Noisy metrics: the smallest relative change, in percent, that counts.
    /// A history noise band wider than this replaces it.
    pub min_effect_pct: f64,
    /// Noisy metrics: the confidence level of the bootstrap interval, in (0, 1).
    pub confidence: f64,
}

impl Limits {
    /// The built-in limits for a metric nature: deterministic counters get a
    /// soft limit of [`DEFAULT_SOFT_PCT`] and no hard limit; noisy metrics get
    /// [`DEFAULT_MIN_EFFECT_PCT`] at [`DEFAULT_CONFIDENCE`].
    pub fn for_nature(nature: Nature) -> Limits {
        let soft_pct = match nature {
            Nature::Deterministic => Some(DEFAULT_SOFT_PCT),
            Nature::Noisy => None,
        };
        Limits {
            soft_pct,
            hard_abs: None,
            min_effect_pct: DEFAULT_MIN_EFFECT_PCT,
            confidence: DEFAULT_CONFIDENCE,
        }
    }

    /// The built-in limits for a metric kind (those of its nature).
    pub fn for_metric(metric: MetricKind) -> Limits {
        Limits::for_nature(metric.nature())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_metric_nature() {
        let ir = Limits::for_metric(MetricKind::Instructions);
        assert_eq!(ir.soft_pct, Some(DEFAULT_SOFT_PCT));
        assert_eq!(ir.hard_abs, None);
        let wall = Limits::for_metric(MetricKind::WallTime);
        assert_eq!(wall.soft_pct, None);
        assert_eq!(wall.min_effect_pct, DEFAULT_MIN_EFFECT_PCT);
        assert_eq!(wall.confidence, DEFAULT_CONFIDENCE);
    }
}
