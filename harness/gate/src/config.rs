//! `perflab.toml`: what gates, what only informs, and the limits each
//! benchmark and metric is held to. Parsed from a string; reading the file is
//! the CLI's job, and so is naming it in errors.
//!
//! Settings resolve per measurement key from the least to the most specific
//! place that sets them: built-in defaults, `[defaults]`, `[metrics.<name>]`,
//! then every matching `[[rules]]` entry in order of specificity (more
//! selectors first, then more selectors without wildcards; a tie goes to the
//! later rule in the file). Each setting comes from the most specific place
//! that sets it.

mod raw;

use perflab_compare::Limits;
use perflab_schema::{Glob, GlobError};
use perflab_schema::{MeasurementKey, MetricKind, Nature};
use raw::{RawConfig, RawSettings};
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// Why a `perflab.toml` is not valid. Messages name the field and line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not TOML, or a field that does not exist or has the wrong type.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("line {line}: unknown metric {name:?} in `{field}` (known: {known})")]
    UnknownMetric {
        field: String,
        name: String,
        line: usize,
        known: String,
    },
    #[error("line {line}: `{field}` has a bad glob {pattern:?}: {problem}")]
    Glob {
        field: String,
        pattern: String,
        line: usize,
        problem: GlobError,
    },
    #[error("line {line}: `{field}`: {problem}")]
    Invalid {
        field: String,
        line: usize,
        problem: String,
    },
}

/// Whether a metric fails the build by default (`gate = true`) or is only
/// reported. Deterministic instruction, heap and database-statement counters gate. The
/// cache-simulation events follow instructions and shift with code layout,
/// so they inform. Noisy metrics inform: on shared machines wall time has
/// moved by +19% after an unrelated rebuild (docs/statistics.md); turn them
/// on with `gate = true` where the machine is quiet, or gate load tests with
/// `max`/`min`.
pub fn builtin_gate(metric: MetricKind) -> bool {
    use MetricKind::*;
    match metric {
        Instructions | HeapTotalBytes | HeapTotalBlocks | HeapPeakBytes | HeapPeakBlocks
        | HeapLeakedBytes | HeapLeakedBlocks | DbQueries | BytesPerItem => true,
        L1Hits | LlHits | RamHits | TotalReadWrite | EstimatedCycles => false,
        WallTime | PeakRss | HeapGrowth | RssGrowth | LatencyP50 | LatencyP90 | LatencyP95
        | LatencyP99 | LatencyMax | Throughput | Errors | TimeRatio | PeakRssRatio | HitRatio
        | DbQueryRate => false,
    }
}

/// Where the most specific settings for a key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    BuiltIn,
    Defaults,
    Metric(MetricKind),
    /// A `[[rules]]` entry: its position in the file (1-based) and line.
    Rule {
        number: usize,
        line: usize,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::BuiltIn => f.write_str("built-in"),
            Source::Defaults => f.write_str("[defaults]"),
            Source::Metric(m) => write!(f, "[metrics.{m}]"),
            Source::Rule { number, line } => write!(f, "rule #{number} (line {line})"),
        }
    }
}

/// An absolute service-level objective on the current value, in the metric's
/// unit; needs no baseline.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Slo {
    /// The value must not exceed this (e.g. latency).
    pub max: Option<f64>,
    /// The value must not fall below this (e.g. throughput).
    pub min: Option<f64>,
}

/// The leak rule for a growth metric (`heap_growth`, `rss_growth`): its
/// series is judged by `perflab_compare::leak::judge`, the same rule the
/// runtime monitor applies. Needs no baseline.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LeakLimits {
    /// Growth per iteration worth failing for, in the metric's unit; the
    /// slope's 95% lower bound must exceed it.
    pub min_slope: f64,
    /// Iterations at the start that are not judged.
    pub warmup: usize,
    /// Largest allowed rise of the last window over the first, in percent
    /// (`None`: not checked).
    pub max_drift_pct: Option<f64>,
}

impl LeakLimits {
    pub fn rule(&self) -> perflab_compare::LeakRule {
        perflab_compare::LeakRule {
            warmup: self.warmup,
            min_slope: self.min_slope,
            max_drift_pct: self.max_drift_pct.unwrap_or(f64::INFINITY),
        }
    }
}

/// Everything the gate needs to judge one measurement key.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Policy {
    /// Whether a regression of this key fails the build.
    pub gate: bool,
    pub limits: Limits,
    pub slo: Slo,
    /// Whether an SLO breach fails the build: yes, unless `gate = false` was
    /// set explicitly somewhere that applies.
    pub slo_gate: bool,
    /// The leak rule, for growth metrics that have one.
    pub leak: Option<LeakLimits>,
    pub source: Source,
}

/// Settings as written in one place; `None` = not set here.
#[derive(Debug, Clone, Default, PartialEq)]
struct Settings {
    gate: Option<bool>,
    soft_pct: Option<f64>,
    hard_abs: Option<f64>,
    min_effect_pct: Option<f64>,
    confidence: Option<f64>,
    max: Option<f64>,
    min: Option<f64>,
    leak_min_slope: Option<f64>,
    leak_warmup: Option<usize>,
    leak_max_drift_pct: Option<f64>,
}

impl Settings {
    fn overlay(&mut self, top: &Settings) {
        macro_rules! take {
            ($($f:ident),*) => { $( if top.$f.is_some() { self.$f = top.$f; } )* };
        }
        take!(
            gate,
            soft_pct,
            hard_abs,
            min_effect_pct,
            confidence,
            max,
            min,
            leak_min_slope,
            leak_warmup,
            leak_max_drift_pct
        );
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    scenario: Option<Glob>,
    variant: Option<Glob>,
    benchmark: Option<Glob>,
    metric: Option<MetricKind>,
    settings: Settings,
    number: usize,
    line: usize,
}

impl Rule {
    fn matches(&self, key: &MeasurementKey) -> bool {
        let glob = |g: &Option<Glob>, s: &str| g.as_ref().is_none_or(|g| g.matches(s));
        glob(&self.scenario, &key.scenario)
            && glob(&self.variant, &key.variant)
            && glob(&self.benchmark, &key.benchmark)
            && self.metric.is_none_or(|m| m == key.metric)
    }

    /// (selectors given, selectors without wildcards, position in file).
    fn specificity(&self) -> (usize, usize, usize) {
        let globs = [&self.scenario, &self.variant, &self.benchmark];
        let given =
            globs.iter().filter(|g| g.is_some()).count() + usize::from(self.metric.is_some());
        let literal = globs
            .iter()
            .filter(|g| g.as_ref().is_some_and(Glob::is_literal))
            .count()
            + usize::from(self.metric.is_some());
        (given, literal, self.number)
    }
}

/// A parsed, validated `perflab.toml`. [`Config::default`] is the built-in
/// configuration (an empty file).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    defaults: Option<Settings>,
    metrics: BTreeMap<MetricKind, Settings>,
    rules: Vec<Rule>,
}

impl Config {
    /// Parses and validates the text of a `perflab.toml`.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text)?;
        let line_of = |span: std::ops::Range<usize>| line_at(text, span.start);

        let defaults = match raw.defaults {
            None => None,
            Some(d) => {
                let s = RawSettings {
                    gate: d.gate,
                    soft_pct: d.soft_pct,
                    min_effect_pct: d.min_effect_pct,
                    confidence: d.confidence,
                    ..RawSettings::default()
                };
                Some(s.validate("defaults", None, &line_of)?)
            }
        };

        let mut metrics = BTreeMap::new();
        for (name, raw) in raw.metrics {
            let field = format!("metrics.{}", name.get_ref());
            let metric = parse_metric(&name, &field, &line_of)?;
            let settings = raw.validate(&field, Some(metric), &line_of)?;
            metrics.insert(metric, settings);
        }

        let mut rules = Vec::new();
        for (i, spanned) in raw.rules.into_iter().enumerate() {
            let number = i + 1;
            let line = line_of(spanned.span());
            let mut raw = spanned.into_inner();
            let field = |name: &str| format!("rules #{number}.{name}");
            let glob =
                |g: Option<Spanned<String>>, name: &str| -> Result<Option<Glob>, ConfigError> {
                    let Some(g) = g else { return Ok(None) };
                    Glob::new(g.get_ref())
                        .map(Some)
                        .map_err(|problem| ConfigError::Glob {
                            field: field(name),
                            pattern: g.get_ref().clone(),
                            line: line_of(g.span()),
                            problem,
                        })
                };
            let scenario = glob(raw.scenario.take(), "scenario")?;
            let variant = glob(raw.variant.take(), "variant")?;
            let benchmark = glob(raw.benchmark.take(), "benchmark")?;
            let metric = match &raw.metric {
                Some(m) => Some(parse_metric(m, &field("metric"), &line_of)?),
                None => None,
            };
            if scenario.is_none() && variant.is_none() && benchmark.is_none() && metric.is_none() {
                return Err(ConfigError::Invalid {
                    field: format!("rules #{number}"),
                    line,
                    problem: "selects nothing: give at least one of scenario, variant, \
                              benchmark or metric (use [defaults] for settings that apply \
                              everywhere)"
                        .into(),
                });
            }
            let settings =
                raw.settings()
                    .validate(&format!("rules #{number}"), metric, &line_of)?;
            if metric.is_none() {
                for (name, value) in [
                    ("hard_abs", &settings.hard_abs),
                    ("max", &settings.max),
                    ("min", &settings.min),
                ] {
                    if value.is_some() {
                        return Err(ConfigError::Invalid {
                            field: field(name),
                            line,
                            problem: "is in the metric's unit, so the rule must name a `metric`"
                                .into(),
                        });
                    }
                }
            }
            rules.push(Rule {
                scenario,
                variant,
                benchmark,
                metric,
                settings,
                number,
                line,
            });
        }
        Ok(Config {
            defaults,
            metrics,
            rules,
        })
    }

    /// The comparison limits for `key` (shorthand for `resolve(key).limits`).
    pub fn limits(&self, key: &MeasurementKey) -> Limits {
        self.resolve(key).limits
    }

    /// The settings that apply to `key`.
    pub fn resolve(&self, key: &MeasurementKey) -> Policy {
        let mut s = Settings::default();
        let mut source = Source::BuiltIn;
        if let Some(d) = &self.defaults {
            s.overlay(d);
            source = Source::Defaults;
        }
        if let Some(m) = self.metrics.get(&key.metric) {
            s.overlay(m);
            source = Source::Metric(key.metric);
        }
        let mut matching: Vec<&Rule> = self.rules.iter().filter(|r| r.matches(key)).collect();
        matching.sort_by_key(|r| r.specificity());
        for r in matching {
            s.overlay(&r.settings);
            source = Source::Rule {
                number: r.number,
                line: r.line,
            };
        }

        let builtin = Limits::for_metric(key.metric);
        let limits = match key.metric.nature() {
            Nature::Deterministic => Limits {
                soft_pct: s.soft_pct.or(builtin.soft_pct),
                hard_abs: s.hard_abs.or(builtin.hard_abs),
                ..builtin
            },
            Nature::Noisy => Limits {
                min_effect_pct: s.min_effect_pct.unwrap_or(builtin.min_effect_pct),
                confidence: s.confidence.unwrap_or(builtin.confidence),
                ..builtin
            },
        };
        Policy {
            gate: s.gate.unwrap_or_else(|| builtin_gate(key.metric)),
            limits,
            slo: Slo {
                max: s.max,
                min: s.min,
            },
            slo_gate: s.gate.unwrap_or(true),
            leak: s.leak_min_slope.map(|min_slope| LeakLimits {
                min_slope,
                warmup: s.leak_warmup.unwrap_or(0),
                max_drift_pct: s.leak_max_drift_pct,
            }),
            source,
        }
    }
}

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn parse_metric(
    name: &Spanned<String>,
    field: &str,
    line_of: &dyn Fn(std::ops::Range<usize>) -> usize,
) -> Result<MetricKind, ConfigError> {
    name.get_ref()
        .parse()
        .map_err(|_| ConfigError::UnknownMetric {
            field: field.to_owned(),
            name: name.get_ref().clone(),
            line: line_of(name.span()),
            known: MetricKind::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

#[cfg(test)]
mod tests;
