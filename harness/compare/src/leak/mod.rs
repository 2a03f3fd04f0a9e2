//! Leak detection: does memory keep growing from one iteration to the next?
//!
//! A leak run samples memory (live heap bytes or RSS) once per iteration (a
//! job, a request batch) and hands the series to [`judge`] with a
//! [`LeakRule`]. The method:
//!
//! 1. Drop the first `warmup` points: caches, pools and arenas fill there.
//!    Non-finite points are dropped too; at least [`MIN_JUDGE_POINTS`] must
//!    remain, or the verdict is [`LeakVerdict::NotEnoughData`].
//! 2. Fit a straight line by ordinary least squares against the iteration
//!    number ([`fit_growth`]) and take the 95% confidence interval of the
//!    slope from Student's t at n − 2 degrees of freedom.
//! 3. **Leaks** when the interval's *lower* bound is above `min_slope`
//!    (bytes per iteration) both over all points and over their later half.
//!    The second fit tells a leak, which keeps growing, from a one-off step
//!    (a cache filling once), which lifts the first fit but leaves the later
//!    half flat.
//! 4. Otherwise **drifts** when the median of the last window is more than
//!    `max_drift_pct` above the median of the first window (each a quarter
//!    of the points after warm-up, [`DRIFT_WINDOW_DIVISOR`]); otherwise
//!    **flat**.
//!
//! The weakness, and why step 3 asks for a minimum effect rather than a
//! slope above zero: the OLS interval assumes independent residuals, and a
//! memory series is autocorrelated (RSS moves in allocator-sized steps and
//! stays there; a heap that is high at one iteration is high at the next).
//! With positively correlated residuals the real uncertainty is wider than
//! the interval says, so over a long run a meaningless wobble of a few bytes
//! per iteration gets a "significant" lower bound above zero. `min_slope`
//! is the size of growth worth acting on; the interval only has to clear it.
//! Requiring the later half to clear it as well costs sensitivity: a small
//! leak needs enough iterations to show in half of them. docs/statistics.md
//! ("Memory growth") says the same in prose.
//!
//! Pure functions: nothing here samples memory or keeps state over time.
//! perflab-memory samples (its `rss` and `counting` modules) and judges a
//! sliding window inside a running worker with the same rule (its
//! `monitor`); the gate judges a run's growth series with it.

mod fit;
mod verdict;

pub use fit::{Growth, MIN_FIT_POINTS, fit_growth, fit_points, t_975};
pub use verdict::{LeakVerdict, format_bytes};

/// Points needed after warm-up: each drift window then holds at least two
/// points and the later-half fit at least four (two degrees of freedom).
pub const MIN_JUDGE_POINTS: usize = 8;

/// The drift windows are this fraction (1/n) of the points after warm-up.
pub const DRIFT_WINDOW_DIVISOR: usize = 4;

/// When a memory series counts as leaking or drifting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeakRule {
    /// Points at the start that are not judged.
    pub warmup: usize,
    /// Growth worth acting on, in bytes per iteration; the slope's 95% lower
    /// bound must exceed it. Must be finite and not negative.
    pub min_slope: f64,
    /// Largest allowed rise, in percent, of the last window's median over the
    /// first window's after warm-up. `f64::INFINITY` turns the check off.
    pub max_drift_pct: f64,
}

/// A [`LeakRule`] threshold no verdict can be made with; names the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid setting `{field}`: {problem}")]
pub struct LeakRuleError {
    pub field: &'static str,
    pub problem: String,
}

impl LeakRule {
    /// Checks that the thresholds are numbers a verdict can be made with.
    pub fn check(&self) -> Result<(), LeakRuleError> {
        if !(self.min_slope.is_finite() && self.min_slope >= 0.0) {
            return Err(LeakRuleError {
                field: "min_slope",
                problem: format!("{} is not a finite number >= 0", self.min_slope),
            });
        }
        if self.max_drift_pct.is_nan() || self.max_drift_pct < 0.0 {
            return Err(LeakRuleError {
                field: "max_drift_pct",
                problem: format!("{} is not a number >= 0", self.max_drift_pct),
            });
        }
        Ok(())
    }
}

/// Judges a series sampled once per iteration (index = iteration).
pub fn judge(rule: &LeakRule, series: &[f64]) -> LeakVerdict {
    let points: Vec<(f64, f64)> = series
        .iter()
        .enumerate()
        .map(|(i, &y)| (i as f64, y))
        .collect();
    judge_points(rule, &points)
}

/// Judges `(iteration, value)` points, for series sampled at uneven
/// iterations (every 10th job); the slope is still per iteration. The first
/// `rule.warmup` points are dropped, whatever their iteration numbers.
pub fn judge_points(rule: &LeakRule, points: &[(f64, f64)]) -> LeakVerdict {
    let needed = rule.warmup.saturating_add(MIN_JUDGE_POINTS);
    let after: Vec<(f64, f64)> = points
        .iter()
        .skip(rule.warmup)
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    if after.len() < MIN_JUDGE_POINTS {
        return LeakVerdict::NotEnoughData {
            points: points.len(),
            needed,
        };
    }
    let (Some(all), Some(later)) = (
        fit_points(after.iter().copied()),
        fit_points(after[after.len() / 2..].iter().copied()),
    ) else {
        // Only when every iteration number is the same: nothing to fit a
        // slope against, which is a lack of data, not a flat series.
        return LeakVerdict::NotEnoughData {
            points: points.len(),
            needed,
        };
    };
    if all.ci95.0 > rule.min_slope && later.ci95.0 > rule.min_slope {
        return LeakVerdict::Leaks {
            bytes_per_iter: all.slope,
            ci95: all.ci95,
        };
    }
    let drift_pct = drift_pct(&after);
    if drift_pct > rule.max_drift_pct {
        return LeakVerdict::Drifts { drift_pct };
    }
    LeakVerdict::Flat {
        slope: all.slope,
        ci95: all.ci95,
        drift_pct,
    }
}

/// Percent rise of the last window's median over the first window's. A first
/// median below one byte counts as one byte, so an empty heap that starts
/// growing has a large finite drift rather than an infinite one.
fn drift_pct(points: &[(f64, f64)]) -> f64 {
    let window = (points.len() / DRIFT_WINDOW_DIVISOR).max(1);
    let first = median(points[..window].iter().map(|p| p.1));
    let last = median(points[points.len() - window..].iter().map(|p| p.1));
    (last - first) / first.max(1.0) * 100.0
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    }
}

#[cfg(test)]
mod tests;
