//! The `image-worker` command line, shared by the binaries that differ only
//! in their global allocator: `image-worker` (glibc malloc, `System`) and
//! `image-worker-mimalloc`. Each binary installs a counting allocator and
//! hands [`main_with`] an [`Allocator`] that reads it.
//!
//! ```text
//! image-worker generate --out DIR [--count N] [--seed S] [--max-megapixels M]
//! image-worker run --variant naive|optimized --input DIR [--jobs N] [--store URL]
//!                  [--memory-cap BYTES] [--metrics-addr 127.0.0.1:PORT] [--out DIR]
//!                  [--series FILE]
//! ```
//!
//! Exit codes: 0 every job ran (some may have failed on bad input; they
//! are listed), 1 the worker crashed at its memory cap, 2 any other error.
//! Every option has an `IMAGE_WORKER_*` environment variable; logs go to
//! stderr (`RUST_LOG`, default `info`). `--series FILE` writes one CSV line
//! per job (see [`SERIES_HEADER`]), for the memory bench's allocator
//! comparison.
//!
//! What it does not do: choose or install the allocator (a binary can only
//! do that in its own crate root), or measure anything it does not print.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use perflab_memory::{HeapSnapshot, MonitorConfig};

use crate::batch::{self, JobRecord, Progress};
use crate::memory::{ByteSize, MemorySource, MemorySources, mib};
use crate::monitoring::{Metrics, Monitoring};
use crate::{Variant, Worker, WorkerConfig, generate};

/// The global allocator a binary runs with, as the command line sees it.
#[derive(Debug, Clone, Copy)]
pub struct Allocator {
    /// Its name in the start line, the summary and the series file:
    /// `system`, `mimalloc`.
    pub name: &'static str,
    /// What `--version` prints, e.g. `0.1.0 (allocator: system)`.
    pub version: &'static str,
    /// The counting allocator's counters.
    pub heap: fn() -> HeapSnapshot,
    /// Starts a new heap peak, so the series has each job's own.
    pub reset_peak: fn(),
}

/// The first line of a `--series` file. Bytes are the live heap as the
/// counting allocator sees it (sizes asked for) and the process RSS, both
/// read right after the job; `heap_peak_bytes` is the job's largest live
/// heap.
pub const SERIES_HEADER: &str =
    "job,input,ok,elapsed_ms,rss_bytes,live_heap_bytes,heap_peak_bytes,allocator";

#[derive(Debug, Parser)]
#[command(
    name = "image-worker",
    version,
    about = "An image worker that leaks (naive) or does not (optimized)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write seeded, photograph-like JPEG/PNG images of mixed sizes.
    Generate {
        #[arg(long, env = "IMAGE_WORKER_GENERATE_OUT")]
        out: PathBuf,
        #[arg(long, default_value_t = 100, env = "IMAGE_WORKER_GENERATE_COUNT")]
        count: usize,
        #[arg(long, default_value_t = 1, env = "IMAGE_WORKER_SEED")]
        seed: u64,
        #[arg(long, default_value_t = generate::DEFAULT_MAX_MEGAPIXELS, env = "IMAGE_WORKER_MAX_MEGAPIXELS")]
        max_megapixels: f64,
    },
    /// Process a folder of JPEG/PNG files with one variant.
    Run(RunArgs),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    #[arg(long, env = "IMAGE_WORKER_VARIANT")]
    variant: Variant,
    #[arg(long, env = "IMAGE_WORKER_INPUT")]
    input: PathBuf,
    /// Jobs to run, cycling over the files (default: one per file).
    #[arg(long, env = "IMAGE_WORKER_JOBS")]
    jobs: Option<u64>,
    #[arg(
        long,
        default_value = "sqlite://image-worker.sqlite?mode=rwc",
        env = "IMAGE_WORKER_STORE"
    )]
    store: String,
    /// Stop as the OOM killer would when RSS or the live heap passes this.
    #[arg(long, env = "IMAGE_WORKER_MEMORY_CAP")]
    memory_cap: Option<ByteSize>,
    /// Serve Prometheus metrics on http://ADDR/metrics.
    #[arg(long, env = "IMAGE_WORKER_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Alert when RSS passes this.
    #[arg(long, env = "IMAGE_WORKER_RSS_ALERT")]
    rss_alert: Option<ByteSize>,
    /// Alert when RSS or the live heap grows faster than this per job.
    #[arg(long, default_value = "64K", env = "IMAGE_WORKER_GROWTH_ALERT")]
    growth_alert: ByteSize,
    /// Jobs in the sliding window the growth alert judges.
    #[arg(long, default_value_t = 50, env = "IMAGE_WORKER_ALERT_WINDOW")]
    alert_window: usize,
    /// Print a progress line to stderr every this many jobs.
    #[arg(long, default_value_t = 50, env = "IMAGE_WORKER_PROGRESS_EVERY")]
    progress_every: u64,
    /// Write every thumbnail into this folder.
    #[arg(long, env = "IMAGE_WORKER_OUT")]
    out: Option<PathBuf>,
    /// Write RSS and live heap after every job to this CSV file.
    #[arg(long, env = "IMAGE_WORKER_SERIES")]
    series: Option<PathBuf>,
}

/// The whole program: parses the arguments, runs the command, prints the
/// error (exit code 2) if there is one.
pub fn main_with(allocator: Allocator) -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let matches = Cli::command().version(allocator.version).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Command::Generate {
            out,
            count,
            seed,
            max_megapixels,
        } => generate_set(&out, count, seed, max_megapixels).map(|()| ExitCode::SUCCESS),
        Command::Run(args) => run(args, allocator),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(2)
    })
}

fn generate_set(out: &Path, count: usize, seed: u64, max_mp: f64) -> anyhow::Result<()> {
    let specs = generate::plan(count, seed, max_mp);
    let paths = generate::write_set(out, &specs)?;
    let pixels: f64 = specs
        .iter()
        .map(|s| f64::from(s.width) * f64::from(s.height))
        .sum();
    eprintln!(
        "wrote {} images ({:.1} megapixels in all) to {}",
        paths.len(),
        pixels / 1e6,
        out.display()
    );
    Ok(())
}

fn run(args: RunArgs, allocator: Allocator) -> anyhow::Result<ExitCode> {
    let inputs = batch::list_inputs(&args.input)?;
    let jobs = args.jobs.unwrap_or(inputs.len() as u64);
    let heap = allocator.heap;
    let sources = MemorySources {
        rss: MemorySource::process_rss(),
        live_heap: Some(MemorySource::new(move || Some(heap().live_bytes))),
    };
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut series = args.series.as_deref().map(SeriesFile::create).transpose()?;
    let config = WorkerConfig {
        memory_cap_bytes: args.memory_cap.map(|b| b.0),
        output_dir: args.out.clone(),
        memory: sources.clone(),
        ..WorkerConfig::default()
    };
    let mut worker = Worker::new(args.variant, config, &args.store)
        .with_context(|| format!("starting the {} worker", args.variant))?;
    let mut monitoring = Monitoring::new(
        sources,
        MonitorConfig {
            rss_limit_bytes: args.rss_alert.map(|b| b.0),
            max_growth_per_iter: Some(args.growth_alert.0 as f64),
            window: args.alert_window,
            warmup: args.alert_window.min(20),
        },
    )
    .context("configuring memory alerts")?;
    if let Some(addr) = args.metrics_addr {
        let local = serve_metrics(addr, monitoring.metrics())?;
        eprintln!("metrics on http://{local}/metrics");
    }
    let variant = args.variant;
    eprintln!(
        "[{variant}] {jobs} jobs over {} files, {} allocator",
        inputs.len(),
        allocator.name
    );
    // Each job's heap peak goes to the series; the largest to the summary.
    let mut heap_peak = 0;
    (allocator.reset_peak)();
    let summary = batch::run_batch(
        &mut worker,
        &mut monitoring,
        &inputs,
        jobs,
        args.progress_every,
        |p| eprintln!("[{variant}] {}", progress_line(p)),
        |job| {
            let job_peak = (allocator.heap)().peak_bytes;
            (allocator.reset_peak)();
            heap_peak = heap_peak.max(job_peak);
            if let Some(file) = &mut series {
                file.record(job, job_peak, allocator.name);
            }
        },
    )?;
    worker.close();
    if let Some(file) = series {
        file.finish()?;
    }
    eprintln!(
        "[{variant}] finished: {} done, {} failed in {:.1} s; {}; {} allocator, heap peak {}",
        summary.done,
        summary.failed,
        summary.elapsed.as_secs_f64(),
        memory_text(summary.memory),
        allocator.name,
        mib(heap_peak),
    );
    for failure in &summary.failures {
        eprintln!("  failed: {failure}");
    }
    for alert in &summary.alerts {
        eprintln!("  alert: {alert}");
    }
    Ok(match summary.crashed {
        Some(crash) => {
            eprintln!("[{variant}] {crash}");
            ExitCode::from(1)
        }
        None => ExitCode::SUCCESS,
    })
}

/// The `--series` CSV, written as the jobs finish. The first write error
/// is kept and reported at the end, so a full disk cannot stop a batch
/// half-way with nothing said.
struct SeriesFile {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    error: Option<std::io::Error>,
}

impl SeriesFile {
    fn create(path: &Path) -> anyhow::Result<SeriesFile> {
        let file = std::fs::File::create(path)
            .with_context(|| format!("creating the series file {}", path.display()))?;
        let mut series = SeriesFile {
            path: path.to_owned(),
            out: std::io::BufWriter::new(file),
            error: None,
        };
        let header = writeln!(series.out, "{SERIES_HEADER}");
        series.keep(header);
        Ok(series)
    }

    fn record(&mut self, job: &JobRecord<'_>, heap_peak: u64, allocator: &str) {
        let (rss, live) = job
            .memory
            .map_or((None, None), |m| (Some(m.rss_bytes), m.live_heap_bytes));
        let number = |v: Option<u64>| v.map_or_else(String::new, |v| v.to_string());
        // Input names come from a folder listing: no commas or quotes in
        // the generated ones, but a user's may have them.
        let name = job.input.file_name().map_or_else(String::new, |n| {
            n.to_string_lossy().replace([',', '"'], "_")
        });
        let line = writeln!(
            self.out,
            "{},{name},{},{:.3},{},{},{heap_peak},{allocator}",
            job.index,
            job.ok,
            job.elapsed.as_secs_f64() * 1e3,
            number(rss),
            number(live),
        );
        self.keep(line);
    }

    fn keep(&mut self, written: std::io::Result<()>) {
        if let Err(e) = written {
            self.error.get_or_insert(e);
        }
    }

    fn finish(mut self) -> anyhow::Result<()> {
        let flushed = self.out.flush();
        self.keep(flushed);
        match self.error {
            Some(e) => Err(e).with_context(|| format!("writing {}", self.path.display())),
            None => Ok(()),
        }
    }
}

fn progress_line(p: &Progress) -> String {
    format!(
        "{}/{} jobs ({} failed), {}, {:.1} s",
        p.done + p.failed,
        p.total,
        p.failed,
        memory_text(p.memory),
        p.elapsed.as_secs_f64()
    )
}

fn memory_text(sample: Option<perflab_memory::MemorySample>) -> String {
    match sample {
        Some(s) => format!(
            "RSS {}, live heap {}",
            mib(s.rss_bytes),
            s.live_heap_bytes.map_or_else(|| "n/a".to_owned(), mib)
        ),
        None => "no memory reading".to_owned(),
    }
}

/// Serves `/metrics` on its own thread and runtime; returns the bound address.
fn serve_metrics(addr: SocketAddr, metrics: Arc<Metrics>) -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the metrics runtime")?;
    std::thread::Builder::new()
        .name("metrics".into())
        .spawn(move || {
            let served = runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                crate::monitoring::serve(listener, metrics).await
            });
            if let Err(e) = served {
                tracing::error!("metrics server stopped: {e}");
            }
        })
        .context("starting the metrics thread")?;
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
