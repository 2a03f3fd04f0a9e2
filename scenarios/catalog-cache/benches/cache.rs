//! The cache's own numbers, without HTTP, written as a perflab fragment.
//!
//! On one seeded SQLite catalog (the default 100k products; tiny under
//! `cargo test --benches`) and one Redis (see `support`):
//!
//! | benchmark | metric | what |
//! |---|---|---|
//! | `l1_hit`, `l2_hit` | `latency_p50`, `latency_p99` | one `lookup` of a cached product key, timed alone; L2 with L1 cleared before each |
//! | `l1_hit/moka_get`, `l2_hit/redis_get` | `latency_p50`, `latency_p99` | the floors under them: a bare moka `get` and a bare Redis `GET` of the same values, timed the same way |
//! | `hit_ratio/zipf`, `hit_ratio/zipf/top` | `hit_ratio` | a seeded stream of reads (Zipf over categories, pages and products) with 3% writes, on a warmed cache: every lookup, and the top-10 lists' |
//! | `stampede/cold`, `stampede/expired` | `db_queries` | rankings counted at the database for 1,000 concurrent requests of one top list |
//! | `stale_window/events`, `stale_window/ttl` | `latency_p50`, `latency_p99` | after a price write on one instance, until another answers the new price |
//!
//! Everything is the optimized variant's but `stampede/cold`, which the
//! naive variant has too (1,000 rankings: one per request, by
//! construction); the other rows mean nothing without a cache. The naive
//! stampede runs on the tiny catalog in every mode: its count does not
//! depend on the catalog's size, and at the default size its 1,000
//! rankings (about 150 ms each on two cores) outlast the pool's 30 s
//! acquire timeout, so the requests fail instead of counting.
//!
//! Without Redis (locally, no `redis-server`), `l2_hit` and
//! `stale_window/events` are left out, the rest runs L1 only, and the
//! fragment says so. Under CI a missing Redis fails the bench.
//!
//! **Tool name.** perflab runs fragment benches as `goose` or `dhat`;
//! there is no tool for a bench that times itself, so this one is
//! declared `goose` (as autocomplete's latency bench is).
//!
//! Results go to `$PERFLAB_FRAGMENT` under perflab, and a summary to
//! stderr always.

mod cache {
    pub mod hits;
    pub mod stale;
    pub mod stampede;
}
mod support;

use std::process::ExitCode;

use catalog_cache::{CatalogSpec, Db};
use perflab_kit::{BenchOutput, RunMode};
use perflab_schema::Fragment;

use support::{Redis, SCENARIO, seed_copies};

/// Concurrent requests of one key in each stampede.
const STAMPEDE_REQUESTS: usize = 1_000;

/// The stream's seed: the same operations in every run.
const STREAM_SEED: u64 = 0x0C0F_FEE5;

/// How much each part runs.
struct Sizes {
    spec: CatalogSpec,
    /// Timed lookups per hit level.
    hit_calls: usize,
    /// Operations of the hit-ratio stream.
    stream_ops: u64,
    /// Writes timed for each stale window.
    stale_writes: usize,
}

fn sizes(mode: RunMode) -> Sizes {
    match mode {
        RunMode::Full => Sizes {
            spec: CatalogSpec::default_scale(),
            hit_calls: 50_000,
            stream_ops: 100_000,
            stale_writes: 500,
        },
        RunMode::Quick => Sizes {
            spec: CatalogSpec::default_scale(),
            hit_calls: 5_000,
            stream_ops: 10_000,
            stale_writes: 200,
        },
        RunMode::Test => Sizes {
            spec: CatalogSpec::tiny(),
            hit_calls: 200,
            stream_ops: 500,
            stale_writes: 10,
        },
    }
}

fn main() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(bench()))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("catalog-cache cache bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn bench() -> Result<(), String> {
    let mode = RunMode::detect();
    let sizes = sizes(mode);
    let output = BenchOutput::from_env(SCENARIO);
    let redis = Redis::detect().await?;
    let dir = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    let url = seed_copies(&dir.path().join("optimized"), &sizes.spec, &["optimized"]).await?;
    let naive_url =
        seed_copies(&dir.path().join("naive"), &CatalogSpec::tiny(), &["naive"]).await?;
    let connect = |url: &[String]| Db::connect(&url[0]).map_err(|e| e.to_string());
    let (db, naive_db) = (connect(&url)?, connect(&naive_url)?);
    let mut clock = Clock::start();

    let mut fragment = Fragment::new(Vec::new());
    fragment.warnings.extend(redis.missing());
    fragment
        .measurements
        .extend(cache::hits::hit_latency(&db, redis.config("hits"), sizes.hit_calls).await?);
    clock.lap("hit latency");
    fragment.measurements.extend(
        cache::hits::hit_ratio(
            &db,
            redis.config("ratio"),
            &sizes.spec,
            sizes.stream_ops,
            STREAM_SEED,
        )
        .await?,
    );
    clock.lap("hit ratio");
    fragment.measurements.extend(
        cache::stampede::optimized(&db, |label| redis.config(label), STAMPEDE_REQUESTS).await?,
    );
    fragment
        .measurements
        .push(cache::stampede::naive(&naive_db, STAMPEDE_REQUESTS).await?);
    clock.lap("stampedes");
    if redis.url().is_some() {
        let (m, w) =
            cache::stale::events(&db, redis.config("stale-events"), sizes.stale_writes).await?;
        fragment.measurements.extend(m);
        fragment.warnings.extend(w);
        clock.lap("stale window, events");
    }
    let (m, w) = cache::stale::ttl(
        &db,
        redis.config("stale-ttl"),
        sizes.stale_writes as i64,
        sizes.stale_writes,
    )
    .await?;
    fragment.measurements.extend(m);
    fragment.warnings.extend(w);
    clock.lap("stale window, TTL");
    db.close().await;
    naive_db.close().await;
    output.write_fragment(&fragment).map_err(|e| e.to_string())
}

/// Prints how long each part took, so a slow part is visible in the log.
struct Clock(std::time::Instant);

impl Clock {
    fn start() -> Clock {
        Clock(std::time::Instant::now())
    }

    fn lap(&mut self, part: &str) {
        eprintln!("({part}: {:.1} s)", self.0.elapsed().as_secs_f64());
        self.0 = std::time::Instant::now();
    }
}
