//! A value in Redis that fails to decode, or that decodes to something
//! other than its key's value, is a miss: counted, logged, recomputed at
//! the database and overwritten, and never served.

use catalog_cache::testing::{RedisServer, redis_or_skip};
use catalog_cache::{CacheConfig, CachedCatalog, CatalogSpec, Db, NaiveCatalog, QueryKind};
use redis::AsyncCommands;
use tempfile::TempDir;

/// A tiny seeded catalog in a temporary SQLite file, and its directory.
async fn seeded() -> (TempDir, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = catalog_cache::sqlite_url(&dir.path().join("catalog.db"));
    catalog_cache::seed(&url, &CatalogSpec::tiny())
        .await
        .expect("seeding the tiny catalog");
    (dir, url)
}

/// A cached catalog on `redis` that neither warms nor refreshes by itself,
/// so the only origin loads are the ones a test causes.
async fn quiet_catalog(url: &str, redis: &RedisServer, namespace: &str) -> CachedCatalog {
    let mut config = CacheConfig::with_redis(&redis.url());
    config.warm_at_start = false;
    config.warm_interval = std::time::Duration::ZERO;
    config.xfetch_beta = 0.0;
    if let Some(l2) = config.redis.as_mut() {
        l2.namespace = namespace.into();
        // Generous: the test machine is shared, and a timeout here would
        // be a miss for another reason.
        l2.timeout = std::time::Duration::from_secs(2);
    }
    let db = Db::connect(url).expect("the database URL");
    CachedCatalog::start(db, config)
        .await
        .expect("the cached catalog starts")
}

async fn overwrite(redis: &RedisServer, name: &str, bytes: &[u8]) {
    let client = redis::Client::open(redis.url()).expect("the test Redis URL");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("a connection to the test Redis");
    let () = conn.set(name, bytes).await.expect("SET on the test Redis");
}

async fn raw(redis: &RedisServer, name: &str) -> Option<Vec<u8>> {
    let client = redis::Client::open(redis.url()).expect("the test Redis URL");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("a connection to the test Redis");
    conn.get(name).await.expect("GET on the test Redis")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_and_misfiled_values_in_redis_are_misses_never_answers() {
    let Some(redis) =
        redis_or_skip("undecodable_and_misfiled_values_in_redis_are_misses_never_answers")
    else {
        return;
    };
    let (_dir, url) = seeded().await;
    let truth = NaiveCatalog::start(Db::connect(&url).unwrap())
        .await
        .unwrap();
    let cache = quiet_catalog(&url, &redis, "values").await;
    let counts = cache.db().counts().clone();

    let expected_1 = truth.product(1).await.unwrap();
    let expected_2 = truth.product(2).await.unwrap();
    assert_eq!(cache.product(1).await.unwrap(), expected_1);
    assert_eq!(cache.product(2).await.unwrap(), expected_2);
    let good_2 = raw(&redis, "values:v:product:2")
        .await
        .expect("product 2 was stored in L2");

    // Each case puts bad bytes under product 1's key, drops L1, and asks
    // again: the answer is the database's, the bad value is counted, and
    // the key is recomputed and stored again.
    let cases: [(&str, Vec<u8>); 4] = [
        ("not JSON", b"\xff\x00garbage".to_vec()),
        ("JSON of another shape", br#"{"hello":"world"}"#.to_vec()),
        (
            "a future envelope version",
            String::from_utf8(good_2.clone())
                .unwrap()
                .replacen("\"v\":1", "\"v\":2", 1)
                .into_bytes(),
        ),
        ("another product's value", good_2),
    ];
    for (what, bytes) in cases {
        overwrite(&redis, "values:v:product:1", &bytes).await;
        cache.clear_l1().await;
        let errors_before = cache.stats().await.decode_errors;
        let loads_before = counts.get(QueryKind::Products);

        let answer = cache.product(1).await.unwrap();

        assert_eq!(answer, expected_1, "{what}: served something else");
        let stats = cache.stats().await;
        assert_eq!(
            stats.decode_errors,
            errors_before + 1,
            "{what}: not counted as undecodable"
        );
        assert_eq!(
            counts.get(QueryKind::Products),
            loads_before + 1,
            "{what}: not recomputed at the database"
        );
        let stored = raw(&redis, "values:v:product:1").await.unwrap();
        assert_ne!(stored, bytes, "{what}: the bad value was left in Redis");
    }
}

#[test]
fn a_redis_url_that_does_not_parse_is_an_error_naming_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (_dir, url) = seeded().await;
        let db = Db::connect(&url).unwrap();
        let err = CachedCatalog::start(db, CacheConfig::with_redis("not a url"))
            .await
            .expect_err("a malformed REDIS_URL must not start");
        let text = err.to_string();
        assert!(
            text.contains("not a url"),
            "the error names the URL: {text}"
        );
    });
}
