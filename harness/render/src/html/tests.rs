//! Rendering whole sites from synthetic runs: escaping, structure, links,
//! artifacts and atomic replacement.

use crate::html::{Commit, History, ReportError, ScenarioVariants, SiteInput, render_site};
use perflab_compare::Speedup;
use perflab_gate::{Config, Decision};
use perflab_schema::{
    Artifact, ArtifactKind, Interval, Measurement, MeasurementKey, MetricKind, Run, Tool,
};
use std::path::Path;

const EVIL: &str = "<script>alert(1)</script>";

fn m(scenario: &str, variant: &str, bench: &str, metric: MetricKind, v: f64) -> Measurement {
    let key = MeasurementKey {
        scenario: scenario.into(),
        variant: variant.into(),
        benchmark: bench.into(),
        metric,
    };
    let tool = match metric {
        MetricKind::WallTime => Tool::Criterion,
        _ => Tool::Gungraun,
    };
    let mut out = Measurement::new(key, v, tool);
    if metric == MetricKind::WallTime {
        out = out
            .with_interval(Interval {
                lower: v * 0.97,
                upper: v * 1.03,
                level: 0.95,
            })
            .with_samples(
                (0..30)
                    .map(|i| v * (0.97 + f64::from(i % 7) * 0.01))
                    .collect(),
            );
    }
    out
}

fn current() -> Run {
    let mut ms = Vec::new();
    for (scenario, bench) in [("auto", "complete/1k"), (EVIL, EVIL)] {
        for (variant, factor) in [("naive", 4.0), ("optimized", 1.0)] {
            ms.push(m(
                scenario,
                variant,
                bench,
                MetricKind::WallTime,
                1000.0 * factor,
            ));
            ms.push(m(
                scenario,
                variant,
                bench,
                MetricKind::Instructions,
                5e6 * factor,
            ));
        }
    }
    perflab_schema::testing::run("machine", ms)
}

/// The baseline: `optimized` instructions were half of today's, so today regressed.
fn baseline() -> Run {
    let mut run = current();
    for m in &mut run.measurements {
        if m.key.metric == MetricKind::Instructions && m.key.variant == "optimized" {
            m.estimate /= 2.0;
        }
    }
    run
}

fn gate(run: &Run, base: Option<&Run>) -> Decision {
    perflab_gate::evaluate(&Config::default(), base, run, &|_| Vec::new())
}

/// The speedups the CLI hands in: each scenario's other variants over its
/// reference.
fn speedups(run: &Run, declared: &[ScenarioVariants]) -> Vec<Speedup> {
    perflab_compare::variant_speedups(run, &ScenarioVariants::of_run(declared, run))
}

fn history(base: &Run) -> History {
    let mut h = History::new();
    for i in 0..5 {
        h.push(
            Commit {
                id: format!("{i:040}"),
                time: 1_700_000_000 + i64::from(i) * 86_400,
                summary: format!("commit {i} {EVIL}"),
            },
            base,
        );
    }
    h
}

fn render(
    run: &Run,
    report: &Decision,
    h: &History,
    out: &Path,
) -> Result<crate::html::Rendered, ReportError> {
    let variants = [ScenarioVariants {
        scenario: "auto".into(),
        variants: vec!["naive".into(), "optimized".into()],
    }];
    let speedups = speedups(run, &variants);
    let input = SiteInput {
        run,
        run_dir: out.parent().unwrap().to_owned(),
        run_label: "latest.json".into(),
        gate: report,
        baseline_origin: Some(format!("main/machine {EVIL}")),
        history: h,
        variants: &variants,
        speedups: &speedups,
        warnings: vec![EVIL.into()],
        artifact_roots: Vec::new(),
    };
    render_site(&input, out, None)
}

fn all_html(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for sub in ["", "scenario", "bench"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "html") {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    out
}

#[test]
fn names_are_escaped_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let (run, base) = (current(), baseline());
    render(&run, &gate(&run, Some(&base)), &history(&base), &out).unwrap();
    let pages = all_html(&out);
    assert!(pages.len() >= 5, "{pages:?}");
    for (path, html) in &pages {
        assert!(!html.contains(EVIL), "{path} has the name unescaped");
        // The only script tags are the site's own two.
        assert_eq!(html.matches("<script").count(), 2, "{path}");
    }
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || index.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
}

#[test]
fn the_overview_leads_with_regressions_and_speedups() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let (run, base) = (current(), baseline());
    let rendered = render(&run, &gate(&run, Some(&base)), &history(&base), &out).unwrap();
    assert_eq!(rendered.index, out.join("index.html"));
    assert_eq!(rendered.pages, 1 + 2 + 2);
    let index = std::fs::read_to_string(&rendered.index).unwrap();
    assert!(index.contains("Gate FAILED"));
    assert!(
        index.contains("4.00×"),
        "naive/optimized speedup shown: {index}"
    );
    let regressions =
        &index[index.find("id=\"regressions\"").unwrap()..index.find("id=\"scenarios\"").unwrap()];
    assert!(regressions.contains("instructions"));
    assert!(regressions.contains(&crate::html::slug::bench_page("auto", "complete/1k")));
    // Every bench page has charts, including the history.
    let page =
        std::fs::read_to_string(out.join(crate::html::slug::bench_page("auto", "complete/1k")))
            .unwrap();
    assert!(page.contains("chart-bars"));
    assert!(page.contains("chart-distribution"));
    assert!(page.contains("chart-lines"));
    let anchor = crate::html::slug::metric_anchor("optimized", "instructions");
    assert!(page.contains(&format!("id=\"{anchor}\"")));
    assert!(out.join("data/commits.js").exists());
    assert!(out.join(crate::html::MARKER).exists());
}

#[test]
fn without_a_baseline_the_site_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let run = current();
    render(&run, &gate(&run, None), &History::new(), &out).unwrap();
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("No baseline to compare with"));
}

#[test]
fn an_empty_run_is_an_error_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let run = perflab_schema::testing::run("machine", Vec::new());
    let err = render(&run, &gate(&run, None), &History::new(), &out).unwrap_err();
    assert!(matches!(err, ReportError::EmptyRun), "{err}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn artifacts_are_copied_and_missing_ones_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let svg = tmp.path().join("naive-vs-optimized.diff.svg");
    std::fs::write(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>").unwrap();
    let mut run = current();
    let artifact = |kind, path: &str| Artifact {
        scenario: "auto".into(),
        variant: "optimized".into(),
        benchmark: "complete/1k".into(),
        kind,
        path: path.into(),
        against: Some("naive".into()),
    };
    run.artifacts.push(artifact(
        ArtifactKind::DiffFlamegraph,
        "naive-vs-optimized.diff.svg",
    ));
    run.artifacts.push(artifact(
        ArtifactKind::Flamegraph,
        "/nonexistent/optimized.svg",
    ));
    // A file outside the run's directory is not copied into a site that may be published.
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("secret.txt");
    std::fs::write(&secret, "do not publish").unwrap();
    run.artifacts
        .push(artifact(ArtifactKind::Other, secret.to_str().unwrap()));
    let rendered = render(&run, &gate(&run, None), &History::new(), &out).unwrap();
    assert_eq!((rendered.copied, rendered.missing), (1, 2));
    let page =
        std::fs::read_to_string(out.join(crate::html::slug::bench_page("auto", "complete/1k")))
            .unwrap();
    assert!(page.contains("missing file"));
    assert!(page.contains("/nonexistent/optimized.svg"));
    assert!(page.contains("outside the run"), "{page}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("differential flamegraph"),
        "the highlight explains with the diff"
    );
    let copied = std::fs::read_dir(out.join("files")).unwrap().count();
    assert_eq!(copied, 1);
}

#[test]
fn a_previous_site_is_replaced_but_other_directories_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let run = current();
    let report = gate(&run, None);
    render(&run, &report, &History::new(), &out).unwrap();
    std::fs::write(out.join("stale.html"), "old").unwrap();
    render(&run, &report, &History::new(), &out).unwrap();
    assert!(!out.join("stale.html").exists());

    let precious = tmp.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("notes.txt"), "keep").unwrap();
    let err = render(&run, &report, &History::new(), &precious).unwrap_err();
    assert!(err.to_string().contains("precious"), "{err}");
    assert!(precious.join("notes.txt").exists());
}

/// The front page's model, as the templates see it: what a reader learns
/// first (gate outcome, highlights, regressions, scenario and bench rows).
#[test]
fn overview_model_snapshot() {
    let (run, base) = (current(), baseline());
    let report = gate(&run, Some(&base));
    let h = history(&base);
    let variants = [ScenarioVariants {
        scenario: "auto".into(),
        variants: vec!["naive".into(), "optimized".into()],
    }];
    let speedups = speedups(&run, &variants);
    let input = SiteInput {
        run: &run,
        run_dir: std::path::PathBuf::from("/runs"),
        run_label: "latest.json".into(),
        gate: &report,
        baseline_origin: Some("main/machine".into()),
        history: &h,
        variants: &variants,
        speedups: &speedups,
        warnings: Vec::new(),
        artifact_roots: Vec::new(),
    };
    let site = crate::html::model::build(&input).unwrap();
    insta::assert_json_snapshot!("overview", site.overview);
}

#[test]
fn growth_series_draw_as_curves_with_their_slope() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let mut run = current();
    let key = MeasurementKey {
        scenario: "auto".into(),
        variant: "naive".into(),
        benchmark: "complete/1k".into(),
        metric: MetricKind::HeapGrowth,
    };
    let series: Vec<f64> = (0..50).map(|i| 1000.0 + 64.0 * f64::from(i)).collect();
    run.measurements
        .push(Measurement::new(key, 64.0, Tool::Dhat).with_samples(series));
    run.normalize();
    render(&run, &gate(&run, None), &History::new(), &out).unwrap();
    let page =
        std::fs::read_to_string(out.join(crate::html::slug::bench_page("auto", "complete/1k")))
            .unwrap();
    let section = &page[page.find("id=\"metric-heap_growth\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(!section.contains("chart-distribution"));
    assert!(section.contains("per iteration (fitted slope"));
    assert!(
        section.contains("heap_growth per iteration"),
        "a growth curve, not a strip plot"
    );
}
