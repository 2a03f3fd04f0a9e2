//! L1 is bounded by weight, not by count: with a budget of a few hundred
//! entries and tens of thousands of distinct keys (every product, and
//! unknown ids whose absence is cached too), L1's weighted size never
//! passes the budget, the entries it drops are counted as size evictions,
//! and the answers stay right.

mod common;

use catalog_cache::{CacheConfig, Catalog};
use common::{l1_config, seeded};

/// L1's budget in (approximate) bytes: about 400 cached absences.
const BUDGET: u64 = 64 << 10;
/// Distinct product ids looked up.
const KEYS: i64 = 20_000;
/// Concurrent lookups at a time.
const CHUNK: i64 = 250;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l1_stays_within_its_weight_budget_under_many_distinct_keys() {
    let s = seeded().await;
    let naive = Catalog::Naive(s.naive().await);
    let cached = s
        .cached(CacheConfig {
            l1_capacity_bytes: BUDGET,
            ..l1_config()
        })
        .await;
    let listed = i64::from(s.spec.products);
    let (mut found, mut missing, mut largest) = (0u64, 0u64, 0u64);
    for start in (1..=KEYS).step_by(CHUNK as usize) {
        let ids: Vec<i64> = (start..(start + CHUNK).min(KEYS + 1)).collect();
        let answers =
            futures_util::future::join_all(ids.iter().map(|&id| cached.product(id))).await;
        for (&id, answer) in ids.iter().zip(answers) {
            match answer {
                Ok(p) => {
                    assert!(id <= listed, "product {id} was never seeded");
                    if id % 10 == 0 {
                        assert_eq!(p, naive.product(id).await.unwrap(), "product {id}");
                    }
                    found += 1;
                }
                Err(e) => {
                    assert!(id > listed && e.is_not_found(), "product {id}: {e}");
                    missing += 1;
                }
            }
        }
        let (_, bytes) = cached.l1_size().await;
        largest = largest.max(bytes);
        assert!(
            bytes <= BUDGET,
            "L1 holds {bytes} bytes after {start} keys, over {BUDGET}"
        );
    }
    let (entries, bytes) = cached.l1_size().await;
    let stats = cached.stats().await;
    println!(
        "{KEYS} distinct keys ({found} products, {missing} absences) into a {BUDGET}-byte L1: \
         {entries} entries, {bytes} bytes at the end (largest {largest}), {} size evictions",
        stats.evictions
    );
    assert_eq!((found, missing), (listed as u64, (KEYS - listed) as u64));
    assert!(entries > 0 && bytes > 0, "L1 holds something");
    assert!(
        entries < 1_000,
        "{entries} entries cannot fit {BUDGET} bytes"
    );
    assert!(stats.evictions > 0, "dropping entries for size is counted");
    // Nothing expired or was invalidated: every key loaded is either still
    // in L1 or was evicted for its weight, and counted.
    assert_eq!(
        stats.evictions + entries,
        KEYS as u64,
        "{} evicted and {entries} kept of {KEYS} keys",
        stats.evictions
    );
    assert_eq!(stats.expirations, 0);
    // An evicted product is loaded again, and right.
    assert_eq!(
        cached.product(10).await.unwrap(),
        naive.product(10).await.unwrap()
    );
}
