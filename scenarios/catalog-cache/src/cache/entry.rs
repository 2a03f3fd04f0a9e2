//! What the cache holds: keys, values, their tags, and the envelope a value
//! travels in to and from Redis.
//!
//! The expensive parts are cached on their own and answers are composed
//! from them: a ranking holds ids and scores, a listing holds a page's ids,
//! and the products they name are cached one by one. A price change then
//! invalidates one product key, and every top list and page that shows
//! the product shows the new price as soon as that key reloads (a cheap
//! primary-key read), without recomputing any ranking.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::db::QueryKind;
use crate::model::{Listing, Product, Ranked};

/// Every key class, the `class` label of the cache's metrics.
pub const CLASSES: [&str; 4] = ["top", "category_top", "product", "listing"];

/// A cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// The top-10 ranking, overall (`None`) or of a category.
    Ranking(Option<i64>),
    /// One product and its aggregates (or the fact that it does not exist).
    Product(i64),
    /// A category's head and one page of ids.
    Listing { category: i64, page: u32 },
}

impl Key {
    /// The key's name in Redis (after the namespace) and in invalidation
    /// messages: `rank:all`, `rank:7`, `product:42`, `listing:7:2`.
    pub fn name(&self) -> String {
        match self {
            Key::Ranking(None) => "rank:all".into(),
            Key::Ranking(Some(c)) => format!("rank:{c}"),
            Key::Product(id) => format!("product:{id}"),
            Key::Listing { category, page } => format!("listing:{category}:{page}"),
        }
    }

    /// The key a [`Key::name`] names, or none for anything else.
    pub fn parse(name: &str) -> Option<Key> {
        let mut parts = name.split(':');
        let key = match (parts.next()?, parts.next()?, parts.next()) {
            ("rank", "all", None) => Key::Ranking(None),
            ("rank", c, None) => Key::Ranking(Some(c.parse().ok()?)),
            ("product", id, None) => Key::Product(id.parse().ok()?),
            ("listing", c, Some(page)) => Key::Listing {
                category: c.parse().ok()?,
                page: page.parse().ok()?,
            },
            _ => return None,
        };
        parts.next().is_none().then_some(key)
    }

    /// The origin statement that computes this key.
    pub fn kind(&self) -> QueryKind {
        match self {
            Key::Ranking(_) => QueryKind::Ranking,
            Key::Product(_) => QueryKind::Products,
            Key::Listing { .. } => QueryKind::Listing,
        }
    }

    /// The `class` label of this key's metrics.
    pub fn class(&self) -> &'static str {
        CLASSES[self.class_index()]
    }

    /// The position of [`Key::class`] in [`CLASSES`].
    pub fn class_index(&self) -> usize {
        match self {
            Key::Ranking(None) => 0,
            Key::Ranking(Some(_)) => 1,
            Key::Product(_) => 2,
            Key::Listing { .. } => 3,
        }
    }
}

/// A group of keys a write can invalidate at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    /// Every ranking and page that lists this product.
    Member(i64),
    /// Every page of this category.
    Category(i64),
}

impl Tag {
    pub fn name(&self) -> String {
        match self {
            Tag::Member(id) => format!("member:{id}"),
            Tag::Category(c) => format!("category:{c}"),
        }
    }

    pub fn parse(name: &str) -> Option<Tag> {
        let (kind, id) = name.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "member" => Some(Tag::Member(id)),
            "category" => Some(Tag::Category(id)),
            _ => None,
        }
    }
}

/// A cached value. `None` inside caches the fact that something does not
/// exist, briefly, so a flood of requests for an unknown id cannot reach
/// the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Ranking(Vec<Ranked>),
    Product(Option<Product>),
    Listing(Option<Listing>),
}

impl Value {
    /// The groups this value belongs to.
    pub fn tags(&self) -> Vec<Tag> {
        match self {
            Value::Ranking(ids) => ids.iter().map(|r| Tag::Member(r.id)).collect(),
            Value::Listing(Some(l)) => std::iter::once(Tag::Category(l.category_id))
                .chain(l.ids.iter().map(|&id| Tag::Member(id)))
                .collect(),
            Value::Product(_) | Value::Listing(None) => Vec::new(),
        }
    }

    pub fn has_tag(&self, tag: Tag) -> bool {
        match (self, tag) {
            (Value::Ranking(ids), Tag::Member(p)) => ids.iter().any(|r| r.id == p),
            (Value::Listing(Some(l)), Tag::Member(p)) => l.ids.contains(&p),
            (Value::Listing(Some(l)), Tag::Category(c)) => l.category_id == c,
            _ => false,
        }
    }

    /// Whether this caches an absence.
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Product(None) | Value::Listing(None))
    }
}

/// A value with its freshness, as Redis stores it (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// Envelope version; anything else decodes as a miss.
    pub v: u32,
    /// Unix milliseconds after which the value is stale (Redis keeps it a
    /// grace period longer, to serve while one instance recomputes).
    pub soft_expiry_ms: u64,
    /// How long the origin took to compute it: XFetch's delta.
    pub delta_ms: u64,
    pub value: Value,
}

/// The envelope version this build writes and reads.
pub const ENVELOPE_VERSION: u32 = 1;

impl Stored {
    pub fn encode(&self) -> Vec<u8> {
        // A derive-only struct of integers, strings and vectors cannot fail
        // to serialize.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The stored value, or why the bytes are not one.
    pub fn decode(bytes: &[u8]) -> Result<Stored, String> {
        let stored: Stored = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if stored.v != ENVELOPE_VERSION {
            return Err(format!(
                "envelope version {} (this build reads {ENVELOPE_VERSION})",
                stored.v
            ));
        }
        Ok(stored)
    }
}

/// A value in the in-process cache (L1).
#[derive(Debug)]
pub struct Entry {
    pub value: Value,
    pub soft_expiry_ms: u64,
    pub delta_ms: u64,
    /// How long L1 keeps it: moka reads this through the cache's expiry.
    pub l1_ttl: Duration,
    /// Hits since it was loaded: the warmer refreshes the most-hit keys
    /// ahead of expiry.
    pub hits: AtomicU64,
    /// Approximate bytes, for L1's weight bound.
    pub weight: u32,
}

impl Entry {
    pub fn new(stored: Stored, l1_ttl: Duration) -> Self {
        let weight = weigh(&stored.value);
        Entry {
            value: stored.value,
            soft_expiry_ms: stored.soft_expiry_ms,
            delta_ms: stored.delta_ms,
            l1_ttl,
            hits: AtomicU64::new(0),
            weight,
        }
    }

    pub fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Whether XFetch says to recompute now, `u` being uniform in (0, 1]:
    /// `now - delta * beta * ln(u) >= expiry` (Vattani, Chierichetti and
    /// Lowenstein, "Optimal Probabilistic Cache Stampede Prevention",
    /// VLDB 2015). The closer to expiry and the costlier the value, the
    /// likelier an early recompute; `beta` 0 turns it off.
    pub fn xfetch(&self, now_ms: u64, beta: f64, u: f64) -> bool {
        xfetch(now_ms, self.soft_expiry_ms, self.delta_ms, beta, u)
    }
}

/// XFetch's test on its own; see [`Entry::xfetch`].
pub fn xfetch(now_ms: u64, expiry_ms: u64, delta_ms: u64, beta: f64, u: f64) -> bool {
    if beta <= 0.0 {
        return now_ms >= expiry_ms;
    }
    let gap = delta_ms as f64 * beta * -u.max(f64::MIN_POSITIVE).ln();
    now_ms as f64 + gap >= expiry_ms as f64
}

/// Bytes a value takes in memory, roughly: the struct, its strings and
/// vectors, and moka's per-entry overhead.
fn weigh(value: &Value) -> u32 {
    const ENTRY: usize = 160;
    let product = |p: &Product| std::mem::size_of::<Product>() + p.name.len();
    let bytes = ENTRY
        + match value {
            Value::Ranking(ids) => ids.len() * std::mem::size_of::<Ranked>(),
            Value::Product(p) => p.as_ref().map_or(0, product),
            Value::Listing(l) => l.as_ref().map_or(0, |l| l.name.len() + l.ids.len() * 8),
        };
    bytes.min(u32::MAX as usize) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_round_trip_and_junk_is_refused() {
        for key in [
            Key::Ranking(None),
            Key::Ranking(Some(7)),
            Key::Product(42),
            Key::Listing {
                category: 3,
                page: 2,
            },
        ] {
            assert_eq!(Key::parse(&key.name()), Some(key), "{}", key.name());
        }
        for junk in [
            "",
            "rank",
            "rank:x",
            "product:1:2",
            "listing:1",
            "nope:1",
            "rank:all:1",
        ] {
            assert_eq!(Key::parse(junk), None, "{junk:?}");
        }
        assert_eq!(Tag::parse(&Tag::Member(5).name()), Some(Tag::Member(5)));
        assert_eq!(Tag::parse("category:x"), None);
    }

    #[test]
    fn a_ranking_is_tagged_with_its_members_and_a_listing_with_its_category() {
        let ranking = Value::Ranking(vec![Ranked { id: 4, score: 1 }]);
        assert_eq!(ranking.tags(), [Tag::Member(4)]);
        assert!(ranking.has_tag(Tag::Member(4)));
        assert!(!ranking.has_tag(Tag::Member(5)));
        let listing = Value::Listing(Some(Listing {
            category_id: 2,
            name: "c".into(),
            page: 1,
            total: 1,
            ids: vec![9],
        }));
        assert_eq!(listing.tags(), [Tag::Category(2), Tag::Member(9)]);
        assert!(listing.has_tag(Tag::Category(2)));
    }

    #[test]
    fn envelopes_round_trip_and_bad_bytes_are_errors() {
        let stored = Stored {
            v: ENVELOPE_VERSION,
            soft_expiry_ms: 5,
            delta_ms: 2,
            value: Value::Product(None),
        };
        assert_eq!(Stored::decode(&stored.encode()).unwrap(), stored);
        assert!(Stored::decode(b"not json").is_err());
        let old = Stored { v: 0, ..stored };
        assert!(
            Stored::decode(&old.encode())
                .unwrap_err()
                .contains("version 0")
        );
    }

    #[test]
    fn xfetch_recomputes_at_expiry_always_and_early_only_sometimes() {
        // At or past expiry: always.
        assert!(xfetch(100, 100, 10, 1.0, 1.0));
        // Far from expiry: never, whatever the draw.
        assert!(!xfetch(0, 100_000, 10, 1.0, 1e-9));
        // Near expiry: a small draw triggers it, a large one does not.
        assert!(xfetch(90, 100, 10, 1.0, 0.1));
        assert!(!xfetch(90, 100, 10, 1.0, 0.9));
        // beta 0: plain expiry.
        assert!(!xfetch(99, 100, 1_000, 0.0, 1e-9));
    }
}
