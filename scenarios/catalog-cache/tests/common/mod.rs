//! Helpers shared by the catalog cache's integration-test binaries: the tiny
//! seeded catalog in a temporary SQLite file, cache configurations that
//! take the moving parts out (no warming, no XFetch, no jitter, long TTLs)
//! so query counts are exact, the naive-versus-optimized comparison, and
//! polling with generous deadlines (tests assert what ends up true, never
//! how fast).

// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

use catalog_cache::cache::L2Config;
use catalog_cache::{
    CacheConfig, CachedCatalog, Catalog, CatalogError, CatalogSpec, Db, NaiveCatalog, QueryKind,
    seed, sqlite_url,
};

/// How long a poll waits for something that should happen "soon": far
/// longer than it takes on an idle machine, so a loaded one cannot fail it.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Unknown ids asked of both variants: below, just past and far past the
/// seeded ranges.
pub const UNKNOWN_IDS: [i64; 4] = [0, -3, 1_000_000, i64::MAX];

/// The tiny catalog seeded into a fresh SQLite file, deleted on drop.
pub struct Seeded {
    _dir: tempfile::TempDir,
    pub url: String,
    pub spec: CatalogSpec,
}

pub async fn seeded() -> Seeded {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = sqlite_url(&dir.path().join("catalog.db"));
    let spec = CatalogSpec::tiny();
    seed(&url, &spec).await.expect("seeding the tiny catalog");
    Seeded {
        _dir: dir,
        url,
        spec,
    }
}

impl Seeded {
    /// A new pool (with its own query counters) on the database.
    pub fn db(&self) -> Db {
        Db::connect(&self.url).expect("connecting to the seeded database")
    }

    pub async fn naive(&self) -> NaiveCatalog {
        NaiveCatalog::start(self.db()).await.expect("naive start")
    }

    pub async fn cached(&self, config: CacheConfig) -> CachedCatalog {
        CachedCatalog::start(self.db(), config)
            .await
            .expect("cached start")
    }

    pub fn product_ids(&self) -> std::ops::RangeInclusive<i64> {
        1..=i64::from(self.spec.products)
    }

    pub fn category_ids(&self) -> std::ops::RangeInclusive<i64> {
        1..=i64::from(self.spec.categories)
    }
}

/// L1 only, deterministic: nothing loads unless a test asks for it, and
/// nothing expires during a test.
pub fn l1_config() -> CacheConfig {
    CacheConfig {
        l1_ttl: Duration::from_secs(600),
        ttl: Duration::from_secs(600),
        missing_ttl: Duration::from_secs(600),
        jitter: 0.0,
        xfetch_beta: 0.0,
        warm_at_start: false,
        warm_interval: Duration::ZERO,
        lease_ttl: Duration::from_secs(15),
        ..CacheConfig::default()
    }
}

/// [`l1_config`] with L2 at `url`, and Redis timeouts loose enough that a
/// loaded machine does not open the breaker while Redis is up.
pub fn redis_config(url: &str) -> CacheConfig {
    CacheConfig {
        redis: Some(L2Config {
            url: url.to_owned(),
            namespace: "catalog".into(),
            timeout: Duration::from_secs(2),
            breaker_failures: 3,
            breaker_cooldown: Duration::from_millis(500),
        }),
        ..l1_config()
    }
}

/// An answer with its error as text, so answers of both variants compare
/// with `assert_eq!` (errors are not `PartialEq`).
pub type Answer<T> = Result<T, String>;

fn text<T>(r: Result<T, CatalogError>) -> Answer<T> {
    r.map_err(|e| {
        assert!(e.is_not_found(), "a failure, not an answer: {e}");
        e.to_string()
    })
}

/// Every read a test compares, with its answer.
#[derive(Debug, PartialEq)]
pub enum Read {
    Top(Option<i64>, Answer<catalog_cache::TopList>),
    Product(i64, Answer<catalog_cache::Product>),
    Page(i64, u32, Answer<catalog_cache::CategoryPage>),
}

/// The reads of one comparison round: every top list, every product,
/// every page of every category and one past the last, and unknown ids.
pub async fn read_all(catalog: &Catalog, products: &[i64], categories: &[i64]) -> Vec<Read> {
    let mut out = vec![Read::Top(None, text(catalog.top(None).await))];
    for &c in categories.iter().chain(&UNKNOWN_IDS) {
        out.push(Read::Top(Some(c), text(catalog.top(Some(c)).await)));
    }
    for &id in products.iter().chain(&UNKNOWN_IDS) {
        out.push(Read::Product(id, text(catalog.product(id).await)));
    }
    for &c in categories {
        out.push(Read::Page(c, 0, text(catalog.category_page(c, 0).await)));
        let mut page = 1;
        loop {
            let answer = text(catalog.category_page(c, page).await);
            let past_the_end = answer.is_err();
            out.push(Read::Page(c, page, answer));
            if past_the_end || page > 1_000 {
                break;
            }
            page += 1;
        }
    }
    for &c in &UNKNOWN_IDS {
        out.push(Read::Page(c, 1, text(catalog.category_page(c, 1).await)));
    }
    out
}

/// Asserts both catalogs answer every read identically, naming the first
/// read that differs; the number of reads compared.
pub async fn assert_same(
    naive: &Catalog,
    cached: &Catalog,
    products: &[i64],
    categories: &[i64],
    when: &str,
) -> usize {
    let want = read_all(naive, products, categories).await;
    let got = read_all(cached, products, categories).await;
    assert_eq!(want.len(), got.len(), "{when}: different reads");
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(w, g, "{when}: the optimized answer differs");
    }
    want.len()
}

/// The statements that read (not write) at `dbs`, summed.
pub fn reads(dbs: &[&Db]) -> u64 {
    dbs.iter().map(|db| db.counts().reads()).sum()
}

/// Ranking statements at `dbs`, summed.
pub fn rankings(dbs: &[&Db]) -> u64 {
    dbs.iter()
        .map(|db| db.counts().get(QueryKind::Ranking))
        .sum()
}

/// Polls `check` (every 50 ms) until it holds or [`PATIENCE`] runs out;
/// whether it came to hold.
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A plain async connection to the test's Redis, for looking at what the
/// cache left there.
pub async fn redis_conn(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .expect("a Redis URL")
        .get_multiplexed_async_connection()
        .await
        .expect("connecting to the test's Redis")
}

/// Subscribers of the invalidation channel: a started instance has
/// subscribed once this counts it (messages before that are not heard).
pub async fn subscribers(conn: &mut redis::aio::MultiplexedConnection) -> i64 {
    let reply: Vec<redis::Value> = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg("catalog:invalidate")
        .query_async(conn)
        .await
        .unwrap_or_default();
    match reply.get(1) {
        Some(redis::Value::Int(n)) => *n,
        _ => 0,
    }
}

/// Waits until `n` instances listen for invalidations.
pub async fn wait_subscribed(url: &str, n: i64) {
    let conn = redis_conn(url).await;
    let ok = eventually(|| {
        let mut conn = conn.clone();
        async move { subscribers(&mut conn).await >= n }
    })
    .await;
    assert!(ok, "{n} instance(s) never subscribed to invalidations");
}
