//! The page of one benchmark: every variant and metric it was measured in,
//! against the other variants (speedups) and against the baseline (the gate's
//! verdicts), with the data its charts are drawn from.

use super::load::{LoadRow, load_results};
use super::view::Bar;
use super::view::{
    Category, StatusView, factor_text, interval_text, pct_text, sort_value, value_text,
};
use crate::html::slug;
use perflab_compare::{Speedup, Verdict};
use perflab_gate::{GateRow, SloBound};
use perflab_schema::{Direction, Measurement, MeasurementKey, MetricKind, Unit};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One variant's value of a metric, and how it compares with the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct VariantRow {
    pub variant: String,
    /// The anchor the gate's Markdown links to.
    pub anchor: String,
    pub estimate: String,
    pub interval: String,
    pub samples: usize,
    pub tool: String,
    pub baseline: String,
    pub change: String,
    pub change_ci: String,
    pub verdict: String,
    pub status: StatusView,
}

/// How much better a candidate variant is than the reference on one metric.
#[derive(Debug, Clone, Serialize)]
pub struct SpeedupView {
    pub metric: String,
    pub category: Category,
    pub reference: String,
    pub candidate: String,
    /// The factor (above 1 is better), clamped for sorting.
    pub value: f64,
    pub text: String,
    pub basis: String,
}

impl SpeedupView {
    pub fn new(s: &Speedup) -> SpeedupView {
        SpeedupView {
            metric: s.key.metric.name().to_owned(),
            category: Category::of(s.key.metric),
            reference: s.reference.clone(),
            candidate: s.key.variant.clone(),
            value: sort_value(s.speedup),
            text: factor_text(s.speedup, s.ci),
            basis: s.basis.to_string(),
        }
    }
}

/// A variant's baseline values over the commits that changed them, and this
/// run's value to set beside them.
#[derive(Debug, Clone)]
pub struct HistorySeries {
    pub label: String,
    /// (commit index, estimate), oldest first.
    pub points: Vec<(usize, f64)>,
    pub current: Option<f64>,
}

/// Everything about one metric of one benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct MetricSection {
    pub metric: String,
    pub id: String,
    pub unit: &'static str,
    pub category: Category,
    pub better: &'static str,
    pub rows: Vec<VariantRow>,
    pub speedups: Vec<SpeedupView>,
    #[serde(skip)]
    pub unit_kind: Unit,
    #[serde(skip)]
    pub bars: Vec<Bar>,
    /// Raw samples per variant, when the tool kept them.
    #[serde(skip)]
    pub samples: Vec<(String, Vec<f64>)>,
    /// Whether samples are a per-iteration growth curve (leak slope).
    pub growth: bool,
    #[serde(skip)]
    pub history: Vec<HistorySeries>,
}

/// A file that explains the numbers: a flamegraph, a diff, a heap profile.
#[derive(Debug, Clone, Serialize)]
pub struct ArtifactView {
    pub benchmark: String,
    pub variant: String,
    pub kind: String,
    pub against: Option<String>,
    /// Link relative to the benchmark page.
    pub href: String,
    /// Where it is inside the site.
    #[serde(skip)]
    pub site_path: String,
    /// The file it was copied from, for the missing-file warning.
    pub source: String,
    pub image: bool,
    pub diff: bool,
    /// Set when the file could not be copied; `problem` says why.
    pub missing: bool,
    pub problem: String,
}

/// One benchmark's page.
#[derive(Debug, Clone, Serialize)]
pub struct BenchPage {
    pub scenario: String,
    pub benchmark: String,
    pub slug: String,
    pub path: String,
    pub scenario_href: String,
    pub status: StatusView,
    pub reference: Option<String>,
    pub variants: Vec<String>,
    pub sections: Vec<MetricSection>,
    pub load: Vec<LoadRow>,
    #[serde(skip)]
    pub load_bars: Vec<(String, Vec<Bar>)>,
    /// Latency samples in arrival order per variant: the load over the run.
    #[serde(skip)]
    pub load_over_run: Vec<(String, Vec<f64>)>,
    pub artifacts: Vec<ArtifactView>,
    pub warnings: Vec<String>,
    /// The best speedup over the reference (time, CPU or load metrics).
    pub best_speedup: Option<SpeedupView>,
    /// The best memory saving over the reference.
    pub best_memory: Option<SpeedupView>,
    /// The worst change against the baseline, signed as measured.
    pub worst_change: Option<f64>,
    pub worst_change_text: String,
    pub metrics: Vec<String>,
}

/// Metrics in the order they headline a benchmark's speedup; others follow.
pub const HEADLINE: [&str; 8] = [
    "wall_time",
    "instructions",
    "latency_p50",
    "throughput",
    "heap_peak_bytes",
    "heap_total_bytes",
    "peak_rss",
    "estimated_cycles",
];

fn headline_rank(metric: MetricKind) -> usize {
    HEADLINE
        .iter()
        .position(|m| *m == metric.name())
        .unwrap_or(HEADLINE.len())
}

/// What a benchmark page is built from.
#[derive(Debug)]
pub struct BenchInput<'a> {
    pub scenario: &'a str,
    pub benchmark: &'a str,
    pub measurements: Vec<&'a Measurement>,
    pub variants: Vec<String>,
    pub reference: Option<String>,
    pub rows: &'a HashMap<&'a MeasurementKey, &'a GateRow>,
    /// This benchmark's speedups over the reference, in the order shown.
    pub speedups: &'a [&'a Speedup],
    pub history: &'a crate::html::History,
    pub artifacts: Vec<ArtifactView>,
}

pub fn build(input: BenchInput<'_>) -> BenchPage {
    let slug = slug::bench_slug(input.scenario, input.benchmark);
    let mut by_metric: BTreeMap<MetricKind, Vec<&Measurement>> = BTreeMap::new();
    for m in &input.measurements {
        by_metric.entry(m.key.metric).or_default().push(m);
    }
    let order = |v: &str| {
        input
            .variants
            .iter()
            .position(|x| x == v)
            .unwrap_or(usize::MAX)
    };
    let mut sections = Vec::new();
    let mut statuses = Vec::new();
    let mut worst_change: Option<f64> = None;
    for (metric, mut ms) in by_metric {
        ms.sort_by_key(|m| (order(&m.key.variant), m.key.variant.clone()));
        let unit = metric.unit();
        let mut rows = Vec::new();
        let mut history = Vec::new();
        for m in &ms {
            let row = input.rows.get(&m.key).copied();
            if let Some(r) = row {
                statuses.push(r);
                if let Some(change) = r.comparison.change_pct.filter(|c| c.is_finite()) {
                    // Signed so that positive is worse, whichever way is better.
                    let worse = match m.direction {
                        Direction::LowerIsBetter => change,
                        Direction::HigherIsBetter => -change,
                    };
                    if worst_change.is_none_or(|w| worse > w) {
                        worst_change = Some(worse);
                    }
                }
            }
            rows.push(variant_row(m, row, unit));
            let points = input.history.series(&m.key).to_vec();
            if !points.is_empty() {
                history.push(HistorySeries {
                    label: m.key.variant.clone(),
                    points,
                    current: Some(m.estimate),
                });
            }
        }
        let speedups: Vec<SpeedupView> = input
            .speedups
            .iter()
            .filter(|s| s.key.metric == metric)
            .map(|s| SpeedupView::new(s))
            .collect();
        sections.push(MetricSection {
            metric: metric.name().to_owned(),
            id: format!("metric-{}", metric.name()),
            unit: unit.symbol(),
            category: Category::of(metric),
            better: match metric.direction() {
                Direction::LowerIsBetter => "lower is better",
                Direction::HigherIsBetter => "higher is better",
            },
            rows,
            speedups,
            unit_kind: unit,
            bars: ms
                .iter()
                .map(|m| Bar {
                    label: m.key.variant.clone(),
                    value: m.estimate,
                    interval: m.interval,
                })
                .collect(),
            samples: ms
                .iter()
                .filter_map(|m| Some((m.key.variant.clone(), m.samples.clone()?)))
                .collect(),
            growth: Category::is_growth(metric),
            history,
        });
    }
    sections.sort_by_key(|s| s.category);
    let (load, load_bars, load_over_run) = load_results(&input.measurements, &order);
    // The headline speedup is that of the most telling metric measured (see
    // HEADLINE), not the largest of all: a paced load test's p90 can move
    // 1000× with a backlog while the median tells the real story.
    let best = |wanted: &dyn Fn(Category) -> bool| {
        input
            .speedups
            .iter()
            .filter(|s| wanted(Category::of(s.key.metric)))
            .min_by(|a, b| {
                headline_rank(a.key.metric)
                    .cmp(&headline_rank(b.key.metric))
                    .then(sort_value(b.speedup).total_cmp(&sort_value(a.speedup)))
            })
            .map(|s| SpeedupView::new(s))
    };
    let mut variants: Vec<String> = input
        .measurements
        .iter()
        .map(|m| m.key.variant.clone())
        .collect();
    variants.sort_by_key(|v| (order(v), v.clone()));
    variants.dedup();
    BenchPage {
        scenario: input.scenario.to_owned(),
        benchmark: input.benchmark.to_owned(),
        path: slug::bench_page(input.scenario, input.benchmark),
        scenario_href: format!("../{}", slug::scenario_page(input.scenario)),
        slug,
        status: StatusView::worst(statuses),
        reference: input.reference,
        variants,
        metrics: sections.iter().map(|s| s.metric.clone()).collect(),
        sections,
        load,
        load_bars,
        load_over_run,
        artifacts: input.artifacts,
        warnings: Vec::new(),
        best_speedup: best(&|c| c != Category::Memory),
        best_memory: best(&|c| c == Category::Memory),
        worst_change,
        worst_change_text: pct_text(worst_change),
    }
}

fn variant_row(m: &Measurement, row: Option<&GateRow>, unit: Unit) -> VariantRow {
    let c = row.map(|r| &r.comparison);
    let mut verdict = c.map_or_else(String::new, |c| c.verdict.to_string());
    for check in row.into_iter().flat_map(|r| &r.slo) {
        let (op, bound) = match check.bound {
            SloBound::Max(b) => ("≤", b),
            SloBound::Min(b) => ("≥", b),
            SloBound::Leak(_) => {
                let word = if check.breached {
                    "leak rule failed"
                } else {
                    "leak rule met"
                };
                let found = check.detail.as_deref().unwrap_or("not judged");
                verdict.push_str(&format!("; {word}: {found}"));
                continue;
            }
        };
        let word = if check.breached {
            "SLO breached"
        } else {
            "SLO met"
        };
        verdict.push_str(&format!("; {word}: {op} {}", value_text(Some(bound), unit)));
    }
    VariantRow {
        variant: m.key.variant.clone(),
        anchor: slug::metric_anchor(&m.key.variant, m.key.metric.name()),
        estimate: value_text(Some(m.estimate), unit),
        interval: interval_text(m.interval, unit),
        samples: m.samples.as_ref().map_or(0, Vec::len),
        tool: m.tool.to_string(),
        baseline: value_text(c.and_then(|c| c.baseline), unit),
        change: pct_text(c.and_then(|c| c.change_pct)),
        change_ci: c
            .and_then(|c| c.change_ci_pct())
            .map(|(lo, hi)| format!("[{}, {}]", pct_text(Some(lo)), pct_text(Some(hi))))
            .unwrap_or_default(),
        verdict: if verdict.is_empty() {
            Verdict::Unchanged.to_string()
        } else {
            verdict
        },
        status: StatusView::of(row.map(GateRow::status)),
    }
}
