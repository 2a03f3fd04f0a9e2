//! Invalidation: what a write changes, applied here, in L2 and (by event)
//! on every instance; and what the subscriber hears.

use std::sync::atomic::Ordering;

use super::CachedCatalog;
use super::entry::{Key, Tag};
use super::l2::{L2Down, Notice};
use crate::model::{Write, Written};

impl CachedCatalog {
    pub(super) async fn on_notice(&self, notice: Notice) {
        match notice {
            Notice::Invalidation(inv) => {
                self.inner.metrics.invalidations_received.inc();
                if inv.all {
                    self.inner.epoch.fetch_add(1, Ordering::SeqCst);
                    self.inner.l1.invalidate_all();
                } else if inv.sender != self.inner.id {
                    self.apply_locally(&inv.keys, &inv.tags).await;
                }
            }
            Notice::Disconnected => {
                self.inner.epoch.fetch_add(1, Ordering::SeqCst);
                self.inner.l1.invalidate_all();
                tracing::warn!("invalidation subscription dropped: L1 cleared");
            }
        }
    }

    /// Invalidates `keys` and `tags` here, in L2 and (by event) everywhere.
    pub(super) async fn invalidate(&self, keys: Vec<Key>, tags: Vec<Tag>) {
        self.apply_locally(&keys, &tags).await;
        let Some(l2) = &self.inner.l2 else {
            return;
        };
        match l2.invalidate(&self.inner.id, &keys, &tags).await {
            Ok(_) => {
                self.inner.metrics.invalidations_sent.inc();
            }
            Err(L2Down) => self.keep_pending(keys, tags),
        }
    }

    pub(super) fn keep_pending(&self, keys: Vec<Key>, tags: Vec<Tag>) {
        let Ok(mut pending) = self.inner.pending.lock() else {
            return;
        };
        let bound = self.inner.config.pending_invalidations;
        if let Some(list) = pending.as_mut() {
            if list.len() < bound {
                list.push((keys, tags));
            } else {
                tracing::warn!(
                    bound,
                    "too many invalidations while Redis is down: L2 will be flushed"
                );
                *pending = None;
            }
        }
    }

    /// Drops `keys`, and every L1 entry tagged with one of `tags`, from L1.
    pub(super) async fn apply_locally(&self, keys: &[Key], tags: &[Tag]) {
        let l1 = &self.inner.l1;
        self.inner.epoch.fetch_add(1, Ordering::SeqCst);
        for key in keys {
            l1.invalidate(key).await;
        }
        if !tags.is_empty() {
            let tagged: Vec<Key> = l1
                .iter()
                .filter(|(_, e)| tags.iter().any(|&t| e.value.has_tag(t)))
                .map(|(k, _)| *k)
                .collect();
            for key in tagged {
                l1.invalidate(&key).await;
            }
        }
    }
}

/// The keys and tags a write changes.
pub fn invalidation_for(write: &Write, written: &Written) -> (Vec<Key>, Vec<Tag>) {
    let product = Key::Product(written.product_id);
    match write {
        Write::Price { .. } | Write::Sale { .. } => (vec![product], Vec::new()),
        // A new product's id may have been cached as missing.
        Write::Add(_) => (vec![product], vec![Tag::Category(written.category_id)]),
        Write::Remove { .. } => (
            vec![product],
            vec![
                Tag::Member(written.product_id),
                Tag::Category(written.category_id),
            ],
        ),
    }
}
