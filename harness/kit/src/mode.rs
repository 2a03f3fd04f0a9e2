//! How much a bench should run, decided the same way by every bench:
//!
//! - a bench binary started without `--bench` is being run as a test
//!   (`cargo test --benches`, which CI does so benches cannot rot):
//!   [`RunMode::Test`], the smallest inputs, because the test profile is
//!   unoptimized;
//! - under `cargo bench` (which passes `--bench`), [`QUICK_ENV`] set to `1`,
//!   `true` or `yes` (any case, surrounding spaces ignored; `perflab run
//!   --quick` sets `1`) selects [`RunMode::Quick`];
//! - otherwise [`RunMode::Full`].
//!
//! The sizes and durations of each mode belong to each bench; this module
//! only says which mode it is.

use perflab_schema::QUICK_ENV;

/// How much a bench should run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunMode {
    /// `cargo bench`: every size, full durations.
    Full,
    /// `perflab run --quick` (`PERFLAB_QUICK=1`): smaller sizes, shorter runs.
    Quick,
    /// Run as a test (`cargo test --benches`): the smallest inputs only.
    Test,
}

impl RunMode {
    /// The mode from the environment and this process's arguments.
    pub fn detect() -> Self {
        let quick = std::env::var(QUICK_ENV).ok();
        let bench_flag = std::env::args().any(|arg| arg == "--bench");
        Self::from_parts(quick.as_deref(), bench_flag)
    }

    /// The mode from the value of [`QUICK_ENV`] and whether `--bench` was
    /// passed (cargo passes it under `cargo bench` only).
    pub fn from_parts(quick_env: Option<&str>, bench_flag: bool) -> Self {
        let quick = quick_env.is_some_and(|v| {
            matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes")
        });
        match (bench_flag, quick) {
            (false, _) => Self::Test,
            (true, true) => Self::Quick,
            (true, false) => Self::Full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(RunMode::from_parts(None, true), RunMode::Full);
        assert_eq!(RunMode::from_parts(Some("0"), true), RunMode::Full);
        assert_eq!(RunMode::from_parts(Some("1"), true), RunMode::Quick);
        assert_eq!(RunMode::from_parts(Some("1"), false), RunMode::Test);
        assert_eq!(RunMode::from_parts(None, false), RunMode::Test);
    }

    #[test]
    fn quick_accepts_the_usual_spellings_of_true() {
        for v in ["1", "true", "YES", " 1 "] {
            assert_eq!(RunMode::from_parts(Some(v), true), RunMode::Quick, "{v:?}");
        }
        for v in ["", "0", "false", "no", "2"] {
            assert_eq!(RunMode::from_parts(Some(v), true), RunMode::Full, "{v:?}");
        }
    }
}
