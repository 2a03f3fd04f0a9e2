//! dhat's heap profiler, in testing mode, on whole jobs: the optimized
//! worker frees everything a job allocated (the live heap after each job is
//! back where it was before it) and keeps each job's heap peak under a
//! stated bound; the naive worker keeps at least the input and the outputs
//! of every job, which is the leak.
//!
//! dhat counts every thread of the process (the worker's runtime and its
//! SQLite threads included), so this is a binary of its own with one test:
//! only one profiler may run at a time.

use std::path::{Path, PathBuf};

use image_worker::generate::{ImageSpec, write_set};
use image_worker::store::sqlite_url;
use image_worker::{InputFormat, Job, JobInput, Variant, Worker, WorkerConfig};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Each optimized job's heap peak, above the live heap before it, stays
/// under this many times the largest input's decoded size (RGB, 8 bits):
/// the decoded input itself, the `image` crate's resize, which works on an
/// f32 copy (4×) and an intermediate pass, the thumbnails and their
/// encodings. Measured: 7.4× (26 MiB for a 1280×960 input).
const JOB_PEAK_PER_DECODED_BYTE: u64 = 8;

/// What the worker's runtime and SQLite's threads hold now and then, apart
/// from any job: a 480-byte allocation made once at some point of the run
/// and a 48-byte buffer that some jobs grow and others give back (measured
/// with dhat over 24 jobs: after warm-up, every job ended between -1 and
/// +529 bytes from the level). A leak of 50 bytes or more per job leaves
/// this band within the 21 judged jobs; smaller leaks are the leak run's
/// job (2000 jobs, fitted slope).
/// A reading outside the band is retried for up to [`SETTLE`] first, for
/// what is only in flight.
const BACKGROUND_SLACK: u64 = 1024;
const SETTLE: std::time::Duration = std::time::Duration::from_millis(500);

/// Passes over the inputs, and how many jobs warm the worker up before
/// anything is judged: the store's connections and prepared statements
/// and the runtime reach their working size in the first jobs.
const PASSES: usize = 3;
const WARMUP_JOBS: usize = 3;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let specs: Vec<ImageSpec> = (0..8)
        .map(|index| ImageSpec {
            index,
            width: [640, 1280, 800, 1024][index % 4],
            height: [480, 960, 600, 768][index % 4],
            format: if index % 3 == 0 {
                InputFormat::Png
            } else {
                InputFormat::Jpeg
            },
            seed: 7 + index as u64,
        })
        .collect();
    write_set(dir, &specs).expect("writing the inputs")
}

fn live() -> u64 {
    dhat::HeapStats::get().curr_bytes as u64
}

/// The live heap once it is back within [`BACKGROUND_SLACK`] of `level`, or
/// as it stands after [`SETTLE`].
fn settled(level: u64) -> u64 {
    let until = std::time::Instant::now() + SETTLE;
    loop {
        let now = live();
        if now.abs_diff(level) <= BACKGROUND_SLACK || std::time::Instant::now() >= until {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Runs every input [`PASSES`] times through a fresh worker of `variant` and returns,
/// per job, the live heap before and after it.
fn run(variant: Variant, files: &[PathBuf], store: &Path) -> Vec<(u64, u64)> {
    // Only the optimized worker is expected to come back to where it was.
    let settles = variant == Variant::Optimized;
    let mut worker =
        Worker::new(variant, WorkerConfig::default(), &sqlite_url(store)).expect("a worker");
    // Allocated up front: a vector growing here would itself read as growth.
    let mut live_after = Vec::with_capacity(files.len() * PASSES);
    for (i, file) in std::iter::repeat_n(files, PASSES).flatten().enumerate() {
        let job = Job::standard(JobInput::Path(file.clone()));
        let before = live();
        let out = worker
            .process(&job)
            .unwrap_or_else(|e| panic!("{variant} job {i} ({}): {e}", file.display()));
        assert_eq!(out.outputs.len(), 3);
        drop(out);
        let after = if settles { settled(before) } else { live() };
        live_after.push((before, after));
    }
    worker.close();
    live_after
}

#[test]
fn optimized_frees_every_job_and_naive_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let input_bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let largest_decoded = files
        .iter()
        .map(|f| {
            let (w, h) = image::image_dimensions(f).unwrap();
            u64::from(w) * u64::from(h) * 3
        })
        .max()
        .unwrap();
    let _profiler = dhat::Profiler::builder().testing().build();

    // Optimized: after warm-up, every job ends at the same live heap, so
    // nothing accumulates from job to job.
    let at_start = live();
    let jobs = run(
        Variant::Optimized,
        &files,
        &dir.path().join("optimized.sqlite"),
    );
    let level = jobs[WARMUP_JOBS - 1].1;
    for (i, (_, after)) in jobs.iter().enumerate().skip(WARMUP_JOBS) {
        dhat::assert!(
            after.abs_diff(level) <= BACKGROUND_SLACK,
            "optimized job {i} ended with {after} bytes live, {} from the level after warm-up ({level})",
            *after as i64 - level as i64
        );
    }
    let peak = (dhat::HeapStats::get().max_bytes as u64).saturating_sub(at_start);
    let bound = JOB_PEAK_PER_DECODED_BYTE * largest_decoded;
    eprintln!(
        "optimized heap peak {:.1} MiB above the start: {:.1}× the largest decoded input",
        peak as f64 / 1048576.0,
        peak as f64 / largest_decoded as f64
    );
    dhat::assert!(
        peak <= bound,
        "optimized heap peak {peak} bytes above the start, bound {bound} \
         ({JOB_PEAK_PER_DECODED_BYTE}× the largest decoded input)"
    );
    // Closing the worker gives back its pool and runtime too.
    let after_close = live();
    dhat::assert!(
        after_close <= at_start + (64 << 10),
        "{} bytes still live after the optimized worker closed",
        after_close.saturating_sub(at_start)
    );

    // Naive: every job's input file (read whole) and outputs stay behind,
    // so the live heap grows by at least the inputs' size over a pass.
    let jobs = run(Variant::Naive, &files, &dir.path().join("naive.sqlite"));
    let grown = jobs.last().unwrap().1.saturating_sub(jobs[0].0);
    dhat::assert!(
        grown >= PASSES as u64 * input_bytes,
        "naive kept only {grown} bytes over {PASSES} passes of {input_bytes} bytes of input"
    );
    let growing = jobs.iter().filter(|(before, after)| after > before).count();
    dhat::assert_eq!(growing, jobs.len(), "every naive job leaves memory behind");
}
