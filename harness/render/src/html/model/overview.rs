//! The front page: the gate's outcome, the biggest improvement of each
//! scenario and what explains it, what regressed, and every scenario and
//! benchmark in tables the page's script filters and sorts.

use super::bench::{BenchPage, SpeedupView};
use super::view::{self, RunInfo, StatusView, pct_text};
use super::{BenchRow, ScenarioPage, ScenarioRow, bench_row};
use crate::html::input::SiteInput;
use crate::html::slug;
use perflab_gate::Status;
use serde::Serialize;

/// The front page.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub run: RunInfo,
    pub gate: GateInfo,
    /// Per scenario, its best speedup, best first.
    pub highlights: Vec<Highlight>,
    pub regressions: Vec<RegressionRow>,
    pub scenarios: Vec<ScenarioRow>,
    pub benches: Vec<BenchRow>,
}

/// The gate's outcome in words.
#[derive(Debug, Serialize)]
pub struct GateInfo {
    pub passed: bool,
    pub has_baseline: bool,
    pub summary: String,
    pub regressions: usize,
}

/// "Which scenario improved most, by how much, and why".
#[derive(Debug, Serialize)]
pub struct Highlight {
    pub scenario: String,
    pub scenario_href: String,
    pub benchmark: String,
    pub bench_href: String,
    pub speedup: SpeedupView,
    pub memory: Option<SpeedupView>,
    /// The differential flamegraph (or else a flamegraph) that explains it.
    pub why_href: Option<String>,
    pub why_label: String,
}

/// A row the gate flagged (regression or SLO breach).
#[derive(Debug, Serialize)]
pub struct RegressionRow {
    pub status: StatusView,
    pub scenario: String,
    pub benchmark: String,
    pub variant: String,
    pub metric: String,
    pub baseline: String,
    pub current: String,
    pub change: String,
    pub verdict: String,
    pub href: String,
}

pub fn build(input: &SiteInput<'_>, benches: &[BenchPage], scenarios: &[ScenarioPage]) -> Overview {
    let decision = input.gate;
    let mut run = RunInfo::new(input.run, input.run_label.clone());
    run.baseline = input.baseline_origin.clone();
    run.history_commits = input.history.commits().len();
    run.warnings.extend(input.warnings.iter().cloned());
    let regressions: Vec<RegressionRow> = decision
        .rows_by_status()
        .into_iter()
        .filter(|r| matches!(r.status(), Status::Fail | Status::Warn))
        .map(|r| {
            let c = &r.comparison;
            let unit = c.key.metric.unit();
            RegressionRow {
                status: StatusView::of(Some(r.status())),
                scenario: c.key.scenario.clone(),
                benchmark: c.key.benchmark.clone(),
                variant: c.key.variant.clone(),
                metric: c.key.metric.name().to_owned(),
                baseline: view::value_text(c.baseline, unit),
                current: view::value_text(c.current, unit),
                change: pct_text(c.change_pct),
                verdict: c.verdict.to_string(),
                href: slug::page_for_key(&c.key),
            }
        })
        .collect();
    let counts = decision.counts();
    let gate = GateInfo {
        passed: decision.outcome() == perflab_gate::Outcome::Pass,
        has_baseline: decision.has_baseline,
        summary: format!(
            "{} gating regressions, {} informational, {} SLO breaches, {} improved, {} unchanged, {} not comparable",
            counts.regressed_gating,
            counts.regressed_informational,
            counts.slo_breached,
            counts.improved,
            counts.unchanged,
            counts.not_comparable
        ),
        regressions: regressions.len(),
    };
    let mut highlights: Vec<Highlight> = scenarios
        .iter()
        .filter_map(|s| {
            // A scenario that only saves memory (the image worker) is
            // highlighted by its memory saving.
            let (best, memory_only) = match (&s.row.best_speedup, &s.row.best_memory) {
                (Some(best), _) => (best.clone(), false),
                (None, Some(best)) => (best.clone(), true),
                (None, None) => return None,
            };
            let value = |b: &BenchPage| {
                if memory_only {
                    b.best_memory.as_ref().map(|x| x.value)
                } else {
                    b.best_speedup.as_ref().map(|x| x.value)
                }
            };
            // Among equally good benchmarks, one whose profile explains it.
            let mut tied = benches
                .iter()
                .filter(|b| b.scenario == s.name && value(b) == Some(best.value));
            let first = tied.clone().next()?;
            let bench = tied
                .find(|b| b.artifacts.iter().any(|a| a.diff))
                .unwrap_or(first);
            let why = bench
                .artifacts
                .iter()
                .find(|a| a.diff)
                .or_else(|| bench.artifacts.iter().find(|a| a.image))
                .or_else(|| {
                    benches
                        .iter()
                        .filter(|b| b.scenario == s.name)
                        .flat_map(|b| &b.artifacts)
                        .find(|a| a.diff)
                })
                .or_else(|| {
                    benches
                        .iter()
                        .filter(|b| b.scenario == s.name)
                        .flat_map(|b| &b.artifacts)
                        .find(|a| a.image)
                });
            Some(Highlight {
                scenario: s.name.clone(),
                scenario_href: s.path.clone(),
                benchmark: bench.benchmark.clone(),
                bench_href: bench.path.clone(),
                speedup: best,
                memory: s.row.best_memory.clone(),
                why_href: why.map(|a| a.site_path.clone()),
                // Say so when the explanation is another benchmark's profile.
                why_label: why.map_or_else(String::new, |a| {
                    if bench.artifacts.iter().any(|x| x.site_path == a.site_path) {
                        a.kind.clone()
                    } else {
                        format!("{} (of {})", a.kind, a.benchmark)
                    }
                }),
            })
        })
        .collect();
    highlights.sort_by(|a, b| b.speedup.value.total_cmp(&a.speedup.value));
    let mut rows: Vec<BenchRow> = benches.iter().map(bench_row).collect();
    rows.sort_by(|a, b| {
        (a.status.rank, &a.scenario, &a.benchmark).cmp(&(b.status.rank, &b.scenario, &b.benchmark))
    });
    Overview {
        run,
        gate,
        highlights,
        regressions,
        scenarios: scenarios.iter().map(|s| s.row.clone()).collect(),
        benches: rows,
    }
}
