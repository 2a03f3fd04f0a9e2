//! Invalidation across instances sharing one Redis: a write on instance A
//! reaches instance B's L1 through pub/sub (B's L1 TTL is ten minutes, so
//! only the event can refresh it within the test); a removed product's
//! tags drop every ranking and page that listed it, in L2 and in every L1;
//! and with events off in `CacheConfig`, a write waits for the TTLs.
//!
//! The waits poll with a generous deadline: they assert that the right
//! answer arrives, not how fast.

mod common;

use std::time::{Duration, Instant};

use catalog_cache::testing::redis_or_skip;
use catalog_cache::{CacheConfig, Catalog, NewProduct, Write};
use common::{eventually, redis_config, redis_conn, seeded, wait_subscribed};

/// Whether Redis holds the cached value named `name` (`rank:all`, …).
async fn in_l2(conn: &mut redis::aio::MultiplexedConnection, name: &str) -> bool {
    redis::cmd("EXISTS")
        .arg(format!("catalog:v:{name}"))
        .query_async::<i64>(conn)
        .await
        .expect("EXISTS")
        == 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_written_on_one_instance_is_seen_by_the_other() {
    let Some(redis) = redis_or_skip("a_price_written_on_one_instance_is_seen_by_the_other") else {
        return;
    };
    let s = seeded().await;
    let naive = Catalog::Naive(s.naive().await);
    let a = Catalog::Optimized(s.cached(redis_config(&redis.url())).await);
    let b = Catalog::Optimized(s.cached(redis_config(&redis.url())).await);
    wait_subscribed(&redis.url(), 2).await;

    let best = b.top(None).await.unwrap().products[0].product.clone();
    assert_eq!(b.product(best.id).await.unwrap(), best);
    let new_price = best.price_cents + 500;
    let written_at = Instant::now();
    a.write(&Write::Price {
        id: best.id,
        price_cents: new_price,
    })
    .await
    .unwrap();
    let seen =
        eventually(|| async { b.product(best.id).await.unwrap().price_cents == new_price }).await;
    assert!(seen, "instance b kept the old price");
    println!(
        "instance b saw the new price {:?} after the write",
        written_at.elapsed()
    );
    assert_eq!(b.top(None).await.unwrap(), naive.top(None).await.unwrap());
    assert_eq!(
        b.product(best.id).await.unwrap(),
        naive.product(best.id).await.unwrap()
    );
    let received = b.cache_stats().await.unwrap().invalidations_received;
    assert!(received >= 1, "b heard {received} invalidations");
}

/// `start` returns only once the instance is subscribed (with Redis up),
/// so a write made at once is heard: no waiting on `PUBSUB NUMSUB` here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_hears_writes_made_as_soon_as_it_has_started() {
    let Some(redis) = redis_or_skip("an_instance_hears_writes_made_as_soon_as_it_has_started")
    else {
        return;
    };
    let s = seeded().await;
    let a = Catalog::Optimized(s.cached(redis_config(&redis.url())).await);
    for round in 0..5 {
        let b = Catalog::Optimized(s.cached(redis_config(&redis.url())).await);
        let id = 10 + round;
        let old = b.product(id).await.unwrap();
        let new_price = old.price_cents + 100;
        a.write(&Write::Price {
            id,
            price_cents: new_price,
        })
        .await
        .unwrap();
        let seen =
            eventually(|| async { b.product(id).await.unwrap().price_cents == new_price }).await;
        assert!(
            seen,
            "round {round}: a fresh instance kept product {id}'s old price"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_drop_every_ranking_and_page_that_lists_a_product() {
    let Some(redis) = redis_or_skip("tags_drop_every_ranking_and_page_that_lists_a_product") else {
        return;
    };
    let s = seeded().await;
    let naive = Catalog::Naive(s.naive().await);
    let a = Catalog::Optimized(s.cached(redis_config(&redis.url())).await);
    let b = Catalog::Optimized(s.cached(redis_config(&redis.url())).await);
    wait_subscribed(&redis.url(), 2).await;
    let mut conn = redis_conn(&redis.url()).await;

    // The best seller is in the overall ranking, its category's ranking
    // and one page of its category; B holds all three.
    let best = naive.top(None).await.unwrap().products[0].product.clone();
    let category = best.category_id;
    let mut page = 1;
    while !naive
        .category_page(category, page)
        .await
        .unwrap()
        .products
        .iter()
        .any(|p| p.id == best.id)
    {
        page += 1;
    }
    let reads = |c: &Catalog| {
        let c = c.clone();
        async move {
            (
                c.top(None).await.ok(),
                c.top(Some(category)).await.ok(),
                c.category_page(category, page).await.ok(),
            )
        }
    };
    assert_eq!(reads(&b).await, reads(&naive).await);
    let listing = format!("listing:{category}:{page}");
    for name in ["rank:all", &format!("rank:{category}"), &listing] {
        assert!(in_l2(&mut conn, name).await, "{name} was stored in L2");
    }

    a.write(&Write::Remove { id: best.id }).await.unwrap();
    // In L2 at once, by tag: the lists that named the product are gone.
    for name in ["rank:all", &format!("rank:{category}"), &listing] {
        assert!(!in_l2(&mut conn, name).await, "{name} is still in L2");
    }
    // In B's L1 by event. Without the tags B would compose its old lists
    // without the product: one entry short of the naive answers.
    let want = reads(&naive).await;
    let same = eventually(|| {
        let (b, want) = (&b, &want);
        async move { reads(b).await == *want }
    })
    .await;
    assert!(
        same,
        "instance b still lists the removed product's old lists"
    );

    // An added product invalidates its category's pages everywhere.
    let before = b.category_page(2, 1).await.unwrap();
    let written = a
        .write(&Write::Add(NewProduct {
            name: "AAA Early Kettle".into(),
            category_id: 2,
            price_cents: 700,
        }))
        .await
        .unwrap();
    let want = naive.category_page(2, 1).await.unwrap();
    assert_ne!(before, want, "the new product sorts onto page 1");
    assert_eq!(want.products[0].id, written.product_id);
    let same =
        eventually(|| async { b.category_page(2, 1).await.ok().as_ref() == Some(&want) }).await;
    assert!(same, "instance b never showed the added product");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_events_off_a_write_waits_for_the_ttl() {
    let Some(redis) = redis_or_skip("with_events_off_a_write_waits_for_the_ttl") else {
        return;
    };
    let s = seeded().await;
    let ttl = Duration::from_secs(2);
    let config = CacheConfig {
        events: false,
        ttl,
        ..redis_config(&redis.url())
    };
    let naive = Catalog::Naive(s.naive().await);
    let a = Catalog::Optimized(s.cached(config.clone()).await);
    let b = Catalog::Optimized(s.cached(config).await);
    wait_subscribed(&redis.url(), 2).await;
    let mut conn = redis_conn(&redis.url()).await;

    let id = 42;
    let old = b.product(id).await.unwrap();
    let loaded = Instant::now();
    let new_price = old.price_cents + 1;
    a.write(&Write::Price {
        id,
        price_cents: new_price,
    })
    .await
    .unwrap();
    // Nothing was invalidated: the value stays in L2 and nothing is sent.
    assert!(in_l2(&mut conn, &format!("product:{id}")).await);
    let (sa, sb) = (
        a.cache_stats().await.unwrap(),
        b.cache_stats().await.unwrap(),
    );
    assert_eq!(sa.invalidations_received + sb.invalidations_received, 0);
    assert_eq!(a_sent(&a), 0);
    let (on_a, on_b) = (a.product(id).await.unwrap(), b.product(id).await.unwrap());
    if loaded.elapsed() < ttl {
        // Still within the TTL: both serve the cached (old) price.
        assert_eq!(on_b, old, "b's L1 keeps the value until its TTL");
        assert_eq!(on_a, old, "a reads b's value from L2 until its TTL");
    } else {
        println!("the machine took longer than the TTL to get here; the stale check is moot");
    }
    // After the TTL: both converge on the database's answer.
    let fresh = naive.product(id).await.unwrap();
    assert_eq!(fresh.price_cents, new_price);
    let converged = eventually(|| async {
        a.product(id).await.ok().as_ref() == Some(&fresh)
            && b.product(id).await.ok().as_ref() == Some(&fresh)
    })
    .await;
    assert!(converged, "the TTL never brought the new price");
    println!(
        "with events off the new price showed {:?} after the load",
        loaded.elapsed()
    );
}

/// Invalidations `catalog` published (none for the naive variant).
fn a_sent(catalog: &Catalog) -> u64 {
    match catalog {
        Catalog::Optimized(c) => c.metrics().invalidations_sent.get(),
        Catalog::Naive(_) => 0,
    }
}
