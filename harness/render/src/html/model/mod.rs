//! The site as data: a view model built from a [`SiteInput`], separate from
//! writing it. Statistics come finished in the input (speedups computed by
//! `perflab-compare`, the gate's decision against the baseline); this module
//! only selects, groups, sorts and picks words. Chart data is kept as
//! numbers; drawing is `crate::html::svg`'s.

pub mod bench;
pub mod load;
mod overview;
pub mod view;

use crate::html::input::SiteInput;
use crate::html::slug;
use crate::html::{History, ReportError};
use bench::{ArtifactView, BenchInput, BenchPage, SpeedupView};
pub use overview::{GateInfo, Highlight, Overview, RegressionRow};
use perflab_compare::Speedup;
use perflab_gate::GateRow;
use perflab_schema::{ArtifactKind, Measurement, MeasurementKey, Run};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use view::{StatusView, sort_value};

/// The whole site.
#[derive(Debug)]
pub struct Site {
    pub overview: Overview,
    pub scenarios: Vec<ScenarioPage>,
    pub benches: Vec<BenchPage>,
    pub commits: Vec<CommitView>,
    /// Files to copy into the site: source, path inside the site.
    pub files: Vec<(PathBuf, String)>,
    /// Only files under these directories are copied.
    pub copy_roots: Vec<PathBuf>,
}

/// A commit of the baseline history, for chart tooltips.
#[derive(Debug, Clone, Serialize)]
pub struct CommitView {
    pub short: String,
    pub summary: String,
    pub date: String,
}

/// One scenario on the front page.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioRow {
    pub name: String,
    pub href: String,
    pub benchmarks: usize,
    pub variants: String,
    pub status: StatusView,
    pub regressions: usize,
    pub best_speedup: Option<SpeedupView>,
    pub best_memory: Option<SpeedupView>,
}

/// One benchmark in a table.
#[derive(Debug, Clone, Serialize)]
pub struct BenchRow {
    pub scenario: String,
    pub benchmark: String,
    pub slug: String,
    /// Relative to the site root.
    pub path: String,
    pub status: StatusView,
    pub speedup: String,
    pub speedup_value: f64,
    pub change: String,
    pub change_value: f64,
}

/// A scenario's page: its benchmarks.
#[derive(Debug, Serialize)]
pub struct ScenarioPage {
    pub name: String,
    pub path: String,
    pub row: ScenarioRow,
    pub benches: Vec<BenchRow>,
}

/// Builds the site model. Fails only on a run with no measurements.
pub fn build(input: &SiteInput<'_>) -> Result<Site, ReportError> {
    let run = input.run;
    if run.measurements.is_empty() {
        return Err(ReportError::EmptyRun);
    }
    let rows: HashMap<&MeasurementKey, &GateRow> = input
        .gate
        .rows
        .iter()
        .map(|r| (&r.comparison.key, r))
        .collect();
    let mut groups: BTreeMap<(&str, &str), Vec<&Measurement>> = BTreeMap::new();
    for m in &run.measurements {
        groups
            .entry((&m.key.scenario, &m.key.benchmark))
            .or_default()
            .push(m);
    }
    let groups: Vec<((&str, &str), Vec<&Measurement>)> = groups.into_iter().collect();
    let mut variants: HashMap<&str, Vec<String>> = HashMap::new();
    for ((scenario, _), _) in &groups {
        variants
            .entry(scenario)
            .or_insert_with(|| perflab_compare::ordered_variants(input.variants, scenario, run));
    }
    let mut speedups = speedups_by_bench(input.speedups, &variants);
    let mut files = Vec::new();
    let mut benches = Vec::with_capacity(groups.len());
    for ((scenario, benchmark), measurements) in groups {
        let variants = variants[scenario].clone();
        let artifacts = artifacts_of(run, &input.run_dir, scenario, benchmark, &mut files);
        let speedups = speedups.remove(&(scenario, benchmark)).unwrap_or_default();
        benches.push(bench::build(BenchInput {
            scenario,
            benchmark,
            measurements,
            reference: variants.first().cloned(),
            variants,
            rows: &rows,
            speedups: &speedups,
            history: input.history,
            artifacts,
        }));
    }
    let scenarios = scenario_pages(&benches);
    let overview = overview::build(input, &benches, &scenarios);
    Ok(Site {
        overview,
        scenarios,
        benches,
        commits: commits(input.history),
        files,
        copy_roots: std::iter::once(input.run_dir.clone())
            .chain(input.artifact_roots.iter().cloned())
            .collect(),
    })
}

/// The speedups shown per (scenario, benchmark): those of another variant
/// over the scenario's reference, in the scenario's variant order, then by
/// key. Speedups over any other variant are not the page's to show.
fn speedups_by_bench<'a>(
    speedups: &'a [Speedup],
    variants: &HashMap<&str, Vec<String>>,
) -> HashMap<(&'a str, &'a str), Vec<&'a Speedup>> {
    let mut by: HashMap<(&str, &str), Vec<&Speedup>> = HashMap::new();
    for s in speedups {
        let Some(order) = variants.get(s.key.scenario.as_str()) else {
            continue;
        };
        if order.first() == Some(&s.reference) && s.key.variant != s.reference {
            by.entry((&s.key.scenario, &s.key.benchmark))
                .or_default()
                .push(s);
        }
    }
    for (scenario_bench, list) in &mut by {
        let order = &variants[scenario_bench.0];
        let rank = |v: &str| order.iter().position(|x| x == v).unwrap_or(order.len());
        list.sort_by(|a, b| (rank(&a.key.variant), &a.key).cmp(&(rank(&b.key.variant), &b.key)));
    }
    by
}

/// A benchmark's artifacts, each given a place in the site under
/// `files/<bench-slug>/`; the copies are queued in `files`.
fn artifacts_of(
    run: &Run,
    run_dir: &Path,
    scenario: &str,
    benchmark: &str,
    files: &mut Vec<(PathBuf, String)>,
) -> Vec<ArtifactView> {
    let bench_slug = slug::bench_slug(scenario, benchmark);
    run.artifacts
        .iter()
        .filter(|a| a.scenario == scenario && a.benchmark == benchmark)
        .map(|a| {
            let source = Path::new(&a.path);
            let source = if source.is_absolute() {
                source.to_owned()
            } else {
                run_dir.join(source)
            };
            let (kind, image, diff) = match a.kind {
                ArtifactKind::Flamegraph => ("flamegraph", true, false),
                ArtifactKind::DiffFlamegraph => ("differential flamegraph", true, true),
                ArtifactKind::FoldedStacks => ("folded stacks", false, false),
                ArtifactKind::HeapProfile => ("heap profile (DHAT)", false, false),
                ArtifactKind::MetricsScrape => ("metrics scrape", false, false),
                _ => ("file", false, false),
            };
            let ext = source
                .extension()
                .and_then(|e| e.to_str())
                .map(slug::slugify)
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| "txt".to_owned());
            let against = a.against.as_deref().unwrap_or("");
            let name = slug::unique_slug(&[kind, &a.variant, against, &a.path]);
            let site_path = format!("files/{bench_slug}/{name}.{ext}");
            files.push((source.clone(), site_path.clone()));
            ArtifactView {
                benchmark: a.benchmark.clone(),
                variant: a.variant.clone(),
                kind: kind.to_owned(),
                against: a.against.clone(),
                href: format!("../{site_path}"),
                site_path,
                source: source.display().to_string(),
                image: image && ext == "svg",
                diff,
                missing: false,
                problem: String::new(),
            }
        })
        .collect()
}

pub(super) fn bench_row(b: &BenchPage) -> BenchRow {
    BenchRow {
        scenario: b.scenario.clone(),
        benchmark: b.benchmark.clone(),
        slug: b.slug.clone(),
        path: b.path.clone(),
        status: b.status.clone(),
        speedup: b
            .best_speedup
            .as_ref()
            .map(|s| format!("{} ({})", s.text, s.metric))
            .unwrap_or_else(|| "-".to_owned()),
        speedup_value: b.best_speedup.as_ref().map_or(0.0, |s| s.value),
        change: b.worst_change_text.clone(),
        change_value: sort_value(b.worst_change.unwrap_or(0.0)),
    }
}

fn best_of<'a>(it: impl Iterator<Item = &'a SpeedupView>) -> Option<SpeedupView> {
    it.max_by(|a, b| a.value.total_cmp(&b.value)).cloned()
}

fn scenario_pages(benches: &[BenchPage]) -> Vec<ScenarioPage> {
    let mut by: BTreeMap<&str, Vec<&BenchPage>> = BTreeMap::new();
    for b in benches {
        by.entry(&b.scenario).or_default().push(b);
    }
    by.into_iter()
        .map(|(name, bs)| {
            let mut variants: Vec<&str> = Vec::new();
            for b in &bs {
                for v in &b.variants {
                    if !variants.contains(&v.as_str()) {
                        variants.push(v);
                    }
                }
            }
            // The reference leads, whichever benchmark happened to come first
            // (one measuring only the optimized variant, say).
            if let Some(reference) = bs.iter().find_map(|b| b.reference.as_deref())
                && let Some(i) = variants.iter().position(|v| *v == reference)
            {
                let reference = variants.remove(i);
                variants.insert(0, reference);
            }
            let status = bs.iter().map(|b| &b.status).min_by_key(|s| s.rank).cloned();
            let row = ScenarioRow {
                name: name.to_owned(),
                href: slug::scenario_page(name),
                benchmarks: bs.len(),
                variants: variants.join(" → "),
                status: status.unwrap_or_else(|| StatusView::of(None)),
                regressions: bs.iter().filter(|b| b.status.regressed).count(),
                best_speedup: best_of(bs.iter().filter_map(|b| b.best_speedup.as_ref())),
                best_memory: best_of(bs.iter().filter_map(|b| b.best_memory.as_ref())),
            };
            let mut rows: Vec<BenchRow> = bs.iter().map(|b| bench_row(b)).collect();
            rows.sort_by(|a, b| (a.status.rank, &a.benchmark).cmp(&(b.status.rank, &b.benchmark)));
            ScenarioPage {
                name: name.to_owned(),
                path: slug::scenario_page(name),
                row,
                benches: rows,
            }
        })
        .collect()
}

fn commits(history: &History) -> Vec<CommitView> {
    history
        .commits()
        .iter()
        .map(|c| CommitView {
            short: c.id.chars().take(10).collect(),
            summary: c.summary.clone(),
            date: view::utc_time(c.time),
        })
        .collect()
}
