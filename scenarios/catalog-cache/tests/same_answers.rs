//! The optimized catalog answers exactly what the naive one does: every top
//! list, product and category page of the tiny catalog, and the same
//! not-found errors, cold and warm, through L1 alone and through Redis;
//! and after each kind of write, as far as the design promises
//! (`cache::invalidate`): a price change, an added and a removed product at
//! once, a sale in the product at once and in the rankings within their TTL.

mod common;

use std::time::{Duration, Instant};

use catalog_cache::testing::redis_or_skip;
use catalog_cache::{CacheConfig, Catalog, CatalogError, NewProduct, Write};
use common::{assert_same, l1_config, reads, redis_config, seeded};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_and_warm_answers_match_the_naive_ones() {
    let s = seeded().await;
    let naive = Catalog::Naive(s.naive().await);
    let cached = Catalog::Optimized(s.cached(l1_config()).await);
    let products: Vec<i64> = s.product_ids().collect();
    let categories: Vec<i64> = s.category_ids().collect();

    let n = assert_same(&naive, &cached, &products, &categories, "cold").await;
    let before = reads(&[cached.db()]);
    assert_same(&naive, &cached, &products, &categories, "warm").await;
    let warm_reads = reads(&[cached.db()]) - before;
    println!("{n} reads compared cold and warm; the warm pass sent {warm_reads} reads");
    assert_eq!(warm_reads, 0, "a warm pass is answered from L1 alone");
    let stats = cached.cache_stats().await.unwrap();
    assert!(stats.all.l1_hits > 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_zero_is_not_found_in_both_variants() {
    let s = seeded().await;
    for catalog in [
        Catalog::Naive(s.naive().await),
        Catalog::Optimized(s.cached(l1_config()).await),
    ] {
        let err = catalog
            .category_page(1, 0)
            .await
            .expect_err("pages count from 1");
        assert!(
            matches!(err, CatalogError::NoPage { page: 0, .. }),
            "{:?}: {err:?}",
            catalog.variant()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prices_added_and_removed_products_show_at_once() {
    let s = seeded().await;
    let naive = Catalog::Naive(s.naive().await);
    let cached = Catalog::Optimized(s.cached(l1_config()).await);
    let mut products: Vec<i64> = s.product_ids().collect();
    let categories: Vec<i64> = s.category_ids().collect();
    assert_same(&naive, &cached, &products, &categories, "before writes").await;

    // A price change of the best seller: its page, the top lists and its
    // category's page all show it, though no ranking is recomputed.
    let best = naive.top(None).await.unwrap().products[0].product.clone();
    let rankings = common::rankings(&[cached.db()]);
    let price = Write::Price {
        id: best.id,
        price_cents: best.price_cents + 1_234,
    };
    cached.write(&price).await.unwrap();
    assert_eq!(
        naive.product(best.id).await.unwrap().price_cents,
        best.price_cents + 1_234
    );
    assert_same(&naive, &cached, &products, &categories, "after a price").await;
    assert_eq!(
        common::rankings(&[cached.db()]),
        rankings,
        "a price change recomputes no ranking"
    );

    // A new product: its id was cached as missing, and it sorts first in
    // its category, moving every page of it.
    let next_id = i64::from(s.spec.products) + 1;
    assert!(cached.product(next_id).await.is_err());
    let add = Write::Add(NewProduct {
        name: "AAA First Lamp".into(),
        category_id: 2,
        price_cents: 999,
    });
    let written = cached.write(&add).await.unwrap();
    assert_eq!((written.product_id, written.category_id), (next_id, 2));
    products.push(next_id);
    assert_eq!(
        naive.category_page(2, 1).await.unwrap().products[0].id,
        next_id
    );
    assert_same(&naive, &cached, &products, &categories, "after an add").await;

    // The best seller leaves: every ranking and page that listed it.
    let remove = Write::Remove { id: best.id };
    let written = cached.write(&remove).await.unwrap();
    assert_eq!(written.product_id, best.id);
    assert!(naive.product(best.id).await.is_err());
    assert_same(&naive, &cached, &products, &categories, "after a remove").await;

    // Writes to what is not there are not-found errors, the same for both.
    for write in [
        Write::Price {
            id: best.id,
            price_cents: 5,
        },
        Write::Sale {
            id: 1_000_000,
            quantity: 1,
        },
        Write::Remove { id: best.id },
        Write::Add(NewProduct {
            name: "Nowhere".into(),
            category_id: 99,
            price_cents: 5,
        }),
    ] {
        let e = cached.write(&write).await.unwrap_err();
        assert!(e.is_not_found(), "{write:?}: {e}");
        let n = naive.write(&write).await.unwrap_err();
        assert_eq!(e.to_string(), n.to_string(), "{write:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_shows_in_its_product_at_once_and_in_rankings_within_the_ttl() {
    let s = seeded().await;
    let naive = Catalog::Naive(s.naive().await);
    let ttl = Duration::from_secs(2);
    let cached = Catalog::Optimized(s.cached(CacheConfig { ttl, ..l1_config() }).await);
    // A product of category 3 outside its top 10, sold enough to lead it.
    let category = 3;
    let top = cached.top(Some(category)).await.unwrap();
    let loaded = Instant::now();
    assert_eq!(top, naive.top(Some(category)).await.unwrap());
    let page = naive.category_page(category, 1).await.unwrap();
    let outsider = page
        .products
        .iter()
        .find(|p| top.products.iter().all(|e| e.product.id != p.id))
        .expect("a page-1 product outside the top 10")
        .id;
    cached.product(outsider).await.unwrap();
    cached
        .write(&Write::Sale {
            id: outsider,
            quantity: 1_000,
        })
        .await
        .unwrap();
    let fresh = naive.top(Some(category)).await.unwrap();
    assert_eq!(fresh.products[0].product.id, outsider, "the sale leads");

    // At once: the product itself, and every product a list shows.
    assert_eq!(
        cached.product(outsider).await.unwrap(),
        naive.product(outsider).await.unwrap()
    );
    let listed = cached.top(Some(category)).await.unwrap();
    for entry in &listed.products {
        assert_eq!(
            entry.product,
            naive.product(entry.product.id).await.unwrap()
        );
    }
    let stale = listed != fresh;
    println!(
        "right after the sale ({:?} after the ranking loaded) the cached ranking was {}",
        loaded.elapsed(),
        if stale { "stale, as designed" } else { "fresh" }
    );

    // Within the ranking's TTL: the new order.
    let converged = common::eventually(|| {
        let (naive, cached) = (&naive, &cached);
        async move { naive.top(Some(category)).await.ok() == cached.top(Some(category)).await.ok() }
    })
    .await;
    assert!(converged, "the ranking never caught up with the sale");
    println!(
        "the ranking caught up {:?} after it loaded",
        loaded.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_through_redis_match_the_naive_ones() {
    let Some(redis) = redis_or_skip("answers_through_redis_match_the_naive_ones") else {
        return;
    };
    let s = seeded().await;
    let naive = Catalog::Naive(s.naive().await);
    let a = Catalog::Optimized(s.cached(redis_config(&redis.url())).await);
    let b = Catalog::Optimized(s.cached(redis_config(&redis.url())).await);
    let products: Vec<i64> = s.product_ids().collect();
    let categories: Vec<i64> = s.category_ids().collect();

    assert_same(&naive, &a, &products, &categories, "instance a, cold").await;
    // B's L1 is cold, but A left every value in Redis: B answers from L2
    // (through its JSON envelope) without one read at the database.
    let before = reads(&[b.db()]);
    assert_same(&naive, &b, &products, &categories, "instance b, from L2").await;
    let b_reads = reads(&[b.db()]) - before;
    let stats = b.cache_stats().await.unwrap();
    println!(
        "instance b: {b_reads} database reads, {} L2 hits",
        stats.all.l2_hits
    );
    assert_eq!(b_reads, 0, "every value was in L2");
    assert!(stats.all.l2_hits > 0, "{stats:?}");

    let best = naive.top(None).await.unwrap().products[0].product.id;
    b.write(&Write::Price {
        id: best,
        price_cents: 4_321,
    })
    .await
    .unwrap();
    b.write(&Write::Remove { id: best + 1 }).await.unwrap();
    assert_same(
        &naive,
        &b,
        &products,
        &categories,
        "instance b, after writes",
    )
    .await;
}
