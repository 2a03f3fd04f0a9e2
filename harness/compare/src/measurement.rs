//! Comparing one measurement with its baseline: exact limits for
//! deterministic counters, interval-versus-threshold tests for noisy metrics.
//!
//! The rule for noisy metrics is "the whole interval past the threshold": a
//! regression needs even the most favourable end of the interval on the
//! ratio `new / old` to be worse than `1 ± threshold`, where the threshold is
//! the larger of the minimum effect and the history noise band. The interval
//! comes from the strongest data both sides have (raw samples, else the
//! tools' intervals, else none) and the evidence records which.

use crate::limits::Limits;
use crate::stats::{
    self, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, MIN_SAMPLES, noise_band_pct, ratio_of_medians_ci,
};
use crate::verdict::{
    Basis, Comparison, Evidence, ExactEvidence, Exceeded, Reason, StatisticalEvidence, Verdict,
    relative_change_pct,
};
use perflab_schema::{Direction, Interval, Measurement, Nature};

/// Compares `new` with its baseline `old`.
///
/// `history` is this metric's estimates at earlier baseline commits, oldest
/// first; it only matters for noisy metrics, whose threshold it can widen
/// (see [`stats::noise_band_pct`]). Deterministic counters are compared
/// exactly against `limits.soft_pct` / `limits.hard_abs`; with neither set,
/// any change at all counts.
pub fn compare_measurement(
    old: &Measurement,
    new: &Measurement,
    history: &[f64],
    limits: &Limits,
) -> Comparison {
    let key = new.key.clone();
    let not_comparable = |reason| {
        Comparison::not_comparable(key.clone(), Some(old.estimate), Some(new.estimate), reason)
    };
    if old.key != new.key {
        return not_comparable(Reason::KeysDiffer);
    }
    if old.unit != new.unit {
        return not_comparable(Reason::UnitsDiffer {
            baseline: old.unit,
            current: new.unit,
        });
    }
    if old.tool != new.tool {
        return not_comparable(Reason::ToolsDiffer {
            baseline: old.tool,
            current: new.tool,
        });
    }
    if !old.estimate.is_finite() || !new.estimate.is_finite() {
        return Comparison::not_comparable(key, None, None, Reason::InvalidValue);
    }
    let (verdict, evidence) = match key.metric.nature() {
        Nature::Deterministic => {
            let (verdict, evidence) = exact(old, new, limits);
            (verdict, Some(Evidence::Exact(evidence)))
        }
        Nature::Noisy => match noisy(old, new, history, limits) {
            Ok((verdict, evidence)) => (verdict, Some(Evidence::Statistical(evidence))),
            Err(reason) => return not_comparable(reason),
        },
    };
    Comparison {
        key,
        baseline: Some(old.estimate),
        current: Some(new.estimate),
        change_pct: Some(relative_change_pct(old.estimate, new.estimate)),
        verdict,
        evidence,
    }
}

/// Flips a signed change so that positive always means worse.
fn worse(direction: Direction, change: f64) -> f64 {
    match direction {
        Direction::LowerIsBetter => change,
        Direction::HigherIsBetter => -change,
    }
}

fn exact(old: &Measurement, new: &Measurement, limits: &Limits) -> (Verdict, ExactEvidence) {
    let metric = new.key.metric;
    let diff_abs = new.estimate - old.estimate;
    let diff_pct = relative_change_pct(old.estimate, new.estimate);
    let worse_abs = worse(new.direction, diff_abs);
    let worse_pct = worse(new.direction, diff_pct);

    let mut exceeded = Vec::new();
    if let Some(limit_pct) = limits.soft_pct
        && worse_pct > limit_pct
    {
        exceeded.push(Exceeded::Soft {
            metric,
            old: old.estimate,
            new: new.estimate,
            diff_pct,
            limit_pct,
        });
    }
    if let Some(limit_abs) = limits.hard_abs
        && worse_abs > limit_abs
    {
        exceeded.push(Exceeded::Hard {
            metric,
            old: old.estimate,
            new: new.estimate,
            diff_abs,
            limit_abs,
        });
    }
    // Improvements are judged by the relative limit when there is one: a
    // hard limit is a budget for getting worse, not a bar for getting better.
    let improved = match (limits.soft_pct, limits.hard_abs) {
        (Some(soft), _) => worse_pct < -soft,
        (None, Some(hard)) => worse_abs < -hard,
        (None, None) => worse_abs < 0.0,
    };
    let regressed = !exceeded.is_empty()
        || (limits.soft_pct.is_none() && limits.hard_abs.is_none() && worse_abs > 0.0);
    let verdict = if regressed {
        Verdict::Regressed
    } else if improved {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    };
    let evidence = ExactEvidence {
        diff_abs,
        diff_pct,
        soft_pct: limits.soft_pct,
        hard_abs: limits.hard_abs,
        exceeded,
    };
    (verdict, evidence)
}

fn noisy(
    old: &Measurement,
    new: &Measurement,
    history: &[f64],
    limits: &Limits,
) -> Result<(Verdict, StatisticalEvidence), Reason> {
    if old.estimate == 0.0 {
        return Ok(from_zero(new, limits));
    }
    let noise_band = noise_band_pct(history);
    let threshold_pct = limits.min_effect_pct.max(noise_band.unwrap_or(0.0));

    // A growth metric's samples are the series it was fitted through, not
    // replicates: only its interval says how sure the slope is.
    let (old_samples, new_samples) = (replicates(old), replicates(new));
    let enough = |s: &Option<Vec<f64>>| s.as_ref().is_some_and(|s| s.len() >= MIN_SAMPLES);
    let (basis, ratio, ci) = if enough(old_samples) && enough(new_samples) {
        let (a, b) = (
            old_samples.as_deref().unwrap_or_default(),
            new_samples.as_deref().unwrap_or_default(),
        );
        if a.iter().chain(b).any(|v| !v.is_finite()) {
            return Err(Reason::InvalidValue);
        }
        let ci = ratio_of_medians_ci(a, b, limits.confidence, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED)
            .ok_or(Reason::ZeroBaseline)?;
        let ratio = stats::median(b).unwrap_or(f64::NAN) / stats::median(a).unwrap_or(f64::NAN);
        let basis = Basis::Bootstrap {
            resamples: BOOTSTRAP_RESAMPLES,
        };
        (basis, ratio, Some(ci))
    } else if let (Some(io), Some(inew)) = (old.interval, new.interval) {
        let ratio = new.estimate / old.estimate;
        (Basis::ToolIntervals, ratio, Some(interval_ratio(io, inew)))
    } else if let (Some(a), Some(b)) = (old_samples, new_samples) {
        // The tool meant to give samples and gave too few: guessing from the
        // point estimates would hide that.
        return Err(Reason::NotEnoughSamples {
            baseline: a.len(),
            current: b.len(),
            min: MIN_SAMPLES,
        });
    } else {
        (Basis::PointEstimates, new.estimate / old.estimate, None)
    };

    let (lo, hi) = ci.map_or((ratio, ratio), |ci| (ci.lower, ci.upper));
    let verdict = judge(new.direction, lo, hi, threshold_pct);
    let evidence = StatisticalEvidence {
        basis,
        ratio,
        ci,
        min_effect_pct: limits.min_effect_pct,
        noise_band_pct: noise_band,
        threshold_pct,
    };
    Ok((verdict, evidence))
}

/// The samples of `m` that are replicates of its estimate: none for a
/// growth metric, whose samples are the series it was fitted through.
fn replicates(m: &Measurement) -> &Option<Vec<f64>> {
    const NONE: &Option<Vec<f64>> = &None;
    if m.key.metric.samples_are_series() {
        NONE
    } else {
        &m.samples
    }
}

/// A noisy metric whose baseline is zero, typically `errors`: no ratio
/// exists, but "still none" is unchanged and "some now" is a change of
/// unbounded size, judged by direction (errors appearing regress).
fn from_zero(new: &Measurement, limits: &Limits) -> (Verdict, StatisticalEvidence) {
    // An interval reaching down to zero (a growth slope clamped at zero,
    // say) is still consistent with "none".
    let consistent_with_zero = new.interval.is_some_and(|i| i.lower <= 0.0);
    let (ratio, verdict) = if new.estimate == 0.0 || consistent_with_zero {
        (1.0, Verdict::Unchanged)
    } else {
        (
            f64::INFINITY,
            judge(
                new.direction,
                f64::INFINITY,
                f64::INFINITY,
                limits.min_effect_pct,
            ),
        )
    };
    let evidence = StatisticalEvidence {
        basis: Basis::PointEstimates,
        ratio,
        ci: None,
        min_effect_pct: limits.min_effect_pct,
        noise_band_pct: None,
        threshold_pct: limits.min_effect_pct,
    };
    (verdict, evidence)
}

/// The range of `new / old` over all pairings of the two intervals' bounds.
/// Both intervals hold with probability at least the product of their levels
/// (if independent), so that is the level claimed, never more.
fn interval_ratio(old: Interval, new: Interval) -> Interval {
    Interval {
        lower: new.lower / old.upper,
        upper: if old.lower > 0.0 {
            new.upper / old.lower
        } else {
            f64::INFINITY
        },
        level: old.level * new.level,
    }
}

/// Regressed when the whole ratio range `[lo, hi]` lies past the threshold
/// in the worse direction, improved when it lies past it in the better one.
pub(crate) fn judge(direction: Direction, lo: f64, hi: f64, threshold_pct: f64) -> Verdict {
    let t = threshold_pct / 100.0;
    let (worse_min, worse_max) = match direction {
        // Change in the worse direction, as a fraction: its smallest and
        // largest values over the range.
        Direction::LowerIsBetter => (lo - 1.0, hi - 1.0),
        Direction::HigherIsBetter => (1.0 - hi, 1.0 - lo),
    };
    if worse_min > t {
        Verdict::Regressed
    } else if worse_max < -t {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    }
}
