//! Monitoring of the dashboard service, the same for both variants:
//! Prometheus metrics on `GET /metrics` ([`Metrics`], [`track`]), one
//! `tracing` span per request, a slow-query log (every statement slower
//! than a threshold, at WARN, from `exec`'s `Tracked`), and
//! [`init_telemetry`] for the binary, which also starts OTLP export of the
//! spans and metrics when the `OTEL_*` environment asks for it ([`Otlp`]).
//!
//! It does not choose where logs go for library users or tests, and keeps
//! no global state: each [`Service`](crate::Service) has its own registry.

mod error;
mod metrics;
mod otlp;
mod telemetry;

pub use error::TelemetryError;
pub use metrics::{
    CONTENT_TYPE, DbStats, LATENCY_BUCKETS, Metrics, STATEMENT_BUCKETS, UNMATCHED, render, track,
};
pub use otlp::{DEFAULT_SERVICE_NAME, Otlp};
pub use telemetry::{
    DEFAULT_SLOW_QUERY, LOG_FORMAT_ENV, SLOW_QUERY_ENV, Telemetry, init_telemetry,
    slow_query_threshold_from_env,
};
