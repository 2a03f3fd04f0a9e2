//! Runtime monitoring of a worker: Prometheus metrics on `GET /metrics`
//! and memory alerts.
//!
//! [`Monitoring::after_job`] is called after every job. It counts the job,
//! times it, reads RSS and the live heap through the worker's
//! [`MemorySources`], and feeds them to perflab-memory's
//! [`MemoryMonitor`] (an RSS ceiling, and the leak gate's growth rule on a
//! sliding window of jobs). When an alert starts it logs a `tracing`
//! `warn!` line and counts it in `memory_alerts_total{alert=…}`; the
//! `memory_alert_active{alert=…}` gauge says which conditions hold now.
//! Each [`Metrics`] has its own registry: no global state.
//!
//! The decisions (what counts as a leak, when an alert clears) are
//! perflab-memory's; this module only wires them to metrics and logs.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use perflab_memory::{Alert, MemoryMonitor, MemorySample, MonitorConfig, Series};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::memory::MemorySources;

/// Job duration buckets in seconds: 1 ms to 60 s.
pub const DURATION_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0,
];

/// The Content-Type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The alert kinds, as the `alert` label spells them.
pub const ALERT_KINDS: [&str; 3] = ["rss_over_limit", "rss_growth", "heap_growth"];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AlertLabels {
    alert: &'static str,
}

/// One worker's registry and the metrics in it.
pub struct Metrics {
    registry: Registry,
    rss: Gauge,
    live_heap: Gauge,
    processed: Counter,
    failed: Counter,
    duration: Histogram,
    alerts: Family<AlertLabels, Counter>,
    active: Family<AlertLabels, Gauge>,
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
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("image_worker");
        let (rss, live_heap) = (Gauge::default(), Gauge::default());
        let (processed, failed) = (Counter::default(), Counter::default());
        let duration = Histogram::new(DURATION_BUCKETS);
        let alerts = Family::<AlertLabels, Counter>::default();
        let active = Family::<AlertLabels, Gauge>::default();
        registry.register_with_unit(
            "resident_memory",
            "Resident set size of the worker process",
            Unit::Bytes,
            rss.clone(),
        );
        registry.register_with_unit(
            "live_heap",
            "Heap bytes allocated and not yet freed (counting allocator)",
            Unit::Bytes,
            live_heap.clone(),
        );
        registry.register(
            "jobs_processed",
            "Jobs finished, failed or not",
            processed.clone(),
        );
        registry.register("jobs_failed", "Jobs that failed", failed.clone());
        registry.register_with_unit(
            "job_duration",
            "Time from a job's start to its recorded end",
            Unit::Seconds,
            duration.clone(),
        );
        registry.register(
            "memory_alerts",
            "Memory alerts raised, by kind",
            alerts.clone(),
        );
        registry.register(
            "memory_alert_active",
            "1 while a memory alert holds, by kind",
            active.clone(),
        );
        for alert in ALERT_KINDS {
            // Present from the start, so a dashboard sees 0 rather than nothing.
            let _ = alerts.get_or_create(&AlertLabels { alert });
            let _ = active.get_or_create(&AlertLabels { alert });
        }
        Metrics {
            registry,
            rss,
            live_heap,
            processed,
            failed,
            duration,
            alerts,
            active,
        }
    }

    /// The exposition text of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }

    fn set_active(&self, alert: &'static str, on: bool) {
        self.active
            .get_or_create(&AlertLabels { alert })
            .set(i64::from(on));
    }
}

fn gauge_value(bytes: u64) -> i64 {
    i64::try_from(bytes).unwrap_or(i64::MAX)
}

/// The kind label of an alert.
pub fn alert_kind(alert: &Alert) -> &'static str {
    match alert {
        Alert::RssOverLimit { .. } => "rss_over_limit",
        Alert::Leaking {
            which: Series::Rss, ..
        } => "rss_growth",
        Alert::Leaking {
            which: Series::LiveHeap,
            ..
        } => "heap_growth",
    }
}

/// Metrics, memory readings and the alert logic of one worker.
#[derive(Debug)]
pub struct Monitoring {
    metrics: Arc<Metrics>,
    monitor: MemoryMonitor,
    sources: MemorySources,
    last: Option<MemorySample>,
}

impl Monitoring {
    /// Fails, naming the setting, when `config` cannot judge anything.
    pub fn new(
        sources: MemorySources,
        config: MonitorConfig,
    ) -> Result<Self, perflab_memory::MemoryError> {
        Ok(Monitoring {
            metrics: Arc::new(Metrics::new()),
            monitor: MemoryMonitor::new(config)?,
            sources,
            last: None,
        })
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    /// The memory read after the last job.
    pub fn last_sample(&self) -> Option<MemorySample> {
        self.last
    }

    /// Records a finished job (or a crash: `ok = false`) and the memory
    /// after it; returns the alert that starts now, already logged.
    pub fn after_job(&mut self, job_index: u64, took: Duration, ok: bool) -> Option<Alert> {
        let m = &self.metrics;
        m.processed.inc();
        if !ok {
            m.failed.inc();
        }
        m.duration.observe(took.as_secs_f64());
        let sample = MemorySample {
            rss_bytes: self.sources.rss.read().unwrap_or(0),
            live_heap_bytes: self.sources.live_heap.as_ref().and_then(|s| s.read()),
        };
        self.last = Some(sample);
        m.rss.set(gauge_value(sample.rss_bytes));
        if let Some(heap) = sample.live_heap_bytes {
            m.live_heap.set(gauge_value(heap));
        }
        let alert = self.monitor.record(job_index, sample);
        if let Some(alert) = &alert {
            let kind = alert_kind(alert);
            m.alerts.get_or_create(&AlertLabels { alert: kind }).inc();
            tracing::warn!(
                alert = kind,
                job_index,
                rss_bytes = sample.rss_bytes,
                live_heap_bytes = sample.live_heap_bytes,
                "memory alert: {alert}"
            );
        }
        m.set_active("rss_over_limit", self.monitor.rss_over_limit());
        m.set_active("rss_growth", self.monitor.leaking(Series::Rss));
        m.set_active("heap_growth", self.monitor.leaking(Series::LiveHeap));
        alert
    }
}

/// A router serving `GET /metrics` from `metrics`.
pub fn router(metrics: Arc<Metrics>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let metrics = Arc::clone(&metrics);
            async move {
                (
                    [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
                    metrics.encode(),
                )
                    .into_response()
            }
        }),
    )
}

/// Serves [`router`] on `listener` until the task is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
) -> std::io::Result<()> {
    axum::serve(listener, router(metrics)).await
}
