//! Render-time benchmark: a synthetic run of 1,000 benchmarks (10 scenarios
//! × 100, two variants, wall time with 100 samples and instructions each)
//! with 200 baseline history points per key, rendered to a temporary site.
//!
//! `cargo run --release -p perflab-render --example scale [BENCHMARKS] [HISTORY] [OUT]`
//!
//! Prints the time to evaluate the gate and to compute the speedups
//! (statistics, not rendering; the CLI does both before it renders), the time
//! to build and write the site, and the site's size. A benchmark, not a test:
//! nothing here asserts a time.

use perflab_render::html::{Commit, History, SiteInput, render_site};
use perflab_schema::{Interval, Measurement, MeasurementKey, MetricKind, Tool};
use std::time::Instant;

/// A tiny deterministic generator: inputs never depend on the clock.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let benches: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let points: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let mut rng = Lcg(42);
    let mut ms = Vec::new();
    for b in 0..benches {
        let scenario = format!("scenario{:02}", b % 10);
        let bench = format!("group{}/case_{b}", b % 7);
        for (variant, factor) in [("naive", 3.0), ("optimized", 1.0)] {
            let key = |metric| MeasurementKey {
                scenario: scenario.clone(),
                variant: variant.into(),
                benchmark: bench.clone(),
                metric,
            };
            let base = 1_000.0 + (b as f64) * 10.0;
            let samples: Vec<f64> = (0..100)
                .map(|_| base * factor * (0.95 + rng.next() * 0.1))
                .collect();
            ms.push(
                Measurement::new(key(MetricKind::WallTime), base * factor, Tool::Criterion)
                    .with_interval(Interval {
                        lower: base * factor * 0.98,
                        upper: base * factor * 1.02,
                        level: 0.95,
                    })
                    .with_samples(samples),
            );
            ms.push(Measurement::new(
                key(MetricKind::Instructions),
                base * factor * 1000.0,
                Tool::Gungraun,
            ));
        }
    }
    let run = perflab_schema::testing::run("scale", ms);
    // The baseline: every 50th benchmark's instructions were 10% lower.
    let mut baseline = run.clone();
    for (i, m) in baseline.measurements.iter_mut().enumerate() {
        if m.key.metric == MetricKind::Instructions && i % 50 == 0 {
            m.estimate *= 0.9;
        }
    }
    let mut history = History::new();
    for p in 0..points {
        let c = history.push_commit(Commit {
            id: format!("{p:040x}"),
            time: 1_700_000_000 + p as i64 * 3600,
            summary: format!("commit {p}"),
        });
        for m in &baseline.measurements {
            history.push_value(c, &m.key, m.estimate * (0.97 + rng.next() * 0.06));
        }
    }

    let t = Instant::now();
    let past = |k: &MeasurementKey| history.series(k).iter().map(|p| p.1).collect();
    let gate = perflab_gate::evaluate(
        &perflab_gate::Config::default(),
        Some(&baseline),
        &run,
        &past,
    );
    let gate_time = t.elapsed();
    // Every scenario's only pair; the CLI spreads this over the cores.
    let t = Instant::now();
    let speedups = perflab_compare::speedups(&run, "naive", "optimized");
    let speedup_time = t.elapsed();

    let dir = tempfile::tempdir().expect("a temporary directory");
    // A third argument keeps the site there for a look; else it is temporary.
    let out = args
        .next()
        .map_or_else(|| dir.path().join("site"), std::path::PathBuf::from);
    let input = SiteInput {
        run: &run,
        run_dir: dir.path().to_owned(),
        run_label: "synthetic".into(),
        gate: &gate,
        baseline_origin: Some("synthetic baseline".into()),
        history: &history,
        variants: &[],
        speedups: &speedups,
        warnings: Vec::new(),
        artifact_roots: Vec::new(),
    };
    // The model alone (grouping, sorting, words), then the whole render
    // again from scratch, model included.
    let t = Instant::now();
    let model = perflab_render::html::model::build(&input).expect("the synthetic model builds");
    let model_time = t.elapsed();
    drop(model);
    let t = Instant::now();
    let rendered = render_site(&input, &out, None).expect("the synthetic site renders");
    let render_time = t.elapsed();
    let index = std::fs::metadata(&rendered.index).map_or(0, |m| m.len());
    println!(
        "{benches} benchmarks x {points} history points ({} measurements)",
        run.measurements.len()
    );
    println!(
        "gate evaluation (statistics): {:.2} s",
        gate_time.as_secs_f64()
    );
    println!(
        "speedups with bootstrap intervals (statistics, one thread): {:.2} s",
        speedup_time.as_secs_f64()
    );
    println!("site model alone: {:.2} s", model_time.as_secs_f64());
    println!(
        "render (model + pages + charts + write): {:.2} s, {} pages, {:.1} MiB, index.html {:.0} KiB",
        render_time.as_secs_f64(),
        rendered.pages,
        rendered.bytes as f64 / (1024.0 * 1024.0),
        index as f64 / 1024.0
    );
}
