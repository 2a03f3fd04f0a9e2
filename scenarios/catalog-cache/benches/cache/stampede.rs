//! Stampedes: many concurrent requests for one expensive key, counted at
//! the database as ranking statements.
//!
//! - `stampede/cold`: nobody has the key. The optimized requests are split
//!   over two instances sharing one Redis (one instance without Redis):
//!   single flight within each, the lease between them, so the ranking
//!   runs once. The naive variant runs it once per request.
//! - `stampede/expired`: the key was cached and its soft TTL has just
//!   passed (XFetch and the warmer off, so nothing refreshed it early):
//!   one request recomputes under the lease, the rest are served the stale
//!   copy or share that flight. Naive has no expiry: not measured.

use std::time::{Duration, Instant};

use catalog_cache::{CacheConfig, CachedCatalog, Catalog, Db, NaiveCatalog, QueryKind};
use perflab_schema::{Measurement, MetricKind};

use crate::support::measurement;

/// The category whose top list every stampede asks for.
const CATEGORY: i64 = 1;

/// The soft TTL of the expired stampede's key: short so the bench does
/// not wait long, long enough that loading it never outlives it.
const EXPIRING_TTL: Duration = Duration::from_millis(1_500);

/// A cache for stampedes: nothing warmed or refreshed behind the bench's
/// back, so every ranking the database counts is one the stampede caused.
fn quiet(mut config: CacheConfig) -> CacheConfig {
    config.warm_at_start = false;
    config.warm_interval = Duration::ZERO;
    config.xfetch_beta = 0.0;
    config
}

/// Sends `requests` concurrent `top(Some(CATEGORY))` spread over
/// `catalogs` in turn; the ranking statements they cost.
async fn storm(catalogs: &[Catalog], db: &Db, requests: usize) -> Result<u64, String> {
    let before = db.counts().get(QueryKind::Ranking);
    let tasks: Vec<_> = (0..requests)
        .map(|i| {
            let catalog = catalogs[i % catalogs.len()].clone();
            tokio::spawn(async move { catalog.top(Some(CATEGORY)).await })
        })
        .collect();
    for task in tasks {
        task.await
            .map_err(|e| format!("a stampede request panicked: {e}"))?
            .map_err(|e| format!("a stampede request failed: {e}"))?;
    }
    Ok(db.counts().get(QueryKind::Ranking) - before)
}

/// Both optimized stampedes; `fresh` gives a config with a namespace
/// nobody has used (so the key is cold in L2 too).
pub async fn optimized(
    db: &Db,
    fresh: impl Fn(&str) -> CacheConfig,
    requests: usize,
) -> Result<Vec<Measurement>, String> {
    let start = |config: CacheConfig| {
        let db = db.clone();
        async move {
            CachedCatalog::start(db, config)
                .await
                .map(Catalog::Optimized)
                .map_err(|e| format!("starting the cache: {e}"))
        }
    };
    let config = quiet(fresh("stampede-cold"));
    let instances = if config.redis.is_some() { 2 } else { 1 };
    let mut catalogs = Vec::new();
    for _ in 0..instances {
        catalogs.push(start(config.clone()).await?);
    }
    let started = Instant::now();
    let cold = storm(&catalogs, db, requests).await?;
    eprintln!(
        "stampede/cold optimized: {requests} requests on {instances} instance(s), \
         {cold} ranking(s) in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let mut config = quiet(fresh("stampede-expired"));
    config.ttl = EXPIRING_TTL;
    config.l1_ttl = EXPIRING_TTL;
    config.jitter = 0.0;
    let mut catalogs = Vec::new();
    for _ in 0..instances {
        catalogs.push(start(config.clone()).await?);
    }
    catalogs[0]
        .top(Some(CATEGORY))
        .await
        .map_err(|e| format!("caching the key: {e}"))?;
    for c in &catalogs[1..] {
        c.top(Some(CATEGORY))
            .await
            .map_err(|e| format!("caching the key: {e}"))?;
    }
    // Past the soft expiry, with margin for a millisecond clock.
    tokio::time::sleep(EXPIRING_TTL + Duration::from_millis(50)).await;
    let expired = storm(&catalogs, db, requests).await?;
    eprintln!(
        "stampede/expired optimized: {requests} requests on {instances} instance(s), \
         {expired} ranking(s)"
    );
    Ok(vec![
        measurement(
            "optimized",
            "stampede/cold",
            MetricKind::DbQueries,
            cold as f64,
        ),
        measurement(
            "optimized",
            "stampede/expired",
            MetricKind::DbQueries,
            expired as f64,
        ),
    ])
}

/// The naive stampede: every request runs the ranking.
pub async fn naive(db: &Db, requests: usize) -> Result<Measurement, String> {
    let catalog = NaiveCatalog::start(db.clone())
        .await
        .map_err(|e| format!("starting the naive catalog: {e}"))?;
    let started = Instant::now();
    let rankings = storm(&[Catalog::Naive(catalog)], db, requests).await?;
    eprintln!(
        "stampede/cold naive: {requests} requests, {rankings} rankings in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(measurement(
        "naive",
        "stampede/cold",
        MetricKind::DbQueries,
        rankings as f64,
    ))
}
