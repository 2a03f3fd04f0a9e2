//! Redis dies mid-run and comes back (empty, as a crashed server without
//! persistence does): every request keeps its correct answer from the
//! database meanwhile, the breaker opens, a write made while Redis was
//! down is replayed to the other instances once it is back, and L2 serves
//! again after the restart.

mod common;

use std::time::Duration;

use catalog_cache::cache::{BreakerState, L2Config};
use catalog_cache::testing::redis_or_skip;
use catalog_cache::{CacheConfig, CachedCatalog, Catalog, Write};
use common::{PATIENCE, eventually, reads, redis_config, seeded, wait_subscribed};
use futures_util::StreamExt;

/// Products read per round.
const PRODUCTS: i64 = 40;
/// The breaker's cool-down: long enough that a replay cannot beat the
/// test's own subscription after the restart (see the restart phase).
const COOLDOWN: Duration = Duration::from_secs(4);

/// What one phase saw.
#[derive(Debug, Default)]
struct Phase {
    answers: u64,
    failed: u64,
    db_reads: u64,
    l2_hits: u64,
}

/// One round on `cached` with its L1 emptied first (so every read goes to
/// L2 or the database): the top lists, the first page of each category
/// and some products, each compared with the naive answer.
async fn round(cached: &CachedCatalog, naive: &Catalog, phase: &mut Phase) {
    cached.clear_l1().await;
    let reads_before = reads(&[cached.db()]);
    let hits_before = cached.stats().await.all.l2_hits;
    let optimized = Catalog::Optimized(cached.clone());
    let mut check = |same: bool| {
        phase.answers += 1;
        phase.failed += u64::from(!same);
    };
    for c in [None, Some(1), Some(2), Some(3), Some(4), Some(5)] {
        let (got, want) = (optimized.top(c).await, naive.top(c).await);
        check(matches!((&got, &want), (Ok(g), Ok(w)) if g == w));
    }
    for c in 1..=5 {
        let (got, want) = (
            optimized.category_page(c, 1).await,
            naive.category_page(c, 1).await,
        );
        check(matches!((&got, &want), (Ok(g), Ok(w)) if g == w));
    }
    for id in 1..=PRODUCTS {
        let (got, want) = (optimized.product(id).await, naive.product(id).await);
        check(matches!((&got, &want), (Ok(g), Ok(w)) if g == w));
    }
    phase.db_reads += reads(&[cached.db()]) - reads_before;
    phase.l2_hits += cached.stats().await.all.l2_hits - hits_before;
}

fn report(name: &str, phase: &Phase) {
    println!(
        "{name:>14}: {} answers, {} failed, {} database reads, {} L2 hits",
        phase.answers, phase.failed, phase.db_reads, phase.l2_hits
    );
}

fn config(url: &str) -> CacheConfig {
    let base = redis_config(url);
    let l2 = base.redis.clone().map(|l2| L2Config {
        breaker_cooldown: COOLDOWN,
        ..l2
    });
    CacheConfig {
        // The warmer's tick is what replays pending invalidations.
        warm_interval: Duration::from_millis(200),
        redis: l2,
        ..base
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_then_back_answers_correctly_and_loses_no_invalidation() {
    let Some(mut redis) =
        redis_or_skip("redis_down_then_back_answers_correctly_and_loses_no_invalidation")
    else {
        return;
    };
    let s = seeded().await;
    let naive = Catalog::Naive(s.naive().await);
    let a = s.cached(config(&redis.url())).await;
    let b = s.cached(config(&redis.url())).await;
    wait_subscribed(&redis.url(), 2).await;

    // Up: A fills L2, B answers from it.
    let mut up = Phase::default();
    round(&a, &naive, &mut up).await;
    let mut from_l2 = Phase::default();
    round(&b, &naive, &mut from_l2).await;
    report("up, a", &up);
    report("up, b from L2", &from_l2);
    assert_eq!(up.failed + from_l2.failed, 0);
    assert_eq!(from_l2.db_reads, 0, "b found everything in L2");
    assert!(from_l2.l2_hits > 0);

    // Down: every answer from the database, the breakers open, and a
    // write goes through (its invalidation kept for later).
    redis.stop();
    let mut down = Phase::default();
    let deadline = std::time::Instant::now() + PATIENCE;
    let opened = loop {
        round(&a, &naive, &mut down).await;
        round(&b, &naive, &mut down).await;
        let open = |c: &CachedCatalog| c.breaker_state() == Some(BreakerState::Open);
        if open(&a) && open(&b) {
            break true;
        }
        if std::time::Instant::now() >= deadline {
            break false;
        }
    };
    assert!(
        opened,
        "the breakers never opened: {:?} {:?}",
        a.breaker_state(),
        b.breaker_state()
    );
    let p = 7;
    let new_price = naive.product(p).await.unwrap().price_cents + 77;
    a.write(&Write::Price {
        id: p,
        price_cents: new_price,
    })
    .await
    .expect("a write while Redis is down");
    round(&a, &naive, &mut down).await;
    round(&b, &naive, &mut down).await;
    report("down", &down);
    assert_eq!(
        down.failed, 0,
        "every request answered correctly while Redis was down"
    );
    assert_eq!(down.l2_hits, 0);
    assert!(down.db_reads > 0);
    assert_eq!(b.product(p).await.unwrap().price_cents, new_price);

    // Restart right after A's breaker has just refused a probe (the warmer
    // replaying), so its next probe, the replay, comes a cool-down later:
    // by then this test and B listen again.
    let opened_before = a.l2().unwrap().breaker().times_opened();
    let retripped =
        eventually(|| async { a.l2().unwrap().breaker().times_opened() > opened_before }).await;
    assert!(retripped, "the warmer never probed Redis while it was down");
    let received_before = b.stats().await.invalidations_received;
    redis.restart().expect("restarting Redis");
    let client = redis::Client::open(redis.url()).unwrap();
    let mut pubsub = client.get_async_pubsub().await.expect("a subscriber");
    pubsub.subscribe("catalog:invalidate").await.unwrap();
    let wanted = format!("k product:{p}");
    let replayed = tokio::time::timeout(PATIENCE, async {
        let mut messages = pubsub.on_message();
        while let Some(message) = messages.next().await {
            let text: String = message.get_payload().unwrap_or_default();
            if text.lines().any(|l| l == wanted) {
                return text;
            }
        }
        String::new()
    })
    .await
    .expect("the pending invalidation was never replayed");
    println!("replayed after the restart: {replayed:?}");
    let heard =
        eventually(|| async { b.stats().await.invalidations_received > received_before }).await;
    assert!(heard, "instance b never heard the replayed invalidation");

    // Back: the breakers close and L2 serves again.
    let closed = eventually(|| async {
        let _ = a.top(None).await;
        b.clear_l1().await;
        let _ = b.top(None).await;
        a.breaker_state() == Some(BreakerState::Closed)
            && b.breaker_state() == Some(BreakerState::Closed)
    })
    .await;
    assert!(
        closed,
        "the breakers never closed: {:?} {:?}",
        a.breaker_state(),
        b.breaker_state()
    );
    let mut back = Phase::default();
    round(&a, &naive, &mut back).await;
    let mut back_l2 = Phase::default();
    round(&b, &naive, &mut back_l2).await;
    report("back, a", &back);
    report("back, b", &back_l2);
    assert_eq!(back.failed + back_l2.failed, 0);
    assert!(back_l2.l2_hits > 0, "L2 serves again after the restart");
    assert_eq!(back_l2.db_reads, 0, "b found everything in L2 again");
    assert_eq!(a.product(p).await.unwrap().price_cents, new_price);
    assert_eq!(b.product(p).await.unwrap().price_cents, new_price);
}
