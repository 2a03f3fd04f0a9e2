//! `perflab.toml` as written: the serde shapes of the file, with spans so
//! errors can name lines, and the checks that turn them into settings.

use super::{ConfigError, Settings};
use perflab_schema::{MetricKind, Nature};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) defaults: Option<RawDefaults>,
    #[serde(default)]
    pub(super) metrics: BTreeMap<Spanned<String>, RawSettings>,
    #[serde(default)]
    pub(super) rules: Vec<Spanned<RawRule>>,
}

/// `[defaults]` takes no unit-bound settings: one number cannot fit
/// nanoseconds and bytes alike.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefaults {
    pub(super) gate: Option<bool>,
    pub(super) soft_pct: Option<Spanned<f64>>,
    pub(super) min_effect_pct: Option<Spanned<f64>>,
    pub(super) confidence: Option<Spanned<f64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub(super) gate: Option<bool>,
    pub(super) soft_pct: Option<Spanned<f64>>,
    pub(super) hard_abs: Option<Spanned<f64>>,
    pub(super) min_effect_pct: Option<Spanned<f64>>,
    pub(super) confidence: Option<Spanned<f64>>,
    pub(super) max: Option<Spanned<f64>>,
    pub(super) min: Option<Spanned<f64>>,
    pub(super) leak_min_slope: Option<Spanned<f64>>,
    pub(super) leak_warmup: Option<Spanned<usize>>,
    pub(super) leak_max_drift_pct: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) scenario: Option<Spanned<String>>,
    pub(super) variant: Option<Spanned<String>>,
    pub(super) benchmark: Option<Spanned<String>>,
    pub(super) metric: Option<Spanned<String>>,
    // The settings again: serde's `flatten` would lose both the spans and
    // `deny_unknown_fields`.
    pub(super) gate: Option<bool>,
    pub(super) soft_pct: Option<Spanned<f64>>,
    pub(super) hard_abs: Option<Spanned<f64>>,
    pub(super) min_effect_pct: Option<Spanned<f64>>,
    pub(super) confidence: Option<Spanned<f64>>,
    pub(super) max: Option<Spanned<f64>>,
    pub(super) min: Option<Spanned<f64>>,
    pub(super) leak_min_slope: Option<Spanned<f64>>,
    pub(super) leak_warmup: Option<Spanned<usize>>,
    pub(super) leak_max_drift_pct: Option<Spanned<f64>>,
}

impl RawRule {
    pub(super) fn settings(&mut self) -> RawSettings {
        RawSettings {
            gate: self.gate,
            soft_pct: self.soft_pct.take(),
            hard_abs: self.hard_abs.take(),
            min_effect_pct: self.min_effect_pct.take(),
            confidence: self.confidence.take(),
            max: self.max.take(),
            min: self.min.take(),
            leak_min_slope: self.leak_min_slope.take(),
            leak_warmup: self.leak_warmup.take(),
            leak_max_drift_pct: self.leak_max_drift_pct.take(),
        }
    }
}

impl RawSettings {
    /// Checks ranges, and that a setting fits the metric's nature when the
    /// metric is known (a `soft_pct` on wall time would be silently ignored).
    pub(super) fn validate(
        self,
        at: &str,
        metric: Option<MetricKind>,
        line_of: &dyn Fn(std::ops::Range<usize>) -> usize,
    ) -> Result<Settings, ConfigError> {
        let check =
            |name: &str, v: &Option<Spanned<f64>>, ok: &dyn Fn(f64) -> bool, want: &str| match v {
                Some(v) if !v.get_ref().is_finite() || !ok(*v.get_ref()) => {
                    Err(ConfigError::Invalid {
                        field: format!("{at}.{name}"),
                        line: line_of(v.span()),
                        problem: format!("{} is not {want}", v.get_ref()),
                    })
                }
                _ => Ok(v.as_ref().map(|v| *v.get_ref())),
            };
        let non_negative = |x: f64| x >= 0.0;
        let settings = Settings {
            gate: self.gate,
            soft_pct: check(
                "soft_pct",
                &self.soft_pct,
                &non_negative,
                "a percentage >= 0",
            )?,
            hard_abs: check("hard_abs", &self.hard_abs, &non_negative, "an amount >= 0")?,
            min_effect_pct: check(
                "min_effect_pct",
                &self.min_effect_pct,
                &non_negative,
                "a percentage >= 0",
            )?,
            confidence: check(
                "confidence",
                &self.confidence,
                &|x| x > 0.0 && x < 1.0,
                "a level between 0 and 1 (e.g. 0.95)",
            )?,
            max: check("max", &self.max, &|_| true, "a number")?,
            min: check("min", &self.min, &|_| true, "a number")?,
            leak_min_slope: check(
                "leak_min_slope",
                &self.leak_min_slope,
                &non_negative,
                "an amount per iteration >= 0",
            )?,
            leak_warmup: self.leak_warmup.as_ref().map(|w| *w.get_ref()),
            leak_max_drift_pct: check(
                "leak_max_drift_pct",
                &self.leak_max_drift_pct,
                &non_negative,
                "a percentage >= 0",
            )?,
        };
        self.check_leak(at, metric, line_of)?;
        if let (Some(lo), Some(hi)) = (&self.min, &self.max)
            && lo.get_ref() > hi.get_ref()
        {
            return Err(ConfigError::Invalid {
                field: format!("{at}.min"),
                line: line_of(lo.span()),
                problem: format!("min {} is above max {}", lo.get_ref(), hi.get_ref()),
            });
        }
        if let Some(metric) = metric {
            let misplaced: &[(&str, &Option<Spanned<f64>>)] = match metric.nature() {
                Nature::Deterministic => &[
                    ("min_effect_pct", &self.min_effect_pct),
                    ("confidence", &self.confidence),
                ],
                Nature::Noisy => &[("soft_pct", &self.soft_pct), ("hard_abs", &self.hard_abs)],
            };
            if let Some((name, Some(v))) = misplaced.iter().find(|(_, v)| v.is_some()) {
                let hint = match metric.nature() {
                    Nature::Deterministic => "is a deterministic counter; use soft_pct or hard_abs",
                    Nature::Noisy => {
                        "is noisy; use min_effect_pct (and max/min for absolute limits)"
                    }
                };
                return Err(ConfigError::Invalid {
                    field: format!("{at}.{name}"),
                    line: line_of(v.span()),
                    problem: format!("does not apply: {metric} {hint}"),
                });
            }
        }
        Ok(settings)
    }

    /// The leak rule's settings judge a growth metric's series, need its
    /// minimum slope, and are in its unit: a rule must name the metric.
    fn check_leak(
        &self,
        at: &str,
        metric: Option<MetricKind>,
        line_of: &dyn Fn(std::ops::Range<usize>) -> usize,
    ) -> Result<(), ConfigError> {
        let spans = [
            (
                "leak_min_slope",
                self.leak_min_slope.as_ref().map(Spanned::span),
            ),
            ("leak_warmup", self.leak_warmup.as_ref().map(Spanned::span)),
            (
                "leak_max_drift_pct",
                self.leak_max_drift_pct.as_ref().map(Spanned::span),
            ),
        ];
        let Some((name, span)) = spans
            .iter()
            .find_map(|(name, span)| span.clone().map(|s| (*name, s)))
        else {
            return Ok(());
        };
        let invalid = |name: &str, span, problem: String| ConfigError::Invalid {
            field: format!("{at}.{name}"),
            line: line_of(span),
            problem,
        };
        match metric {
            None => Err(invalid(
                name,
                span,
                "judges one growth metric's series, so the rule must name a `metric` \
                 (heap_growth or rss_growth)"
                    .into(),
            )),
            Some(m) if !m.samples_are_series() => Err(invalid(
                name,
                span,
                format!("does not apply: {m} is not a growth metric (heap_growth or rss_growth)"),
            )),
            Some(_) if self.leak_min_slope.is_none() => Err(invalid(
                name,
                span,
                "needs `leak_min_slope`, the growth per iteration worth failing for".into(),
            )),
            Some(_) => Ok(()),
        }
    }
}
