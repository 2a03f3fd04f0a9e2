//! [`Worker`]: one variant's engine, the job store, the memory cap.
//!
//! The worker is synchronous (image work is CPU-bound); it owns a small
//! current-thread runtime for the store's async driver, so it must not be
//! called from inside another tokio runtime. Every job gets a row in the
//! store before it starts and its final state after; a failed job records
//! its full error text and the worker goes on. The memory cap stands for
//! the OOM killer: after each job the worker compares RSS (and the live
//! heap, when known) with the cap and, past it, stops for good with
//! [`JobError::Crashed`], leaving that job's row `running` as a killed
//! process would.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::decode::DecodeLimits;
use crate::job::{Job, JobError, JobOutput, OutputImage};
use crate::memory::MemorySources;
use crate::naive::NaiveEngine;
use crate::optimized::OptimizedEngine;
use crate::store::{self, OutputRecord, Store, StoreError};
use crate::{DecodePath, Variant};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Stop with [`JobError::Crashed`] when RSS or the live heap passes this.
    pub memory_cap_bytes: Option<u64>,
    /// Decode limits (optimized only: the naive variant has none).
    pub limits: DecodeLimits,
    /// Store connections of the optimized variant's pool.
    pub pool_size: u32,
    /// Write every thumbnail here as `<job>-<input stem>-<name>.<ext>`.
    pub output_dir: Option<PathBuf>,
    pub memory: MemorySources,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            memory_cap_bytes: None,
            limits: DecodeLimits::default(),
            pool_size: 4,
            output_dir: None,
            memory: MemorySources::default(),
        }
    }
}

/// Why a worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("cannot start the worker's runtime")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug)]
enum Engine {
    Naive(NaiveEngine),
    Optimized(OptimizedEngine),
}

/// A worker of either variant.
#[derive(Debug)]
pub struct Worker {
    variant: Variant,
    config: WorkerConfig,
    engine: Engine,
    store: Store,
    runtime: tokio::runtime::Runtime,
    run_id: String,
    next_index: u64,
    crashed: Option<(u64, u64, Option<u64>, u64)>,
}

impl Worker {
    /// A worker recording into the store at `store_url` (created if it is a
    /// missing SQLite file).
    pub fn new(
        variant: Variant,
        config: WorkerConfig,
        store_url: &str,
    ) -> Result<Worker, WorkerError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(WorkerError::Runtime)?;
        let pool = match variant {
            Variant::Naive => None,
            Variant::Optimized => Some(config.pool_size.max(1)),
        };
        let store = runtime.block_on(Store::open(store_url, pool))?;
        let engine = match variant {
            Variant::Naive => Engine::Naive(NaiveEngine::default()),
            Variant::Optimized => Engine::Optimized(OptimizedEngine::new(config.limits)),
        };
        Ok(Worker {
            variant,
            config,
            engine,
            store,
            runtime,
            run_id: new_run_id(variant),
            next_index: 0,
            crashed: None,
        })
    }

    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// The id that tags this worker's rows in the store.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Bytes the worker holds between jobs on purpose or by accident: the
    /// naive cache and debug buffers, or the optimized scratch buffers.
    pub fn retained_bytes(&self) -> u64 {
        match &self.engine {
            Engine::Naive(e) => e.retained_bytes(),
            Engine::Optimized(e) => e.retained_bytes(),
        }
    }

    /// The store's jobs of this worker.
    pub fn stored_jobs(&self) -> Result<Vec<store::JobRecord>, StoreError> {
        self.runtime.block_on(self.store.jobs(&self.run_id))
    }

    /// The outputs the store has for one job.
    pub fn stored_outputs(&self, store_id: i64) -> Result<Vec<OutputRecord>, StoreError> {
        self.runtime.block_on(self.store.outputs(store_id))
    }

    /// Runs one job: decode, thumbnails, store. A bad input fails this job
    /// only; [`JobError::Crashed`] ends the worker.
    pub fn process(&mut self, job: &Job) -> Result<JobOutput, JobError> {
        if let Some((job_index, rss, live_heap, cap)) = self.crashed {
            return Err(JobError::Crashed {
                job_index,
                rss,
                live_heap,
                cap,
            });
        }
        let job_index = self.next_index;
        self.next_index += 1;
        let input = job.input.name();
        let started = Instant::now();
        let store_error = |source| JobError::Store {
            input: input.clone(),
            job_index,
            source,
        };
        let Worker {
            store,
            runtime,
            engine,
            ..
        } = self;
        // Pooled connections must be dropped inside the runtime, whichever
        // way this function returns.
        let _context = runtime.enter();
        // Naive: a brand-new connection per job; optimized: from the pool.
        let mut session = runtime.block_on(store.session()).map_err(store_error)?;
        let id = runtime
            .block_on(session.begin(&self.run_id, job_index, self.variant.name(), &input))
            .map_err(store_error)?;
        let result = match engine {
            Engine::Naive(e) => e.run(job),
            Engine::Optimized(e) => e.run(job),
        }
        .and_then(|processed| {
            write_outputs(
                &self.config.output_dir,
                self.variant,
                job_index,
                &input,
                &processed.0,
            )?;
            Ok(processed)
        });
        if let Some(crash) = check_cap(&self.config, job_index) {
            self.crashed = Some(crash);
            let (job_index, rss, live_heap, cap) = crash;
            return Err(JobError::Crashed {
                job_index,
                rss,
                live_heap,
                cap,
            });
        }
        let took = started.elapsed();
        let output = match result {
            Ok((outputs, source, decode_path)) => {
                let records: Vec<OutputRecord> = outputs.iter().map(record).collect();
                runtime
                    .block_on(session.succeed(id, source, &records, took))
                    .map_err(store_error)?;
                Ok(output(
                    id,
                    job_index,
                    input.clone(),
                    source,
                    decode_path,
                    outputs,
                ))
            }
            Err(e) => {
                runtime
                    .block_on(session.fail(id, &e.chain(), took))
                    .map_err(store_error)?;
                Err(e)
            }
        };
        runtime.block_on(session.close()).map_err(store_error)?;
        output
    }

    /// Closes the store's pool.
    pub fn close(self) {
        self.runtime.block_on(self.store.close());
    }
}

fn output(
    store_id: i64,
    job_index: u64,
    input: String,
    (source_width, source_height): (u32, u32),
    decode_path: DecodePath,
    outputs: Vec<OutputImage>,
) -> JobOutput {
    JobOutput {
        store_id,
        job_index,
        input,
        source_width,
        source_height,
        decode_path,
        outputs,
    }
}

fn record(o: &OutputImage) -> OutputRecord {
    OutputRecord {
        name: o.name.clone(),
        format: o.format.extension().to_owned(),
        width: o.width,
        height: o.height,
        bytes: o.bytes.len() as u64,
        checksum: store::checksum(&o.bytes),
    }
}

/// `Some((job_index, rss, live_heap, cap))` when memory is past the cap.
fn check_cap(config: &WorkerConfig, job_index: u64) -> Option<(u64, u64, Option<u64>, u64)> {
    let cap = config.memory_cap_bytes?;
    let rss = config.memory.rss.read().unwrap_or(0);
    let live_heap = config.memory.live_heap.as_ref().and_then(|s| s.read());
    (rss > cap || live_heap.is_some_and(|h| h > cap)).then_some((job_index, rss, live_heap, cap))
}

fn new_run_id(variant: Variant) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{variant}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Writes a job's thumbnails. The optimized variant removes what it wrote
/// when a later write fails ([`PartialOutputs`]); the naive one leaves the
/// pieces behind.
fn write_outputs(
    dir: &Option<PathBuf>,
    variant: Variant,
    job_index: u64,
    input: &str,
    outputs: &[OutputImage],
) -> Result<(), JobError> {
    let Some(dir) = dir else { return Ok(()) };
    let stem = Path::new(input)
        .file_stem()
        .map_or_else(|| "input".to_owned(), |s| s.to_string_lossy().into_owned());
    let mut written = PartialOutputs(Vec::new());
    for o in outputs {
        let path = dir.join(format!(
            "{job_index:06}-{stem}-{}.{}",
            o.name,
            o.format.extension()
        ));
        fs::write(&path, &o.bytes).map_err(|source| JobError::Write {
            input: input.to_owned(),
            path: path.clone(),
            source,
        })?;
        if variant == Variant::Optimized {
            written.0.push(path);
        }
    }
    // Every file is written: keep them.
    written.0.clear();
    Ok(())
}

/// Files written for a job that has not finished; removed on drop.
struct PartialOutputs(Vec<PathBuf>);

impl Drop for PartialOutputs {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = fs::remove_file(path);
        }
    }
}
