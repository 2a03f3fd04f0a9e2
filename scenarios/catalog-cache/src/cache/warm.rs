//! Keeping values warm: the critical keys at start, the hot keys ahead of
//! expiry, waiting on another instance's recompute, and replaying the
//! invalidations Redis missed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::entry::{Key, Stored, Value};
use super::l2::L2;
use super::{CachedCatalog, now_ms};

/// How a wait on another instance's recompute ended.
pub(super) enum Waited {
    Value(Stored),
    /// The lease went without a value (its holder failed, or a write
    /// invalidated the key): try to take it.
    LeaseGone,
    Down,
    Deadline,
}

/// Polls L2 for `key` until a fresh value appears, the lease goes, Redis
/// fails, or `deadline`; backing off from 2 ms to 25 ms.
pub(super) async fn wait_for(
    catalog: &CachedCatalog,
    l2: &L2,
    key: Key,
    deadline: Instant,
) -> Waited {
    let mut pause = Duration::from_millis(2);
    let fresh = |found: Option<Stored>| {
        found.filter(|s| catalog.fits(&key, s) && now_ms() < s.soft_expiry_ms)
    };
    loop {
        if Instant::now() >= deadline {
            return Waited::Deadline;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(25));
        match l2.get(&key).await {
            Err(_) => return Waited::Down,
            Ok(found) => {
                if let Some(stored) = fresh(found) {
                    return Waited::Value(stored);
                }
            }
        }
        match l2.lease_held(&key).await {
            Err(_) => return Waited::Down,
            Ok(true) => {}
            // The holder stores and drops the lease in one step: look once
            // more before competing for it.
            Ok(false) => {
                return match l2.get(&key).await {
                    Err(_) => Waited::Down,
                    Ok(found) => fresh(found).map_or(Waited::LeaseGone, Waited::Value),
                };
            }
        }
    }
}

impl CachedCatalog {
    /// The critical keys: the overall top list, each category's top list
    /// and first page, and the products they show.
    pub fn critical_keys(&self) -> Vec<Key> {
        let categories = self.inner.categories.sorted();
        std::iter::once(Key::Ranking(None))
            .chain(categories.iter().map(|&c| Key::Ranking(Some(c))))
            .chain(categories.iter().map(|&c| Key::Listing {
                category: c,
                page: 1,
            }))
            .collect()
    }

    /// Loads the critical keys and the products they name, at most
    /// `warm_concurrency` at a time; the number of keys now warm.
    pub async fn warm_critical(&self) -> usize {
        let started = Instant::now();
        let limit = self.inner.config.warm_concurrency.max(1);
        let keys = self.critical_keys();
        let named: Vec<Key> = futures_util::stream::iter(keys.iter().copied())
            .map(|key| async move { self.lookup(key).await.ok() })
            .buffer_unordered(limit)
            .flat_map(|entry| {
                futures_util::stream::iter(
                    entry.map(|e| products_named(&e.value)).unwrap_or_default(),
                )
            })
            .collect()
            .await;
        let products = futures_util::stream::iter(named)
            .map(|key| async move { self.lookup(key).await.is_ok() })
            .buffer_unordered(limit)
            .filter(|ok| std::future::ready(*ok))
            .count()
            .await;
        let warmed = keys.len() + products;
        tracing::info!(keys = warmed, took = ?started.elapsed(), "warmed the critical keys");
        warmed
    }

    pub(super) fn start_warmer(&self) {
        let interval = self.inner.config.warm_interval;
        if interval.is_zero() {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                let catalog = CachedCatalog { inner };
                catalog.replay_pending().await;
                catalog.refresh_hot().await;
            }
        });
        self.push_task(task);
    }

    /// Refreshes the most-hit L1 keys whose soft expiry falls within the
    /// next two warm intervals (or twice their cost, if longer).
    pub async fn refresh_hot(&self) -> usize {
        let now = now_ms();
        let interval = self.inner.config.warm_interval.as_millis() as u64;
        let mut hot: Vec<(u64, Key)> = self
            .inner
            .l1
            .iter()
            .filter(|(_, e)| {
                !e.value.is_missing()
                    && e.hits() > 0
                    && e.soft_expiry_ms.saturating_sub(now) <= (2 * interval).max(2 * e.delta_ms)
            })
            .map(|(k, e)| (e.hits(), *k))
            .collect();
        hot.sort_unstable_by_key(|&(hits, _)| std::cmp::Reverse(hits));
        hot.truncate(self.inner.config.hot_keys);
        for &(_, key) in &hot {
            self.spawn_refresh(key, "warm");
        }
        hot.len()
    }

    /// Sends the invalidations Redis did not take while it was down; if
    /// there were too many to keep, flushes this namespace's values instead.
    async fn replay_pending(&self) {
        let Some(l2) = &self.inner.l2 else {
            return;
        };
        let taken = match self.inner.pending.lock() {
            Ok(mut pending) => match pending.as_mut() {
                Some(list) if list.is_empty() => return,
                Some(list) => Some(std::mem::take(list)),
                None => None,
            },
            Err(_) => return,
        };
        match taken {
            Some(list) => {
                for (i, (keys, tags)) in list.iter().enumerate() {
                    if l2.invalidate(&self.inner.id, keys, tags).await.is_err() {
                        // Still down: keep what is left for the next round.
                        for (keys, tags) in list.into_iter().skip(i) {
                            self.keep_pending(keys, tags);
                        }
                        return;
                    }
                    self.inner.metrics.invalidations_sent.inc();
                }
            }
            None => {
                if l2.flush(&self.inner.id).await.is_ok()
                    && let Ok(mut pending) = self.inner.pending.lock()
                {
                    *pending = Some(Vec::new());
                }
            }
        }
    }
}

/// The product keys a ranking or listing names.
fn products_named(value: &Value) -> Vec<Key> {
    match value {
        Value::Ranking(ids) => ids.iter().map(|r| Key::Product(r.id)).collect(),
        Value::Listing(Some(l)) => l.ids.iter().map(|&id| Key::Product(id)).collect(),
        _ => Vec::new(),
    }
}
