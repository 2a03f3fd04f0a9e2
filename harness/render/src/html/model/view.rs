//! Small view values shared by every page: statuses, metric categories,
//! chart bars, formatted numbers and the run's header. They pick words and
//! units; every number they show was computed by `perflab-compare` or the
//! gate.

use crate::units::{format_factor, format_pct, format_value};
use perflab_gate::{GateRow, Status};
use perflab_schema::{Interval, MetricKind, Run, Unit};
use serde::Serialize;

/// A bar with an optional interval, for variant and percentile charts.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub interval: Option<Interval>,
}

/// A gate status as pages show it: a CSS class, a word, a sort rank.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// CSS class and stable key: `fail`, `warn`, `improved`, `not-comparable`,
    /// `unchanged` or `none`.
    pub key: &'static str,
    pub label: &'static str,
    /// 0 is worst; tables sort by it.
    pub rank: u8,
    /// Whether the regressions filter keeps it.
    pub regressed: bool,
}

impl StatusView {
    pub fn of(status: Option<Status>) -> StatusView {
        let (key, label, rank) = match status {
            Some(Status::Fail) => ("fail", "regressed (gating)", 0),
            Some(Status::Warn) => ("warn", "regressed (info)", 1),
            Some(Status::Improved) => ("improved", "improved", 2),
            Some(Status::NotComparable) => ("not-comparable", "not comparable", 3),
            Some(Status::Unchanged) => ("unchanged", "unchanged", 4),
            None => ("none", "no verdict", 5),
        };
        StatusView {
            key,
            label,
            rank,
            regressed: rank <= 1,
        }
    }

    /// The worst status of some gate rows.
    pub fn worst<'a>(rows: impl IntoIterator<Item = &'a GateRow>) -> StatusView {
        StatusView::of(rows.into_iter().map(GateRow::status).min())
    }
}

/// What part of a benchmark page a metric belongs to. Decided from names and
/// units, so metrics added to the schema later land somewhere sensible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Time,
    Cpu,
    Memory,
    Load,
    Other,
}

impl Category {
    pub fn of(metric: MetricKind) -> Category {
        let name = metric.name();
        if name.starts_with("latency_") || name == "throughput" || name == "errors" {
            Category::Load
        } else if matches!(metric.unit(), Unit::Bytes | Unit::Blocks)
            || name.contains("heap")
            || name.contains("rss")
        {
            Category::Memory
        } else if name == "wall_time" {
            Category::Time
        } else if matches!(metric.unit(), Unit::Instructions | Unit::Events) {
            Category::Cpu
        } else {
            Category::Other
        }
    }

    /// Whether a metric's samples are a series over iterations (the memory a
    /// leak slope was fitted through) rather than repeated draws of one
    /// quantity: drawn as a curve, not a distribution.
    pub fn is_growth(metric: MetricKind) -> bool {
        metric.samples_are_series()
    }
}

/// A value in its unit, or `-`.
pub fn value_text(value: Option<f64>, unit: Unit) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format_value(v, unit))
}

/// `[lo, hi] (95%)` for an interval in a unit.
pub fn interval_text(interval: Option<Interval>, unit: Unit) -> String {
    match interval {
        Some(i) => format!(
            "[{}, {}] ({:.0}%)",
            format_value(i.lower, unit),
            format_value(i.upper, unit),
            i.level * 100.0
        ),
        None => String::new(),
    }
}

/// `3.21× [2.9×, 3.5×]` for a speedup and its interval.
pub fn factor_text(value: f64, ci: Option<Interval>) -> String {
    match ci {
        Some(ci) => format!(
            "{} [{}, {}]",
            format_factor(value),
            format_factor(ci.lower),
            format_factor(ci.upper)
        ),
        None => format_factor(value),
    }
}

/// A percentage or `-`.
pub fn pct_text(pct: Option<f64>) -> String {
    pct.map_or_else(|| "-".to_owned(), format_pct)
}

/// A number safe to sort by in the browser: non-finite values clamp.
pub fn sort_value(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-1e300, 1e300)
    }
}

/// The run's header.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub label: String,
    pub commit: Option<String>,
    pub commit_short: Option<String>,
    pub dirty: bool,
    pub branch: Option<String>,
    pub machine_id: String,
    pub started_at: String,
    pub rustc: Option<String>,
    pub cpu: Option<String>,
    pub os: String,
    pub cores: u32,
    pub measurements: usize,
    pub baseline: Option<String>,
    pub history_commits: usize,
    pub warnings: Vec<String>,
}

impl RunInfo {
    pub fn new(run: &Run, label: String) -> RunInfo {
        let git = run.environment.git.as_ref();
        RunInfo {
            label,
            commit: git.map(|g| g.commit.clone()),
            commit_short: git.map(|g| g.commit.chars().take(10).collect()),
            dirty: git.is_some_and(|g| g.dirty),
            branch: git.and_then(|g| g.branch.clone()),
            machine_id: run.environment.machine_id.clone(),
            started_at: utc_time(run.started_at),
            rustc: run.environment.rustc.clone(),
            cpu: run.environment.cpu_model.clone(),
            os: run.environment.os.clone(),
            cores: run.environment.cores,
            measurements: run.measurements.len(),
            baseline: None,
            history_commits: 0,
            warnings: run.warnings.clone(),
        }
    }
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM UTC` (Howard Hinnant's
/// civil-from-days; no date library for one header line).
pub fn utc_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_time_formats_known_instants() {
        assert_eq!(utc_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_time(1_795_488_746), "2026-11-24 02:52 UTC");
    }

    #[test]
    fn categories_follow_names_and_units() {
        assert_eq!(Category::of(MetricKind::WallTime), Category::Time);
        assert_eq!(Category::of(MetricKind::Instructions), Category::Cpu);
        assert_eq!(Category::of(MetricKind::HeapPeakBytes), Category::Memory);
        assert_eq!(Category::of(MetricKind::PeakRss), Category::Memory);
        assert_eq!(Category::of(MetricKind::LatencyP95), Category::Load);
        assert_eq!(Category::of(MetricKind::DbQueries), Category::Other);
    }
}
