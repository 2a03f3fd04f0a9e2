//! Per-operation latency of an L1 hit and an L2 hit, and the hit ratio
//! under a seeded Zipf stream of reads with writes mixed in.

use std::hint::black_box;
use std::time::{Duration, Instant};

use catalog_cache::cache::Key;
use catalog_cache::{CacheConfig, CachedCatalog, CatalogSpec, Db, Write};
use perflab_load::SeededRng;
use perflab_schema::{Measurement, MetricKind};

use crate::support::{Zipf, delta, eprint_latency, latency, measurement};

/// Distinct product keys the hit timings cycle through.
const HIT_KEYS: i64 = 256;

/// The Zipf exponent of every key stream: about the skew of web traffic.
pub const ZIPF_EXPONENT: f64 = 1.0;

/// Out of 100 operations of the hit-ratio stream: the reads by kind, and
/// the rest writes (price changes and sales, half each).
const TOP_PCT: u64 = 10;
const CATEGORY_TOP_PCT: u64 = 30;
const PAGE_PCT: u64 = 20;
const PRODUCT_PCT: u64 = 37;

/// Pages of a category the stream reads (Zipf over them).
const PAGES: u64 = 5;

/// TTLs of the hit timings' cache: far past the longest timing run, so
/// every timed lookup is a hit of the level it means to time.
const HIT_TTL: Duration = Duration::from_secs(600);

/// `l1_hit` and `l2_hit` (the latter only with Redis): one `lookup` of a
/// product key each, timed alone, `calls` of them. The cache is quiet (no
/// warming, no early refresh, long TTLs), and a timed lookup that reached
/// the database fails the bench: it would have timed a miss.
pub async fn hit_latency(
    db: &Db,
    mut config: CacheConfig,
    calls: usize,
) -> Result<Vec<Measurement>, String> {
    config.warm_at_start = false;
    config.warm_interval = Duration::ZERO;
    config.xfetch_beta = 0.0;
    config.ttl = HIT_TTL;
    config.l1_ttl = HIT_TTL;
    let has_l2 = config.redis.is_some();
    let catalog = CachedCatalog::start(db.clone(), config)
        .await
        .map_err(|e| format!("starting the cache: {e}"))?;
    let keys: Vec<Key> = (1..=HIT_KEYS).map(Key::Product).collect();
    for key in &keys {
        catalog
            .lookup(*key)
            .await
            .map_err(|e| format!("loading {}: {e}", key.name()))?;
    }
    let before = db.counts().reads();
    let mut l1 = Vec::with_capacity(calls);
    for i in 0..calls {
        let key = keys[i % keys.len()];
        let started = Instant::now();
        let entry = catalog.lookup(key).await;
        l1.push(started.elapsed().as_nanos() as u64);
        black_box(entry.map_err(|e| e.to_string())?);
    }
    let mut out = latency("optimized", "l1_hit", &l1);
    eprint_latency("l1_hit", &l1);
    if has_l2 {
        let mut l2 = Vec::with_capacity(calls);
        for i in 0..calls {
            let key = keys[i % keys.len()];
            catalog.clear_l1().await;
            let started = Instant::now();
            let entry = catalog.lookup(key).await;
            l2.push(started.elapsed().as_nanos() as u64);
            black_box(entry.map_err(|e| e.to_string())?);
        }
        out.extend(latency("optimized", "l2_hit", &l2));
        eprint_latency("l2_hit", &l2);
    }
    let origin = db.counts().reads() - before;
    if origin > 0 {
        return Err(format!(
            "{origin} hit timings reached the database: they timed misses, not hits"
        ));
    }
    Ok(out)
}

/// `hit_ratio/zipf`: `ops` operations of one seeded stream on a cache
/// started as the service starts it (warmed), the ratio taken over the
/// stream only: lookups answered without this instance computing at the
/// origin.
pub async fn hit_ratio(
    db: &Db,
    config: CacheConfig,
    spec: &CatalogSpec,
    ops: u64,
    seed: u64,
) -> Result<Measurement, String> {
    let catalog = CachedCatalog::start(db.clone(), config)
        .await
        .map_err(|e| format!("starting the cache: {e}"))?;
    let categories = Zipf::new(u64::from(spec.categories), ZIPF_EXPONENT);
    let products = Zipf::new(u64::from(spec.products), ZIPF_EXPONENT);
    let pages = Zipf::new(PAGES, ZIPF_EXPONENT);
    let mut rng = SeededRng::new(seed);
    let before = catalog.metrics().stats().all;
    let (mut writes, mut gone) = (0u64, 0u64);
    for _ in 0..ops {
        let roll = rng.below(100);
        let category = categories.sample(&mut rng) as i64;
        let product = products.sample(&mut rng) as i64;
        let answer = if roll < TOP_PCT {
            catalog.top(None).await.map(drop)
        } else if roll < TOP_PCT + CATEGORY_TOP_PCT {
            catalog.top(Some(category)).await.map(drop)
        } else if roll < TOP_PCT + CATEGORY_TOP_PCT + PAGE_PCT {
            let page = pages.sample(&mut rng) as u32;
            catalog.category_page(category, page).await.map(drop)
        } else if roll < TOP_PCT + CATEGORY_TOP_PCT + PAGE_PCT + PRODUCT_PCT {
            catalog.product(product).await.map(drop)
        } else {
            writes += 1;
            let write = if rng.below(2) == 0 {
                Write::Price {
                    id: product,
                    price_cents: 199 + rng.below(99_800) as i64,
                }
            } else {
                Write::Sale {
                    id: product,
                    quantity: 1 + rng.below(3) as i64,
                }
            };
            catalog.write(&write).await.map(drop)
        };
        match answer {
            Ok(()) => {}
            // A short category can lack page 5: a 404 is an answer too.
            Err(e) if e.is_not_found() => gone += 1,
            Err(e) => return Err(format!("the hit-ratio stream: {e}")),
        }
    }
    let stream = delta(&catalog.metrics().stats().all, &before);
    let ratio = stream
        .hit_ratio()
        .ok_or("the hit-ratio stream made no lookups")?;
    eprintln!(
        "hit_ratio/zipf: {ops} operations ({writes} writes, {gone} not found), {} lookups, \
         {} origin loads: {ratio:.4}",
        stream.l1_hits + stream.l1_misses,
        stream.origin_loads
    );
    Ok(measurement(
        "optimized",
        "hit_ratio/zipf",
        MetricKind::HitRatio,
        ratio,
    ))
}
