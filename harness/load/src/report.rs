//! What a load run measured, per request type and in total, and its mapping
//! to perflab measurements.
//!
//! Built by a pure function from one record per completed request, so it is
//! tested without a server. Latency statistics cover **successful** requests
//! only: a fast 500 is not a fast answer, and failures are counted in
//! `failures` / the `errors` metric instead. A type with no successful
//! request has no latency (absent, never zero).

use crate::stats::{LatencyStats, MAX_SAMPLES, decimate};
use perflab_schema::{Measurement, MeasurementKey, MetricKind, Tool};
use std::collections::BTreeMap;

/// A paced run that sends less than this share of its target rate gets a
/// warning.
pub const TARGET_SHORTFALL: f64 = 0.9;

/// One completed request, as the driver saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestRecord {
    /// Index into the plan's (enabled) request types.
    pub kind: usize,
    /// HTTP status; 0 when no response came (connection error, timeout).
    pub status: u16,
    /// goose's verdict: a 2xx status.
    pub success: bool,
    /// goose's own time to response headers, µs.
    pub service_us: u64,
    /// From the intended send time to the response, µs. Equal to
    /// `service_us` in a closed loop; larger when a paced request went out
    /// late.
    pub latency_us: u64,
}

/// Statistics of one request type, or of all of them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RequestStats {
    pub name: String,
    /// Completed requests, successful or not.
    pub count: u64,
    pub successes: u64,
    pub failures: u64,
    /// Completed requests by HTTP status; 0 means no response.
    pub statuses: BTreeMap<u16, u64>,
    /// Latency of successful requests from their intended send time (the
    /// number perflab records).
    pub latency: Option<LatencyStats>,
    /// goose's service time (request sent to headers received) of successful
    /// requests. Equal to `latency` in a closed loop.
    pub service: Option<LatencyStats>,
    /// Successful requests per second of the measured window.
    pub throughput_per_sec: f64,
    /// Up to [`MAX_SAMPLES`] successful latencies in ns, in arrival order.
    #[serde(skip)]
    pub samples_ns: Vec<u64>,
}

/// The result of [`crate::run`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoadReport {
    pub plan: String,
    pub users: usize,
    /// The planned aggregate rate, when paced.
    pub target_rate_per_sec: Option<f64>,
    /// From the first request's (intended) start to the last response, s.
    pub measured_secs: f64,
    /// One entry per request type with weight > 0, in plan order.
    pub requests: Vec<RequestStats>,
    /// All request types together, named after the plan.
    pub total: RequestStats,
    /// Requests goose's own metrics counted: a cross-check of `total.count`.
    pub goose_counted: u64,
}

impl RequestStats {
    fn from_records<'a>(
        name: &str,
        records: impl Iterator<Item = &'a RequestRecord>,
        measured_secs: f64,
    ) -> Self {
        let (mut count, mut successes) = (0, 0);
        let mut statuses = BTreeMap::new();
        let (mut latency, mut service) = (Vec::new(), Vec::new());
        for r in records {
            count += 1;
            *statuses.entry(r.status).or_insert(0) += 1;
            if r.success {
                successes += 1;
                latency.push(r.latency_us);
                service.push(r.service_us);
            }
        }
        let samples: Vec<u64> = decimate(&latency, MAX_SAMPLES)
            .into_iter()
            .map(|us| us * 1_000)
            .collect();
        RequestStats {
            name: name.to_owned(),
            count,
            successes,
            failures: count - successes,
            statuses,
            latency: LatencyStats::from_micros(&latency),
            service: LatencyStats::from_micros(&service),
            throughput_per_sec: if measured_secs > 0.0 {
                successes as f64 / measured_secs
            } else {
                0.0
            },
            samples_ns: samples,
        }
    }

    /// perflab measurements for this set under `benchmark`.
    fn measurements(&self, scenario: &str, variant: &str, benchmark: &str) -> Vec<Measurement> {
        let key = |metric| MeasurementKey {
            scenario: scenario.to_owned(),
            variant: variant.to_owned(),
            benchmark: benchmark.to_owned(),
            metric,
        };
        let m = |metric, v: f64| Measurement::new(key(metric), v, Tool::Goose);
        let mut out = Vec::new();
        if self.count == 0 {
            return out;
        }
        if let Some(l) = &self.latency {
            let mut p50 = m(MetricKind::LatencyP50, l.p50_ns as f64);
            if !self.samples_ns.is_empty() {
                p50 = p50.with_samples(self.samples_ns.iter().map(|&ns| ns as f64).collect());
            }
            out.push(p50);
            out.push(m(MetricKind::LatencyP90, l.p90_ns as f64));
            out.push(m(MetricKind::LatencyP95, l.p95_ns as f64));
            out.push(m(MetricKind::LatencyP99, l.p99_ns as f64));
            out.push(m(MetricKind::LatencyMax, l.max_ns as f64));
        }
        out.push(m(MetricKind::Throughput, self.throughput_per_sec));
        out.push(m(MetricKind::Errors, self.failures as f64));
        out
    }
}

/// The benchmark suffix of a paced plan's service time: `load/<plan>/service_time`.
pub const SERVICE_TIME: &str = "service_time";

impl LoadReport {
    /// Builds the report from every completed request. `names` are the
    /// enabled request types in plan order, indexed by `RequestRecord::kind`.
    pub fn from_records(
        plan: &str,
        users: usize,
        target_rate_per_sec: Option<f64>,
        names: &[String],
        records: &[RequestRecord],
        measured_secs: f64,
        goose_counted: u64,
    ) -> Self {
        let requests = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                RequestStats::from_records(
                    name,
                    records.iter().filter(|r| r.kind == i),
                    measured_secs,
                )
            })
            .collect();
        LoadReport {
            plan: plan.to_owned(),
            users,
            target_rate_per_sec,
            measured_secs,
            requests,
            total: RequestStats::from_records(plan, records.iter(), measured_secs),
            goose_counted,
        }
    }

    /// The report as perflab measurements: `load/<plan>` for the total and,
    /// when the plan mixes several request types, `load/<plan>/<request>` each, all from [`Tool::Goose`]. The p50
    /// metric carries up to [`MAX_SAMPLES`] raw latencies as samples.
    pub fn measurements(&self, scenario: &str, variant: &str) -> Vec<Measurement> {
        let base = format!("load/{}", self.plan);
        let mut out = Vec::new();
        // With one request type the total is that type: don't say it twice.
        if self.requests.len() > 1 {
            for r in &self.requests {
                out.extend(r.measurements(scenario, variant, &format!("{base}/{}", r.name)));
            }
        }
        out.extend(self.total.measurements(scenario, variant, &base));
        // Paced latency counts from the intended send time, so it includes
        // the load generator's own lateness; the service's share alone (sent
        // to headers received) goes beside it, for objectives about the
        // service rather than the generator.
        if self.target_rate_per_sec.is_some()
            && self.total.count > 0
            && let Some(service) = &self.total.service
        {
            let key = |metric| MeasurementKey {
                scenario: scenario.to_owned(),
                variant: variant.to_owned(),
                benchmark: format!("{base}/{SERVICE_TIME}"),
                metric,
            };
            for (metric, ns) in [
                (MetricKind::LatencyP50, service.p50_ns),
                (MetricKind::LatencyP95, service.p95_ns),
                (MetricKind::LatencyP99, service.p99_ns),
            ] {
                out.push(Measurement::new(key(metric), ns as f64, Tool::Goose));
            }
        }
        out
    }

    /// Things a reader of the numbers must know, for a run's or fragment's
    /// `warnings`: failed requests, a paced run that fell short of its
    /// target (its latencies then include the growing backlog), and any
    /// disagreement with goose's own request count.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let plan = &self.plan;
        if self.total.failures > 0 {
            let statuses: Vec<String> = self
                .total
                .statuses
                .iter()
                .filter(|(s, _)| !(200..300).contains(*s))
                .map(|(s, n)| match s {
                    0 => format!("{n} without response"),
                    _ => format!("{n} × {s}"),
                })
                .collect();
            out.push(format!(
                "load {plan}: {} of {} requests failed ({})",
                self.total.failures,
                self.total.count,
                statuses.join(", ")
            ));
        }
        if let Some(target) = self.target_rate_per_sec
            && self.measured_secs > 0.0
        {
            let achieved = self.total.count as f64 / self.measured_secs;
            if achieved < TARGET_SHORTFALL * target {
                out.push(format!(
                    "load {plan}: sent {achieved:.1} requests/s of a paced target of {target}/s; latencies include the backlog"
                ));
            }
        }
        if self.goose_counted != self.total.count {
            out.push(format!(
                "load {plan}: goose counted {} requests, perflab recorded {}",
                self.goose_counted, self.total.count
            ));
        }
        out
    }

    /// The stats of one request type by name.
    pub fn request(&self, name: &str) -> Option<&RequestStats> {
        self.requests.iter().find(|r| r.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: usize, status: u16, us: u64) -> RequestRecord {
        RequestRecord {
            kind,
            status,
            success: (200..300).contains(&status),
            service_us: us,
            latency_us: us + 10,
        }
    }

    fn report() -> LoadReport {
        let names = vec!["fast".to_owned(), "broken".to_owned(), "idle".to_owned()];
        let mut records: Vec<_> = (1..=100).map(|us| rec(0, 200, us)).collect();
        records.extend((0..4).map(|_| rec(1, 500, 7)));
        records.push(rec(1, 0, 30_000_000));
        LoadReport::from_records("mix", 4, None, &names, &records, 2.0, 105)
    }

    #[test]
    fn counts_statuses_and_latency_per_type_and_total() {
        let r = report();
        let fast = r.request("fast").unwrap();
        assert_eq!((fast.count, fast.successes, fast.failures), (100, 100, 0));
        let l = fast.latency.unwrap();
        assert_eq!(l.p50_ns, 60_000);
        assert_eq!(l.p99_ns, 109_000);
        assert_eq!(fast.service.unwrap().p50_ns, 50_000);
        assert!((fast.throughput_per_sec - 50.0).abs() < 1e-9);
        let broken = r.request("broken").unwrap();
        assert_eq!((broken.count, broken.failures), (5, 5));
        assert_eq!(broken.statuses, BTreeMap::from([(0, 1), (500, 4)]));
        assert_eq!(broken.latency, None);
        assert_eq!(r.request("idle").unwrap().count, 0);
        assert_eq!((r.total.count, r.total.failures), (105, 5));
        assert_eq!(r.total.name, "mix");
    }

    #[test]
    fn warnings_name_failures_shortfall_and_count_mismatch() {
        let r = report();
        let w = r.warnings();
        assert_eq!(
            w,
            vec!["load mix: 5 of 105 requests failed (1 without response, 4 × 500)".to_owned()]
        );
        let short = LoadReport {
            target_rate_per_sec: Some(100.0),
            goose_counted: 104,
            ..r.clone()
        };
        let w = short.warnings();
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(
            w[1].contains("52.5 requests/s of a paced target of 100/s"),
            "{w:?}"
        );
        assert!(w[2].contains("goose counted 104"), "{w:?}");
        let on_target = LoadReport {
            target_rate_per_sec: Some(55.0),
            ..r
        };
        assert_eq!(on_target.warnings().len(), 1);
    }

    #[test]
    fn measurements_use_load_benchmark_names_and_omit_unmeasured() {
        let ms = report().measurements("dashboard", "naive");
        let names: Vec<String> = ms
            .iter()
            .map(|m| format!("{} {}", m.key.benchmark, m.key.metric))
            .collect();
        assert!(names.contains(&"load/mix/fast latency_p99".to_owned()));
        assert!(names.contains(&"load/mix/broken errors".to_owned()));
        assert!(names.contains(&"load/mix throughput".to_owned()));
        // Service time goes beside a paced total only, not a closed loop's.
        assert!(!names.iter().any(|n| n.contains("service_time")));
        let mut paced = report();
        paced.target_rate_per_sec = Some(50.0);
        let service: Vec<_> = paced
            .measurements("dashboard", "naive")
            .into_iter()
            .filter(|m| m.key.benchmark == "load/mix/service_time")
            .map(|m| (m.key.metric, m.estimate))
            .collect();
        let expected = paced.total.service.expect("successes have a service time");
        assert_eq!(
            service,
            [
                (MetricKind::LatencyP50, expected.p50_ns as f64),
                (MetricKind::LatencyP95, expected.p95_ns as f64),
                (MetricKind::LatencyP99, expected.p99_ns as f64),
            ]
        );
        // No latency for a type with no success, nothing for an idle type.
        assert!(!names.contains(&"load/mix/broken latency_p50".to_owned()));
        assert!(!names.iter().any(|n| n.starts_with("load/mix/idle")));
        assert!(ms.iter().all(|m| m.tool == Tool::Goose));
        let p50 = ms
            .iter()
            .find(|m| m.key.benchmark == "load/mix/fast" && m.key.metric == MetricKind::LatencyP50)
            .unwrap();
        assert_eq!(p50.samples.as_ref().unwrap().len(), 100);
        let run = perflab_schema::testing::run("m", ms);
        run.validate().unwrap();
    }
}
