//! The `heap` (dhat profile of a few jobs) and `leak` (N jobs, live heap and
//! RSS after each) parts of the memory bench.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use image_worker::memory::{MemorySource, MemorySources, current_rss_bytes, mib};
use image_worker::monitoring::Monitoring;
use image_worker::store::sqlite_url;
use image_worker::{JobError, Variant, Worker, WorkerConfig};
use perflab_kit::{BenchOutput, RunMode};
use perflab_memory::dhat_profile::{profile_heap, profile_path};
use perflab_memory::{LeakRule, MonitorConfig, growth_measurements, judge};
use perflab_schema::{ArtifactKind, Fragment, MetricKind};

use crate::{ALLOC, Inputs, SCENARIO, cap_budget, leak_jobs, output, profiled_jobs};

/// Growth per job that counts as a leak, for the verdict in the warnings
/// and the worker's runtime alert: well above what a pool or an allocator
/// settling down adds, far below what one retained image costs.
const LEAK_BYTES_PER_JOB: f64 = 16.0 * 1024.0;

/// Jobs run before the leak run by a worker of their own.
const WARM_UP_JOBS: u64 = 2;

/// Job indexes of the leak run start here, so its upload names differ
/// from the profiled jobs'.
const LEAK_FIRST_JOB: u64 = 1_000_000;

fn worker(
    variant: Variant,
    config: WorkerConfig,
    dir: &Path,
    name: &str,
) -> Result<Worker, String> {
    let url = sqlite_url(&dir.join(format!("{variant}-{name}.sqlite")));
    Worker::new(variant, config, &url).map_err(|e| format!("{variant} worker: {e}"))
}

/// A few jobs under dhat: heap totals and the DHAT JSON.
pub fn profile(
    variant: Variant,
    mode: RunMode,
    inputs: &Inputs,
    scratch: &Path,
    fragment: &mut Fragment,
) -> Result<(), String> {
    let benchmark = "heap";
    let output = output();
    let kept = output.artifact_dir().is_some();
    let dir = output.artifact_dir().unwrap_or(scratch);
    let path = profile_path(dir, variant.name(), benchmark);
    // Started outside the profile: the runtime and the store's tables are
    // not the jobs' doing.
    let mut w = worker(variant, WorkerConfig::default(), scratch, "heap")?;
    let jobs = profiled_jobs(mode) as u64;
    let run = profile_heap(&path, || {
        (0..jobs)
            .map(|i| w.process(&inputs.job(i)).map(|_| ()))
            .collect::<Result<Vec<()>, JobError>>()
    })
    .map_err(|e| format!("{variant} heap profile: {e}"))?;
    run.output
        .as_ref()
        .map_err(|e| format!("{variant} profiled job: {}", e.chain()))?;
    let t = run.totals();
    eprintln!(
        "{variant} heap ({jobs} jobs): {} allocated, peak {}, {} still live at the end",
        mib(t.total_bytes),
        mib(t.peak_bytes),
        mib(t.end_bytes)
    );
    fragment
        .measurements
        .extend(run.measurements(SCENARIO, variant.name(), benchmark));
    if kept {
        fragment
            .artifacts
            .push(run.artifact(SCENARIO, variant.name(), benchmark));
    }
    w.close();
    Ok(())
}

/// N jobs with the memory cap; growth of the live heap and RSS per job.
pub fn leak_run(
    variant: Variant,
    mode: RunMode,
    inputs: &Inputs,
    scratch: &Path,
    fragment: &mut Fragment,
) -> Result<(), String> {
    let benchmark = "leak";
    // Warm up first (runtime, SQLite, allocator arenas) with a worker of
    // its own, so the budget is for the jobs and not for start-up.
    let mut warm = worker(variant, WorkerConfig::default(), scratch, "warm-up")?;
    for i in 0..WARM_UP_JOBS {
        warm.process(&inputs.job(LEAK_FIRST_JOB - 1 - i))
            .map_err(|e| format!("{variant} warm-up job: {}", e.chain()))?;
    }
    warm.close();
    let start_rss = current_rss_bytes().ok_or("cannot read this process's RSS")?;
    let cap = start_rss + cap_budget(mode);
    let sources = MemorySources {
        rss: MemorySource::process_rss(),
        live_heap: Some(MemorySource::new(|| Some(ALLOC.snapshot().live_bytes))),
    };
    let config = WorkerConfig {
        memory_cap_bytes: Some(cap),
        memory: sources.clone(),
        ..WorkerConfig::default()
    };
    let mut w = worker(variant, config, scratch, "leak")?;
    let window = if mode == RunMode::Test { 8 } else { 50 };
    let mut monitoring = Monitoring::new(
        sources,
        MonitorConfig {
            rss_limit_bytes: None,
            max_growth_per_iter: Some(LEAK_BYTES_PER_JOB),
            window,
            warmup: window / 4,
        },
    )
    .map_err(|e| e.to_string())?;
    let jobs = leak_jobs(mode);
    // Allocated up front: a series growing as it is filled would be a
    // heap growth of its own (16 bytes a job).
    let (mut heap, mut rss) = (
        Vec::with_capacity(jobs as usize),
        Vec::with_capacity(jobs as usize),
    );
    let mut failures = Vec::new();
    let started = Instant::now();
    for i in 0..jobs {
        let job_started = Instant::now();
        let result = w.process(&inputs.job(LEAK_FIRST_JOB + i));
        if let Some(alert) = monitoring.after_job(i, job_started.elapsed(), result.is_ok()) {
            fragment
                .warnings
                .push(format!("{variant}: memory alert at job {i}: {alert}"));
        }
        let sample = monitoring.last_sample().ok_or("no memory sample")?;
        heap.push(sample.live_heap_bytes.unwrap_or(0) as f64);
        rss.push(sample.rss_bytes as f64);
        match result {
            Ok(_) => {}
            Err(JobError::Crashed {
                job_index,
                rss,
                live_heap,
                cap,
            }) => {
                let over = if rss > cap {
                    format!("RSS {} > cap {}", mib(rss), mib(cap))
                } else {
                    format!(
                        "live heap {} > cap {}",
                        mib(live_heap.unwrap_or(0)),
                        mib(cap)
                    )
                };
                let text = format!("{variant} crashed at job {job_index}: {over}");
                eprintln!("{text}");
                fragment.warnings.push(text);
                break;
            }
            Err(e) => failures.push(e.chain()),
        }
        if (i + 1) % (jobs / 10).max(1) == 0 {
            eprintln!(
                "{variant} leak: {}/{jobs} jobs, live heap {}, RSS {}, {:.1} s",
                i + 1,
                mib(sample.live_heap_bytes.unwrap_or(0)),
                mib(sample.rss_bytes),
                started.elapsed().as_secs_f64()
            );
        }
    }
    if let Some(first) = failures.first() {
        fragment.warnings.push(format!(
            "{variant}: {} leak-run jobs failed, first: {first}",
            failures.len()
        ));
    }
    let warmup = (heap.len() / 20).max(2);
    for (series, metric) in [
        (&heap, MetricKind::HeapGrowth),
        (&rss, MetricKind::RssGrowth),
    ] {
        let name = if metric == MetricKind::HeapGrowth {
            "live heap"
        } else {
            "RSS"
        };
        let rule = LeakRule {
            warmup,
            min_slope: LEAK_BYTES_PER_JOB,
            max_drift_pct: f64::INFINITY,
        };
        let verdict = judge(&rule, series);
        eprintln!("{variant} {name}: {}", verdict.describe("job"));
        if verdict.is_leak() {
            fragment
                .warnings
                .push(format!("{variant}: {name} {}", verdict.describe("job")));
        }
        match growth_measurements(
            SCENARIO,
            variant.name(),
            benchmark,
            &series[warmup.min(series.len())..],
            metric,
        ) {
            Ok(m) => fragment.measurements.push(m),
            Err(e) => fragment.warnings.push(format!("{variant}: {e}")),
        }
    }
    keep_files(&output(), variant, &monitoring, &heap, &rss, fragment)?;
    w.close();
    Ok(())
}

/// The `/metrics` text and the per-job series, as artifacts (when perflab
/// gave an artifact directory).
fn keep_files(
    output: &BenchOutput,
    variant: Variant,
    monitoring: &Monitoring,
    heap: &[f64],
    rss: &[f64],
    fragment: &mut Fragment,
) -> Result<(), String> {
    let mut csv = String::from("job,live_heap_bytes,rss_bytes\n");
    for (i, (h, r)) in heap.iter().zip(rss).enumerate() {
        let _ = writeln!(csv, "{i},{h},{r}");
    }
    let files = [
        (
            format!("{variant}-leak-metrics.txt"),
            monitoring.metrics().encode(),
            ArtifactKind::MetricsScrape,
        ),
        (
            format!("{variant}-leak-series.csv"),
            csv,
            ArtifactKind::Other,
        ),
    ];
    for (name, text, kind) in files {
        let kept = output
            .keep(variant.name(), "leak", kind, &name, text.as_bytes())
            .map_err(|e| e.to_string())?;
        fragment.artifacts.extend(kept);
    }
    Ok(())
}
