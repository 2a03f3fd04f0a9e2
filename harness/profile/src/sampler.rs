//! Sampling CPU profiles of this process with pprof.
//!
//! [`Profiler::start`] arms pprof's `SIGPROF` timer; [`Profiler::stop`] turns
//! the samples into a [`Profile`]: folded stacks with clean function names,
//! the sample count, the wall-clock duration and the effective sampling rate.
//! [`profile_for`] and [`profile_while`] wrap the two around a closure.
//!
//! What to know before trusting the numbers:
//!
//! - **The profiler is process-wide.** pprof keeps one profiler per process,
//!   samples every thread, and refuses a second start
//!   ([`ProfileError::AlreadyRunning`]). Profiling "a closure" therefore also
//!   profiles whatever else the process is doing at the time, which is exactly
//!   what is wanted for a service under load.
//! - **The timer ticks on process CPU time** (`ITIMER_PROF`), not wall time:
//!   an idle process gets no samples, and a process busy on N cores gets up to
//!   N times the rate. The effective rate is samples per wall-clock second.
//! - **The kernel caps the rate.** On the 250 Hz-tick VMs perflab runs on,
//!   asking for 997 Hz gives roughly 250 samples per CPU-second. The requested
//!   rate is kept in [`Profile::requested_hz`] and the measured one in
//!   [`Profile::effective_hz`], so nobody mistakes one for the other.
//! - **Blocklisted libraries lose their samples.** Samples whose program
//!   counter is inside libc, libgcc, libpthread or the vDSO are dropped (as
//!   pprof recommends: unwinding from inside them from a signal handler is
//!   unreliable). Time in `memcpy`, `malloc` or syscall wrappers is therefore
//!   not shown and not counted.

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::{ProfileError, Result};
use crate::folded::Folded;
use crate::symbols::{UNKNOWN_FRAME, clean_frame};

/// The default sampling frequency. A prime, so sampling does not lock step
/// with periodic work; the kernel will deliver less (see the module docs).
pub const DEFAULT_FREQUENCY_HZ: u32 = 997;

/// The highest accepted frequency: pprof's timer interval is whole
/// microseconds, and a zero interval would disarm it.
pub const MAX_FREQUENCY_HZ: u32 = 1_000_000;

/// Shared-library name fragments whose samples are dropped by default.
/// Precise fragments (`libc.so`, not `libc`) so `libcrypto` or `libcurl` are
/// still profiled.
pub const DEFAULT_BLOCKLIST: &[&str] = &["libc.so", "libc-", "libgcc_s", "libpthread", "vdso"];

/// How to sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfilerConfig {
    /// Requested samples per CPU-second.
    pub frequency_hz: u32,
    /// Shared libraries (name fragments) whose samples are dropped.
    pub blocklist: Vec<String>,
    /// Put the thread name as the root frame of each stack. Off by default:
    /// the main thread is named after the executable, which for tests and
    /// benches carries a build hash, so profiles of two builds would not diff.
    pub thread_names: bool,
}

impl ProfilerConfig {
    /// The default configuration at `frequency_hz`.
    pub fn new(frequency_hz: u32) -> Self {
        Self {
            frequency_hz,
            ..Self::default()
        }
    }
}

impl Default for ProfilerConfig {
    fn default() -> Self {
        Self {
            frequency_hz: DEFAULT_FREQUENCY_HZ,
            blocklist: DEFAULT_BLOCKLIST.iter().map(|s| (*s).to_owned()).collect(),
            thread_names: false,
        }
    }
}

/// A finished CPU profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Root-first stacks with demangled, hash-free function names.
    pub folded: Folded,
    /// Samples kept (blocklisted samples are not counted).
    pub samples: u64,
    /// Wall-clock time from start to stop.
    pub duration: Duration,
    /// The frequency that was asked for.
    pub requested_hz: u32,
    /// `samples / duration`, in samples per wall-clock second.
    pub effective_hz: f64,
}

impl Profile {
    /// Builds a profile from stacks and the time they were collected over,
    /// computing the sample count and the effective rate.
    pub fn new(folded: Folded, duration: Duration, requested_hz: u32) -> Self {
        let samples = folded.total_samples();
        let secs = duration.as_secs_f64();
        let effective_hz = if secs > 0.0 {
            samples as f64 / secs
        } else {
            0.0
        };
        Self {
            folded,
            samples,
            duration,
            requested_hz,
            effective_hz,
        }
    }

    /// A one-line title for a flamegraph of this profile, with the measured
    /// and requested rates side by side.
    pub fn title(&self, label: &str) -> String {
        format!(
            "{label}: {} samples in {:.2} s ({:.0} Hz effective, {} Hz requested)",
            self.samples,
            self.duration.as_secs_f64(),
            self.effective_hz,
            self.requested_hz
        )
    }
}

/// A running CPU profiler. Dropping it without [`Profiler::stop`] discards
/// the samples and stops sampling.
pub struct Profiler {
    guard: pprof::ProfilerGuard<'static>,
    config: ProfilerConfig,
    started: Instant,
}

impl fmt::Debug for Profiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profiler")
            .field("config", &self.config)
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}

impl Profiler {
    /// Starts sampling the whole process.
    pub fn start(config: &ProfilerConfig) -> Result<Self> {
        let hz = config.frequency_hz;
        if hz == 0 || hz > MAX_FREQUENCY_HZ {
            return Err(ProfileError::InvalidFrequency {
                hz,
                max: MAX_FREQUENCY_HZ,
            });
        }
        let frequency = i32::try_from(hz).map_err(|_| ProfileError::InvalidFrequency {
            hz,
            max: MAX_FREQUENCY_HZ,
        })?;
        let guard = pprof::ProfilerGuardBuilder::default()
            .frequency(frequency)
            .blocklist(&config.blocklist)
            .build()
            .map_err(|err| match err {
                pprof::Error::Running => ProfileError::AlreadyRunning,
                other => ProfileError::Start(other),
            })?;
        Ok(Self {
            guard,
            config: config.clone(),
            started: Instant::now(),
        })
    }

    /// Stops sampling and returns the profile.
    pub fn stop(self) -> Result<Profile> {
        // Measured before symbolizing, which takes a while and is not part of
        // the profiled period. pprof's signal handler cannot take its lock
        // while the report is being built, so symbolization is not sampled.
        let duration = self.started.elapsed();
        let report = self.guard.report().build().map_err(ProfileError::Report)?;
        let folded = fold_report(&report, self.config.thread_names);
        drop(self.guard);
        Ok(Profile::new(folded, duration, self.config.frequency_hz))
    }
}

/// Calls `work` repeatedly (at least once) until `duration` has passed, with
/// the profiler running at `frequency_hz` and the default blocklist.
///
/// The whole process is sampled, not just `work` (see the module docs).
pub fn profile_for(
    duration: Duration,
    frequency_hz: u32,
    mut work: impl FnMut(),
) -> Result<Profile> {
    let profiler = Profiler::start(&ProfilerConfig::new(frequency_hz))?;
    let deadline = Instant::now() + duration;
    loop {
        work();
        if Instant::now() >= deadline {
            break;
        }
    }
    profiler.stop()
}

/// Profiles the process while `f` runs once, for example a load test against
/// a service in the same process, and returns `f`'s result with the profile.
pub fn profile_while<T>(config: &ProfilerConfig, f: impl FnOnce() -> T) -> Result<(T, Profile)> {
    let profiler = Profiler::start(config)?;
    let value = f();
    Ok((value, profiler.stop()?))
}

/// pprof's report as folded stacks: frames reversed to root-first (pprof
/// stores leaf-first, inlined functions innermost-first within a frame).
fn fold_report(report: &pprof::Report, thread_names: bool) -> Folded {
    let mut folded = Folded::new();
    for (frames, &count) in &report.data {
        let Ok(count) = u64::try_from(count) else {
            continue;
        };
        let mut stack = Vec::with_capacity(frames.frames.len() + 1);
        if thread_names {
            stack.push(thread_label(&frames.thread_name));
        }
        for frame in frames.frames.iter().rev() {
            for symbol in frame.iter().rev() {
                stack.push(match &symbol.name {
                    Some(_) => clean_frame(&symbol.sys_name()),
                    None => UNKNOWN_FRAME.to_owned(),
                });
            }
        }
        folded.add(stack, count);
    }
    folded
}

/// pprof names an unnamed thread by its numeric id, which differs on every
/// run; one stable label keeps such stacks comparable.
fn thread_label(name: &str) -> String {
    if name.is_empty() || name.bytes().all(|b| b.is_ascii_digit()) {
        "[unnamed thread]".to_owned()
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_rate_is_samples_per_second() {
        let folded = Folded::parse("a 300\nb 200\n").unwrap();
        let p = Profile::new(folded, Duration::from_secs(2), DEFAULT_FREQUENCY_HZ);
        assert_eq!(p.samples, 500);
        assert!((p.effective_hz - 250.0).abs() < 1e-9);
        let p = Profile::new(Folded::new(), Duration::ZERO, 99);
        assert_eq!(p.effective_hz, 0.0);
    }

    #[test]
    fn bad_frequencies_are_rejected_before_touching_pprof() {
        for hz in [0, MAX_FREQUENCY_HZ + 1, u32::MAX] {
            let err = Profiler::start(&ProfilerConfig::new(hz)).unwrap_err();
            assert!(
                matches!(err, ProfileError::InvalidFrequency { .. }),
                "{err}"
            );
            assert!(err.to_string().contains(&hz.to_string()));
        }
    }

    #[test]
    fn unnamed_threads_get_one_stable_label() {
        assert_eq!(thread_label("140234567890"), "[unnamed thread]");
        assert_eq!(thread_label(""), "[unnamed thread]");
        assert_eq!(thread_label("tokio-runtime-worker"), "tokio-runtime-worker");
    }
}
