//! What every scenario service's Prometheus HTTP metrics share: the status
//! class label and a guard that keeps the in-flight gauge right (feature
//! `metrics`). The metric families themselves stay with each service,
//! because their labels and buckets are the service's business.

use prometheus_client::metrics::gauge::Gauge;

/// The `status_class` label of an HTTP status: `"2xx"`, `"4xx"`, ….
pub fn status_class(status: u16) -> &'static str {
    match status / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

/// Counts a request in flight while it lives, so the gauge stays right even
/// when the request's future is dropped before it answers (the client went
/// away, or a page aborted a stale request).
#[derive(Debug)]
pub struct InFlight<'a>(&'a Gauge);

impl<'a> InFlight<'a> {
    /// Increments `gauge` until the guard is dropped.
    pub fn enter(gauge: &'a Gauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_the_gauge_guard() {
        assert_eq!(status_class(200), "2xx");
        assert_eq!(status_class(404), "4xx");
        assert_eq!(status_class(503), "5xx");
        let gauge = Gauge::default();
        {
            let _a = InFlight::enter(&gauge);
            let _b = InFlight::enter(&gauge);
            assert_eq!(gauge.get(), 2);
        }
        assert_eq!(gauge.get(), 0);
    }
}
