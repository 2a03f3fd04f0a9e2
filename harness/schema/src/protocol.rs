//! The environment variables through which `perflab run` talks to the
//! benches it runs: the run mode, and where a bench writes its fragment, its
//! artifacts and its profiles. A bench started without them (plain
//! `cargo bench`, `cargo test --benches`) runs on its own and writes nothing
//! of perflab's.

/// Environment variable that selects a bench's quick sizes when set to `1`
/// (`perflab run --quick` sets it; `cargo bench` leaves it unset).
pub const QUICK_ENV: &str = "PERFLAB_QUICK";

/// Environment variable holding the path a bench writes its fragment to.
pub const FRAGMENT_ENV: &str = "PERFLAB_FRAGMENT";

/// Environment variable holding a directory a bench may write profiles to
/// (set by `perflab run --profile`).
pub const PROFILE_DIR_ENV: &str = "PERFLAB_PROFILE_DIR";

/// Environment variable holding a directory, fresh for the run, where a bench
/// keeps the files its artifacts point to (heap profiles, metrics scrapes).
/// `perflab run` always sets it for fragment-writing benches.
pub const ARTIFACT_DIR_ENV: &str = "PERFLAB_ARTIFACT_DIR";
