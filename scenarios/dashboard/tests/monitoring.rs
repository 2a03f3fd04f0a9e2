//! Monitoring: the Prometheus scrape of a served instance, per-service
//! registries, and the slow-query log with its request span.

mod common;

use std::cell::RefCell;
use std::io;
use std::sync::Once;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{ROUTE, http_get, sample, serve, service, tiny_pair};
use dashboard::{Service, Variant};
use tower::ServiceExt;

#[tokio::test]
async fn metrics_count_requests_errors_latency_and_statements() {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    for variant in Variant::ALL {
        let service = service(&pair, variant).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(dashboard::serve(listener, service.router()));

        let mut statements = 0;
        for id in [3, 7] {
            let (status, queries, _) = http_get(addr, &format!("/users/{id}/dashboard")).await;
            assert_eq!(status, 200, "{variant}");
            statements += queries.unwrap();
        }
        assert_eq!(http_get(addr, "/users/999/dashboard").await.0, 404);
        assert_eq!(http_get(addr, "/users/abc/dashboard").await.0, 400);
        assert_eq!(http_get(addr, "/no/such/route").await.0, 404);

        let (status, _, text) = http_get(addr, "/metrics").await;
        assert_eq!(status, 200);
        for family in [
            "# TYPE http_requests counter",
            "# TYPE http_request_errors counter",
            "# TYPE http_request_duration_seconds histogram",
            "# TYPE http_requests_in_flight gauge",
            "# TYPE db_statements_per_request histogram",
            "# TYPE db_time_per_request_seconds histogram",
        ] {
            assert!(text.contains(family), "{variant}: no {family:?} in\n{text}");
        }
        let labels =
            |status: &str| format!(r#"{{method="GET",route="{ROUTE}",status="{status}"}}"#);
        let class =
            |class: &str| format!(r#"{{method="GET",route="{ROUTE}",status_class="{class}"}}"#);
        assert_eq!(
            sample(&text, &format!("http_requests_total{}", labels("200"))),
            2.0
        );
        assert_eq!(
            sample(&text, &format!("http_requests_total{}", labels("404"))),
            1.0
        );
        assert_eq!(
            sample(&text, &format!("http_requests_total{}", labels("400"))),
            1.0
        );
        assert_eq!(
            sample(
                &text,
                r#"http_requests_total{method="GET",route="unmatched",status="404"}"#
            ),
            1.0,
            "raw paths never become labels"
        );
        assert!(!text.contains("/users/3/"), "{text}");
        assert_eq!(
            sample(&text, &format!("http_request_errors_total{}", class("4xx"))),
            2.0
        );
        assert!(!text.contains(r#"status_class="5xx""#), "{text}");
        let count = format!("http_request_duration_seconds_count{}", class("2xx"));
        assert_eq!(sample(&text, &count), 2.0);
        let inf = format!(
            r#"http_request_duration_seconds_bucket{{le="+Inf",method="GET",route="{ROUTE}",status_class="2xx"}}"#
        );
        assert_eq!(sample(&text, &inf), 2.0);
        assert!(
            text.contains(r#"le="0.0001""#) && text.contains(r#"le="30.0""#),
            "{text}"
        );
        let route = format!(r#"{{route="{ROUTE}"}}"#);
        assert_eq!(
            sample(&text, &format!("db_statements_per_request_count{route}")),
            2.0
        );
        assert_eq!(
            sample(&text, &format!("db_statements_per_request_sum{route}")),
            f64::from(statements)
        );
        assert_eq!(
            sample(&text, &format!("db_time_per_request_seconds_count{route}")),
            2.0
        );
        assert!(sample(&text, &format!("db_time_per_request_seconds_sum{route}")) > 0.0);
        // The scrape itself is the one request in flight.
        assert_eq!(sample(&text, "http_requests_in_flight"), 1.0);
        server.abort();
    }
}

#[tokio::test]
async fn each_service_has_its_own_registry() {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    let (a, b) = (
        service(&pair, Variant::Optimized).await,
        service(&pair, Variant::Optimized).await,
    );
    let request = Request::get("/users/3/dashboard")
        .body(Body::empty())
        .unwrap();
    let response = a.clone().router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(a.metrics().encode().contains("http_requests_total{"));
    assert!(!b.metrics().encode().contains("http_requests_total{"));
}

thread_local! {
    static CAPTURED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A `tracing` writer into the current thread's buffer.
struct ThreadBuffer;

impl io::Write for ThreadBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        CAPTURED.with_borrow_mut(|b| b.extend_from_slice(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Installs, once per process, a global subscriber that writes each
/// thread's logs to that thread's buffer. Every test calls it first.
///
/// Not `set_default` per test: a callsite first hit on a thread with no
/// subscriber while another test registers its own can cache "never", and
/// that test then loses its events (seen as a flaky empty log).
fn capture_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| ThreadBuffer)
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

fn take_logs() -> String {
    String::from_utf8(CAPTURED.with_borrow_mut(std::mem::take)).unwrap()
}

/// Runs one request on this (current-thread) runtime's thread and returns
/// what it logged.
async fn logged_request(service: Service, path: &str) -> (StatusCode, String) {
    take_logs();
    let request = Request::get(path).body(Body::empty()).unwrap();
    let status = service.router().oneshot(request).await.unwrap().status();
    (status, take_logs())
}

#[tokio::test]
async fn slow_query_log_at_threshold_zero_logs_every_statement_in_its_request_span() {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    for variant in Variant::ALL {
        let service = service(&pair, variant)
            .await
            .with_slow_query_threshold(Duration::ZERO);
        let (status, logs) = logged_request(service, "/users/7/dashboard").await;
        assert_eq!(status, StatusCode::OK);
        let slow: Vec<&str> = logs
            .lines()
            .filter(|l| l.contains("slow statement"))
            .collect();
        assert!(slow.len() >= 3, "{variant}: {logs}");
        for line in &slow {
            assert!(line.contains(" WARN "), "{line}");
            assert!(line.contains("dashboard::slow_query"), "{line}");
            assert!(
                line.contains("statement=") && line.contains("SELECT"),
                "{line}"
            );
            assert!(line.contains("duration_ms="), "{line}");
            assert!(line.contains("rows="), "{line}");
            assert!(line.contains("http.route=/users/{id}/dashboard"), "{line}");
        }
        let answered = logs
            .lines()
            .find(|l| l.contains("request answered"))
            .unwrap_or_else(|| panic!("no request event in {logs}"));
        for field in [
            "http.response.status_code=200",
            "latency_ms=",
            "statements=",
            "db_time_ms=",
        ] {
            assert!(answered.contains(field), "{field} missing: {answered}");
        }
    }
}

#[tokio::test]
async fn fast_statements_are_not_logged() {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    let service = service(&pair, Variant::Optimized)
        .await
        .with_slow_query_threshold(Duration::from_secs(3600));
    let (status, logs) = logged_request(service, "/users/7/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!logs.contains("slow statement"), "{logs}");
    assert!(logs.contains("request answered"), "{logs}");
}

/// The scrape a user takes while a load test runs: the latency histogram is
/// already counting, requests are in flight, and by the end it has seen at
/// least every request the load generator completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_scraped_during_a_load_test_show_the_histograms() {
    use perflab_load::{Distribution, LoadPlan, Pacing, RequestType, no_progress};

    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    let (addr, server) = serve(service(&pair, Variant::Optimized).await).await;
    let plan = LoadPlan::new("closed", 4)
        .duration_secs(2)
        .pacing(Pacing::Closed)
        .request(
            RequestType::get("dashboard", ROUTE)
                .param("id", Distribution::Uniform { min: 1, max: 60 }),
        );
    let base_url = format!("http://{addr}");
    let load =
        tokio::spawn(async move { perflab_load::run(&base_url, &plan, &mut no_progress).await });

    tokio::time::sleep(Duration::from_secs(1)).await;
    let (status, _, during) = http_get(addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        during.contains("# TYPE http_request_duration_seconds histogram"),
        "{during}"
    );
    let count = format!(
        r#"http_request_duration_seconds_count{{method="GET",route="{ROUTE}",status_class="2xx"}}"#
    );
    let bucket = format!(
        r#"http_request_duration_seconds_bucket{{le="+Inf",method="GET",route="{ROUTE}",status_class="2xx"}}"#
    );
    let counted = sample(&during, &count);
    assert!(counted > 0.0, "mid-run: {during}");
    assert_eq!(sample(&during, &bucket), counted);
    // The scrape itself is one of the requests in flight.
    assert!(
        sample(&during, "http_requests_in_flight") >= 1.0,
        "{during}"
    );

    let report = load.await.unwrap().expect("the load run");
    let (_, _, after) = http_get(addr, "/metrics").await;
    let total = sample(&after, &count);
    assert!(
        total > counted,
        "the histogram went on counting: {counted} then {total}"
    );
    assert!(
        total >= report.total.count as f64,
        "the server saw every request goose completed: {total} < {}",
        report.total.count
    );
    assert_eq!(report.total.failures, 0);
    server.abort();
}
