//! Heap profiles with dhat 0.3, for a bench binary whose global allocator is
//! `dhat::Alloc`:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: dhat::Alloc = dhat::Alloc;
//!
//! let path = perflab_memory::dhat_profile::profile_path(&dir, "naive", "thumbnail/jpeg");
//! let run = perflab_memory::dhat_profile::profile_heap(&path, || worker.run(&jobs))?;
//! let measurements = run.measurements("image-worker", "naive", "thumbnail/jpeg");
//! let artifact = run.artifact("image-worker", "naive", "thumbnail/jpeg");
//! ```
//!
//! [`profile_heap`] runs a closure under a `dhat::Profiler` that writes the
//! DHAT JSON (format version 2, opens in DHAT's `dh_view.html`) to the path
//! given, and returns the closure's value with dhat's [`dhat::HeapStats`]
//! taken at the end: totals, the global peak (`max_*`) and what is still live
//! (`curr_*`, reported as leaked).
//!
//! **One profiler at a time, several per process.** Read in dhat 0.3.3's
//! source: the profiler is a global state machine `Ready → Running → Ready`;
//! `ProfilerBuilder::build` panics if one is running, and dropping the
//! profiler puts the state back to `Ready`, so a second profiler may be
//! created after the first is dropped. Blocks allocated before a profiler
//! started are handled: their frees are ignored and a `realloc` of one counts
//! as a new allocation. [`profile_heap`] takes a process-wide lock so two
//! threads never race to build one (it returns [`MemoryError::ProfilerBusy`]
//! instead of dhat's panic if a profiler was started outside it). What one
//! process cannot give is isolation: allocations of *every* thread count,
//! one-time initialisation (lazy statics, thread pools) is charged to
//! whichever variant runs first, and what an earlier variant leaked stays
//! in the process's RSS. For comparable variants run each in a fresh process
//! with [`crate::isolate`].
//!
//! What it does not do: install the global allocator (a binary chooses its
//! own), trim or symbolize stacks beyond dhat's defaults, or silence dhat's
//! three-line summary on stderr.

use crate::MemoryError;
use crate::measure::{HeapTotals, heap_measurements};
use perflab_schema::{Artifact, ArtifactKind, Measurement};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Serializes [`profile_heap`] calls: dhat panics on a second concurrent
/// profiler.
static PROFILER: Mutex<()> = Mutex::new(());

thread_local! {
    /// Set while this thread is inside [`profile_heap`]: a nested call would
    /// wait for the lock it holds.
    static PROFILING: Cell<bool> = const { Cell::new(false) };
}

/// Clears [`PROFILING`] however `profile_heap` ends, a panic in `f` included.
struct Profiling;

impl Drop for Profiling {
    fn drop(&mut self) {
        PROFILING.with(|p| p.set(false));
    }
}

/// A closure's value and its heap profile.
#[derive(Debug)]
pub struct HeapProfile<T> {
    /// What the closure returned.
    pub output: T,
    /// dhat's counters at the end of the closure.
    pub stats: dhat::HeapStats,
    /// Where the DHAT JSON was written.
    pub path: PathBuf,
}

impl<T> HeapProfile<T> {
    /// The counters as perflab's [`HeapTotals`].
    pub fn totals(&self) -> HeapTotals {
        HeapTotals::from(&self.stats)
    }

    /// The six heap measurements (see [`heap_measurements`]).
    pub fn measurements(&self, scenario: &str, variant: &str, benchmark: &str) -> Vec<Measurement> {
        heap_measurements(scenario, variant, benchmark, &self.totals())
    }

    /// The profile file as a [`ArtifactKind::HeapProfile`] artifact.
    pub fn artifact(&self, scenario: &str, variant: &str, benchmark: &str) -> Artifact {
        Artifact {
            scenario: scenario.to_owned(),
            variant: variant.to_owned(),
            benchmark: benchmark.to_owned(),
            kind: ArtifactKind::HeapProfile,
            path: self.path.display().to_string(),
            against: None,
        }
    }
}

/// A file name for a profile in `dir` (usually the directory in
/// [`perflab_schema::ARTIFACT_DIR_ENV`]): `<variant>-<benchmark>.dhat-heap.json`
/// with `/` in the benchmark turned into `-`.
pub fn profile_path(dir: &Path, variant: &str, benchmark: &str) -> PathBuf {
    dir.join(format!(
        "{variant}-{}.dhat-heap.json",
        benchmark.replace(['/', '\\'], "-")
    ))
}

/// Runs `f` under a dhat heap profiler that writes its DHAT JSON to `path`
/// (its directory is created), and returns `f`'s value with dhat's counters
/// at the end.
///
/// Errors: the directory or the file could not be written (dhat itself only
/// prints such errors, so the file is checked afterwards), the binary's
/// global allocator is not `dhat::Alloc` (checked with a probe allocation
/// when `f` allocated nothing, which then appears in the file as one 8-byte
/// block but not in the returned counters), or a profiler is already running
/// (started outside this function, or `profile_heap` called inside `f`).
pub fn profile_heap<T>(path: &Path, f: impl FnOnce() -> T) -> Result<HeapProfile<T>, MemoryError> {
    let write_error = |source| MemoryError::WriteProfile {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_error)?;
    }
    // A file left from an earlier run would hide a failed write.
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(write_error(e)),
        _ => {}
    }

    if PROFILING.with(|p| p.replace(true)) {
        return Err(MemoryError::ProfilerBusy {
            path: path.to_owned(),
        });
    }
    let _profiling = Profiling;
    let _one_at_a_time = PROFILER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let profiler = catch_unwind(AssertUnwindSafe(|| {
        dhat::Profiler::builder().file_name(path).build()
    }))
    .map_err(|_| MemoryError::ProfilerBusy {
        path: path.to_owned(),
    })?;
    let output = f();
    let stats = dhat::HeapStats::get();
    if stats.total_blocks == 0 {
        let probe = std::hint::black_box(Box::new(0u64));
        drop(probe);
        if dhat::HeapStats::get().total_blocks == 0 {
            drop(profiler);
            // dhat wrote an empty profile; it would mislead as an artifact.
            let _ = std::fs::remove_file(path);
            return Err(MemoryError::NotDhatAllocator {
                path: path.to_owned(),
            });
        }
    }
    drop(profiler);

    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > 0 => Ok(HeapProfile {
            output,
            stats,
            path: path.to_owned(),
        }),
        Ok(_) => Err(write_error(std::io::Error::other(
            "dhat wrote an empty file",
        ))),
        Err(e) => Err(write_error(e)),
    }
}

#[cfg(test)]
mod tests {
    //! Without `dhat::Alloc` installed (this is the library's test binary);
    //! profiling with it is tested in `tests/dhat.rs`.

    use super::*;

    #[test]
    fn profile_paths_are_flat_file_names() {
        let p = profile_path(Path::new("/tmp/a"), "naive", "thumbnail/jpeg");
        assert_eq!(p, Path::new("/tmp/a/naive-thumbnail-jpeg.dhat-heap.json"));
    }

    /// One test: both halves start a dhat profiler, and dhat allows one at a
    /// time per process.
    #[test]
    fn misuse_is_an_error_not_an_empty_profile_or_a_panic() {
        let dir = std::env::temp_dir().join(format!("perflab-memory-{}", std::process::id()));
        let path = dir.join("no-alloc.json");
        let err = profile_heap(&path, || vec![1u8; 1024].len()).unwrap_err();
        assert!(matches!(err, MemoryError::NotDhatAllocator { .. }), "{err}");
        assert!(err.to_string().contains("no-alloc.json"), "{err}");
        assert!(!path.exists(), "the empty profile is removed");

        // A profiler started outside `profile_heap` (dhat prints its panic
        // message; `profile_heap` returns an error instead of panicking).
        let outside = dhat::Profiler::builder().testing().build();
        let err = profile_heap(&dir.join("busy.json"), || ()).unwrap_err();
        assert!(matches!(err, MemoryError::ProfilerBusy { .. }), "{err}");
        drop(outside);

        // Nested: an error from the inner call, not a deadlock. (The outer
        // call fails too here, for want of dhat::Alloc.)
        let mut inner = None;
        let _ = profile_heap(&dir.join("outer.json"), || {
            inner = Some(profile_heap(&dir.join("inner.json"), || ()).map(|_| ()));
        });
        let inner = inner.expect("the outer closure ran");
        assert!(
            matches!(inner, Err(MemoryError::ProfilerBusy { .. })),
            "{inner:?}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
