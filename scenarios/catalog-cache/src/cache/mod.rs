//! The optimized variant: cache-aside in two levels.
//!
//! A lookup goes L1 (moka, in process) → L2 (Redis, shared) → the origin
//! (the database), and stores on the way back. What protects the origin:
//!
//! - **Single flight within an instance**: L1 misses of one key share one
//!   load (moka's `try_get_with`).
//! - **A lease across instances**: a missing or stale L2 value is
//!   recomputed only by the instance that takes its lease (`SET NX PX`);
//!   the others serve the stale copy (kept a grace period past its soft
//!   TTL) or, for a cold key, wait for the holder's value.
//! - **Probabilistic early recomputation** (XFetch): a hit close to its
//!   soft expiry may trigger a background recompute, earlier the costlier
//!   the value, so hot keys rarely expire at all.
//! - **Warming**: the critical keys (the top lists and the first page of
//!   each category, with their products) at start; then, every
//!   `warm_interval`, the most-hit L1 keys close to expiry.
//!
//! Correctness under writes: a write deletes what it changed from L2 (by
//! key, and by tag for the groups), deletes the keys' leases so no
//! recompute that started earlier can store, and publishes the
//! invalidation; every instance drops the keys from its L1. A load that
//! overlapped an invalidation keeps its value out of L1. Answers are
//! composed from the cached parts (see `entry`), so a price change costs
//! one product reload, not a ranking.
//!
//! When Redis is down or slow, every command fails fast behind the circuit
//! breaker and the lookup answers from the database; invalidations that
//! could not be published are kept (bounded) and replayed when Redis is
//! back, and a dropped subscription clears L1, because messages may have
//! been missed.

mod batch;
mod breaker;
mod entry;
mod invalidate;
mod l2;
mod load;
mod metrics;
mod warm;

use std::collections::HashSet;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moka::future::Cache;
use moka::notification::RemovalCause;

pub use breaker::{Breaker, BreakerState};
pub use entry::{Entry, Key, Stored, Tag, Value, xfetch};
pub use invalidate::invalidation_for;
pub use l2::{FLUSH, INVALIDATE, Invalidation, L2, L2Config, L2Down, STORE};
pub use metrics::{CacheMetrics, CacheStats, ClassStats};

use crate::db::Db;
use crate::error::CatalogError;
use crate::model::{CategoryPage, Listing, Product, TopList, Write, Written};
use crate::naive::{Categories, check_page};

/// How the cache behaves. [`CacheConfig::default`] is what the service runs.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// L1's bound, in (approximate) bytes of values.
    pub l1_capacity_bytes: u64,
    /// How long L1 keeps a value at most (jittered), so instances converge
    /// even if an invalidation is lost.
    pub l1_ttl: Duration,
    /// A value's soft TTL (jittered): after it, the value is stale.
    pub ttl: Duration,
    /// How long Redis keeps a value past its soft TTL, to serve stale.
    pub stale_grace: Duration,
    /// Soft TTL of a cached absence (an unknown product or category).
    pub missing_ttl: Duration,
    /// ± this fraction of every TTL, drawn per value.
    pub jitter: f64,
    /// How long L1 keeps a stale value served while another instance
    /// recomputes.
    pub stale_l1_ttl: Duration,
    /// The recompute lease's TTL, and how long a cold lookup waits for
    /// another instance's recompute before computing itself.
    pub lease_ttl: Duration,
    /// XFetch's beta (0: off).
    pub xfetch_beta: f64,
    /// Invalidate on writes (by event); false leaves freshness to the TTLs.
    pub events: bool,
    /// Warm the critical keys when the cache starts.
    pub warm_at_start: bool,
    /// How often the warmer refreshes hot keys close to expiry (zero: never).
    pub warm_interval: Duration,
    /// How many of the most-hit keys the warmer considers per round.
    pub hot_keys: usize,
    /// Concurrent loads while warming.
    pub warm_concurrency: usize,
    /// Invalidations kept while Redis is down, to replay when it is back;
    /// beyond it, L2 cannot be trusted and is flushed on recovery.
    pub pending_invalidations: usize,
    /// The Redis side; none runs L1 only (the embedded default).
    pub redis: Option<L2Config>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            l1_capacity_bytes: 64 << 20,
            l1_ttl: Duration::from_secs(10),
            ttl: Duration::from_secs(60),
            stale_grace: Duration::from_secs(30),
            missing_ttl: Duration::from_secs(5),
            jitter: 0.1,
            stale_l1_ttl: Duration::from_millis(50),
            lease_ttl: Duration::from_secs(5),
            xfetch_beta: 1.0,
            events: true,
            warm_at_start: true,
            warm_interval: Duration::from_secs(1),
            hot_keys: 64,
            warm_concurrency: 4,
            pending_invalidations: 10_000,
            redis: None,
        }
    }
}

impl CacheConfig {
    /// The default configuration with L2 at `url`.
    pub fn with_redis(url: &str) -> Self {
        CacheConfig {
            redis: Some(L2Config {
                url: url.to_owned(),
                namespace: "catalog".into(),
                timeout: Duration::from_millis(50),
                breaker_failures: 3,
                breaker_cooldown: Duration::from_millis(500),
            }),
            ..CacheConfig::default()
        }
    }
}

/// The optimized catalog; cheap to clone (one instance's state behind an `Arc`).
#[derive(Debug, Clone)]
pub struct CachedCatalog {
    inner: Arc<Inner>,
}

/// How long [`CachedCatalog::start`] waits for its invalidation
/// subscription before starting without it.
pub const SUBSCRIBE_WAIT: Duration = Duration::from_secs(1);

/// An invalidation Redis did not take: the keys and tags to replay once
/// it is back.
type PendingInvalidation = (Vec<Key>, Vec<Tag>);

#[derive(Debug)]
struct Inner {
    db: Db,
    /// Product reads at the origin, batched.
    products: batch::ProductBatcher,
    l1: Cache<Key, Arc<Entry>>,
    l2: Option<L2>,
    config: CacheConfig,
    metrics: Arc<CacheMetrics>,
    /// Bumped by every invalidation this instance applies.
    epoch: AtomicU64,
    /// Keys being refreshed in the background.
    refreshing: Mutex<HashSet<Key>>,
    /// Invalidations Redis did not take; `None` once over the bound.
    pending: Mutex<Option<Vec<PendingInvalidation>>>,
    /// This instance's name in invalidation messages.
    id: String,
    categories: Categories,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(tasks) = self.tasks.get_mut() {
            for task in tasks.drain(..) {
                task.abort();
            }
        }
    }
}

/// Unix milliseconds.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

thread_local! {
    static RNG: std::cell::Cell<u64> = std::cell::Cell::new(
        perflab_kit::mix64(std::process::id() as u64 ^ now_ms() ^ (&RNG as *const _ as u64))
    );
}

/// Uniform in (0, 1].
fn unit_random() -> f64 {
    RNG.with(|s| {
        let x = perflab_kit::mix64(s.get().wrapping_add(0x9E37_79B9_7F4A_7C15));
        s.set(x);
        ((x >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    })
}

fn jittered(base: Duration, jitter: f64) -> Duration {
    let f = 1.0 + jitter * (2.0 * unit_random() - 1.0);
    base.mul_f64(f.max(0.0))
}

struct L1Expiry;

impl moka::Expiry<Key, Arc<Entry>> for L1Expiry {
    fn expire_after_create(&self, _: &Key, value: &Arc<Entry>, _: Instant) -> Option<Duration> {
        Some(value.l1_ttl)
    }

    fn expire_after_update(
        &self,
        _: &Key,
        value: &Arc<Entry>,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.l1_ttl)
    }
}

impl CachedCatalog {
    /// An instance over `db` with `config`: reads the categories, opens
    /// Redis (lazily) and subscribes to invalidations, warms the critical
    /// keys when configured, and starts the warmer.
    pub async fn start(db: Db, config: CacheConfig) -> Result<CachedCatalog, CatalogError> {
        let categories = Categories::load(&db).await?;
        let (products, batcher_task) = batch::ProductBatcher::start(db.clone());
        let metrics = Arc::new(CacheMetrics::new());
        let evictions = metrics.clone();
        let l1 = Cache::builder()
            .max_capacity(config.l1_capacity_bytes)
            .weigher(|_: &Key, e: &Arc<Entry>| e.weight)
            .expire_after(L1Expiry)
            .eviction_listener(move |_, _, cause| {
                let cause = match cause {
                    RemovalCause::Size => "size",
                    RemovalCause::Expired => "expired",
                    RemovalCause::Explicit => "explicit",
                    RemovalCause::Replaced => "replaced",
                };
                evictions
                    .evictions
                    .get_or_create(&metrics::CauseLabels { cause })
                    .inc();
            })
            .build();
        let l2 = match &config.redis {
            Some(c) => Some(L2::connect(c, metrics.clone()).map_err(CatalogError::Internal)?),
            None => None,
        };
        let id = format!(
            "{:016x}",
            perflab_kit::mix64(now_ms() ^ unit_random().to_bits())
        );
        let catalog = CachedCatalog {
            inner: Arc::new(Inner {
                db,
                products,
                l1,
                l2,
                metrics,
                epoch: AtomicU64::new(0),
                refreshing: Mutex::new(HashSet::new()),
                pending: Mutex::new(Some(Vec::new())),
                id,
                categories,
                tasks: Mutex::new(vec![batcher_task]),
                config,
            }),
        };
        catalog.start_subscriber().await?;
        if catalog.inner.config.warm_at_start {
            catalog.warm_critical().await;
        }
        catalog.start_warmer();
        Ok(catalog)
    }

    /// Starts the invalidation subscriber and waits (at most
    /// [`SUBSCRIBE_WAIT`]) until it is subscribed, so a write made right
    /// after `start` returns is heard. With Redis down the instance starts
    /// anyway: no one can publish then, and the writers replay what they
    /// kept once it is back.
    async fn start_subscriber(&self) -> Result<(), CatalogError> {
        let (Some(config), Some(l2)) = (&self.inner.config.redis, &self.inner.l2) else {
            return Ok(());
        };
        // The task holds a weak reference: dropping the catalog ends it.
        let weak = Arc::downgrade(&self.inner);
        let (task, subscribed) = l2::subscribe(
            config,
            l2.channel(),
            self.inner.metrics.clone(),
            move |notice| {
                if let Some(inner) = weak.upgrade() {
                    let catalog = CachedCatalog { inner };
                    tokio::spawn(async move { catalog.on_notice(notice).await });
                }
            },
        )
        .map_err(CatalogError::Internal)?;
        self.push_task(task);
        if tokio::time::timeout(SUBSCRIBE_WAIT, subscribed)
            .await
            .is_err()
        {
            tracing::warn!(
                "not subscribed to invalidations after {SUBSCRIBE_WAIT:?}: starting anyway"
            );
        }
        Ok(())
    }

    fn push_task(&self, task: tokio::task::JoinHandle<()>) {
        if let Ok(mut tasks) = self.inner.tasks.lock() {
            tasks.push(task);
        }
    }

    /// The database this instance reads.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn config(&self) -> &CacheConfig {
        &self.inner.config
    }

    pub fn metrics(&self) -> &Arc<CacheMetrics> {
        &self.inner.metrics
    }

    /// The counters, with L1's size brought up to date.
    pub async fn stats(&self) -> CacheStats {
        self.inner.l1.run_pending_tasks().await;
        self.update_gauges();
        self.inner.metrics.stats()
    }

    fn update_gauges(&self) {
        let m = &self.inner.metrics;
        m.l1_entries.set(self.inner.l1.entry_count() as i64);
        m.l1_bytes.set(self.inner.l1.weighted_size() as i64);
        if let Some(l2) = &self.inner.l2 {
            m.breaker_state.set(l2.breaker().state() as i64);
        }
    }

    /// The Redis breaker's state, when there is an L2.
    pub fn breaker_state(&self) -> Option<BreakerState> {
        self.inner.l2.as_ref().map(|l2| l2.breaker().state())
    }

    /// L1's entry count and weighted size (bytes), after pending maintenance.
    pub async fn l1_size(&self) -> (u64, u64) {
        self.inner.l1.run_pending_tasks().await;
        (self.inner.l1.entry_count(), self.inner.l1.weighted_size())
    }

    /// Drops everything from L1 (not L2): for tests and benches that need a
    /// cold or just-expired key on this instance.
    pub async fn clear_l1(&self) {
        self.inner.l1.invalidate_all();
        self.inner.l1.run_pending_tasks().await;
    }

    /// The L1 entry of `key`, without loading it.
    pub async fn peek_l1(&self, key: &Key) -> Option<Arc<Entry>> {
        self.inner.l1.get(key).await
    }

    /// The L2 handle, when there is one.
    pub fn l2(&self) -> Option<&L2> {
        self.inner.l2.as_ref()
    }

    /// The top 10 overall or in `category`.
    pub async fn top(&self, category: Option<i64>) -> Result<TopList, CatalogError> {
        if let Some(c) = category {
            self.inner.categories.check(c)?;
        }
        let entry = self.lookup(Key::Ranking(category)).await?;
        let Value::Ranking(ranking) = &entry.value else {
            return Err(mismatch(Key::Ranking(category)));
        };
        let products = self.products(ranking.iter().map(|r| r.id)).await?;
        Ok(TopList::compose(category, ranking, products))
    }

    /// One product.
    pub async fn product(&self, id: i64) -> Result<Product, CatalogError> {
        match self.products([id]).await?.pop().flatten() {
            Some(p) => Ok(p),
            None => Err(CatalogError::NoProduct(id)),
        }
    }

    /// Page `page` (from 1) of `category`.
    pub async fn category_page(
        &self,
        category: i64,
        page: u32,
    ) -> Result<CategoryPage, CatalogError> {
        self.inner.categories.check(category)?;
        let key = Key::Listing { category, page };
        let entry = self.lookup(key).await?;
        let Value::Listing(listing) = &entry.value else {
            return Err(mismatch(key));
        };
        let listing: &Listing = listing.as_ref().ok_or(CatalogError::NoCategory(category))?;
        check_page(category, page, listing.total)?;
        let products = self.products(listing.ids.iter().copied()).await?;
        Ok(CategoryPage::compose(
            listing,
            products.into_iter().flatten().collect(),
        ))
    }

    /// The products `ids` name, in order (none for one that is gone). L1
    /// hits answer at once; the misses load concurrently, each in its own
    /// single flight.
    async fn products(
        &self,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<Vec<Option<Product>>, CatalogError> {
        let lookups = ids.into_iter().map(|id| self.lookup(Key::Product(id)));
        futures_util::future::join_all(lookups)
            .await
            .into_iter()
            .map(|entry| match &entry?.value {
                Value::Product(p) => Ok(p.clone()),
                _ => Err(CatalogError::Internal(
                    "a product key holds another value".into(),
                )),
            })
            .collect()
    }

    /// Applies a write at the database and invalidates what it changed.
    pub async fn write(&self, write: &Write) -> Result<Written, CatalogError> {
        let written = crate::naive::apply(&self.inner.db, write).await?;
        if self.inner.config.events {
            let (keys, tags) = invalidation_for(write, &written);
            self.invalidate(keys, tags).await;
        }
        Ok(written)
    }

    /// One value, from L1, L2 or the origin.
    pub async fn lookup(&self, key: Key) -> Result<Arc<Entry>, CatalogError> {
        let inner = &self.inner;
        if let Some(entry) = inner.l1.get(&key).await {
            inner.metrics.l1_hit(&key);
            entry.hit();
            let beta = inner.config.xfetch_beta;
            if beta > 0.0 && entry.xfetch(now_ms(), beta, unit_random()) {
                self.spawn_refresh(key, "xfetch");
            }
            return Ok(entry);
        }
        inner.metrics.l1_miss(&key);
        let this = self.clone();
        inner
            .l1
            .try_get_with(key, async move { this.load(key).await })
            .await
            .map_err(|e| (*e).clone())
    }
}

fn mismatch(key: Key) -> CatalogError {
    CatalogError::Internal(format!("{} holds a value of another kind", key.name()))
}
