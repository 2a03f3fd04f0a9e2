//! The same checks on a real PostgreSQL server: the optimized catalog
//! answers what the naive one does (cold, warm, after writes), PostgreSQL
//! answers what SQLite does on the same seed (the portable SQL of `db`),
//! and a stampede on a cold key runs its ranking once.
//!
//! Set `CATALOG_TEST_PG_URL` to a scratch database (its tables are
//! replaced) and build with `--features postgres`; CI runs
//! `CATALOG_TEST_PG_URL=$pg_url cargo test -p catalog-cache --features postgres --test postgres`.
//! Without the variable each test says it was skipped; under CI it fails.
//! The tests share the database, so each holds a lock while it runs.
#![cfg(feature = "postgres")]

mod common;

use catalog_cache::testing::{redis_or_skip, under_ci};
use catalog_cache::{
    CacheConfig, CachedCatalog, Catalog, CatalogSpec, Db, NaiveCatalog, NewProduct, QueryKind,
    Write,
};
use common::{assert_same, l1_config, read_all, reads, redis_config, seeded};
use tokio::sync::{Mutex, MutexGuard};

/// The variable naming the scratch database.
const PG_URL: &str = "CATALOG_TEST_PG_URL";

/// One test at a time on the scratch database.
static DATABASE: Mutex<()> = Mutex::const_new(());

/// The freshly seeded database's URL and the lock on it, or `None` (and a
/// visible skip) when none was given.
async fn postgres(test: &str) -> Option<(String, MutexGuard<'static, ()>)> {
    let url = match std::env::var(PG_URL) {
        Ok(url) if !url.trim().is_empty() => url,
        _ if under_ci() => panic!("{test}: {PG_URL} must be set under CI"),
        _ => {
            eprintln!("SKIPPED {test}: set {PG_URL}=postgres://… (and --features postgres)");
            return None;
        }
    };
    let guard = DATABASE.lock().await;
    catalog_cache::seed(&url, &CatalogSpec::tiny())
        .await
        .unwrap_or_else(|e| panic!("seeding {url}: {e}"));
    Some((url, guard))
}

fn db(url: &str) -> Db {
    Db::connect(url).expect("connecting to PostgreSQL")
}

async fn cached(url: &str, config: CacheConfig) -> CachedCatalog {
    CachedCatalog::start(db(url), config)
        .await
        .expect("cached start on PostgreSQL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_answers_like_sqlite_and_both_variants_agree() {
    let Some((url, _lock)) = postgres("postgres_answers_like_sqlite_and_both_variants_agree").await
    else {
        return;
    };
    let sqlite = seeded().await;
    let mut products: Vec<i64> = sqlite.product_ids().collect();
    let categories: Vec<i64> = sqlite.category_ids().collect();
    let naive = Catalog::Naive(NaiveCatalog::start(db(&url)).await.unwrap());
    let optimized = Catalog::Optimized(cached(&url, l1_config()).await);

    // The same seed ranks, rounds and pages alike on both databases.
    let on_sqlite = Catalog::Naive(sqlite.naive().await);
    assert_eq!(
        read_all(&naive, &products, &categories).await,
        read_all(&on_sqlite, &products, &categories).await,
        "PostgreSQL and SQLite answer differently"
    );

    let n = assert_same(&naive, &optimized, &products, &categories, "pg cold").await;
    let before = reads(&[optimized.db()]);
    assert_same(&naive, &optimized, &products, &categories, "pg warm").await;
    assert_eq!(
        reads(&[optimized.db()]),
        before,
        "a warm pass reads nothing"
    );
    println!("PostgreSQL: {n} reads the same cold and warm");

    let best = naive.top(None).await.unwrap().products[0].product.clone();
    optimized
        .write(&Write::Price {
            id: best.id,
            price_cents: best.price_cents + 9,
        })
        .await
        .unwrap();
    assert_same(&naive, &optimized, &products, &categories, "pg price").await;
    // The new id continues after the seeded ones (the sequence was set).
    let next = i64::from(sqlite.spec.products) + 1;
    assert!(optimized.product(next).await.is_err());
    let written = optimized
        .write(&Write::Add(NewProduct {
            name: "AAA Postgres Mug".into(),
            category_id: 4,
            price_cents: 450,
        }))
        .await
        .unwrap();
    assert_eq!(written.product_id, next);
    products.push(next);
    assert_same(&naive, &optimized, &products, &categories, "pg add").await;
    optimized
        .write(&Write::Remove { id: best.id })
        .await
        .unwrap();
    assert_same(&naive, &optimized, &products, &categories, "pg remove").await;
}

/// 1,000 concurrent top lists over `instances`; all answered alike.
async fn storm(instances: &[&CachedCatalog]) {
    let tasks: Vec<_> = (0..1_000)
        .map(|i| {
            let c = instances[i % instances.len()].clone();
            tokio::spawn(async move { c.top(None).await })
        })
        .collect();
    let mut first = None;
    for task in tasks {
        let list = task.await.unwrap().expect("an answer");
        assert_eq!(list.products.len(), 10);
        assert_eq!(first.get_or_insert_with(|| list.clone()), &list);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cold_key_is_computed_once_on_postgres() {
    let Some((url, _lock)) = postgres("a_cold_key_is_computed_once_on_postgres").await else {
        return;
    };
    let one = cached(&url, l1_config()).await;
    storm(&[&one]).await;
    let ranking = one.db().counts().get(QueryKind::Ranking);
    println!("PostgreSQL, one instance: 1000 requests ran {ranking} ranking query");
    assert_eq!(ranking, 1);

    let Some(redis) = redis_or_skip("a_cold_key_is_computed_once_on_postgres (two instances)")
    else {
        return;
    };
    let (a, b) = (
        cached(&url, redis_config(&redis.url())).await,
        cached(&url, redis_config(&redis.url())).await,
    );
    storm(&[&a, &b]).await;
    let ranking = common::rankings(&[a.db(), b.db()]);
    println!("PostgreSQL, two instances on one Redis: 1000 requests ran {ranking} ranking query");
    assert_eq!(ranking, 1);
}
