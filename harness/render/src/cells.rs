//! Cell texts and phrases the text renderers share: a benchmark's name, a
//! value or change cell, the interval column, what an SLO or leak check
//! found, the verdict column of a gate row, the status marks, the sentence on
//! why a comparison came out as it did, and the summary of counts.
//!
//! Words only: every number here was computed by `perflab-compare` or the
//! gate, and nothing is decided here.

use crate::units::{format_pct, format_signed, format_value};
use perflab_compare::{Basis, Comparison, Evidence, Exceeded, Verdict};
use perflab_gate::{Decision, GateRow, Role, SloBound, SloCheck, Status};
use perflab_schema::{MeasurementKey, Unit};

pub(crate) fn bench_name(key: &MeasurementKey) -> String {
    format!("{}/{}", key.scenario, key.benchmark)
}

pub(crate) fn value_cell(value: Option<f64>, unit: Unit) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format_value(v, unit))
}

pub(crate) fn change_cell(c: &Comparison) -> String {
    c.change_pct.map_or_else(|| "-".to_owned(), format_pct)
}

/// The interval column: the change's CI, or what stands in for one.
pub(crate) fn ci_cell(c: &Comparison) -> String {
    match (&c.evidence, c.change_ci_pct()) {
        (_, Some((lo, hi))) => format!("[{}, {}]", format_pct(lo), format_pct(hi)),
        (Some(Evidence::Exact(_)), _) => "exact".to_owned(),
        (Some(Evidence::Statistical(_)), None) => "no interval".to_owned(),
        (None, _) => String::new(),
    }
}

pub(crate) fn slo_text(check: &SloCheck, unit: Unit) -> String {
    match check.bound {
        SloBound::Max(max) => format!(
            "{} > max {}",
            format_value(check.value, unit),
            format_value(max, unit)
        ),
        SloBound::Min(min) => format!(
            "{} < min {}",
            format_value(check.value, unit),
            format_value(min, unit)
        ),
        SloBound::Leak(leak) => format!(
            "{} (leak rule: growth above {} per iteration)",
            check.detail.as_deref().unwrap_or("not judged"),
            format_value(leak.min_slope, unit)
        ),
    }
}

/// What a breached check is called when it fails the build, and when it
/// only informs.
fn breach_word(check: &SloCheck) -> (&'static str, &'static str) {
    match check.bound {
        SloBound::Leak(_) => ("LEAK RULE FAILED", "leak rule failed (info)"),
        SloBound::Max(_) | SloBound::Min(_) => ("SLO BREACHED", "slo breached (info)"),
    }
}

/// The verdict column of a gate row: capitals for what fails the build.
pub(crate) fn gate_verdict_cell(row: &GateRow) -> String {
    let unit = row.comparison.key.metric.unit();
    let mut parts = Vec::new();
    if row.comparison.verdict == Verdict::Regressed {
        parts.push(match row.role {
            Role::Gate => "REGRESSED".to_owned(),
            Role::Inform => "regressed (info)".to_owned(),
        });
    }
    for check in row.slo.iter().filter(|s| s.breached) {
        parts.push(match check.role {
            Role::Gate => format!("{}: {}", breach_word(check).0, slo_text(check, unit)),
            Role::Inform => format!("{}: {}", breach_word(check).1, slo_text(check, unit)),
        });
    }
    if parts.is_empty() {
        parts.push(verdict_text(&row.comparison.verdict));
    }
    parts.join("; ")
}

pub(crate) fn verdict_text(v: &Verdict) -> String {
    match v {
        Verdict::NotComparable(reason) => format!("n/a: {reason}"),
        other => other.to_string(),
    }
}

pub(crate) fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Fail => "❌",
        Status::Warn => "⚠️",
        Status::Improved => "🚀",
        Status::NotComparable => "➖",
        Status::Unchanged => "✅",
    }
}

/// One sentence on why a comparison came out as it did, for regression
/// tables and annotations.
pub(crate) fn explain(c: &Comparison) -> String {
    let unit = c.key.metric.unit();
    match &c.evidence {
        Some(Evidence::Exact(e)) if !e.exceeded.is_empty() => e
            .exceeded
            .iter()
            .map(|x| match x {
                Exceeded::Soft {
                    diff_pct,
                    limit_pct,
                    ..
                } => format!(
                    "{} is past the soft limit of {limit_pct}%",
                    format_pct(*diff_pct)
                ),
                Exceeded::Hard {
                    diff_abs,
                    limit_abs,
                    ..
                } => format!(
                    "{} is past the hard limit of {}",
                    format_signed(*diff_abs, unit),
                    format_value(*limit_abs, unit)
                ),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(Evidence::Exact(e)) => format!("exact change {}", format_pct(e.diff_pct)),
        Some(Evidence::Statistical(s)) => {
            let what = match (s.basis, c.change_ci_pct(), s.ci) {
                (_, Some((lo, hi)), Some(ci)) => format!(
                    "{:.0}% interval [{}, {}] from {}",
                    ci.level * 100.0,
                    format_pct(lo),
                    format_pct(hi),
                    s.basis
                ),
                (Basis::PointEstimates, ..) => {
                    "point estimates only (no samples or intervals)".to_owned()
                }
                _ => s.basis.to_string(),
            };
            let threshold = match s.noise_band_pct {
                Some(band) if band > s.min_effect_pct => format!("history noise band ±{band:.1}%"),
                _ => format!("min effect ±{:.1}%", s.min_effect_pct),
            };
            format!("{what}, threshold {threshold}")
        }
        None => verdict_text(&c.verdict),
    }
}

/// "2 gating regressions, 1 improved, ..." with zero counts left out.
pub(crate) fn summary_counts(decision: &Decision) -> String {
    let c = decision.counts();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let parts = [
        (
            c.regressed_gating,
            plural(
                c.regressed_gating,
                "gating regression",
                "gating regressions",
            ),
        ),
        (
            c.regressed_informational,
            plural(
                c.regressed_informational,
                "informational regression",
                "informational regressions",
            ),
        ),
        (
            c.slo_breached,
            plural(c.slo_breached, "SLO breach", "SLO breaches"),
        ),
        (c.improved, format!("{} improved", c.improved)),
        (c.unchanged, format!("{} unchanged", c.unchanged)),
        (
            c.not_comparable,
            format!("{} not comparable", c.not_comparable),
        ),
    ];
    let listed: Vec<String> = parts
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(_, s)| s)
        .collect();
    if listed.is_empty() {
        "no results".to_owned()
    } else {
        format!("{} ({} results)", listed.join(", "), c.total)
    }
}
