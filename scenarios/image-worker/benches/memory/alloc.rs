//! The `alloc` part of the memory bench: the optimized worker with the
//! system allocator (glibc malloc) against mimalloc, measured, not assumed.
//!
//! One fixed, seeded workload (the generator's mixed sizes up to 24
//! megapixels, large inputs interleaved with small ones, written by the
//! worker binary's own `generate` so this process stays small) runs through
//! each [`CONFIGS`] entry: a worker binary and the allocator tuning
//! (glibc's `MALLOC_*`, mimalloc's `MIMALLOC_*`) it starts with. Each run
//! is a child process measured with perflab-memory's `measure_child` after
//! resetting this process's peak RSS; the worker writes its RSS, live heap
//! and heap peak after every job (`--series`), which this part reads back.
//!
//! Per configuration (variant `optimized`, benchmark `alloc/<name>`):
//! `peak_rss`, `wall_time` of the whole run, `rss_growth` and `heap_growth`
//! (fitted after warm-up, the series as samples) and `heap_peak_bytes` (the
//! largest job's live-heap peak: the same for every allocator, so the RSS
//! numbers have a common yardstick). The fragmentation figure, RSS over
//! live heap at the end and as medians after warm-up, has no metric kind:
//! it goes into the fragment's warnings and the stderr summary. The series
//! CSVs and the workers' logs are kept in `$PERFLAB_ARTIFACT_DIR`.
//!
//! What it does not do: repeat runs (one run per configuration; its wall
//! time is one sample), or judge which allocator is better.

use std::path::Path;
use std::process::{Command, Stdio};

use image_worker::memory::mib;
use image_worker::store::sqlite_url;
use perflab_kit::RunMode;
use perflab_memory::{growth_measurements, measure_child, reset_peak_rss};
use perflab_schema::{ArtifactKind, Fragment, Measurement, MeasurementKey, MetricKind, Tool};

use crate::{SCENARIO, output};

/// A worker binary and the environment it runs with.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// The benchmark is `alloc/<name>`.
    pub name: &'static str,
    pub binary: &'static str,
    /// Set in the worker's environment (glibc reads `MALLOC_*` at start).
    pub env: &'static [(&'static str, &'static str)],
}

const SYSTEM: &str = env!("CARGO_BIN_EXE_image-worker");
const MIMALLOC: &str = env!("CARGO_BIN_EXE_image-worker-mimalloc");

/// The configurations, in the order they run and are printed.
pub const CONFIGS: [Config; 4] = [
    Config {
        name: "system",
        binary: SYSTEM,
        env: &[],
    },
    Config {
        name: "mimalloc",
        binary: MIMALLOC,
        env: &[],
    },
    // glibc raises its mmap threshold (up to 32 MiB) each time it frees
    // an mmapped block, and its trim threshold to twice that, after which
    // large buffers come from the heap and their pages stay when freed.
    // Setting either threshold turns the raising off (mallopt(3)); both
    // then stay at 128 KiB. The question: is the system allocator's RSS
    // above the live heap this retention? (MALLOC_TRIM_THRESHOLD_=131072
    // does the same, and measured the same.)
    Config {
        name: "system-mmap-threshold-128k",
        binary: SYSTEM,
        env: &[("MALLOC_MMAP_THRESHOLD_", "131072")],
    },
    // mimalloc returns freed pages to the OS after a delay (10 ms by
    // default), and only when it is next called; 0 returns them at once.
    Config {
        name: "mimalloc-purge-delay-0",
        binary: MIMALLOC,
        env: &[("MIMALLOC_PURGE_DELAY", "0")],
    },
];

/// Whether `var` tunes glibc malloc or mimalloc: such variables are
/// removed from every worker's environment, so only its configuration's
/// own apply.
fn tunes_an_allocator(var: &str) -> bool {
    var.starts_with("MALLOC_") || var.starts_with("MIMALLOC_") || var == "GLIBC_TUNABLES"
}

/// The seed of the workload's images.
const SEED: u64 = 2026;

/// (distinct images, largest in megapixels, jobs cycling over them).
fn alloc_workload(mode: RunMode) -> (usize, f64, u64) {
    match mode {
        RunMode::Full => (40, 24.0, 300),
        RunMode::Quick => (16, 24.0, 64),
        RunMode::Test => (4, 0.1, 10),
    }
}

/// What one configuration's run measured.
#[derive(Debug)]
struct Outcome {
    name: &'static str,
    peak_rss: Option<u64>,
    wall_s: f64,
    /// CPU time in user mode and in the kernel (page faults show here).
    user_s: f64,
    system_s: f64,
    rows: Vec<JobRow>,
    warmup: usize,
}

pub fn compare(mode: RunMode, fragment: &mut Fragment) -> Result<(), String> {
    let scratch =
        tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    let output = output();
    let kept = output.artifact_dir().is_some();
    let files = output.artifact_dir().unwrap_or(scratch.path()).to_owned();
    std::fs::create_dir_all(&files).map_err(|e| format!("creating {}: {e}", files.display()))?;
    let images = scratch.path().join("images");
    let (count, max_mp, jobs) = alloc_workload(mode);
    generate(&images, count, max_mp)?;
    let mut outcomes = Vec::with_capacity(CONFIGS.len());
    for config in CONFIGS {
        let outcome = run_one(&config, &images, jobs, scratch.path(), &files)?;
        record(&outcome, fragment);
        if kept {
            for file in ["series.csv", "log.txt"] {
                fragment.artifacts.push(output.artifact(
                    "optimized",
                    &format!("alloc/{}", config.name),
                    ArtifactKind::Other,
                    &files.join(format!("alloc-{}-{file}", config.name)),
                ));
            }
        }
        outcomes.push(outcome);
    }
    eprintln!("alloc: {jobs} jobs over {count} images up to {max_mp} MP (seed {SEED})");
    for outcome in &outcomes {
        eprintln!("  {}: {}", outcome.name, summary_line(outcome));
    }
    Ok(())
}

/// Writes the workload's images with the worker binary, in a child, so
/// rendering 24-megapixel images does not raise this process's RSS (and
/// with it the floor under every child's peak RSS).
fn generate(dir: &Path, count: usize, max_mp: f64) -> Result<(), String> {
    let status = Command::new(SYSTEM)
        .args(["generate", "--count", &count.to_string()])
        .args(["--seed", &SEED.to_string()])
        .args(["--max-megapixels", &max_mp.to_string()])
        .arg("--out")
        .arg(dir)
        .env_remove("RUST_LOG")
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("running {SYSTEM} generate: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{SYSTEM} generate --out {}: {status}",
            dir.display()
        ))
    }
}

fn run_one(
    config: &Config,
    images: &Path,
    jobs: u64,
    scratch: &Path,
    files: &Path,
) -> Result<Outcome, String> {
    let series_path = files.join(format!("alloc-{}-series.csv", config.name));
    let log_path = files.join(format!("alloc-{}-log.txt", config.name));
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("creating {}: {e}", log_path.display()))?;
    let store = sqlite_url(&scratch.join(format!("alloc-{}.sqlite", config.name)));
    let mut cmd = Command::new(config.binary);
    cmd.args(["run", "--variant", "optimized", "--jobs", &jobs.to_string()])
        .args(["--store", &store, "--progress-every"])
        .arg((jobs / 10).max(1).to_string())
        .arg("--input")
        .arg(images)
        .arg("--series")
        .arg(&series_path)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(log);
    for (var, _) in std::env::vars_os() {
        if var.to_str().is_some_and(tunes_an_allocator) {
            cmd.env_remove(var);
        }
    }
    cmd.envs(config.env.iter().copied());
    if let Err(e) = reset_peak_rss() {
        eprintln!(
            "alloc/{}: {e}; its peak RSS may read as unknown",
            config.name
        );
    }
    let usage = measure_child(&mut cmd).map_err(|e| format!("alloc/{}: {e}", config.name))?;
    if !usage.status.success() {
        return Err(format!(
            "alloc/{}: the worker failed ({}); see {}",
            config.name,
            usage.status,
            log_path.display()
        ));
    }
    let rows = read_series(&series_path)?;
    let failed = rows.iter().filter(|r| !r.ok).count();
    if failed > 0 || rows.len() as u64 != jobs {
        return Err(format!(
            "alloc/{}: {} of {jobs} jobs in {}, {failed} failed; see {}",
            config.name,
            rows.len(),
            series_path.display(),
            log_path.display()
        ));
    }
    Ok(Outcome {
        name: config.name,
        peak_rss: usage.child_peak_rss_bytes(),
        wall_s: usage.wall.as_secs_f64(),
        user_s: usage.user_time.as_secs_f64(),
        system_s: usage.system_time.as_secs_f64(),
        warmup: (rows.len() / 10).max(2),
        rows,
    })
}

/// The measurements of one configuration, and its fragmentation line in
/// the warnings.
fn record(o: &Outcome, fragment: &mut Fragment) {
    let benchmark = format!("alloc/{}", o.name);
    let key = |metric| MeasurementKey {
        scenario: SCENARIO.into(),
        variant: "optimized".into(),
        benchmark: benchmark.clone(),
        metric,
    };
    let m = &mut fragment.measurements;
    m.push(Measurement::new(
        key(MetricKind::WallTime),
        o.wall_s * 1e9,
        Tool::Dhat,
    ));
    match o.peak_rss {
        Some(peak) => m.push(Measurement::new(
            key(MetricKind::PeakRss),
            peak as f64,
            Tool::Dhat,
        )),
        None => fragment.warnings.push(format!(
            "{benchmark}: peak RSS unknown (not above this process's own)"
        )),
    }
    let heap_peak = o.rows.iter().map(|r| r.heap_peak).max().unwrap_or(0);
    m.push(Measurement::new(
        key(MetricKind::HeapPeakBytes),
        heap_peak as f64,
        Tool::Dhat,
    ));
    let after = &o.rows[o.warmup.min(o.rows.len())..];
    let rss: Vec<f64> = after.iter().map(|r| r.rss as f64).collect();
    let heap: Vec<f64> = after.iter().map(|r| r.live_heap as f64).collect();
    for (series, metric) in [
        (&rss, MetricKind::RssGrowth),
        (&heap, MetricKind::HeapGrowth),
    ] {
        match growth_measurements(SCENARIO, "optimized", &benchmark, series, metric) {
            Ok(g) => m.push(g),
            Err(e) => fragment.warnings.push(e.to_string()),
        }
    }
    fragment.warnings.push(format!(
        "{benchmark}, RSS against live heap (no metric kind for this): {}",
        summary_line(o)
    ));
}

/// "peak RSS X, end RSS Y over live heap Z (ratio R), …". The live heap
/// after a job is small next to what any process keeps resident (code,
/// stacks, SQLite's page cache), so the line also sets the end RSS against
/// the largest heap any one job needed.
fn summary_line(o: &Outcome) -> String {
    let last = o.rows.last().copied().unwrap_or_default();
    let after = &o.rows[o.warmup.min(o.rows.len())..];
    let med_rss = median(after.iter().map(|r| r.rss));
    let med_heap = median(after.iter().map(|r| r.live_heap));
    let min_rss = o.rows.iter().map(|r| r.rss).min().unwrap_or(0);
    let heap_peak = o.rows.iter().map(|r| r.heap_peak).max().unwrap_or(0);
    let ratio = |a: u64, b: u64| {
        if b == 0 {
            "n/a".to_owned()
        } else {
            format!("{:.1}", a as f64 / b as f64)
        }
    };
    let slope = |series: Vec<f64>| match perflab_memory::fit_growth(&series) {
        Some(g) if g.slope.abs() >= 1024.0 => format!("{:+.1} KiB/job", g.slope / 1024.0),
        Some(g) => format!("{:+.0} B/job", g.slope),
        None => "n/a".to_owned(),
    };
    format!(
        "peak RSS {}, end RSS {} over live heap {} (ratio {}); after warm-up median RSS {} \
         over median live heap {} (ratio {}); lowest RSS {}, largest job heap peak {} \
         (end RSS over it {}); RSS drift {}, heap drift {}; {:.1} s ({:.1} s user, {:.1} s system)",
        o.peak_rss.map_or_else(|| "unknown".to_owned(), mib),
        mib(last.rss),
        mib(last.live_heap),
        ratio(last.rss, last.live_heap),
        mib(med_rss),
        mib(med_heap),
        ratio(med_rss, med_heap),
        mib(min_rss),
        mib(heap_peak),
        ratio(last.rss, heap_peak),
        slope(after.iter().map(|r| r.rss as f64).collect()),
        slope(after.iter().map(|r| r.live_heap as f64).collect()),
        o.wall_s,
        o.user_s,
        o.system_s,
    )
}

/// One line of a worker's `--series` file (see `image_worker::cli`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct JobRow {
    ok: bool,
    rss: u64,
    live_heap: u64,
    heap_peak: u64,
}

/// Reads a `--series` file; errors name the file, the line and the column.
fn read_series(path: &Path) -> Result<Vec<JobRow>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut lines = text.lines();
    if lines.next() != Some(image_worker::cli::SERIES_HEADER) {
        return Err(format!(
            "{}: the first line is not the series header {:?}",
            path.display(),
            image_worker::cli::SERIES_HEADER
        ));
    }
    lines
        .enumerate()
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split(',').collect();
            let number = |column: usize, name: &str| {
                fields
                    .get(column)
                    .and_then(|f| f.parse::<u64>().ok())
                    .ok_or_else(|| format!("{} line {}: no {name} number", path.display(), i + 2))
            };
            Ok(JobRow {
                ok: fields.get(2) == Some(&"true"),
                rss: number(4, "rss_bytes")?,
                live_heap: number(5, "live_heap_bytes")?,
                heap_peak: number(6, "heap_peak_bytes")?,
            })
        })
        .collect()
}

/// The median (the lower middle one of an even count); 0 when empty.
fn median(values: impl Iterator<Item = u64>) -> u64 {
    let mut v: Vec<u64> = values.collect();
    v.sort_unstable();
    v.get(v.len().saturating_sub(1) / 2).copied().unwrap_or(0)
}
