//! The lookup path past L1: L2, the lease, the origin; and background
//! refreshes.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::entry::{ENVELOPE_VERSION, Entry, Key, Stored, Value, xfetch};
use super::l2::{L2, L2Down};
use super::{CachedCatalog, jittered, now_ms, unit_random, warm};
use crate::error::CatalogError;

impl CachedCatalog {
    /// L1 missed: L2, then (under the lease) the origin.
    pub(super) async fn load(&self, key: Key) -> Result<Arc<Entry>, CatalogError> {
        let epoch = self.inner.epoch.load(Ordering::SeqCst);
        let (stored, cap) = match &self.inner.l2 {
            None => (self.compute(key).await?, None),
            Some(l2) => self.load_l2(l2, key).await?,
        };
        Ok(Arc::new(self.entry(stored, epoch, cap)))
    }

    async fn load_l2(&self, l2: &L2, key: Key) -> Result<(Stored, Option<Duration>), CatalogError> {
        let found = match l2.get(&key).await {
            Err(L2Down) => return Ok((self.compute(key).await?, None)),
            Ok(found) => found.filter(|s| self.fits(&key, s)),
        };
        let now = now_ms();
        match found {
            Some(stored) if now < stored.soft_expiry_ms => {
                self.inner.metrics.hit("l2", &key);
                let beta = self.inner.config.xfetch_beta;
                if beta > 0.0
                    && xfetch(
                        now,
                        stored.soft_expiry_ms,
                        stored.delta_ms,
                        beta,
                        unit_random(),
                    )
                {
                    self.spawn_refresh(key, "xfetch");
                }
                Ok((stored, None))
            }
            stale => {
                self.inner.metrics.miss("l2", &key);
                self.recompute_or_wait(l2, key, stale).await
            }
        }
    }

    /// The value is missing or stale in L2: recompute under the lease, or
    /// serve the stale copy, or wait for whoever holds the lease.
    async fn recompute_or_wait(
        &self,
        l2: &L2,
        key: Key,
        stale: Option<Stored>,
    ) -> Result<(Stored, Option<Duration>), CatalogError> {
        let config = &self.inner.config;
        let deadline = Instant::now() + config.lease_ttl;
        loop {
            match l2.try_lease(&key, config.lease_ttl).await {
                Err(L2Down) => return Ok((self.compute(key).await?, None)),
                Ok(Some(token)) => {
                    // Whoever held the lease before may have stored between
                    // our GET and our lease: use that, not a second
                    // computation. (Our lease then lapses by its TTL; a
                    // write deletes it sooner.)
                    if let Ok(Some(fresh)) = l2.get_again(&key).await
                        && now_ms() < fresh.soft_expiry_ms
                        && fits(&key, &fresh)
                    {
                        return Ok((fresh, None));
                    }
                    let stored = self.compute(key).await?;
                    let kept = l2.store(&key, &token, &stored, self.l2_ttl(&stored)).await;
                    // Lost the lease (a write invalidated the key meanwhile):
                    // answer this once, keep it out of L1.
                    let cap = (kept == Ok(false)).then_some(Duration::ZERO);
                    return Ok((stored, cap));
                }
                Ok(None) => {
                    if let Some(stale) = stale {
                        self.inner.metrics.stale(&key);
                        return Ok((stale, Some(config.stale_l1_ttl)));
                    }
                    self.inner.metrics.lease_waits.inc();
                    match warm::wait_for(self, l2, key, deadline).await {
                        warm::Waited::Value(stored) => return Ok((stored, None)),
                        warm::Waited::LeaseGone => continue,
                        warm::Waited::Down | warm::Waited::Deadline => {
                            return Ok((self.compute(key).await?, None));
                        }
                    }
                }
            }
        }
    }

    /// Whether a value read from Redis belongs to `key`; one that does not
    /// is counted and logged as undecodable, and never served.
    pub(super) fn fits(&self, key: &Key, stored: &Stored) -> bool {
        let ok = fits(key, stored);
        if !ok {
            self.inner.metrics.decode_errors.inc();
            tracing::warn!(key = %key.name(), "a value in Redis does not fit its key; treated as a miss");
        }
        ok
    }

    /// Computes `key` at the origin, with its soft expiry and cost.
    async fn compute(&self, key: Key) -> Result<Stored, CatalogError> {
        let db = &self.inner.db;
        let started = Instant::now();
        let value = match key {
            Key::Ranking(category) => Value::Ranking(db.ranking(category).await?),
            Key::Product(id) => Value::Product(self.inner.products.load(id).await?),
            Key::Listing { category, page } => Value::Listing(db.listing(category, page).await?),
        };
        let took = started.elapsed();
        self.inner.metrics.origin(&key, took);
        let config = &self.inner.config;
        let ttl = if value.is_missing() {
            config.missing_ttl
        } else {
            jittered(config.ttl, config.jitter)
        };
        Ok(Stored {
            v: ENVELOPE_VERSION,
            soft_expiry_ms: now_ms() + ttl.as_millis() as u64,
            delta_ms: took.as_millis() as u64,
            value,
        })
    }

    /// Redis keeps a value its remaining soft TTL plus the grace period.
    fn l2_ttl(&self, stored: &Stored) -> Duration {
        let soft = Duration::from_millis(stored.soft_expiry_ms.saturating_sub(now_ms()));
        soft + self.inner.config.stale_grace
    }

    /// An L1 entry for `stored`: kept the (jittered) L1 TTL, never past its
    /// soft expiry, `cap` at most, and not at all if an invalidation came
    /// in since the load began (`epoch`).
    fn entry(&self, stored: Stored, epoch: u64, cap: Option<Duration>) -> Entry {
        let config = &self.inner.config;
        let soft_left = Duration::from_millis(stored.soft_expiry_ms.saturating_sub(now_ms()));
        let mut ttl = match cap {
            Some(cap) => cap,
            None => jittered(config.l1_ttl, config.jitter).min(soft_left),
        };
        if self.inner.epoch.load(Ordering::SeqCst) != epoch {
            ttl = Duration::ZERO;
        }
        Entry::new(stored, ttl)
    }

    pub(super) fn spawn_refresh(&self, key: Key, cause: &'static str) {
        let fresh = match self.inner.refreshing.lock() {
            Ok(mut set) => set.insert(key),
            Err(_) => false,
        };
        if !fresh {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.refresh(key, cause).await {
                tracing::warn!(key = %key.name(), error = %e, "background refresh failed");
            }
            if let Ok(mut set) = this.inner.refreshing.lock() {
                set.remove(&key);
            }
        });
    }

    /// Recomputes `key` ahead of its expiry (under the lease when there is
    /// an L2; another instance holding it means it is being done).
    async fn refresh(&self, key: Key, cause: &'static str) -> Result<(), CatalogError> {
        let epoch = self.inner.epoch.load(Ordering::SeqCst);
        let stored = match &self.inner.l2 {
            Some(l2) => match l2.try_lease(&key, self.inner.config.lease_ttl).await {
                Ok(None) => return Ok(()),
                Ok(Some(token)) => {
                    let stored = self.compute(key).await?;
                    if l2.store(&key, &token, &stored, self.l2_ttl(&stored)).await == Ok(false) {
                        return Ok(());
                    }
                    stored
                }
                Err(L2Down) => self.compute(key).await?,
            },
            None => self.compute(key).await?,
        };
        self.inner.metrics.refresh(cause);
        let entry = self.entry(stored, epoch, None);
        self.inner.l1.insert(key, Arc::new(entry)).await;
        Ok(())
    }
}

/// Whether `stored` is a value of `key` (its kind, and the id or page it
/// names).
fn fits(key: &Key, stored: &Stored) -> bool {
    match (key, &stored.value) {
        (Key::Ranking(_), Value::Ranking(_)) => true,
        (Key::Product(id), Value::Product(p)) => p.as_ref().is_none_or(|p| p.id == *id),
        (Key::Listing { category, page }, Value::Listing(l)) => l
            .as_ref()
            .is_none_or(|l| l.category_id == *category && l.page == *page),
        _ => false,
    }
}
