//! The stale window: after a price write on instance A, how long instance
//! B (another `CachedCatalog` over the same database and Redis) still
//! answers the old price.
//!
//! Each window is timed from just before A's write is sent until B's first
//! answer with the new price, so it includes the write itself: an upper
//! bound on the time B is really stale (which starts at the commit).
//!
//! - `stale_window/events`: invalidation by event (Redis pub/sub), one
//!   write at a time, B asked again and again (yielding between asks)
//!   until it has the new price. Needs Redis: without it B never hears of
//!   A's writes and only the TTL bounds the window.
//! - `stale_window/ttl`: events off, a [`TTL`] of one second. The writes
//!   are spread over one TTL after B cached the products, so they land at
//!   every age of B's copy, and B is asked every millisecond.

use std::time::{Duration, Instant};

use catalog_cache::{CacheConfig, CachedCatalog, Db, Write};
use perflab_schema::Measurement;

use crate::support::{eprint_latency, latency};

/// The TTL of the events-off run (L1 and L2 alike).
pub const TTL: Duration = Duration::from_secs(1);

/// Longest a window may last before it is recorded as this and warned
/// about: ten TTLs, so only a value that never refreshes hits it.
const GIVE_UP: Duration = Duration::from_secs(10);

/// How often B is asked in the TTL run (tokio's timer ticks in ms).
const TTL_POLL: Duration = Duration::from_millis(1);

/// A and B on `config`, caching nothing before the bench asks.
async fn pair(db: &Db, mut config: CacheConfig) -> Result<(CachedCatalog, CachedCatalog), String> {
    config.warm_at_start = false;
    let start = || async {
        CachedCatalog::start(db.clone(), config.clone())
            .await
            .map_err(|e| format!("starting the cache: {e}"))
    };
    Ok((start().await?, start().await?))
}

/// A price other than `old`, within the seeded range.
fn other_price(old: i64) -> i64 {
    if old > 199 { old - 1 } else { old + 1 }
}

/// Writes a new price of `id` on `a`, then asks `b` until it answers it,
/// waiting `poll` between asks (zero: yield only). The window, or
/// [`GIVE_UP`] and a warning.
async fn window(
    a: &CachedCatalog,
    b: &CachedCatalog,
    id: i64,
    poll: Duration,
) -> Result<(u64, Option<String>), String> {
    let read = |c: &CachedCatalog| {
        let c = c.clone();
        async move {
            c.product(id)
                .await
                .map(|p| p.price_cents)
                .map_err(|e| format!("reading product {id}: {e}"))
        }
    };
    let new = other_price(read(b).await?);
    let started = Instant::now();
    a.write(&Write::Price {
        id,
        price_cents: new,
    })
    .await
    .map_err(|e| format!("writing the price of product {id}: {e}"))?;
    while read(b).await? != new {
        if started.elapsed() >= GIVE_UP {
            let warning = format!(
                "stale window: instance B still answered the old price of product {id} \
                 {GIVE_UP:?} after the write; recorded as {GIVE_UP:?}"
            );
            return Ok((GIVE_UP.as_nanos() as u64, Some(warning)));
        }
        if poll.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(poll).await;
        }
    }
    Ok((started.elapsed().as_nanos() as u64, None))
}

/// `stale_window/events` over `writes` products (ids from 1), one at a time.
pub async fn events(
    db: &Db,
    config: CacheConfig,
    writes: usize,
) -> Result<(Vec<Measurement>, Vec<String>), String> {
    let (a, b) = pair(db, config).await?;
    let (mut ns, mut warnings) = (Vec::with_capacity(writes), Vec::new());
    for id in 1..=writes as i64 {
        let (took, warning) = window(&a, &b, id, Duration::ZERO).await?;
        ns.push(took);
        warnings.extend(warning);
    }
    eprint_latency("stale_window/events", &ns);
    Ok((latency("optimized", "stale_window/events", &ns), warnings))
}

/// `stale_window/ttl` over `writes` products (ids after `first`), all in
/// flight together, their writes spread evenly over one [`TTL`].
pub async fn ttl(
    db: &Db,
    mut config: CacheConfig,
    first: i64,
    writes: usize,
) -> Result<(Vec<Measurement>, Vec<String>), String> {
    config.events = false;
    config.ttl = TTL;
    config.l1_ttl = TTL;
    let (a, b) = pair(db, config).await?;
    let ids: Vec<i64> = (first + 1..=first + writes as i64).collect();
    for &id in &ids {
        b.product(id)
            .await
            .map_err(|e| format!("caching product {id}: {e}"))?;
    }
    let tasks: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let (a, b) = (a.clone(), b.clone());
            let delay = TTL.mul_f64(i as f64 / writes.max(1) as f64);
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                window(&a, &b, id, TTL_POLL).await
            })
        })
        .collect();
    let (mut ns, mut warnings) = (Vec::with_capacity(writes), Vec::new());
    for task in tasks {
        let (took, warning) = task
            .await
            .map_err(|e| format!("a stale-window task panicked: {e}"))??;
        ns.push(took);
        warnings.extend(warning);
    }
    eprint_latency("stale_window/ttl", &ns);
    Ok((latency("optimized", "stale_window/ttl", &ns), warnings))
}
