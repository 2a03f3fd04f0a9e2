//! The memory bench of the image worker (perflab tool `dhat`).
//!
//! Each part runs once per variant, each time in a fresh process
//! (perflab-memory's `isolate`: the naive variant's global debug buffers
//! would otherwise stay in the optimized variant's numbers):
//!
//! 1. `heap`: a few jobs under a dhat heap profiler: total, peak and
//!    leaked heap, and the DHAT JSON as a `heap_profile` artifact;
//! 2. `leak`: N jobs of distinct uploads with the counting allocator, the
//!    live heap and RSS read after every job; `heap_growth` and
//!    `rss_growth` (bytes per job, fitted, with the series as samples). The
//!    worker has a memory cap (RSS at the start plus a budget) that stands
//!    for the OOM killer: the naive variant hits it, which is reported as a
//!    warning ("naive crashed at job N: RSS X > cap Y"), and the growth is
//!    fitted over the jobs it did. The worker's `/metrics` text at the end
//!    and the per-job series (CSV) are kept as artifacts;
//! 3. `vips` (optimized only): time and peak RSS per image of the optimized
//!    worker (the `image-worker` binary) against `vipsthumbnail`
//!    (libvips-tools), each in a child process, on the same large inputs
//!    (100 megapixels among them in full mode); skipped with a warning when
//!    `vipsthumbnail` is not installed;
//! 4. `alloc` (optimized only): the same binary with the system allocator
//!    and with mimalloc (`image-worker-mimalloc`), and the system one with
//!    glibc's mmap threshold fixed, each as a child on one seeded workload
//!    of mixed sizes up to 24 megapixels: peak RSS, time, RSS and heap
//!    drift, and RSS over live heap (see `alloc.rs`).
//!
//! The parent adds each leak child's peak RSS (`leak` benchmark). Results go to
//! `$PERFLAB_FRAGMENT` when perflab runs the bench, files to
//! `$PERFLAB_ARTIFACT_DIR`, and a summary to stderr always.
//!
//! Sizes: `cargo bench` runs 2000 jobs with a 1 GiB budget; `PERFLAB_QUICK=1`
//! 200 jobs with 160 MiB; `cargo test --benches` (no `--bench` flag) 30
//! tiny jobs with a 4 MiB budget, so the crash path runs there too.
//! `PERFLAB_MEMORY_PARTS=alloc,vips` (comma-separated names) runs only
//! those parts.

mod alloc;
mod leak;
mod vips;

use std::process::ExitCode;
use std::sync::Arc;

use image_worker::generate::{ImageSpec, plan};
use image_worker::memory::mib;
use image_worker::{InputFormat, Job, JobInput};
use perflab_kit::{BenchOutput, RunMode};
use perflab_memory::CountingAlloc;
use perflab_memory::isolate::{ChildTask, run_variants, this_process_args};
use perflab_schema::Fragment;

/// Counts the live heap for the leak run; dhat underneath for the heap
/// profiles (it passes allocations through when no profiler runs).
#[global_allocator]
static ALLOC: CountingAlloc<dhat::Alloc> = CountingAlloc::new(dhat::Alloc);

const SCENARIO: &str = "image-worker";

/// Jobs of the leak run.
fn leak_jobs(mode: RunMode) -> u64 {
    match mode {
        RunMode::Full => 2000,
        RunMode::Quick => 200,
        RunMode::Test => 30,
    }
}

/// Memory above the starting RSS before the worker "crashes".
fn cap_budget(mode: RunMode) -> u64 {
    match mode {
        RunMode::Full => 1 << 30,
        RunMode::Quick => 160 << 20,
        RunMode::Test => 4 << 20,
    }
}

/// Jobs under the heap profiler.
fn profiled_jobs(mode: RunMode) -> usize {
    match mode {
        RunMode::Test => 2,
        _ => 5,
    }
}

/// Distinct input images, and their largest size in megapixels.
fn input_count(mode: RunMode) -> (usize, f64) {
    match mode {
        RunMode::Test => (4, 0.06),
        _ => (24, 0.5),
    }
}

/// Encoded upload images, shared by every job that uses them.
struct Inputs {
    specs: Vec<ImageSpec>,
    bytes: Vec<Arc<[u8]>>,
}

impl Inputs {
    fn generate(mode: RunMode) -> Result<Inputs, String> {
        let (count, max_mp) = input_count(mode);
        // At least 0.1 MP: the plan's smallest images are too small to matter.
        let specs: Vec<ImageSpec> = plan(count * 4, 2024, max_mp)
            .into_iter()
            .filter(|s| f64::from(s.width) * f64::from(s.height) >= max_mp * 0.2e6)
            .take(count)
            .collect();
        let bytes = specs
            .iter()
            .map(|s| {
                s.encode()
                    .map(Arc::from)
                    .map_err(|e| format!("{}: {e}", s.file_name()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Inputs { specs, bytes })
    }

    /// Job `i`: an upload with a name of its own, as a real service gets.
    fn job(&self, i: u64) -> Job {
        let k = i as usize % self.specs.len();
        let ext = match self.specs[k].format {
            InputFormat::Jpeg => "jpg",
            InputFormat::Png => "png",
        };
        Job::standard(JobInput::Bytes {
            name: format!("upload-{i:05}.{ext}"),
            bytes: Arc::clone(&self.bytes[k]),
        })
    }
}

/// Where perflab asked for the fragment (the parent's) and the artifacts
/// (`$PERFLAB_ARTIFACT_DIR`, the children's), or nowhere.
fn output() -> BenchOutput {
    BenchOutput::from_env(SCENARIO)
}

/// The parts of the bench, each run in fresh processes (one per variant).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    /// The leak run, with the counting allocator; its peak RSS.
    Leak,
    /// A few jobs under dhat. Apart, because symbolizing dhat's backtraces
    /// keeps the debug info in memory and would inflate the leak run's RSS.
    Heap,
    /// The optimized worker against `vipsthumbnail`. Apart, because a
    /// child's peak RSS is only known when its parent's is lower.
    Vips,
    /// The optimized worker binary with each allocator. Apart, for the
    /// same reason as `Vips`.
    Alloc,
}

impl Part {
    const ALL: [Part; 4] = [Part::Leak, Part::Heap, Part::Vips, Part::Alloc];

    fn name(self) -> &'static str {
        match self {
            Part::Leak => "leak",
            Part::Heap => "heap",
            Part::Vips => "vips",
            Part::Alloc => "alloc",
        }
    }

    fn variants(self) -> &'static [&'static str] {
        match self {
            Part::Vips | Part::Alloc => &["optimized"],
            _ => &["naive", "optimized"],
        }
    }

    /// The part a child was started for (`--part NAME`).
    fn from_args() -> Result<Part, String> {
        let args: Vec<String> = std::env::args().collect();
        let name = args
            .iter()
            .position(|a| a == PART_FLAG)
            .and_then(|i| args.get(i + 1))
            .ok_or("a child needs --part")?;
        Part::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| format!("unknown part {name:?}"))
    }
}

const PART_FLAG: &str = "--part";

/// Selects parts by name, comma-separated; unset or empty: all of them.
const PARTS_ENV: &str = "PERFLAB_MEMORY_PARTS";

/// The parts `PERFLAB_MEMORY_PARTS` asks for, in their usual order.
fn selected_parts() -> Result<Vec<Part>, String> {
    let Some(list) = std::env::var(PARTS_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
    else {
        return Ok(Part::ALL.to_vec());
    };
    let names: Vec<&str> = list.split(',').map(str::trim).collect();
    if let Some(bad) = names
        .iter()
        .find(|n| !Part::ALL.iter().any(|p| p.name() == **n))
    {
        return Err(format!(
            "{PARTS_ENV}: unknown part {bad:?} (expected leak, heap, vips or alloc)"
        ));
    }
    Ok(Part::ALL
        .into_iter()
        .filter(|p| names.contains(&p.name()))
        .collect())
}

fn main() -> ExitCode {
    let result = match ChildTask::from_env() {
        Some(task) => child(task),
        None => parent(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("image-worker memory bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parent() -> Result<(), String> {
    let mut fragment = Fragment::new(Vec::new());
    for part in selected_parts()? {
        let mut args = this_process_args();
        args.extend([PART_FLAG.into(), part.name().into()]);
        let runs =
            run_variants(part.variants(), &args).map_err(|e| format!("{}: {e}", part.name()))?;
        fragment.measurements.extend(runs.fragment.measurements);
        fragment.artifacts.extend(runs.fragment.artifacts);
        fragment.warnings.extend(runs.fragment.warnings);
        if part != Part::Leak {
            continue;
        }
        for run in &runs.runs {
            match run.peak_rss(SCENARIO, "leak") {
                Some(m) => {
                    eprintln!("{} leak: peak RSS {}", run.variant, mib(m.estimate as u64));
                    fragment.measurements.push(m);
                }
                None => fragment.warnings.push(format!(
                    "{}: peak RSS of the leak run unknown (not above the parent's)",
                    run.variant
                )),
            }
        }
    }
    for warning in &fragment.warnings {
        eprintln!("warning: {warning}");
    }
    output()
        .write_fragment(&fragment)
        .map_err(|e| e.to_string())
}

fn child(task: ChildTask) -> Result<(), String> {
    let variant: image_worker::Variant = task.variant.parse().map_err(|e| format!("{e}"))?;
    let mode = RunMode::detect();
    let part = Part::from_args()?;
    let store = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    let mut fragment = Fragment::new(Vec::new());
    match part {
        Part::Leak => leak::leak_run(
            variant,
            mode,
            &Inputs::generate(mode)?,
            store.path(),
            &mut fragment,
        )?,
        Part::Heap => leak::profile(
            variant,
            mode,
            &Inputs::generate(mode)?,
            store.path(),
            &mut fragment,
        )?,
        Part::Vips => vips::compare(mode, &mut fragment)?,
        Part::Alloc => alloc::compare(mode, &mut fragment)?,
    }
    task.finish(&fragment).map_err(|e| e.to_string())
}
