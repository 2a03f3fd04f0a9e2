//! Stampedes, counted at the database: 1,000 concurrent requests for the
//! overall top list run its ranking exactly once, on one instance (single
//! flight in L1), on two instances sharing one Redis (the lease), and right
//! after the value expired (the holder of the lease recomputes while the
//! others wait or serve the stale copy).

mod common;

use std::time::Duration;

use catalog_cache::cache::Key;
use catalog_cache::testing::redis_or_skip;
use catalog_cache::{CacheConfig, CachedCatalog, QueryKind, TopList};
use common::{eventually, l1_config, rankings, redis_config, seeded};

/// Concurrent requests per storm.
const STORM: usize = 1_000;

/// `STORM` concurrent `top(None)` calls spread over `instances` (round
/// robin), each a task of its own; asserts every one answered, and the
/// same list. The list.
async fn storm(instances: &[&CachedCatalog]) -> TopList {
    let tasks: Vec<_> = (0..STORM)
        .map(|i| {
            let catalog = instances[i % instances.len()].clone();
            tokio::spawn(async move { catalog.top(None).await })
        })
        .collect();
    let mut answers = Vec::with_capacity(STORM);
    for task in tasks {
        answers.push(task.await.expect("a request task").expect("an answer"));
    }
    let first = answers[0].clone();
    assert_eq!(first.products.len(), 10);
    assert!(
        answers.iter().all(|a| *a == first),
        "the storm got different answers"
    );
    first
}

fn short_ttl(config: CacheConfig) -> CacheConfig {
    CacheConfig {
        ttl: Duration::from_secs(1),
        stale_grace: Duration::from_secs(60),
        ..config
    }
}

/// Waits until `catalog`'s L1 no longer holds the overall ranking (its TTL
/// is capped at the soft expiry, so the value is stale by then).
async fn wait_expired(catalog: &CachedCatalog) {
    let gone = eventually(|| async { catalog.peek_l1(&Key::Ranking(None)).await.is_none() }).await;
    assert!(gone, "the ranking never expired from L1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cold_key_is_computed_once_for_a_thousand_requests_on_one_instance() {
    let s = seeded().await;
    let cached = s.cached(l1_config()).await;
    let db = cached.db().clone();
    storm(&[&cached]).await;
    let (ranking, products) = (
        db.counts().get(QueryKind::Ranking),
        db.counts().get(QueryKind::Products),
    );
    println!(
        "one instance, cold: {STORM} requests ran {ranking} ranking and {products} product queries"
    );
    assert_eq!(ranking, 1);
    // The ten products shown load once each, batched at the origin into
    // as few statements as arrived together (`cache::batch`).
    assert!(
        (1..=10).contains(&products),
        "{products} product statements for ten products shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cold_key_is_computed_once_across_two_instances_sharing_redis() {
    let Some(redis) =
        redis_or_skip("a_cold_key_is_computed_once_across_two_instances_sharing_redis")
    else {
        return;
    };
    let s = seeded().await;
    let a = s.cached(redis_config(&redis.url())).await;
    let b = s.cached(redis_config(&redis.url())).await;
    storm(&[&a, &b]).await;
    let ranking = rankings(&[a.db(), b.db()]);
    let (sa, sb) = (a.stats().await, b.stats().await);
    println!(
        "two instances, cold: {STORM} requests ran {ranking} ranking queries \
         (a: {}, b: {}; lease waits a {} b {})",
        a.db().counts().get(QueryKind::Ranking),
        b.db().counts().get(QueryKind::Ranking),
        sa.lease_waits,
        sb.lease_waits,
    );
    assert_eq!(ranking, 1);
    assert_eq!(
        sa.redis_errors + sb.redis_errors,
        0,
        "Redis was up throughout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_key_is_recomputed_once_on_one_instance() {
    let s = seeded().await;
    let cached = s.cached(short_ttl(l1_config())).await;
    let db = cached.db().clone();
    let warm = cached.top(None).await.unwrap();
    assert_eq!(db.counts().get(QueryKind::Ranking), 1);
    wait_expired(&cached).await;
    assert_eq!(storm(&[&cached]).await, warm);
    let ranking = db.counts().get(QueryKind::Ranking);
    println!(
        "one instance, just expired: {STORM} requests ran {} ranking query",
        ranking - 1
    );
    assert_eq!(ranking, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_key_is_recomputed_once_across_two_instances() {
    let Some(redis) = redis_or_skip("an_expired_key_is_recomputed_once_across_two_instances")
    else {
        return;
    };
    let s = seeded().await;
    let a = s.cached(short_ttl(redis_config(&redis.url()))).await;
    let b = s.cached(short_ttl(redis_config(&redis.url()))).await;
    let warm = a.top(None).await.unwrap();
    assert_eq!(b.top(None).await.unwrap(), warm, "b answers from L2");
    assert_eq!(rankings(&[a.db(), b.db()]), 1);
    wait_expired(&a).await;
    wait_expired(&b).await;
    assert_eq!(storm(&[&a, &b]).await, warm);
    let ranking = rankings(&[a.db(), b.db()]);
    let stale = a.stats().await.top.stale_serves + b.stats().await.top.stale_serves;
    println!(
        "two instances, just expired: {STORM} requests ran {} ranking query, {stale} stale serves",
        ranking - 1
    );
    assert_eq!(ranking, 2);
}
