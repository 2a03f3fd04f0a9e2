//! Prometheus metrics of one [`Service`](crate::Service): the HTTP layer
//! and the database work of each request.
//!
//! Every service owns its [`Metrics`] (its own registry, no global state),
//! so tests and two services in one process never see each other's
//! samples. [`track`] is the axum middleware that times each request,
//! labels it with the route *template* (`/users/{id}/dashboard`, never the
//! raw path, so user ids cannot blow up the label space; unmatched paths
//! share the label `unmatched`), and opens the request's `tracing` span.
//! Handlers report their statement count and database time by putting a
//! [`DbStats`] in the response's extensions. The text is OpenMetrics, which
//! Prometheus scrapes as it does its own text format. Each measurement also
//! goes to an OpenTelemetry instrument of the global meter, with the same
//! buckets, which `otlp` exports when it runs.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram as OtelHistogram, Meter};
use perflab_kit::http_metrics::{InFlight, status_class};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use tracing::Instrument;
use tracing::field::Empty;

use super::otlp::SCOPE;

/// Latency buckets in seconds: 100 µs to 30 s, about 2.5x apart.
pub const LATENCY_BUCKETS: [f64; 17] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0,
];

/// Statements per request: optimized runs 3, naive up to several hundred.
pub const STATEMENT_BUCKETS: [f64; 12] = [
    1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0,
];

/// The `route` label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The Content-Type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Statements and database time of one request, as a handler reports them
/// (in the response's extensions) to [`track`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbStats {
    pub queries: u32,
    pub db_time: Duration,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabels {
    method: String,
    route: String,
    /// `2xx`, `4xx`, `5xx`, …
    status_class: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

fn statement_histogram() -> Histogram {
    Histogram::new(STATEMENT_BUCKETS)
}

/// One service's registry and the metric families in it.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    errors: Family<ClassLabels, Counter>,
    latency: Histograms<ClassLabels>,
    in_flight: Gauge,
    statements: Histograms<RouteLabels>,
    db_time: Histograms<RouteLabels>,
    otel: OtelInstruments,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every family registered and empty, plus the
    /// same measurements as OTel instruments of the global meter provider.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let errors = Family::<ClassLabels, Counter>::default();
        let latency: Histograms<ClassLabels> = Family::new_with_constructor(latency_histogram);
        let in_flight = Gauge::default();
        let statements: Histograms<RouteLabels> = Family::new_with_constructor(statement_histogram);
        let db_time: Histograms<RouteLabels> = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status code",
            requests.clone(),
        );
        registry.register(
            "http_request_errors",
            "HTTP requests answered with a 4xx or 5xx status",
            errors.clone(),
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time from request to response head, by route template",
            Unit::Seconds,
            latency.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being handled now",
            in_flight.clone(),
        );
        registry.register(
            "db_statements_per_request",
            "Database statements run by one request",
            statements.clone(),
        );
        registry.register_with_unit(
            "db_time_per_request",
            "Time one request spent waiting on database statements",
            Unit::Seconds,
            db_time.clone(),
        );
        Self {
            registry,
            requests,
            errors,
            latency,
            in_flight,
            statements,
            db_time,
            otel: OtelInstruments::from_global(),
        }
    }

    /// The exposition text of every family.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }

    fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.otel
            .record(method, route, status, elapsed.as_secs_f64());
        let class = status_class(status);
        let labels = ClassLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status_class: class,
        };
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
        if status >= 400 {
            self.errors.get_or_create(&labels).inc();
        }
        self.requests
            .get_or_create(&RequestLabels {
                method: labels.method,
                route: labels.route,
                status,
            })
            .inc();
    }

    fn record_db(&self, route: &str, stats: DbStats) {
        self.otel.record_db(route, stats);
        let labels = RouteLabels {
            route: route.to_owned(),
        };
        self.statements
            .get_or_create(&labels)
            .observe(f64::from(stats.queries));
        self.db_time
            .get_or_create(&labels)
            .observe(stats.db_time.as_secs_f64());
    }
}

/// The middleware: metrics and one `request` span per request. Put it on
/// the router with `axum::middleware::from_fn_with_state(metrics, track)`.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let span = tracing::info_span!(
        "request",
        otel.name = format!("{method} {route}"),
        otel.kind = "server",
        http.request.method = %method,
        http.route = %route,
        http.response.status_code = Empty,
        latency_ms = Empty,
        statements = Empty,
        db_time_ms = Empty,
    );
    let response = {
        let _in_flight = InFlight::enter(&metrics.in_flight);
        next.run(request).instrument(span.clone()).await
    };
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    metrics.record(&method, &route, status, elapsed);
    span.record("http.response.status_code", status);
    span.record("latency_ms", elapsed.as_secs_f64() * 1e3);
    if let Some(stats) = response.extensions().get::<DbStats>() {
        metrics.record_db(&route, *stats);
        span.record("statements", stats.queries);
        span.record("db_time_ms", stats.db_time.as_secs_f64() * 1e3);
    }
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, "request failed");
        } else {
            tracing::info!(status, "request answered");
        }
    });
    response
}

/// `GET /metrics`.
pub fn render(metrics: &Metrics) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        metrics.encode(),
    )
        .into_response()
}

/// The OTel side of [`Metrics`]: instruments of the global meter (no-ops
/// unless [`Otlp::install_meter_provider`](super::Otlp::install_meter_provider)
/// ran first), with the same buckets as the Prometheus histograms.
#[derive(Debug)]
struct OtelInstruments {
    duration: OtelHistogram<f64>,
    statements: OtelHistogram<u64>,
    db_time: OtelHistogram<f64>,
}

impl OtelInstruments {
    fn from_global() -> Self {
        Self::new(&opentelemetry::global::meter(SCOPE))
    }

    fn new(meter: &Meter) -> Self {
        Self {
            duration: meter
                .f64_histogram("http.server.request.duration")
                .with_unit("s")
                .with_description("Time from request to response head")
                .with_boundaries(LATENCY_BUCKETS.to_vec())
                .build(),
            statements: meter
                .u64_histogram("db.client.statements_per_request")
                .with_unit("{statement}")
                .with_description("Database statements run by one request")
                .with_boundaries(STATEMENT_BUCKETS.to_vec())
                .build(),
            db_time: meter
                .f64_histogram("db.client.time_per_request")
                .with_unit("s")
                .with_description("Time one request spent waiting on database statements")
                .with_boundaries(LATENCY_BUCKETS.to_vec())
                .build(),
        }
    }

    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.duration.record(
            seconds,
            &[
                KeyValue::new("http.request.method", method.to_owned()),
                KeyValue::new("http.route", route.to_owned()),
                KeyValue::new("http.response.status_code", i64::from(status)),
            ],
        );
    }

    fn record_db(&self, route: &str, stats: DbStats) {
        let attributes = [KeyValue::new("http.route", route.to_owned())];
        self.statements
            .record(u64::from(stats.queries), &attributes);
        self.db_time
            .record(stats.db_time.as_secs_f64(), &attributes);
    }
}
