//! The cache's Prometheus metrics, one registry per instance, and the
//! snapshot ([`CacheStats`]) the benches put into perflab's run file.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

pub use super::entry::CLASSES;
use super::entry::Key;

/// Origin latency buckets, seconds: 100 µs to 10 s.
const ORIGIN_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 10.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LevelLabels {
    pub level: &'static str,
    pub class: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClassLabels {
    pub class: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CauseLabels {
    pub cause: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpLabels {
    pub op: &'static str,
}

/// Every cache metric of one instance.
#[derive(Debug)]
pub struct CacheMetrics {
    pub hits: Family<LevelLabels, Counter>,
    pub misses: Family<LevelLabels, Counter>,
    pub origin_loads: Family<ClassLabels, Counter>,
    pub origin_seconds: Family<ClassLabels, Histogram, fn() -> Histogram>,
    pub evictions: Family<CauseLabels, Counter>,
    pub stale_serves: Family<ClassLabels, Counter>,
    pub refreshes: Family<CauseLabels, Counter>,
    pub lease_waits: Counter,
    pub invalidations_received: Counter,
    pub invalidations_sent: Counter,
    pub decode_errors: Counter,
    pub redis_errors: Family<OpLabels, Counter>,
    pub breaker_state: Gauge,
    pub breaker_opened: Gauge,
    pub l1_entries: Gauge,
    pub l1_bytes: Gauge,
    /// L1's hit and miss counters by class (in [`CLASSES`] order), the
    /// same counters `hits` and `misses` hold, resolved once: an L1 hit
    /// then costs one atomic add, not a lock and a label hash.
    l1_hits: [Counter; 4],
    l1_misses: [Counter; 4],
}

fn origin_histogram() -> Histogram {
    Histogram::new(ORIGIN_BUCKETS)
}

impl Default for CacheMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl CacheMetrics {
    pub fn new() -> Self {
        let mut metrics = CacheMetrics {
            hits: Family::default(),
            misses: Family::default(),
            origin_loads: Family::default(),
            origin_seconds: Family::new_with_constructor(origin_histogram),
            evictions: Family::default(),
            stale_serves: Family::default(),
            refreshes: Family::default(),
            lease_waits: Counter::default(),
            invalidations_received: Counter::default(),
            invalidations_sent: Counter::default(),
            decode_errors: Counter::default(),
            redis_errors: Family::default(),
            breaker_state: Gauge::default(),
            breaker_opened: Gauge::default(),
            l1_entries: Gauge::default(),
            l1_bytes: Gauge::default(),
            l1_hits: Default::default(),
            l1_misses: Default::default(),
        };
        for (i, class) in CLASSES.into_iter().enumerate() {
            let labels = LevelLabels { level: "l1", class };
            metrics.l1_hits[i] = metrics.hits.get_or_create(&labels).clone();
            metrics.l1_misses[i] = metrics.misses.get_or_create(&labels).clone();
        }
        metrics
    }

    /// Registers every family in `registry` under `catalog_…` names.
    pub fn register(self: &Arc<Self>, registry: &mut Registry) {
        let r = registry.sub_registry_with_prefix("catalog");
        r.register(
            "cache_hits",
            "Lookups answered by a cache level (l1: in process, l2: Redis)",
            self.hits.clone(),
        );
        r.register(
            "cache_misses",
            "Lookups a cache level could not answer",
            self.misses.clone(),
        );
        r.register(
            "origin_loads",
            "Values computed at the database by the cache",
            self.origin_loads.clone(),
        );
        r.register_with_unit(
            "origin_load_duration",
            "Time to compute a value at the database",
            Unit::Seconds,
            self.origin_seconds.clone(),
        );
        r.register(
            "cache_evictions",
            "Entries L1 dropped, by cause (size, expired, explicit, replaced)",
            self.evictions.clone(),
        );
        r.register(
            "cache_stale_serves",
            "Stale values served while another instance held the recompute lease",
            self.stale_serves.clone(),
        );
        r.register(
            "cache_refreshes",
            "Values recomputed ahead of expiry (xfetch: probabilistic early recompute; warm: the warmer)",
            self.refreshes.clone(),
        );
        r.register(
            "cache_lease_waits",
            "Lookups that waited for another instance's recompute instead of querying",
            self.lease_waits.clone(),
        );
        r.register(
            "cache_invalidations_received",
            "Invalidation messages received from Redis pub/sub",
            self.invalidations_received.clone(),
        );
        r.register(
            "cache_invalidations_sent",
            "Invalidations this instance published after a write",
            self.invalidations_sent.clone(),
        );
        r.register(
            "cache_decode_errors",
            "Values in Redis that failed to decode (treated as misses)",
            self.decode_errors.clone(),
        );
        r.register(
            "redis_errors",
            "Redis commands that failed or timed out, by command",
            self.redis_errors.clone(),
        );
        r.register(
            "redis_breaker_state",
            "The Redis circuit breaker: 0 closed, 1 open, 2 half-open",
            self.breaker_state.clone(),
        );
        r.register(
            "redis_breaker_opened",
            "Times the Redis circuit breaker opened",
            self.breaker_opened.clone(),
        );
        r.register("cache_l1_entries", "Entries in L1", self.l1_entries.clone());
        r.register_with_unit(
            "cache_l1_weight",
            "Approximate bytes held by L1 (its bound is by this weight)",
            Unit::Bytes,
            self.l1_bytes.clone(),
        );
    }

    pub fn l1_hit(&self, key: &Key) {
        self.l1_hits[key.class_index()].inc();
    }

    pub fn l1_miss(&self, key: &Key) {
        self.l1_misses[key.class_index()].inc();
    }

    pub fn hit(&self, level: &'static str, key: &Key) {
        self.hits
            .get_or_create(&LevelLabels {
                level,
                class: key.class(),
            })
            .inc();
    }

    pub fn miss(&self, level: &'static str, key: &Key) {
        self.misses
            .get_or_create(&LevelLabels {
                level,
                class: key.class(),
            })
            .inc();
    }

    pub fn origin(&self, key: &Key, took: Duration) {
        let labels = ClassLabels { class: key.class() };
        self.origin_loads.get_or_create(&labels).inc();
        self.origin_seconds
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    pub fn stale(&self, key: &Key) {
        self.stale_serves
            .get_or_create(&ClassLabels { class: key.class() })
            .inc();
    }

    pub fn refresh(&self, cause: &'static str) {
        self.refreshes.get_or_create(&CauseLabels { cause }).inc();
    }

    pub fn redis_error(&self, op: &'static str) {
        self.redis_errors.get_or_create(&OpLabels { op }).inc();
    }

    fn sum(family: &Family<LevelLabels, Counter>, level: &str, class: Option<&str>) -> u64 {
        CLASSES
            .iter()
            .filter(|c| class.is_none_or(|want| want == **c))
            .map(|&class| {
                let labels = LevelLabels {
                    level: if level == "l1" { "l1" } else { "l2" },
                    class,
                };
                family.get(&labels).map_or(0, |c| c.get())
            })
            .sum()
    }

    /// The counters as plain numbers, for benches and tests.
    pub fn stats(&self) -> CacheStats {
        let per_class = |class: Option<&'static str>| ClassStats {
            l1_hits: Self::sum(&self.hits, "l1", class),
            l1_misses: Self::sum(&self.misses, "l1", class),
            l2_hits: Self::sum(&self.hits, "l2", class),
            l2_misses: Self::sum(&self.misses, "l2", class),
            origin_loads: CLASSES
                .iter()
                .filter(|c| class.is_none_or(|want| want == **c))
                .map(|&class| {
                    self.origin_loads
                        .get(&ClassLabels { class })
                        .map_or(0, |c| c.get())
                })
                .sum(),
            stale_serves: CLASSES
                .iter()
                .filter(|c| class.is_none_or(|want| want == **c))
                .map(|&class| {
                    self.stale_serves
                        .get(&ClassLabels { class })
                        .map_or(0, |c| c.get())
                })
                .sum(),
        };
        let causes = |family: &Family<CauseLabels, Counter>, causes: &[&'static str]| -> u64 {
            causes
                .iter()
                .map(|&cause| family.get(&CauseLabels { cause }).map_or(0, |c| c.get()))
                .sum()
        };
        CacheStats {
            all: per_class(None),
            top: {
                let mut t = per_class(Some("top"));
                let c = per_class(Some("category_top"));
                t.add(&c);
                t
            },
            evictions: causes(&self.evictions, &["size"]),
            expirations: causes(&self.evictions, &["expired"]),
            refreshes: causes(&self.refreshes, &["xfetch", "warm"]),
            lease_waits: self.lease_waits.get(),
            invalidations_received: self.invalidations_received.get(),
            decode_errors: self.decode_errors.get(),
            redis_errors: REDIS_OPS
                .iter()
                .map(|&op| {
                    self.redis_errors
                        .get(&OpLabels { op })
                        .map_or(0, |c| c.get())
                })
                .sum(),
            breaker_opened: self.breaker_opened.get().max(0) as u64,
        }
    }
}

/// Every `op` label value of `catalog_redis_errors`.
pub const REDIS_OPS: [&str; 6] = ["get", "lease", "store", "invalidate", "subscribe", "wait"];

/// Lookups of one class of keys (or all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassStats {
    pub l1_hits: u64,
    pub l1_misses: u64,
    pub l2_hits: u64,
    pub l2_misses: u64,
    pub origin_loads: u64,
    pub stale_serves: u64,
}

impl ClassStats {
    fn add(&mut self, o: &ClassStats) {
        self.l1_hits += o.l1_hits;
        self.l1_misses += o.l1_misses;
        self.l2_hits += o.l2_hits;
        self.l2_misses += o.l2_misses;
        self.origin_loads += o.origin_loads;
        self.stale_serves += o.stale_serves;
    }

    /// Lookups answered without this instance computing at the origin:
    /// (lookups - origin loads) / lookups. None without lookups.
    pub fn hit_ratio(&self) -> Option<f64> {
        let lookups = self.l1_hits + self.l1_misses;
        (lookups > 0).then(|| 1.0 - self.origin_loads.min(lookups) as f64 / lookups as f64)
    }
}

/// A snapshot of one instance's cache counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub all: ClassStats,
    /// The top-10 keys (overall and per category).
    pub top: ClassStats,
    pub evictions: u64,
    pub expirations: u64,
    pub refreshes: u64,
    pub lease_waits: u64,
    pub invalidations_received: u64,
    pub decode_errors: u64,
    pub redis_errors: u64,
    pub breaker_opened: u64,
}
