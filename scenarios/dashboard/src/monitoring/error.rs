//! The monitoring's error type, shared by the log subscriber (`telemetry`)
//! and the OTLP export (`otlp`). Messages name the setting or the stage
//! that failed. This module only defines errors.

/// A malformed monitoring setting, or a subscriber already installed.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("{name}={value:?} is not a whole number of milliseconds")]
    BadMillis { name: &'static str, value: String },
    #[error("RUST_LOG is not a valid filter")]
    Filter(#[from] tracing_subscriber::filter::FromEnvError),
    #[error("a global tracing subscriber is already installed")]
    AlreadyInstalled(#[from] tracing_subscriber::util::TryInitError),
    #[error("cannot build the OTLP exporter (check the OTEL_EXPORTER_OTLP_* variables)")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("OTLP export failed")]
    Export(#[source] opentelemetry_sdk::error::OTelSdkError),
}
