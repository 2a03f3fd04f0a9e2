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
//! It also counts the database statements per request for a fixed sample of
//! users (`queries/mean`, `queries/max`). Results go to `$PERFLAB_FRAGMENT`
//! when perflab runs this bench, and to stderr always. With
//! `$PERFLAB_PROFILE_DIR` set, the closed-loop run of each variant is
//! CPU-profiled (the whole process: service and load generator).
//!
//! Sizes: `cargo bench` runs 30 s + 20 s per variant; `PERFLAB_QUICK=1` 8 s +
//! 5 s; `cargo test --benches` (no `--bench` flag) a tiny smoke run.

use dashboard::{Dataset, Service, Variant, seed_sqlite_pair, serve, sqlite_url};
use perflab_load::{Distribution, LoadPlan, LoadReport, Pacing, RequestType, eprint_progress};
use perflab_schema::{
    Artifact, ArtifactKind, FRAGMENT_ENV, Fragment, Measurement, MeasurementKey, MetricKind,
    PROFILE_DIR_ENV, Tool,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const SCENARIO: &str = "dashboard";
const USERS: usize = 64;
const PACED_RATE: f64 = 200.0;
/// Users whose statement counts are sampled: this many, evenly spread over the ids.
const QUERY_SAMPLE: u32 = 20;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Full,
    Quick,
    Test,
}

impl Mode {
    fn detect() -> Mode {
        if !std::env::args().any(|a| a == "--bench") {
            Mode::Test
        } else if std::env::var("PERFLAB_QUICK").is_ok_and(|v| v == "1") {
            Mode::Quick
        } else {
            Mode::Full
        }
    }

    /// (paced, closed) durations in seconds.
    fn durations(self) -> (u64, u64) {
        match self {
            Mode::Full => (30, 20),
            Mode::Quick => (8, 5),
            Mode::Test => (1, 1),
        }
    }

    fn dataset(self) -> Dataset {
        match self {
            Mode::Test => Dataset::tiny(),
            _ => Dataset::default_scale(),
        }
    }
}

fn plans(mode: Mode, users: u32) -> [LoadPlan; 2] {
    let (paced, closed) = mode.durations();
    let clients = if mode == Mode::Test { 4 } else { USERS };
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
                requests_per_sec: if mode == Mode::Test { 20.0 } else { PACED_RATE },
            })
            .request(request()),
        LoadPlan::new("closed", clients)
            .duration_secs(closed)
            .pacing(Pacing::Closed)
            .request(request()),
    ]
}

fn main() -> ExitCode {
    match tokio::runtime::Runtime::new()
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
    let mode = Mode::detect();
    let dataset = mode.dataset();
    let dir = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    eprintln!(
        "seeding {} users into {}",
        dataset.users,
        dir.path().display()
    );
    let (pair, stats) = seed_sqlite_pair(dir.path(), &dataset)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!("seeded: {stats:?}");
    let profile_root = std::env::var_os(PROFILE_DIR_ENV).map(PathBuf::from);

    let mut fragment = Fragment::new(Vec::new());
    for variant in Variant::ALL {
        let file = match variant {
            Variant::Naive => &pair.naive,
            Variant::Optimized => &pair.optimized,
        };
        let url = sqlite_url(file);
        let server = Server::start(variant, &url)?;
        for plan in plans(mode, dataset.users) {
            let profiler = match (&profile_root, plan.name.as_str()) {
                (Some(_), "closed") => Some(start_profiler()?),
                _ => None,
            };
            eprintln!(
                "{variant} {}: {} users for {:?} s",
                plan.name, plan.users, plan.duration_secs
            );
            let report = perflab_load::run(&server.base_url, &plan, &mut eprint_progress)
                .await
                .map_err(|e| format!("{variant} {}: {e}", plan.name))?;
            summarize(variant, &report);
            fragment
                .measurements
                .extend(report.measurements(SCENARIO, variant.name()));
            fragment.warnings.extend(
                report
                    .warnings()
                    .into_iter()
                    .map(|w| format!("{variant}: {w}")),
            );
            if let (Some(profiler), Some(root)) = (profiler, &profile_root) {
                let benchmark = format!("load/{}", plan.name);
                fragment
                    .artifacts
                    .extend(write_profile(profiler, root, variant, &benchmark)?);
            }
        }
        server.stop();
        fragment
            .measurements
            .extend(count_queries(variant, &url, dataset.users).await?);
    }
    if let Some(path) = std::env::var_os(FRAGMENT_ENV) {
        std::fs::write(&path, fragment.to_json())
            .map_err(|e| format!("writing {}: {e}", Path::new(&path).display()))?;
    }
    Ok(())
}

/// The service on its own runtime and threads, listening on loopback.
struct Server {
    base_url: String,
    shutdown: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Server {
    fn start(variant: Variant, url: &str) -> Result<Server, String> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<String, String>>();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let url = url.to_owned();
        let thread = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("starting the server runtime: {e}")));
                    return;
                }
            };
            runtime.block_on(async move {
                let started = async {
                    let service = Service::connect(variant, &url)
                        .await
                        .map_err(|e| e.to_string())?;
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .map_err(|e| format!("binding 127.0.0.1:0: {e}"))?;
                    let addr = listener.local_addr().map_err(|e| e.to_string())?;
                    Ok::<_, String>((service, listener, addr))
                };
                match started.await {
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                    Ok((service, listener, addr)) => {
                        let _ = ready_tx.send(Ok(format!("http://{addr}")));
                        tokio::select! {
                            result = serve(listener, service.router()) => {
                                if let Err(e) = result {
                                    eprintln!("{variant} server stopped: {e}");
                                }
                            }
                            _ = stop => {}
                        }
                    }
                }
            });
        });
        let base_url = ready_rx
            .recv()
            .map_err(|_| format!("the {variant} server thread died before listening"))??;
        Ok(Server {
            base_url,
            shutdown,
            thread,
        })
    }

    fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.thread.join();
    }
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
    perflab_profile::Profiler::start(&perflab_profile::ProfilerConfig::default())
        .map_err(|e| e.to_string())
}

fn write_profile(
    profiler: perflab_profile::Profiler,
    root: &Path,
    variant: Variant,
    benchmark: &str,
) -> Result<Vec<Artifact>, String> {
    let profile = profiler.stop().map_err(|e| e.to_string())?;
    eprintln!(
        "{variant} {benchmark}: {} CPU samples at {:.0} Hz",
        profile.samples, profile.effective_hz
    );
    let dir = perflab_profile::benchmark_dir(root, SCENARIO, benchmark);
    let files = perflab_profile::write_profile(&dir, variant.name(), &profile)
        .map_err(|e| e.to_string())?;
    let artifact = |kind, path: PathBuf| Artifact {
        scenario: SCENARIO.into(),
        variant: variant.name().into(),
        benchmark: benchmark.into(),
        kind,
        path: path.display().to_string(),
        against: None,
    };
    Ok(vec![
        artifact(ArtifactKind::FoldedStacks, files.folded),
        artifact(ArtifactKind::Flamegraph, files.svg),
    ])
}
