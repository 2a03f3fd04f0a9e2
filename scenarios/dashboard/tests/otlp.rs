//! OTLP export end to end: a real OTLP/HTTP receiver (axum, decoding the
//! protobuf bodies with `opentelemetry-proto`) on loopback, the service's
//! spans and metrics exported to it. Its own test binary, because the
//! meter provider it installs is process-global.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::routing::post;
use dashboard::monitoring::Otlp;
use dashboard::{Dataset, Service, Variant, seed_sqlite_pair, sqlite_url};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::metric;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing_subscriber::layer::SubscriberExt;

const SERVICE_NAME: &str = "dashboard-e2e";
const ROUTE: &str = "/users/{id}/dashboard";

#[derive(Clone, Default)]
struct Received {
    traces: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
    metrics: Arc<Mutex<Vec<ExportMetricsServiceRequest>>>,
}

const PROTOBUF: [(header::HeaderName, &str); 1] =
    [(header::CONTENT_TYPE, "application/x-protobuf")];

async fn receive_traces(
    State(received): State<Received>,
    body: Bytes,
) -> ([(header::HeaderName, &'static str); 1], Vec<u8>) {
    let request = ExportTraceServiceRequest::decode(body).expect("an OTLP trace request");
    received.traces.lock().unwrap().push(request);
    (
        PROTOBUF,
        ExportTraceServiceResponse::default().encode_to_vec(),
    )
}

async fn receive_metrics(
    State(received): State<Received>,
    body: Bytes,
) -> ([(header::HeaderName, &'static str); 1], Vec<u8>) {
    let request = ExportMetricsServiceRequest::decode(body).expect("an OTLP metrics request");
    received.metrics.lock().unwrap().push(request);
    (
        PROTOBUF,
        ExportMetricsServiceResponse::default().encode_to_vec(),
    )
}

fn string(value: &Option<AnyValue>) -> Option<&str> {
    match value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(s) => Some(s),
        _ => None,
    }
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a AnyValue> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
}

fn service_name(resource: &Option<Resource>) -> Option<&str> {
    let kv = resource
        .as_ref()?
        .attributes
        .iter()
        .find(|kv| kv.key == "service.name")?;
    string(&kv.value)
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    raw.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn spans_and_metrics_reach_a_real_otlp_receiver() {
    let received = Received::default();
    let receiver = Router::new()
        .route("/v1/traces", post(receive_traces))
        .route("/v1/metrics", post(receive_metrics))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let otlp = Otlp::to_endpoint(&format!("http://{receiver_addr}"), SERVICE_NAME).unwrap();
    otlp.install_meter_provider();
    let subscriber = tracing_subscriber::registry().with(otlp.layer());
    let guard = tracing::subscriber::set_default(subscriber);

    let dir = tempfile::tempdir().unwrap();
    let (pair, _) = seed_sqlite_pair(dir.path(), &Dataset::tiny())
        .await
        .unwrap();
    let service = Service::connect(
        Variant::Optimized,
        &sqlite_url(pair.path(Variant::Optimized)),
    )
    .await
    .unwrap()
    .with_slow_query_threshold(Duration::ZERO);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(dashboard::serve(listener, service.router()));
    assert_eq!(http_get(addr, "/users/3/dashboard").await, 200);
    assert_eq!(http_get(addr, "/users/7/dashboard").await, 200);
    assert_eq!(http_get(addr, "/users/999/dashboard").await, 404);
    server.abort();
    drop(guard);

    // Shutting down blocks until the exports are answered, and the receiver
    // answers on this runtime: block elsewhere.
    let exporting = otlp.clone();
    tokio::task::spawn_blocking(move || exporting.shutdown())
        .await
        .unwrap()
        .expect("flushing to the receiver");

    let traces = received.traces.lock().unwrap();
    let spans: Vec<_> = traces
        .iter()
        .flat_map(|r| &r.resource_spans)
        .inspect(|rs| assert_eq!(service_name(&rs.resource), Some(SERVICE_NAME)))
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| &ss.spans)
        .collect();
    let dashboard_spans: Vec<_> = spans
        .iter()
        .filter(|s| s.name == format!("GET {ROUTE}"))
        .collect();
    assert_eq!(dashboard_spans.len(), 3, "{spans:#?}");
    for span in &dashboard_spans {
        assert_eq!(span.kind, SpanKind::Server as i32);
        assert_eq!(
            string(&attribute(&span.attributes, "http.route").cloned()),
            Some(ROUTE)
        );
        assert!(
            attribute(&span.attributes, "http.response.status_code").is_some(),
            "{span:#?}"
        );
        assert!(span.end_time_unix_nano > span.start_time_unix_nano);
    }
    let with_statements = dashboard_spans
        .iter()
        .filter(|s| attribute(&s.attributes, "statements").is_some())
        .count();
    assert_eq!(
        with_statements, 2,
        "the two answered requests report statements"
    );
    let slow_events = dashboard_spans
        .iter()
        .flat_map(|s| &s.events)
        .filter(|e| e.name == "slow statement")
        .filter(|e| {
            string(&attribute(&e.attributes, "statement").cloned())
                .is_some_and(|sql| sql.contains("SELECT"))
        })
        .count();
    assert!(slow_events >= 6, "{slow_events} slow-statement events");

    let metrics = received.metrics.lock().unwrap();
    let mut duration_count = 0;
    let mut names = Vec::new();
    for rm in metrics.iter().flat_map(|r| &r.resource_metrics) {
        assert_eq!(service_name(&rm.resource), Some(SERVICE_NAME));
        for metric in rm.scope_metrics.iter().flat_map(|sm| &sm.metrics) {
            names.push(metric.name.clone());
            if metric.name == "http.server.request.duration"
                && let Some(metric::Data::Histogram(h)) = &metric.data
            {
                duration_count += h
                    .data_points
                    .iter()
                    .filter(|p| {
                        string(&attribute(&p.attributes, "http.route").cloned()) == Some(ROUTE)
                    })
                    .map(|p| p.count)
                    .sum::<u64>();
            }
        }
    }
    assert_eq!(duration_count, 3, "metrics: {names:?}");
    for name in [
        "db.client.statements_per_request",
        "db.client.time_per_request",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
}
