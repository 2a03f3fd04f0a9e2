//! Prometheus metrics of one autocomplete service, served on `GET /metrics`.
//!
//! Shaped like the dashboard scenario's: every router owns its [`Metrics`]
//! (its own registry, no global state), so two services in one process, or
//! two tests, never see each other's samples. [`track`] is the middleware
//! that times each request and labels it with the route *template* (unmatched
//! paths share [`UNMATCHED`], so random URLs cannot grow the label space).
//!
//! Families (OpenMetrics text, which Prometheus scrapes like its own):
//!
//! * `http_requests_total{method,route,status}`: requests answered;
//! * `http_request_duration_seconds{method,route,status_class}`: request to
//!   response head, buckets from 25 µs (the index answers in microseconds)
//!   with one at 2 ms, the load test's p99 objective;
//! * `http_requests_in_flight`: requests being handled now;
//! * `autocomplete_terms`: terms in the index being served;
//! * `autocomplete_query_duration_seconds{kind}`: time in the index alone
//!   (`exact` or `fuzzy`), without waiting for a query thread, so a slow
//!   index and a queue are told apart.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use perflab_kit::http_metrics::{InFlight, status_class};
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// Latency buckets in seconds: 25 µs to 10 s, about 2-2.5x apart, with the
/// 2 ms objective as a bucket edge.
pub const LATENCY_BUCKETS: [f64; 17] = [
    0.000_025, 0.000_05, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The `route` label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The Content-Type of the `/metrics` text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Which path of the index answered, as a handler reports it (in the
/// response's extensions) to the `track` middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryKind {
    /// `Completer::complete`.
    Exact,
    /// `Completer::complete_fuzzy`.
    Fuzzy,
}

impl QueryKind {
    /// The label value: `exact` or `fuzzy`.
    pub fn name(self) -> &'static str {
        match self {
            QueryKind::Exact => "exact",
            QueryKind::Fuzzy => "fuzzy",
        }
    }
}

impl EncodeLabelValue for QueryKind {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), fmt::Error> {
        fmt::Write::write_str(encoder, self.name())
    }
}

/// How long the index took for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryTime {
    /// The path taken.
    pub kind: QueryKind,
    /// Time inside the index.
    pub elapsed: Duration,
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
struct KindLabels {
    kind: QueryKind,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// One service's registry and the metric families in it.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms<ClassLabels>,
    in_flight: Gauge,
    queries: Histograms<KindLabels>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// A fresh registry with every family registered, for an index of
    /// `terms` terms.
    pub fn new(terms: usize) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Histograms<ClassLabels> = Family::new_with_constructor(latency_histogram);
        let in_flight = Gauge::default();
        let queries: Histograms<KindLabels> = Family::new_with_constructor(latency_histogram);
        let terms_gauge = Gauge::<i64>::default();
        terms_gauge.set(i64::try_from(terms).unwrap_or(i64::MAX));
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status code",
            requests.clone(),
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time from request to response head, by route template and status class",
            Unit::Seconds,
            latency.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being handled now",
            in_flight.clone(),
        );
        registry.register(
            "autocomplete_terms",
            "Distinct terms in the index being served",
            terms_gauge,
        );
        registry.register_with_unit(
            "autocomplete_query_duration",
            "Time one query spent in the index, by kind (exact or fuzzy)",
            Unit::Seconds,
            queries.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            in_flight,
            queries,
        }
    }

    /// The exposition text of every family.
    pub fn encode(&self) -> Result<String, fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }

    fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = ClassLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status_class: status_class(status),
        };
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                method: labels.method,
                route: labels.route,
                status,
            })
            .inc();
    }

    fn record_query(&self, time: QueryTime) {
        self.queries
            .get_or_create(&KindLabels { kind: time.kind })
            .observe(time.elapsed.as_secs_f64());
    }
}

/// The middleware: put it on the router with
/// `axum::middleware::from_fn_with_state(metrics, track)`.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let response = {
        let _in_flight = InFlight::enter(&metrics.in_flight);
        next.run(request).await
    };
    metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    if let Some(time) = response.extensions().get::<QueryTime>() {
        metrics.record_query(*time);
    }
    response
}

/// `GET /metrics`: the text, or a JSON 500 in the (impossible in practice)
/// case that encoding fails.
pub fn render(metrics: &Metrics) -> Response {
    match metrics.encode() {
        Ok(text) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
            text,
        )
            .into_response(),
        Err(_) => super::error::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            "encoding the metrics failed".into(),
        ),
    }
}
