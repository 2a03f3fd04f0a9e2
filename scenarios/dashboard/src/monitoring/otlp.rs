//! OpenTelemetry export over OTLP/HTTP (protobuf): the request spans (with
//! their slow-query events) as traces, and the request metrics.
//!
//! Off unless the standard environment asks for it: [`Otlp::from_env`]
//! starts only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or a per-signal
//! `OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT`) is set and
//! `OTEL_SDK_DISABLED` is not `true`. The exporters then read the other
//! `OTEL_*` variables themselves (headers, timeout, export interval);
//! `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES` name the service,
//! `dashboard` when neither does. Only HTTP/protobuf is compiled in, not
//! gRPC. The meter provider is installed globally (OpenTelemetry's own
//! design), so [`Metrics`](super::Metrics) created after it record into it
//! (their instruments are defined with them, in `metrics`); the Prometheus
//! registry stays per service.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{MetricExporter, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetryLayer;

use super::error::TelemetryError;

/// The service name when the environment gives none.
pub const DEFAULT_SERVICE_NAME: &str = "dashboard";

/// The instrumentation scope of the spans and metrics.
pub(super) const SCOPE: &str = "dashboard";

/// Running trace and metric pipelines. Call [`Otlp::shutdown`] (or drop
/// the [`Telemetry`](super::Telemetry) guard) to send what is buffered.
#[derive(Debug, Clone)]
pub struct Otlp {
    tracer_provider: SdkTracerProvider,
    meter_provider: SdkMeterProvider,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Otlp {
    /// Starts both pipelines as the `OTEL_*` environment says, or returns
    /// `None` when it does not ask for export.
    pub fn from_env() -> Result<Option<Self>, TelemetryError> {
        if env("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Ok(None);
        }
        let wanted = [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        ]
        .iter()
        .any(|name| env(name).is_some());
        if !wanted {
            return Ok(None);
        }
        let named = env("OTEL_SERVICE_NAME").is_some()
            || env("OTEL_RESOURCE_ATTRIBUTES").is_some_and(|a| a.contains("service.name="));
        let service_name = (!named).then_some(DEFAULT_SERVICE_NAME);
        let spans = SpanExporter::builder().with_http().build()?;
        let metrics = MetricExporter::builder().with_http().build()?;
        Ok(Some(Self::start(spans, metrics, service_name)))
    }

    /// Starts both pipelines against the OTLP/HTTP receiver at `base`
    /// (`http://host:port`, to which `/v1/traces` and `/v1/metrics` are
    /// appended), named `service_name`, whatever the environment says.
    pub fn to_endpoint(base: &str, service_name: &str) -> Result<Self, TelemetryError> {
        let base = base.trim_end_matches('/');
        let spans = SpanExporter::builder()
            .with_http()
            .with_endpoint(format!("{base}/v1/traces"))
            .build()?;
        let metrics = MetricExporter::builder()
            .with_http()
            .with_endpoint(format!("{base}/v1/metrics"))
            .build()?;
        Ok(Self::start(spans, metrics, Some(service_name)))
    }

    fn start(spans: SpanExporter, metrics: MetricExporter, service_name: Option<&str>) -> Self {
        let mut resource = Resource::builder();
        if let Some(name) = service_name {
            resource = resource.with_service_name(name.to_owned());
        }
        let resource = resource.build();
        let tracer_provider = SdkTracerProvider::builder()
            .with_batch_exporter(spans)
            .with_resource(resource.clone())
            .build();
        let meter_provider = SdkMeterProvider::builder()
            .with_periodic_exporter(metrics)
            .with_resource(resource)
            .build();
        Self {
            tracer_provider,
            meter_provider,
        }
    }

    /// A `tracing` layer that turns spans (and their events) into OTel spans.
    pub fn layer<S>(&self) -> OpenTelemetryLayer<S, SdkTracer>
    where
        S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    {
        tracing_opentelemetry::layer().with_tracer(self.tracer_provider.tracer(SCOPE))
    }

    /// Makes this the process's meter provider: services connected from
    /// now on record their request metrics into it.
    pub fn install_meter_provider(&self) {
        opentelemetry::global::set_meter_provider(self.meter_provider.clone());
    }

    /// Sends what is buffered and stops both pipelines. It blocks until
    /// the exports are done: from async code, call it in `spawn_blocking`.
    pub fn shutdown(&self) -> Result<(), TelemetryError> {
        let traces = self.tracer_provider.shutdown();
        let metrics = self.meter_provider.shutdown();
        traces.map_err(TelemetryError::Export)?;
        metrics.map_err(TelemetryError::Export)
    }
}
