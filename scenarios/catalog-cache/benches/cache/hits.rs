//! Per-operation latency of an L1 hit and an L2 hit, and the hit ratio
//! under a seeded Zipf stream of reads with writes mixed in.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_cache::cache::{Entry, Key};
use catalog_cache::{CacheConfig, CachedCatalog, CatalogSpec, Db, Write};
use perflab_load::SeededRng;
use perflab_schema::{Measurement, MetricKind};
use redis::AsyncCommands;

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
    out.extend(moka_floor(&catalog, &keys, calls).await);
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
        out.extend(redis_floor(&catalog, &keys, calls).await?);
    }
    let origin = db.counts().reads() - before;
    if origin > 0 {
        return Err(format!(
            "{origin} hit timings reached the database: they timed misses, not hits"
        ));
    }
    Ok(out)
}

/// `l1_hit/moka_get`: the floor under `l1_hit`, a bare moka cache built
/// as L1 is (the same weigher, the same entries) and timed the same way.
/// What is left between the two is this cache's own work on a hit
/// (metrics, hit counts, XFetch's check). moka records every read and
/// replays the record in batches on the reading thread, so a few reads
/// in a hundred carry that batch: the p99 of both rows.
async fn moka_floor(catalog: &CachedCatalog, keys: &[Key], calls: usize) -> Vec<Measurement> {
    let bare: moka::future::Cache<Key, Arc<Entry>> = moka::future::Cache::builder()
        .max_capacity(catalog.config().l1_capacity_bytes)
        .weigher(|_: &Key, e: &Arc<Entry>| e.weight)
        .build();
    for key in keys {
        if let Some(entry) = catalog.peek_l1(key).await {
            bare.insert(*key, entry).await;
        }
    }
    let mut ns = Vec::with_capacity(calls);
    for i in 0..calls {
        let key = keys[i % keys.len()];
        let started = Instant::now();
        let entry = bare.get(&key).await;
        ns.push(started.elapsed().as_nanos() as u64);
        black_box(entry);
    }
    eprint_latency("l1_hit/moka_get", &ns);
    latency("optimized", "l1_hit/moka_get", &ns)
}

/// `l2_hit/redis_get`: the floor under `l2_hit`, a bare `GET` of the same
/// stored values on a connection of the same kind, timed the same way.
/// What is left between the two is this cache's work on an L2 hit
/// (decoding, checking and filling L1).
async fn redis_floor(
    catalog: &CachedCatalog,
    keys: &[Key],
    calls: usize,
) -> Result<Vec<Measurement>, String> {
    let Some(l2) = &catalog.config().redis else {
        return Ok(Vec::new());
    };
    let client =
        redis::Client::open(l2.url.as_str()).map_err(|e| format!("REDIS_URL {}: {e}", l2.url))?;
    let mut conn = redis::aio::ConnectionManager::new(client)
        .await
        .map_err(|e| format!("connecting to {}: {e}", l2.url))?;
    let names: Vec<String> = keys
        .iter()
        .map(|k| format!("{}:v:{}", l2.namespace, k.name()))
        .collect();
    let mut ns = Vec::with_capacity(calls);
    for i in 0..calls {
        let started = Instant::now();
        let bytes: Option<Vec<u8>> = conn
            .get(&names[i % names.len()])
            .await
            .map_err(|e| format!("GET on {}: {e}", l2.url))?;
        ns.push(started.elapsed().as_nanos() as u64);
        if bytes.is_none() {
            return Err(format!("{} is not in Redis", names[i % names.len()]));
        }
    }
    eprint_latency("l2_hit/redis_get", &ns);
    Ok(latency("optimized", "l2_hit/redis_get", &ns))
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
) -> Result<Vec<Measurement>, String> {
    let catalog = CachedCatalog::start(db.clone(), config)
        .await
        .map_err(|e| format!("starting the cache: {e}"))?;
    let categories = Zipf::new(u64::from(spec.categories), ZIPF_EXPONENT);
    let products = Zipf::new(u64::from(spec.products), ZIPF_EXPONENT);
    let pages = Zipf::new(PAGES, ZIPF_EXPONENT);
    let mut rng = SeededRng::new(seed);
    let before = catalog.metrics().stats();
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
    let after = catalog.metrics().stats();
    let stream = delta(&after.all, &before.all);
    let top = delta(&after.top, &before.top);
    let ratio = stream
        .hit_ratio()
        .ok_or("the hit-ratio stream made no lookups")?;
    let top_ratio = top
        .hit_ratio()
        .ok_or("the hit-ratio stream read no top list")?;
    eprintln!(
        "hit_ratio/zipf: {ops} operations ({writes} writes, {gone} not found), {} lookups, \
         {} origin loads: {ratio:.4}; of the top-10 lists: {} lookups, {} origin loads: \
         {top_ratio:.4}",
        stream.l1_hits + stream.l1_misses,
        stream.origin_loads,
        top.l1_hits + top.l1_misses,
        top.origin_loads,
    );
    Ok(vec![
        measurement("optimized", "hit_ratio/zipf", MetricKind::HitRatio, ratio),
        measurement(
            "optimized",
            "hit_ratio/zipf/top",
            MetricKind::HitRatio,
            top_ratio,
        ),
    ])
}
