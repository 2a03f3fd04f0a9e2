//! What both catalog-cache benches share: the Redis they run against, the
//! seeded SQLite files, seeded Zipf draws and nanosecond percentiles.
//!
//! Redis, in this order: `REDIS_URL` when set (CI exports a shared server),
//! with a namespace unique to this process so parallel runs never read each
//! other's keys; else a [`RedisServer`] of our own on a free port; else
//! none, and the benches run L1 only and say so in the fragment. Under CI
//! (`CI=true`) a missing Redis is an error: CI must never pass on L1-only
//! numbers by accident.
//!
//! What it does not do: measure anything itself, or clean a shared Redis
//! (every key the cache writes there expires by itself: values after their
//! TTL and grace period, tag sets with their longest member).

use std::path::{Path, PathBuf};
use std::time::Duration;

use catalog_cache::cache::ClassStats;
use catalog_cache::testing::{RedisServer, under_ci};
use catalog_cache::{CacheConfig, CatalogSpec, seed, sqlite_url};
use perflab_load::SeededRng;
use perflab_load::stats::percentile_nearest_rank;
use perflab_schema::{Measurement, MeasurementKey, MetricKind, Tool};

pub const SCENARIO: &str = "catalog-cache";

/// How long to wait for `PING` on `REDIS_URL` before calling it missing.
const REDIS_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The Redis the optimized variant runs against, if any.
pub enum Redis {
    /// `REDIS_URL`, shared with whoever else uses it.
    Shared(String),
    /// A `redis-server` child of this bench, killed when dropped.
    Own(RedisServer),
    /// None: why, for the fragment's warnings.
    Missing(String),
}

impl Redis {
    /// The Redis to use; an error only under CI, where one must exist.
    pub async fn detect() -> Result<Redis, String> {
        let redis = match std::env::var("REDIS_URL") {
            Ok(url) if !url.trim().is_empty() => match probe(&url).await {
                Ok(()) => Redis::Shared(url),
                Err(e) => Redis::Missing(format!("REDIS_URL={url} does not answer: {e}")),
            },
            _ => match RedisServer::start() {
                Ok(server) => Redis::Own(server),
                Err(e) => Redis::Missing(e),
            },
        };
        match redis {
            Redis::Missing(why) if under_ci() => Err(format!("CI needs Redis: {why}")),
            Redis::Missing(why) => {
                eprintln!("no Redis ({why}): running L1 only, L2 numbers are missing");
                Ok(Redis::Missing(why))
            }
            found => {
                eprintln!("Redis at {}", found.url().unwrap_or_default());
                Ok(found)
            }
        }
    }

    pub fn url(&self) -> Option<String> {
        match self {
            Redis::Shared(url) => Some(url.clone()),
            Redis::Own(server) => Some(server.url()),
            Redis::Missing(_) => None,
        }
    }

    /// The warning a fragment carries when Redis is missing.
    pub fn missing(&self) -> Option<String> {
        match self {
            Redis::Missing(why) => Some(format!(
                "no Redis ({why}): the optimized variant ran L1 only; the measurements \
                 that need L2 are missing"
            )),
            _ => None,
        }
    }

    /// The service's default cache configuration over this Redis, its keys
    /// under a namespace of its own (`label` and this process); L1 only when
    /// there is no Redis.
    pub fn config(&self, label: &str) -> CacheConfig {
        match self.url() {
            None => CacheConfig::default(),
            Some(url) => {
                let mut config = CacheConfig::with_redis(&url);
                if let Some(l2) = config.redis.as_mut() {
                    l2.namespace = namespace(label);
                }
                config
            }
        }
    }
}

/// `perflab-<label>-<pid>-<unix ms>`: unique per run and per use within it.
fn namespace(label: &str) -> String {
    format!(
        "perflab-{label}-{}-{}",
        std::process::id(),
        catalog_cache::cache::now_ms()
    )
}

/// Whether the server at `url` answers `PING` in time.
async fn probe(url: &str) -> Result<(), String> {
    let client = redis::Client::open(url).map_err(|e| e.to_string())?;
    let ping = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio::time::timeout(REDIS_PROBE_TIMEOUT, ping).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {REDIS_PROBE_TIMEOUT:?}")),
    }
}

/// Seeds `spec` into `dir/<name>.db` once and copies it to one file per
/// `copies` name, so every user of the data starts from the same rows and
/// none sees another's writes. Returns the copies' URLs in order.
pub async fn seed_copies(
    dir: &Path,
    spec: &CatalogSpec,
    copies: &[&str],
) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let seeded = dir.join("seeded.db");
    let stats = seed(&sqlite_url(&seeded), spec)
        .await
        .map_err(|e| format!("seeding {}: {e}", seeded.display()))?;
    eprintln!(
        "seeded {} products, {} sales, {} reviews in {:.1} s",
        stats.products,
        stats.sales,
        stats.reviews,
        stats.elapsed.as_secs_f64()
    );
    copies
        .iter()
        .map(|name| {
            let copy: PathBuf = dir.join(format!("{name}.db"));
            std::fs::copy(&seeded, &copy)
                .map_err(|e| format!("copying {} to {}: {e}", seeded.display(), copy.display()))?;
            Ok(sqlite_url(&copy))
        })
        .collect()
}

/// Ranks 1..=n with probability proportional to 1/k^exponent, from a
/// cumulative table (perflab-load's paths draw the same way; its sampler
/// is private to its templates).
#[derive(Debug, Clone)]
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(n: u64, exponent: f64) -> Zipf {
        let mut acc = 0.0;
        let mut cdf: Vec<f64> = (1..=n.max(1))
            .map(|k| {
                acc += (k as f64).powf(-exponent);
                acc
            })
            .collect();
        cdf.iter_mut().for_each(|c| *c /= acc);
        Zipf { cdf }
    }

    pub fn sample(&self, rng: &mut SeededRng) -> u64 {
        let u = rng.unit();
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1) as u64
            + 1
    }
}

/// A measurement of this scenario, filed under goose (see each bench's docs).
pub fn measurement(variant: &str, benchmark: &str, metric: MetricKind, value: f64) -> Measurement {
    let key = MeasurementKey {
        scenario: SCENARIO.into(),
        variant: variant.into(),
        benchmark: benchmark.into(),
        metric,
    };
    Measurement::new(key, value, Tool::Goose)
}

/// Fewest timings for which a p99 is reported: below it, the nearest-rank
/// p99 is just the slowest one.
pub const MIN_FOR_P99: usize = 100;

/// `latency_p50` (with every timing as a sample, evenly thinned to
/// perflab-load's cap) and, from [`MIN_FOR_P99`] timings up, `latency_p99`
/// of `ns`, nearest rank. Empty for no timings.
pub fn latency(variant: &str, benchmark: &str, ns: &[u64]) -> Vec<Measurement> {
    let mut sorted = ns.to_vec();
    sorted.sort_unstable();
    let Some(p50) = percentile_nearest_rank(&sorted, 0.50) else {
        return Vec::new();
    };
    let samples = perflab_load::stats::decimate(ns, perflab_load::stats::MAX_SAMPLES)
        .into_iter()
        .map(|v| v as f64)
        .collect();
    let mut out = vec![
        measurement(variant, benchmark, MetricKind::LatencyP50, p50 as f64).with_samples(samples),
    ];
    if sorted.len() >= MIN_FOR_P99
        && let Some(p99) = percentile_nearest_rank(&sorted, 0.99)
    {
        out.push(measurement(
            variant,
            benchmark,
            MetricKind::LatencyP99,
            p99 as f64,
        ));
    }
    out
}

/// `ns` for the stderr summaries: microseconds below a millisecond.
pub fn ms(ns: f64) -> String {
    if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// One line on stderr: how many timings, their p50, p99 and maximum.
pub fn eprint_latency(name: &str, ns: &[u64]) {
    let mut sorted = ns.to_vec();
    sorted.sort_unstable();
    let at = |p| ms(percentile_nearest_rank(&sorted, p).unwrap_or(0) as f64);
    eprintln!(
        "{name}: {} timings, p50 {}, p99 {}, max {}",
        ns.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

/// What `after` counted beyond `before`.
pub fn delta(after: &ClassStats, before: &ClassStats) -> ClassStats {
    ClassStats {
        l1_hits: after.l1_hits - before.l1_hits,
        l1_misses: after.l1_misses - before.l1_misses,
        l2_hits: after.l2_hits - before.l2_hits,
        l2_misses: after.l2_misses - before.l2_misses,
        origin_loads: after.origin_loads - before.origin_loads,
        stale_serves: after.stale_serves - before.stale_serves,
    }
}
