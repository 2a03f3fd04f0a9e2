//! `/proc` parsing on captured text, and `measure_child` on real children:
//! this test binary re-executes itself to get a child of known size.

use super::*;
use std::process::Stdio;

/// A real `/proc/self/status` excerpt (Linux 6.18).
const STATUS: &str = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\n\
VmPeak:\t    8540 kB\nVmSize:\t    8540 kB\nVmHWM:\t    1792 kB\nVmRSS:\t    1792 kB\n\
RssAnon:\t       0 kB\nThreads:\t1\n";

const MIB: u64 = 1024 * 1024;

/// Set in a re-executed copy of this binary: how many MiB
/// `child_allocates_when_asked` touches.
const ALLOC_ENV: &str = "PERFLAB_MEMORY_TEST_CHILD_MIB";

#[test]
fn parses_kib_fields_to_bytes() {
    let path = Path::new("fixture/status");
    assert_eq!(
        parse_status_field(STATUS, "VmRSS", path).unwrap(),
        1792 * 1024
    );
    assert_eq!(
        parse_status_field(STATUS, "VmPeak", path).unwrap(),
        8540 * 1024
    );
}

#[test]
fn missing_and_malformed_fields_name_the_file_and_field() {
    let path = Path::new("fixture/status");
    let missing = parse_status_field(STATUS, "VmSwap", path).unwrap_err();
    assert!(matches!(missing, MemoryError::MissingField { .. }));
    assert!(missing.to_string().contains("fixture/status"), "{missing}");
    assert!(missing.to_string().contains("VmSwap"), "{missing}");
    let bad = parse_status_field(STATUS, "Threads", path).unwrap_err();
    assert!(matches!(bad, MemoryError::BadField { .. }));
    assert!(bad.to_string().contains("Threads"), "{bad}");
    let unreadable = status_field_bytes(Path::new("/nonexistent/status"), "VmRSS").unwrap_err();
    assert!(unreadable.to_string().contains("/nonexistent/status"));
}

#[test]
fn own_rss_and_peak_are_read() {
    let rss = current_rss_bytes().unwrap();
    let peak = peak_rss_bytes().unwrap();
    assert!(rss > 0);
    assert!(peak >= MIB, "peak {peak}");
}

#[test]
fn child_allocates_when_asked() {
    // Does nothing in a normal test run; in a re-executed child it is the
    // whole program.
    if let Ok(mib) = std::env::var(ALLOC_ENV) {
        let mib: usize = mib.parse().unwrap();
        let buffer = vec![1u8; mib << 20];
        std::hint::black_box(&buffer);
    }
}

fn child(mib: u64) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "rss::tests::child_allocates_when_asked",
        "--test-threads=1",
    ])
    .env(ALLOC_ENV, mib.to_string())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd
}

/// Set in a copy of this binary that runs one test alone.
const ALONE_ENV: &str = "PERFLAB_MEMORY_TEST_ALONE";

/// Runs `body` in a fresh copy of this test binary that runs only `test`,
/// so no test beside it moves this process's RSS. Regression: the floor
/// test failed when another test's panic captured a backtrace (loading
/// debug info, +60 MB) while it ran; `measure_child` rightly said the
/// child's peak was unknown.
fn alone(test: &str, body: impl FnOnce()) {
    if std::env::var_os(ALONE_ENV).is_some() {
        return body();
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--test-threads=1", "--nocapture"])
        .env(ALONE_ENV, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{test} alone: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn measure_child_reports_the_childs_peak_then_flags_the_parents_floor() {
    alone(
        "rss::tests::measure_child_reports_the_childs_peak_then_flags_the_parents_floor",
        childs_peak_then_parents_floor,
    );
}

fn childs_peak_then_parents_floor() {
    // In this order: the second half raises this process's peak for good,
    // which would hide any child smaller than it.
    reset_peak_rss().unwrap();
    assert!(peak_rss_bytes().unwrap() > 0);
    let usage = measure_child(&mut child(48)).unwrap();
    assert!(usage.status.success(), "{:?}", usage.status);
    let own = usage
        .child_peak_rss_bytes()
        .unwrap_or_else(|| panic!("the child is bigger than us: {usage:?}"));
    assert!(own >= 48 * MIB, "child peak {own}");
    assert!(own < 48 * MIB + 64 * MIB, "child peak {own}");

    let big = vec![1u8; (128 * MIB) as usize];
    std::hint::black_box(&big);
    let usage = measure_child(&mut child(0)).unwrap();
    drop(big);
    assert!(
        usage.peak_rss_bytes >= 128 * MIB,
        "floor {}",
        usage.peak_rss_bytes
    );
    assert_eq!(usage.child_peak_rss_bytes(), None, "{usage:?}");
}

#[test]
fn measure_child_reports_exit_codes_and_spawn_failures() {
    let usage = measure_child(Command::new("sh").args(["-c", "exit 3"])).unwrap();
    assert_eq!(usage.status.code(), Some(3));
    let err = measure_child(&mut Command::new("/nonexistent/perflab-tool")).unwrap_err();
    assert!(matches!(err, MemoryError::Spawn { .. }));
    assert!(
        err.to_string().contains("/nonexistent/perflab-tool"),
        "{err}"
    );
}
