//! Which charts a page gets, from its model: bars of the variants with
//! intervals, sample distributions, growth curves, baseline history with this
//! run beside it, load percentiles and latency over the run. Also the data
//! scripts the "plot together" view draws from in the browser.

use crate::html::model::CommitView;
use crate::html::model::bench::{BenchPage, MetricSection};
use crate::html::model::view::{Bar, value_text};
use crate::html::svg::{self, Series};
use perflab_schema::Unit;
use serde::Serialize;

/// The SVG charts of one metric section; `None` where there is no data.
#[derive(Debug, Serialize)]
pub struct SectionCharts {
    pub bars: Option<String>,
    pub distribution: Option<String>,
    pub growth: Option<String>,
    /// One chart per variant.
    pub history: Vec<String>,
}

pub fn section(s: &MetricSection, commits: &[CommitView]) -> SectionCharts {
    let unit = s.unit_kind;
    let bars =
        (!s.bars.is_empty()).then(|| svg::bars(&format!("{} by variant", s.metric), unit, &s.bars));
    let has_samples = !s.samples.is_empty();
    let distribution = (has_samples && !s.growth)
        .then(|| svg::distribution(&format!("{} samples", s.metric), unit, &s.samples));
    let growth = (has_samples && s.growth).then(|| {
        let series = in_order(&s.samples, |i, v| {
            format!("iteration {i}: {}", value_text(Some(v), unit))
        });
        svg::lines(
            &format!("{} per iteration", s.metric),
            unit,
            "iteration",
            &series,
        )
    });
    // One chart per variant: variants orders of magnitude apart would
    // flatten each other on a shared axis.
    let now = commits.len() as f64;
    let history = s
        .history
        .iter()
        .map(|h| {
            let series = Series {
                label: h.label.clone(),
                points: h
                    .points
                    .iter()
                    .map(|(i, v)| (*i as f64, *v, tooltip(commits.get(*i), *v, unit)))
                    .collect(),
                marker: h
                    .current
                    .map(|v| (now, v, format!("this run: {}", value_text(Some(v), unit)))),
            };
            svg::lines(
                &format!("{} of {} over the baseline's commits", s.metric, h.label),
                unit,
                "baseline commits, oldest to newest; square = this run",
                &[series],
            )
        })
        .collect();
    SectionCharts {
        bars,
        distribution,
        growth,
        history,
    }
}

fn tooltip(commit: Option<&CommitView>, v: f64, unit: Unit) -> String {
    match commit {
        Some(c) => format!(
            "{} {} ({}): {}",
            c.short,
            c.summary,
            c.date,
            value_text(Some(v), unit)
        ),
        None => value_text(Some(v), unit),
    }
}

/// Latency percentiles per variant, and latency over the run.
pub fn load(b: &BenchPage) -> Vec<String> {
    let mut out = Vec::new();
    if !b.load_bars.is_empty() {
        let bars: Vec<Bar> = b
            .load_bars
            .iter()
            .flat_map(|(variant, bars)| {
                bars.iter().map(move |bar| Bar {
                    label: format!("{variant} {}", bar.label),
                    ..bar.clone()
                })
            })
            .collect();
        out.push(svg::bars("latency percentiles", Unit::Nanoseconds, &bars));
    }
    if !b.load_over_run.is_empty() {
        let series = in_order(&b.load_over_run, |_, _| String::new());
        out.push(svg::lines(
            "latency of successful requests in arrival order",
            Unit::Nanoseconds,
            "request (in arrival order, thinned)",
            &series,
        ));
    }
    out
}

#[derive(Serialize)]
struct PlotSeries<'a> {
    variant: &'a str,
    metric: &'a str,
    unit: &'a str,
    points: &'a [(usize, f64)],
    current: Option<f64>,
}

#[derive(Serialize)]
struct PlotData<'a> {
    scenario: &'a str,
    benchmark: &'a str,
    series: Vec<PlotSeries<'a>>,
}

/// A benchmark's history as JSON for the browser's "plot together" view.
pub fn plot_data(b: &BenchPage) -> Result<String, serde_json::Error> {
    let series = b
        .sections
        .iter()
        .flat_map(|s| {
            s.history.iter().map(|h| PlotSeries {
                variant: &h.label,
                metric: &s.metric,
                unit: s.unit,
                points: &h.points,
                current: h.current,
            })
        })
        .collect();
    serde_json::to_string(&PlotData {
        scenario: &b.scenario,
        benchmark: &b.benchmark,
        series,
    })
}

/// One line per variant through its samples in the order they were taken
/// (x = index), with a tooltip per point.
fn in_order(samples: &[(String, Vec<f64>)], tooltip: impl Fn(usize, f64) -> String) -> Vec<Series> {
    samples
        .iter()
        .map(|(variant, values)| Series {
            label: variant.clone(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v, tooltip(i, v)))
                .collect(),
            marker: None,
        })
        .collect()
}
