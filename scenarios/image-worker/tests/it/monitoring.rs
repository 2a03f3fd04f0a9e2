//! Metrics and alerts: counters, gauges, a growth alert as a metric and a
//! log line's source, and `/metrics` over HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use image_worker::memory::{MemorySource, MemorySources};
use image_worker::monitoring::{Monitoring, alert_kind};
use perflab_memory::MonitorConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample {series} in\n{text}"))
        .parse()
        .unwrap()
}

/// A heap that grows 1 MiB per job and an RSS that stays put.
fn leaking_monitoring() -> Monitoring {
    let heap = Arc::new(AtomicU64::new(0));
    let sources = MemorySources {
        rss: MemorySource::new(|| Some(100 << 20)),
        live_heap: Some(MemorySource::new(move || {
            Some(heap.fetch_add(1 << 20, Ordering::SeqCst) + (1 << 20))
        })),
    };
    Monitoring::new(
        sources,
        MonitorConfig {
            rss_limit_bytes: Some(64 << 20),
            max_growth_per_iter: Some(64.0 * 1024.0),
            window: 10,
            warmup: 2,
        },
    )
    .unwrap()
}

#[test]
fn jobs_memory_and_alerts_become_metrics() {
    let mut m = leaking_monitoring();
    let mut alerts = Vec::new();
    for job in 0..30 {
        alerts.extend(m.after_job(job, Duration::from_millis(20), job % 10 != 3));
    }
    let kinds: Vec<_> = alerts.iter().map(alert_kind).collect();
    assert_eq!(kinds, ["rss_over_limit", "heap_growth"], "{alerts:?}");
    let text = m.metrics().encode();
    assert_eq!(sample(&text, "image_worker_jobs_processed_total"), 30.0);
    assert_eq!(sample(&text, "image_worker_jobs_failed_total"), 3.0);
    assert_eq!(
        sample(&text, "image_worker_job_duration_seconds_count"),
        30.0
    );
    assert_eq!(
        sample(&text, "image_worker_resident_memory_bytes"),
        f64::from(100 << 20)
    );
    assert_eq!(
        sample(&text, "image_worker_live_heap_bytes"),
        f64::from(30 << 20)
    );
    let alerts = r#"image_worker_memory_alerts_total{alert="heap_growth"}"#;
    assert_eq!(sample(&text, alerts), 1.0);
    assert_eq!(
        sample(
            &text,
            r#"image_worker_memory_alert_active{alert="heap_growth"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            r#"image_worker_memory_alert_active{alert="rss_growth"}"#
        ),
        0.0
    );
}

#[tokio::test]
async fn metrics_are_served_over_http() {
    let mut m = leaking_monitoring();
    m.after_job(0, Duration::from_millis(5), true);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(image_worker::monitoring::serve(listener, m.metrics()));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    server.abort();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(raw.contains("application/openmetrics-text"), "{raw}");
    assert!(raw.contains("image_worker_jobs_processed_total 1"), "{raw}");
}
