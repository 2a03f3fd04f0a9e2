//! Load tests of both catalog variants with goose (perflab tool `goose`).
//!
//! The default catalog (100k products, 1M sales; tiny under `cargo test
//! --benches`) is seeded once into a temporary SQLite file and copied per
//! variant, so both start from the same rows and neither sees the other's
//! writes. Each variant's service runs in-process on 127.0.0.1 on its own
//! runtime ([`ServiceThread`]), the optimized one over Redis (see
//! `support`; L1 only, with a warning, when there is none).
//!
//! **The plan** (`paced`): 64 users sending 200 requests/s in total on a
//! fixed schedule, so a slow service builds a backlog and its latency
//! counts the wait. The reads are Zipf-distributed (exponent 1) as a
//! catalog's traffic is: 40% `/categories/{id}/top`, 20% category pages
//! (page 1 to 5, Zipf too), 10% `/top`, 30% `/products/{id}` (product ids
//! by popularity: the seeder's sales fall with the id). Beside them the
//! bench posts 10 writes/s (5% of the traffic), price changes and sales of
//! Zipf-drawn products, through the service's POST routes (perflab-load
//! sends `GET` only).
//!
//! **Measurements**, per variant: `load/paced` (and per request type,
//! `load/paced/<type>`, and the service's own share,
//! `load/paced/service_time`) from the load report: latency p50 to max,
//! throughput, errors; `load/writes`: the writes' latency p50/p99 and
//! failures as `errors`; `db/paced`: `db_query_rate`, every statement the
//! database received (reads and writes) per second of the plan's wall
//! time, and `db/paced/ranking` the expensive ones alone; and for the
//! optimized variant `cache/paced`: `hit_ratio`, lookups answered without
//! computing at the origin, over the plan.
//!
//! Read `db/paced` with the throughput beside it: a naive service that
//! falls behind answers fewer requests, so it sends fewer statements per
//! second than the cached one while its database is saturated (each of
//! its statements is a ranking or a page with aggregates; most of the
//! cached one's are single products). `db/paced/ranking` is the load the
//! cache exists to take away.
//!
//! Halfway through it scrapes the service's `/metrics`, checks that the
//! latency histogram is counting, and keeps the scrape as a
//! `metrics_scrape` artifact in `$PERFLAB_ARTIFACT_DIR` (when set).
//!
//! Sizes: `cargo bench` 30 s per variant, `PERFLAB_QUICK=1` 8 s,
//! `cargo test --benches` a 1 s smoke run of 4 users at 20 requests/s.

mod load {
    pub mod http;
    pub mod writes;
}
mod support;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use catalog_cache::service::{router, serve};
use catalog_cache::{CacheConfig, Catalog, CatalogSpec, Db, QueryKind, Variant};
use perflab_kit::{BenchOutput, RunMode, ServiceThread};
use perflab_load::{Distribution, LoadPlan, LoadReport, Pacing, RequestType, eprint_progress};
use perflab_schema::{ArtifactKind, Fragment, Measurement, MetricKind};

use load::http::check_scrape;
use load::writes::{Writes, write_until};
use perflab_kit::http::scrape_after;
use support::{
    Redis, SCENARIO, Zipf, delta, eprint_latency, latency, measurement, ms, seed_copies,
};

const USERS: usize = 64;
const PACED_RATE: f64 = 200.0;
/// Writes per second beside the reads: 5% of the paced rate.
const WRITE_RATE: f64 = 10.0;
/// The Zipf exponent of every id the plan draws.
const ZIPF_EXPONENT: f64 = 1.0;
/// Category pages the plan reads (Zipf over 1..=PAGES).
const PAGES: u64 = 5;
const PLAN_SEED: u64 = 0x0CA7_A10C;
const WRITE_SEED: u64 = 0x0057_A1E5;
/// The service runtime's thread name (Linux keeps 15 bytes of it).
const SERVICE_THREAD: &str = "catalog-svc";

/// The paced plan's size in each mode.
struct Shape {
    users: usize,
    /// Reads per second, all users together.
    rate: f64,
    /// Writes per second beside them.
    write_rate: f64,
    secs: u64,
}

fn shape(mode: RunMode) -> Shape {
    let full = |secs| Shape {
        users: USERS,
        rate: PACED_RATE,
        write_rate: WRITE_RATE,
        secs,
    };
    match mode {
        RunMode::Full => full(30),
        RunMode::Quick => full(8),
        RunMode::Test => Shape {
            users: 4,
            rate: 20.0,
            write_rate: 2.0,
            secs: 1,
        },
    }
}

fn spec(mode: RunMode) -> CatalogSpec {
    match mode {
        RunMode::Test => CatalogSpec::tiny(),
        _ => CatalogSpec::default_scale(),
    }
}

fn plan(mode: RunMode, spec: &CatalogSpec) -> LoadPlan {
    let Shape {
        users, rate, secs, ..
    } = shape(mode);
    let zipf = |n: u32| Distribution::Zipf {
        n: u64::from(n),
        exponent: ZIPF_EXPONENT,
    };
    let categories = || zipf(spec.categories);
    LoadPlan::new("paced", users)
        .duration_secs(secs)
        .seed(PLAN_SEED)
        .pacing(Pacing::Paced {
            requests_per_sec: rate,
        })
        .request(
            RequestType::get("category_top", "/categories/{id}/top")
                .weight(40)
                .param("id", categories()),
        )
        .request(
            RequestType::get("category_page", "/categories/{id}?page={page}")
                .weight(20)
                .param("id", categories())
                .param("page", zipf(PAGES as u32)),
        )
        .request(RequestType::get("top", "/top").weight(10))
        .request(
            RequestType::get("product", "/products/{id}")
                .weight(30)
                .param("id", zipf(spec.products)),
        )
}

fn main() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("loadgen")
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(bench()))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("catalog-cache load bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn bench() -> Result<(), String> {
    let mode = RunMode::detect();
    let spec = spec(mode);
    let output = BenchOutput::from_env(SCENARIO);
    let redis = Redis::detect().await?;
    let dir = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    let names = Variant::ALL.map(Variant::name);
    let urls = seed_copies(dir.path(), &spec, &names).await?;

    let mut fragment = Fragment::new(Vec::new());
    fragment.warnings.extend(redis.missing());
    for (variant, url) in Variant::ALL.into_iter().zip(&urls) {
        let started = Instant::now();
        let (server, catalog) = start_server(variant, url, redis.config("load"))?;
        eprintln!(
            "{variant}: serving on {} after {:.1} s",
            server.addr(),
            started.elapsed().as_secs_f64()
        );
        let run = run_plan(mode, &spec, &server, &catalog, &output, &mut fragment).await;
        if let Err(e) = server.stop() {
            eprintln!("{variant} server: {e}");
        }
        run?;
    }
    output.write_fragment(&fragment).map_err(|e| e.to_string())
}

/// The service on its own runtime and threads, and a handle on its catalog
/// (the database's counters and the cache's are shared with it).
fn start_server(
    variant: Variant,
    url: &str,
    config: CacheConfig,
) -> Result<(ServiceThread, Catalog), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let url = url.to_owned();
    let server = ServiceThread::start(SERVICE_THREAD, move || async move {
        let db = Db::connect(&url).map_err(|e| e.to_string())?;
        let catalog = Catalog::start(variant, db, config)
            .await
            .map_err(|e| e.to_string())?;
        let _ = tx.send(catalog.clone());
        Ok::<_, String>(move |listener| serve(listener, router(catalog)))
    })
    .map_err(|e| format!("the {variant} server: {e}"))?;
    let catalog = rx
        .recv()
        .map_err(|_| format!("the {variant} server did not hand over its catalog"))?;
    Ok((server, catalog))
}

/// Every statement the database has received, and the rankings among them.
fn statements(db: &Db) -> (u64, u64) {
    let counts = db.counts();
    let all = QueryKind::ALL.iter().map(|&k| counts.get(k)).sum();
    (all, counts.get(QueryKind::Ranking))
}

async fn run_plan(
    mode: RunMode,
    spec: &CatalogSpec,
    server: &ServiceThread,
    catalog: &Catalog,
    output: &BenchOutput,
    fragment: &mut Fragment,
) -> Result<(), String> {
    let variant = catalog.variant();
    let plan = plan(mode, spec);
    let Shape {
        write_rate, secs, ..
    } = shape(mode);
    eprintln!(
        "{variant} {}: {} users for {secs} s, {write_rate} writes/s beside",
        plan.name, plan.users
    );
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn(write_until(
        server.addr(),
        write_rate,
        Zipf::new(u64::from(spec.products), ZIPF_EXPONENT),
        WRITE_SEED,
        stop.clone(),
    ));
    let scraper = tokio::spawn(scrape_after(server.addr(), Duration::from_secs(secs) / 2));
    let cache_before = cache_stats(catalog);
    let queries_before = statements(catalog.db());
    let started = Instant::now();
    let report = perflab_load::run(&server.base_url(), &plan, &mut eprint_progress).await;
    let wall = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let queries = statements(catalog.db());
    let (queries, rankings) = (queries.0 - queries_before.0, queries.1 - queries_before.1);
    let report = report.map_err(|e| format!("{variant} {}: {e}", plan.name))?;
    let writes = writer
        .await
        .map_err(|e| format!("the writer failed: {e}"))?;
    summarize(variant, &report, &writes);

    let name = variant.name();
    let benchmark = format!("load/{}", plan.name);
    match scraper
        .await
        .map_err(|e| format!("the /metrics scraper failed: {e}"))
        .and_then(|scraped| scraped)
        .and_then(|text| check_scrape(&text).map(|count| (text, count)))
    {
        Ok((text, count)) => {
            eprintln!("{variant}: /metrics halfway through: {count} requests in the histogram");
            let file = format!("{name}-load-{}.metrics.txt", plan.name);
            let kept = output
                .keep(
                    name,
                    &benchmark,
                    ArtifactKind::MetricsScrape,
                    &file,
                    text.as_bytes(),
                )
                .map_err(|e| e.to_string())?;
            fragment.artifacts.extend(kept);
        }
        Err(e) => fragment
            .warnings
            .push(format!("{variant} {}: /metrics scrape: {e}", plan.name)),
    }
    fragment
        .measurements
        .extend(report.measurements(SCENARIO, name));
    fragment.warnings.extend(
        report
            .warnings()
            .into_iter()
            .map(|w| format!("{variant}: {w}")),
    );
    fragment
        .measurements
        .extend(write_measurements(name, &writes));
    if let Some(why) = &writes.first_failure {
        fragment.warnings.push(format!(
            "{variant}: {} writes failed, the first: {why}",
            writes.failures
        ));
    }

    let (rate, ranking_rate) = (queries as f64 / wall, rankings as f64 / wall);
    eprintln!(
        "{variant}: {queries} statements in {wall:.1} s: {rate:.1} per second, \
         {ranking_rate:.1} of them rankings"
    );
    let db_paced = format!("db/{}", plan.name);
    fragment.measurements.extend([
        measurement(name, &db_paced, MetricKind::DbQueryRate, rate),
        measurement(
            name,
            &format!("{db_paced}/ranking"),
            MetricKind::DbQueryRate,
            ranking_rate,
        ),
    ]);
    if let (Some(before), Some(after)) = (cache_before, cache_stats(catalog)) {
        let plan_stats = delta(&after.all, &before.all);
        if let Some(ratio) = plan_stats.hit_ratio() {
            eprintln!(
                "{variant}: {} lookups, {} origin loads: hit ratio {ratio:.4}",
                plan_stats.l1_hits + plan_stats.l1_misses,
                plan_stats.origin_loads
            );
            let cache_paced = format!("cache/{}", plan.name);
            fragment.measurements.push(measurement(
                name,
                &cache_paced,
                MetricKind::HitRatio,
                ratio,
            ));
        }
    }
    Ok(())
}

fn cache_stats(catalog: &Catalog) -> Option<catalog_cache::CacheStats> {
    match catalog {
        Catalog::Optimized(c) => Some(c.metrics().stats()),
        Catalog::Naive(_) => None,
    }
}

/// `load/writes`: the writes' latency and how many failed.
fn write_measurements(variant: &str, writes: &Writes) -> Vec<Measurement> {
    let mut out = latency(variant, "load/writes", &writes.latency_ns);
    out.push(measurement(
        variant,
        "load/writes",
        MetricKind::Errors,
        writes.failures as f64,
    ));
    out
}

fn summarize(variant: Variant, report: &LoadReport, writes: &Writes) {
    let t = &report.total;
    let at = |f: fn(&perflab_load::LatencyStats) -> u64| {
        t.latency.as_ref().map_or("-".into(), |l| ms(f(l) as f64))
    };
    eprintln!(
        "{variant} {}: {} requests, {} failed, p50 {}, p95 {}, p99 {}, max {}, {:.0} requests/s",
        report.plan,
        t.count,
        t.failures,
        at(|l| l.p50_ns),
        at(|l| l.p95_ns),
        at(|l| l.p99_ns),
        at(|l| l.max_ns),
        t.throughput_per_sec,
    );
    eprint_latency(&format!("{variant} writes"), &writes.latency_ns);
}
