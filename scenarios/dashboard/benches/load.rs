//! Load tests of both dashboard variants with goose (perflab tool `goose`).
//!
//! For each variant: seed the default data set (10k users, ~1.06M child rows)
//! into SQLite, start the service in-process on 127.0.0.1 with its own tokio
//! runtime (as a separate process would have its own threads), and drive it
//! with two plans:
//! - `paced`: 64 users sending 200 requests/s in total on a fixed schedule, so
//!   a slow service builds a backlog and its latency counts the wait;
//! - `closed`: 64 users with no think time, for the sustainable throughput.
//!
//! Halfway through each plan it scrapes the service's own `/metrics`, checks
//! that the latency histogram is there and counting, and keeps the scrape as
//! a `metrics_scrape` artifact in `$PERFLAB_ARTIFACT_DIR` (when set).
//!
//! It also counts the database statements per request for a fixed sample of
//! users (`queries/mean`, `queries/max`). Results go to `$PERFLAB_FRAGMENT`
//! when perflab runs this bench, and to stderr always. With
//! `$PERFLAB_PROFILE_DIR` set, the closed-loop run of each variant is
//! CPU-profiled; the flamegraph keeps the service's threads (its runtime and
//! SQLite's worker threads) and leaves out the load generator's.
//!
//! Database: SQLite files in a temporary directory by default. With
//! `DATABASE_URL=postgres://…` (and `--features postgres`) both variants run
//! against that server instead, one after the other: the data set is seeded
//! there once (its tables are replaced) and each variant's migration switches
//! the indexes on or off.
//!
//! Sizes: `cargo bench` runs 30 s + 20 s per variant; `PERFLAB_QUICK=1` 8 s +
//! 5 s; `cargo test --benches` (no `--bench` flag) a tiny smoke run.

use dashboard::{Dataset, Service, Variant, seed_sqlite_pair, serve, sqlite_url};
use perflab_kit::http::scrape_after;
use perflab_kit::{BenchOutput, RunMode, ServiceThread};
use perflab_load::{Distribution, LoadPlan, LoadReport, Pacing, RequestType, eprint_progress};
use perflab_schema::{
    Artifact, ArtifactKind, Fragment, Measurement, MeasurementKey, MetricKind, Tool,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const SCENARIO: &str = "dashboard";
const USERS: usize = 64;
const PACED_RATE: f64 = 200.0;
/// Users whose statement counts are sampled: this many, evenly spread over the ids.
const QUERY_SAMPLE: u32 = 20;
/// The service runtime's thread name (Linux keeps 15 bytes of it).
const SERVICE_THREAD: &str = "dashboard-svc";
/// The load generator runtime's thread name.
const LOADGEN_THREAD: &str = "loadgen";

/// (paced, closed) durations in seconds.
fn durations(mode: RunMode) -> (u64, u64) {
    match mode {
        RunMode::Full => (30, 20),
        RunMode::Quick => (8, 5),
        RunMode::Test => (1, 1),
    }
}

fn dataset(mode: RunMode) -> Dataset {
    match mode {
        RunMode::Test => Dataset::tiny(),
        _ => Dataset::default_scale(),
    }
}

fn plans(mode: RunMode, users: u32) -> [LoadPlan; 2] {
    let (paced, closed) = durations(mode);
    let clients = if mode == RunMode::Test { 4 } else { USERS };
    let request = || {
        RequestType::get("dashboard", "/users/{id}/dashboard").param(
            "id",
            Distribution::Uniform {
                min: 1,
                max: u64::from(users),
            },
        )
    };
    [
        LoadPlan::new("paced", clients)
            .duration_secs(paced)
            .pacing(Pacing::Paced {
                requests_per_sec: if mode == RunMode::Test {
                    20.0
                } else {
                    PACED_RATE
                },
            })
            .request(request()),
        LoadPlan::new("closed", clients)
            .duration_secs(closed)
            .pacing(Pacing::Closed)
            .request(request()),
    ]
}

fn main() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name(LOADGEN_THREAD)
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(bench()))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dashboard load bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn bench() -> Result<(), String> {
    let mode = RunMode::detect();
    let dataset = dataset(mode);
    let dir = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    let databases = Databases::seed(dir.path(), &dataset).await?;
    let output = BenchOutput::from_env(SCENARIO);

    let mut fragment = Fragment::new(Vec::new());
    for variant in Variant::ALL {
        let url = databases.url(variant).await?;
        let server = start_server(variant, &url)?;
        for plan in plans(mode, dataset.users) {
            let profiler = match (output.profile_dir(), plan.name.as_str()) {
                (Some(_), "closed") => Some(start_profiler()?),
                _ => None,
            };
            eprintln!(
                "{variant} {}: {} users for {:?} s",
                plan.name, plan.users, plan.duration_secs
            );
            let halfway = std::time::Duration::from_secs(plan.duration_secs.unwrap_or(0)) / 2;
            let scraper = tokio::spawn(scrape_after(server.addr(), halfway));
            let report = perflab_load::run(&server.base_url(), &plan, &mut eprint_progress)
                .await
                .map_err(|e| format!("{variant} {}: {e}", plan.name))?;
            summarize(variant, &report);
            let benchmark = format!("load/{}", plan.name);
            let scrape = scraper
                .await
                .map_err(|e| format!("the /metrics scraper failed: {e}"))
                .and_then(|scraped| scraped)
                .and_then(|text| check_scrape(&text).map(|count| (text, count)));
            match scrape {
                Ok((text, count)) => {
                    eprintln!(
                        "{variant} {}: /metrics halfway through: {count} requests in the latency histogram",
                        plan.name
                    );
                    fragment
                        .artifacts
                        .extend(keep_scrape(&output, variant, &benchmark, &text)?);
                }
                Err(e) => fragment
                    .warnings
                    .push(format!("{variant} {}: /metrics scrape: {e}", plan.name)),
            }
            fragment
                .measurements
                .extend(report.measurements(SCENARIO, variant.name()));
            fragment.warnings.extend(
                report
                    .warnings()
                    .into_iter()
                    .map(|w| format!("{variant}: {w}")),
            );
            if let (Some(profiler), Some(root)) = (profiler, output.profile_dir()) {
                fragment
                    .artifacts
                    .extend(write_profile(profiler, &output, root, variant, &benchmark)?);
            }
        }
        if let Err(e) = server.stop() {
            eprintln!("{variant} server: {e}");
        }
        fragment
            .measurements
            .extend(count_queries(variant, &url, dataset.users).await?);
    }
    output.write_fragment(&fragment).map_err(|e| e.to_string())
}

/// Where each variant's data lives: a seeded SQLite pair, or one PostgreSQL
/// database from `DATABASE_URL` shared by the variants in turn.
enum Databases {
    Sqlite(dashboard::SqlitePair),
    Postgres(String),
}

impl Databases {
    async fn seed(dir: &Path, dataset: &Dataset) -> Result<Databases, String> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                eprintln!("seeding {} users into DATABASE_URL", dataset.users);
                let stats = dashboard::seed(&url, dataset)
                    .await
                    .map_err(|e| format!("DATABASE_URL: {e}"))?;
                eprintln!("seeded: {stats:?}");
                Ok(Databases::Postgres(url))
            }
            _ => {
                eprintln!("seeding {} users into {}", dataset.users, dir.display());
                let (pair, stats) = seed_sqlite_pair(dir, dataset)
                    .await
                    .map_err(|e| e.to_string())?;
                eprintln!("seeded: {stats:?}");
                Ok(Databases::Sqlite(pair))
            }
        }
    }

    /// The URL `variant` runs against, with that variant's indexes in place.
    async fn url(&self, variant: Variant) -> Result<String, String> {
        match self {
            Databases::Sqlite(pair) => Ok(sqlite_url(pair.path(variant))),
            Databases::Postgres(url) => {
                dashboard::migrate(url, variant)
                    .await
                    .map_err(|e| format!("DATABASE_URL, {variant} indexes: {e}"))?;
                Ok(url.clone())
            }
        }
    }
}

/// How many requests the dashboard route's latency histogram has counted,
/// or why the scrape does not show it.
fn check_scrape(text: &str) -> Result<u64, String> {
    const COUNT: &str = "http_request_duration_seconds_count{";
    if !text.contains("# TYPE http_request_duration_seconds histogram") {
        return Err("no http_request_duration_seconds histogram".into());
    }
    let route = format!(r#"route="{}""#, "/users/{id}/dashboard");
    let count: f64 = text
        .lines()
        .filter(|l| l.starts_with(COUNT) && l.contains(&route))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    if count < 1.0 {
        return Err("the latency histogram has counted no dashboard request yet".into());
    }
    Ok(count as u64)
}

/// The scrape as a `metrics_scrape` artifact, when perflab gave an
/// artifact directory.
fn keep_scrape(
    output: &BenchOutput,
    variant: Variant,
    benchmark: &str,
    text: &str,
) -> Result<Option<Artifact>, String> {
    let file_name = format!("{variant}-{}.metrics.txt", benchmark.replace('/', "-"));
    output
        .keep(
            variant.name(),
            benchmark,
            ArtifactKind::MetricsScrape,
            &file_name,
            text.as_bytes(),
        )
        .map_err(|e| e.to_string())
}

/// The service on its own runtime and threads (all named
/// [`SERVICE_THREAD`]), listening on loopback.
fn start_server(variant: Variant, url: &str) -> Result<ServiceThread, String> {
    let url = url.to_owned();
    ServiceThread::start(SERVICE_THREAD, move || async move {
        let service = Service::connect(variant, &url).await?;
        Ok::<_, dashboard::DbError>(move |listener| serve(listener, service.router()))
    })
    .map_err(|e| format!("the {variant} server: {e}"))
}

fn summarize(variant: Variant, report: &LoadReport) {
    let t = &report.total;
    let ms = |ns: Option<f64>| ns.map_or_else(|| "-".to_owned(), |v| format!("{:.2} ms", v / 1e6));
    let latency = t.latency.as_ref();
    eprintln!(
        "{variant} {}: {} requests, {} failed, p50 {}, p95 {}, p99 {}, {:.0} requests/s",
        report.plan,
        t.count,
        t.failures,
        ms(latency.map(|l| l.p50_ns as f64)),
        ms(latency.map(|l| l.p95_ns as f64)),
        ms(latency.map(|l| l.p99_ns as f64)),
        t.throughput_per_sec,
    );
}

/// Statements per request over a fixed, evenly spread sample of users: the
/// mean and the largest. Deterministic for a given data set.
async fn count_queries(
    variant: Variant,
    url: &str,
    users: u32,
) -> Result<Vec<Measurement>, String> {
    let service = Service::connect(variant, url)
        .await
        .map_err(|e| e.to_string())?;
    let step = (users / QUERY_SAMPLE).max(1);
    let mut counts = Vec::new();
    for id in (1..=users)
        .step_by(step as usize)
        .take(QUERY_SAMPLE as usize)
    {
        let answer = service
            .dashboard(i64::from(id))
            .await
            .map_err(|e| format!("{variant} dashboard of user {id}: {e}"))?;
        counts.push(answer.queries as f64);
    }
    service.close().await;
    let mean = counts.iter().sum::<f64>() / counts.len().max(1) as f64;
    let max = counts.iter().copied().fold(0.0, f64::max);
    eprintln!(
        "{variant}: {mean:.1} statements per request on average, {max} at most ({} users)",
        counts.len()
    );
    let key = |benchmark: &str| MeasurementKey {
        scenario: SCENARIO.into(),
        variant: variant.name().into(),
        benchmark: benchmark.into(),
        metric: MetricKind::DbQueries,
    };
    Ok(vec![
        Measurement::new(key("queries/mean"), mean, Tool::Goose).with_samples(counts),
        Measurement::new(key("queries/max"), max, Tool::Goose),
    ])
}

fn start_profiler() -> Result<perflab_profile::Profiler, String> {
    let config = perflab_profile::ProfilerConfig {
        thread_names: true,
        ..perflab_profile::ProfilerConfig::default()
    };
    perflab_profile::Profiler::start(&config).map_err(|e| e.to_string())
}

/// Whether a thread belongs to the service: its runtime, or a SQLite
/// connection's worker thread (sqlx runs each on its own).
fn is_service_thread(name: &str) -> bool {
    name == SERVICE_THREAD || name.starts_with("sqlx-sqlite")
}

fn write_profile(
    profiler: perflab_profile::Profiler,
    output: &BenchOutput,
    root: &Path,
    variant: Variant,
    benchmark: &str,
) -> Result<Vec<Artifact>, String> {
    let whole = profiler.stop().map_err(|e| e.to_string())?;
    let profile = perflab_profile::Profile::new(
        whole.folded.threads(is_service_thread),
        whole.duration,
        whole.requested_hz,
    );
    eprintln!(
        "{variant} {benchmark}: {} CPU samples at {:.0} Hz, {} of them in the service",
        whole.samples, whole.effective_hz, profile.samples
    );
    let dir = perflab_profile::benchmark_dir(root, SCENARIO, benchmark);
    let files = perflab_profile::write_profile(&dir, variant.name(), &profile)
        .map_err(|e| e.to_string())?;
    let artifact = |kind, path: PathBuf| output.artifact(variant.name(), benchmark, kind, &path);
    Ok(vec![
        artifact(ArtifactKind::FoldedStacks, files.folded),
        artifact(ArtifactKind::Flamegraph, files.svg),
    ])
}
