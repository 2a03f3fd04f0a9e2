//! perflab's load stage: drive an HTTP service on loopback with goose and
//! turn what it measured into perflab [`Measurement`](perflab_schema::Measurement)s.
//!
//! A scenario's load bench builds a [`LoadPlan`] (users, ramp, duration or
//! request count, a weighted mix of `GET` request types with templated or
//! generated paths, closed-loop or paced), calls [`run`] with the base URL of
//! its service, and maps the [`LoadReport`] with [`LoadReport::measurements`]
//! to benchmarks `load/<plan>/<request>` and `load/<plan>` (all types).
//!
//! Latency percentiles are exact nearest-rank statistics over goose's raw
//! per-request microsecond timings ([`stats`]), not goose's report, which
//! rounds to whole milliseconds.
//!
//! What it does not do: start or stop the service, talk to anything but
//! 127.0.0.0/8, `::1` or `localhost` over plain http, send anything but
//! `GET`, write report files, or judge the numbers (that is perflab-compare's
//! job).

mod driver;
pub mod path;
mod plan;
mod report;
pub mod stats;

pub use driver::{
    LoadError, PROGRESS_EVERY, Progress, REQUEST_TIMEOUT, check_loopback, eprint_progress,
    no_progress, run,
};
pub use path::{Distribution, SeededRng, TemplateError};
pub use plan::{
    CompiledRequest, LoadPlan, MAX_DURATION_SECS, MAX_USERS, Pacing, PathFn, PlanError, Ramp,
    RequestType,
};
pub use report::{LoadReport, RequestRecord, RequestStats, TARGET_SHORTFALL};
pub use stats::LatencyStats;
