//! Leaks and the memory cap: the naive worker keeps something from every
//! job, the optimized one keeps a bounded scratch; past the cap a worker
//! stops with `Crashed`, not a panic.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use image_worker::memory::{MemorySource, MemorySources};
use image_worker::store::JobState;
use image_worker::{InputFormat, JobError, Variant, WorkerConfig};

use crate::common::{spec, spec_job, worker, worker_with};

#[test]
fn naive_retains_every_job_and_optimized_nothing_but_scratch() {
    let dir = tempfile::tempdir().unwrap();
    let mut naive = worker(dir.path(), Variant::Naive);
    let mut optimized = worker(dir.path(), Variant::Optimized);
    let mut last = naive.retained_bytes();
    for i in 0..6 {
        let job = spec_job(&spec(i, 200 + 40 * i as u32, 150, InputFormat::Jpeg));
        naive.process(&job).unwrap();
        optimized.process(&job).unwrap();
        let now = naive.retained_bytes();
        // At least the decoded pixels of this job stay behind.
        assert!(now >= last + 200 * 150 * 3, "job {i}: {last} -> {now}");
        last = now;
        assert!(
            optimized.retained_bytes() <= 1 << 20,
            "{}",
            optimized.retained_bytes()
        );
    }
}

#[test]
fn passing_the_cap_is_a_typed_crash_and_the_worker_stays_down() {
    let dir = tempfile::tempdir().unwrap();
    // A fake live heap that grows 10 MB per reading (one reading per job).
    let readings = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&readings);
    let config = WorkerConfig {
        memory_cap_bytes: Some(35_000_000),
        memory: MemorySources {
            rss: MemorySource::new(|| Some(1)),
            live_heap: Some(MemorySource::new(move || {
                Some((counter.fetch_add(1, Ordering::SeqCst) + 1) * 10_000_000)
            })),
        },
        ..WorkerConfig::default()
    };
    let mut w = worker_with(dir.path(), Variant::Naive, config);
    let job = spec_job(&spec(0, 64, 48, InputFormat::Png));
    for _ in 0..3 {
        w.process(&job).expect("under the cap");
    }
    let err = w.process(&job).unwrap_err();
    match err {
        JobError::Crashed {
            job_index: 3,
            live_heap: Some(40_000_000),
            cap: 35_000_000,
            ..
        } => {}
        ref other => panic!("{other:?}"),
    }
    assert!(err.is_fatal());
    assert!(
        err.to_string().contains("crashed (out of memory) at job 3"),
        "{err}"
    );
    // Dead: the next job is refused the same way, without running.
    assert!(matches!(
        w.process(&job),
        Err(JobError::Crashed { job_index: 3, .. })
    ));
    let states: Vec<_> = w.stored_jobs().unwrap().iter().map(|j| j.state).collect();
    assert_eq!(
        states,
        [
            JobState::Done,
            JobState::Done,
            JobState::Done,
            JobState::Running
        ]
    );
}

#[test]
fn real_rss_over_a_tiny_cap_crashes_any_variant_at_once() {
    for variant in Variant::ALL {
        let dir = tempfile::tempdir().unwrap();
        let config = WorkerConfig {
            memory_cap_bytes: Some(1 << 20),
            ..WorkerConfig::default()
        };
        let mut w = worker_with(dir.path(), variant, config);
        let err = w
            .process(&spec_job(&spec(0, 32, 32, InputFormat::Jpeg)))
            .unwrap_err();
        assert!(
            matches!(err, JobError::Crashed { job_index: 0, rss, cap, .. } if rss > cap),
            "{err}"
        );
    }
}
