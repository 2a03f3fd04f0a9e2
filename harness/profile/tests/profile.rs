//! Sampling for real: the process-wide pprof profiler around a deliberately
//! CPU-bound function, through `profile_for`, `profile_while` and criterion's
//! profiler hook.
//!
//! pprof allows one profiler per process, so every test here takes `SERIAL`.
//! Assertions are about what was sampled (names, shares), never about speed;
//! thresholds are loose because other work may share the machine's 2 cores.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::Duration;

use perflab_profile::{
    DEFAULT_FREQUENCY_HZ, Profile, ProfileError, Profiler, ProfilerConfig, hot_functions,
    profile_for, profile_while, write_profile,
};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Pure register arithmetic (xorshift): no calls, so even an unoptimized
/// build keeps the samples in this function's own frame.
#[inline(never)]
fn burn_cpu_for_test(iterations: u64) -> u64 {
    let mut x = black_box(0x9E37_79B9_7F4A_7C15_u64);
    let mut i = 0;
    while i < iterations {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        i += 1;
    }
    x
}

const BURN: &str = "burn_cpu_for_test";

fn assert_burn_dominates(profile: &Profile) {
    eprintln!(
        "{} samples in {:.2} s: {:.1} Hz effective, {} Hz requested",
        profile.samples,
        profile.duration.as_secs_f64(),
        profile.effective_hz,
        profile.requested_hz
    );
    assert!(
        profile.samples >= 10,
        "too few samples: {}",
        profile.samples
    );
    assert!(profile.effective_hz > 0.0);
    let text = profile.folded.to_folded_string();
    assert!(text.contains(BURN), "no {BURN} in:\n{text}");
    // Names are demangled and hash-free.
    assert!(!text.contains("_ZN"), "mangled names in:\n{text}");
    let hot = hot_functions(&profile.folded);
    assert!(
        hot[0].name.ends_with(BURN),
        "hottest is {:?}",
        &hot[..3.min(hot.len())]
    );
    assert!(hot[0].self_fraction > 0.5, "{:?}", hot[0]);
    assert!(
        hot.iter()
            .all(|h| perflab_profile::strip_hash_suffix(&h.name) == h.name)
    );
}

#[test]
fn profile_for_finds_the_burning_function() {
    let _serial = serial();
    let profile = profile_for(Duration::from_millis(1500), DEFAULT_FREQUENCY_HZ, || {
        black_box(burn_cpu_for_test(black_box(200_000)));
    })
    .unwrap();
    assert_eq!(profile.requested_hz, DEFAULT_FREQUENCY_HZ);
    assert!(profile.duration >= Duration::from_millis(1500));
    assert_burn_dominates(&profile);

    let dir = tempfile::tempdir().unwrap();
    let files = write_profile(dir.path(), "burn", &profile).unwrap();
    let svg = std::fs::read_to_string(files.svg).unwrap();
    assert!(svg.contains(BURN));
}

#[test]
fn profile_while_returns_the_value_and_a_profile() {
    let _serial = serial();
    let config = ProfilerConfig {
        thread_names: true,
        ..ProfilerConfig::default()
    };
    let (value, profile) = profile_while(&config, || {
        let start = std::time::Instant::now();
        let mut calls = 0_u64;
        while start.elapsed() < Duration::from_millis(1000) {
            black_box(burn_cpu_for_test(black_box(200_000)));
            calls += 1;
        }
        calls
    })
    .unwrap();
    assert!(value >= 1);
    assert!(profile.folded.to_folded_string().contains(BURN));
    // The root frame is the (test harness's) thread name.
    let thread = std::thread::current().name().map(str::to_owned);
    let roots: Vec<&str> = profile.folded.iter().map(|(s, _)| s[0].as_str()).collect();
    if let Some(thread) = thread {
        // Linux truncates thread names to 15 bytes.
        let short: String = thread.chars().take(15).collect();
        assert!(
            roots.iter().any(|r| *r == short),
            "roots {roots:?}, thread {thread}"
        );
    }
}

#[test]
fn one_profiler_per_process() {
    let _serial = serial();
    let first = Profiler::start(&ProfilerConfig::default()).unwrap();
    let second = Profiler::start(&ProfilerConfig::default()).unwrap_err();
    assert!(matches!(second, ProfileError::AlreadyRunning), "{second}");
    drop(first);
    // Dropping without stop() frees the slot.
    let again = Profiler::start(&ProfilerConfig::default()).unwrap();
    let profile = again.stop().unwrap();
    assert_eq!(profile.samples, profile.folded.total_samples());
}

#[cfg(feature = "criterion")]
#[test]
fn criterion_profile_time_writes_folded_and_svg() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut criterion = criterion::Criterion::default()
        .with_profiler(perflab_profile::CriterionProfiler::new(
            DEFAULT_FREQUENCY_HZ,
        ))
        .output_directory(dir.path())
        .profile_time(Some(Duration::from_millis(500)));
    criterion.bench_function("burn", |b| b.iter(|| burn_cpu_for_test(black_box(50_000))));

    let profile_dir = dir.path().join("burn").join("profile");
    let folded = std::fs::read_to_string(profile_dir.join("flamegraph.folded")).unwrap();
    assert!(folded.contains(BURN), "{folded}");
    let svg = std::fs::read_to_string(profile_dir.join("flamegraph.svg")).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains(BURN));
}
