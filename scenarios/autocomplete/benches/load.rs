//! Load test of `GET /complete` with goose (perflab tool `goose`).
//!
//! For each variant (naive, then optimized): build the index from the
//! generated terms (1M, the headline size; 10k under `cargo test --benches`),
//! serve it in-process on 127.0.0.1 from its own thread and tokio runtime
//! (perflab-kit's `ServiceThread`, as a separate process would have its own
//! threads), and drive it through perflab-load with two plans:
//!
//! - `paced`: [`USERS`] users sending [`PACED_RATE`] requests/s in total on a
//!   fixed schedule, latency counted from each request's scheduled time, so
//!   a stall is charged to every request it delayed. perflab-load also
//!   records its service time (`load/paced/service_time`: sent to headers
//!   received), which the service objective in `perflab.toml` judges (p99
//!   at most 2 ms), because on two shared cores the generator itself sends
//!   about a millisecond late;
//! - `closed`: the same users with no think time, for the sustainable
//!   throughput (its latency is mostly queueing on two shared cores).
//!
//! The query mix is seeded: a pool of [`POOL`] exact queries, each the first
//! 1 to 3 characters of a randomly drawn term (so popular prefixes come up
//! as often as they have terms), and a pool of fuzzy ones (`fuzzy=1`), each
//! a term's first 3 characters with one of them replaced, the typo case.
//! They are mixed [`EXACT_WEIGHT`] to [`FUZZY_WEIGHT`], always with `k=10`.
//!
//! After both plans it scrapes the service's own `/metrics`, checks that the
//! latency histogram counted the requests, and keeps the text as a
//! `metrics_scrape` artifact when `$PERFLAB_ARTIFACT_DIR` is set. Results go
//! to `$PERFLAB_FRAGMENT` when perflab runs this bench, and to stderr always.
//!
//! Sizes: `cargo bench` runs 20 s + 10 s per variant; `PERFLAB_QUICK=1` 5 s +
//! 3 s; `cargo test --benches` (no `--bench` flag) 1 s + 1 s on 10k terms.

use std::process::ExitCode;
use std::sync::Arc;

use autocomplete::serve::{Limits, router};
use autocomplete::workload::{RunMode, SEED};
use autocomplete::{Completer, Naive, Optimized, SplitMix64, Term, generate};
use perflab_kit::{BenchOutput, ServiceThread, Variant};
use perflab_load::{LoadPlan, LoadReport, Pacing, RequestType, eprint_progress};
use perflab_schema::{ArtifactKind, Fragment};

const SCENARIO: &str = "autocomplete";
/// Simulated users in both plans.
const USERS: usize = 32;
/// The paced plan's total rate, requests per second.
const PACED_RATE: f64 = 2_000.0;
/// Queries in each seeded pool.
const POOL: usize = 4_096;
/// Seed of the query pools (the terms use the workload's seed).
const QUERY_SEED: u64 = 0x10AD_C0DE_F00D_0001;
/// Relative frequency of exact-prefix queries in the mix.
const EXACT_WEIGHT: u32 = 9;
/// Relative frequency of fuzzy queries in the mix.
const FUZZY_WEIGHT: u32 = 1;
/// The service runtime's thread name (Linux keeps 15 bytes of it).
const SERVICE_THREAD: &str = "autocomplete-sv";
/// The load generator runtime's thread name.
const LOADGEN_THREAD: &str = "loadgen";

/// Terms in the served index.
fn terms(mode: RunMode) -> usize {
    match mode {
        RunMode::Full | RunMode::Quick => 1_000_000,
        RunMode::Test => 10_000,
    }
}

/// (paced, closed) durations in seconds.
fn durations(mode: RunMode) -> (u64, u64) {
    match mode {
        RunMode::Full => (20, 10),
        RunMode::Quick => (5, 3),
        RunMode::Test => (1, 1),
    }
}

fn plans(mode: RunMode, pools: &Pools) -> [LoadPlan; 2] {
    let (paced, closed) = durations(mode);
    let (users, rate) = match mode {
        RunMode::Test => (4, 100.0),
        _ => (USERS, PACED_RATE),
    };
    let mix = |plan: LoadPlan| {
        plan.seed(QUERY_SEED)
            .request(pick_from("exact", &pools.exact).weight(EXACT_WEIGHT))
            .request(pick_from("fuzzy", &pools.fuzzy).weight(FUZZY_WEIGHT))
    };
    [
        mix(LoadPlan::new("paced", users)
            .duration_secs(paced)
            .pacing(Pacing::Paced {
                requests_per_sec: rate,
            })),
        mix(LoadPlan::new("closed", users)
            .duration_secs(closed)
            .pacing(Pacing::Closed)),
    ]
}

/// A request type whose path is drawn from `pool` by each user's generator.
fn pick_from(name: &str, pool: &Arc<Vec<String>>) -> RequestType {
    let pool = Arc::clone(pool);
    RequestType::get_with(name, move |rng| {
        let at = rng.below(pool.len() as u64) as usize;
        pool.get(at)
            .cloned()
            .unwrap_or_else(|| "/complete?q=".into())
    })
}

/// The seeded request paths.
struct Pools {
    exact: Arc<Vec<String>>,
    fuzzy: Arc<Vec<String>>,
}

impl Pools {
    fn new(terms: &[Term]) -> Pools {
        let mut rng = SplitMix64::new(QUERY_SEED);
        let draw = |rng: &mut SplitMix64| -> Vec<char> {
            let term = &terms[rng.below(terms.len() as u64) as usize];
            term.text.chars().collect()
        };
        let exact = (0..POOL)
            .map(|_| {
                let chars = draw(&mut rng);
                let len = 1 + rng.below(3) as usize;
                let prefix: String = chars.iter().take(len).collect();
                format!("/complete?q={}&k=10", encode(&prefix))
            })
            .collect();
        let fuzzy = (0..POOL)
            .map(|_| {
                let mut chars: Vec<char> = draw(&mut rng).into_iter().take(3).collect();
                let at = rng.below(chars.len().max(1) as u64) as usize;
                let typo = char::from(b'a' + rng.below(26) as u8);
                if let Some(c) = chars.get_mut(at) {
                    *c = typo;
                }
                let query: String = chars.into_iter().collect();
                format!("/complete?q={}&k=10&fuzzy=1", encode(&query))
            })
            .collect();
        Pools {
            exact: Arc::new(exact),
            fuzzy: Arc::new(fuzzy),
        }
    }
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
            eprintln!("autocomplete load bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn bench() -> Result<(), String> {
    let mode = RunMode::detect();
    let terms = generate(terms(mode), SEED);
    let pools = Pools::new(&terms);
    let output = BenchOutput::from_env(SCENARIO);
    let mut fragment = Fragment::new(Vec::new());
    for variant in Variant::ALL {
        let started = std::time::Instant::now();
        let server = match variant {
            Variant::Naive => start_server(Naive::build(terms.clone()))?,
            Variant::Optimized => start_server(Optimized::build(terms.clone()))?,
        };
        eprintln!(
            "{variant}: {} terms, built and listening in {:.2?}",
            terms.len(),
            started.elapsed()
        );
        for plan in plans(mode, &pools) {
            eprintln!(
                "{variant} {}: {} users for {:?} s",
                plan.name, plan.users, plan.duration_secs
            );
            let report = perflab_load::run(&server.base_url(), &plan, &mut eprint_progress)
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
        }
        match scrape(server.addr()).and_then(|text| {
            let count = counted(&text)?;
            Ok((text, count))
        }) {
            Ok((text, count)) => {
                eprintln!("{variant}: /metrics counted {count} answered /complete requests");
                let file_name = format!("{variant}-load.metrics.txt");
                fragment.artifacts.extend(
                    output
                        .keep(
                            variant.name(),
                            "load",
                            ArtifactKind::MetricsScrape,
                            &file_name,
                            text.as_bytes(),
                        )
                        .map_err(|e| e.to_string())?,
                );
            }
            Err(e) => fragment
                .warnings
                .push(format!("{variant}: /metrics scrape: {e}")),
        }
        server
            .stop()
            .map_err(|e| format!("the {variant} server: {e}"))?;
    }
    output.write_fragment(&fragment).map_err(|e| e.to_string())
}

/// The service over `index` on its own runtime and threads, on loopback.
fn start_server<C: Completer + Send + Sync + 'static>(index: C) -> Result<ServiceThread, String> {
    let app = router(Arc::new(index), Limits::default());
    ServiceThread::start(SERVICE_THREAD, move || async move {
        Ok::<_, std::convert::Infallible>(move |listener| async move {
            axum::serve(listener, app).await
        })
    })
    .map_err(|e| format!("the {} server: {e}", C::VARIANT))
}

/// One line per plan and request type: latency from the scheduled send
/// (what perflab records), and goose's own send-to-headers time, which
/// leaves out how late a paced request went out.
fn summarize(variant: Variant, report: &LoadReport) {
    let ms = |ns: Option<u64>| {
        ns.map_or_else(|| "-".to_owned(), |v| format!("{:.3} ms", v as f64 / 1e6))
    };
    for stats in std::iter::once(&report.total).chain(&report.requests) {
        let name = if stats.name == report.plan {
            report.plan.clone()
        } else {
            format!("{}/{}", report.plan, stats.name)
        };
        let (latency, service) = (stats.latency.as_ref(), stats.service.as_ref());
        eprintln!(
            "{variant} {name}: {} requests, {} failed, p50 {}, p95 {}, p99 {}, max {}, \
             {:.0} requests/s (service time p50 {}, p99 {})",
            stats.count,
            stats.failures,
            ms(latency.map(|l| l.p50_ns)),
            ms(latency.map(|l| l.p95_ns)),
            ms(latency.map(|l| l.p99_ns)),
            ms(latency.map(|l| l.max_ns)),
            stats.throughput_per_sec,
            ms(service.map(|l| l.p50_ns)),
            ms(service.map(|l| l.p99_ns)),
        );
    }
}

/// The service's `/metrics` text over plain HTTP/1.1 (blocking: the plans
/// are over, and it takes a millisecond).
fn scrape(addr: std::net::SocketAddr) -> Result<String, String> {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect(addr).map_err(|e| format!("connecting to {addr}: {e}"))?;
    let request = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("sending to {addr}: {e}"))?;
    let mut raw = String::new();
    stream
        .read_to_string(&mut raw)
        .map_err(|e| format!("reading from {addr}: {e}"))?;
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{addr} sent no HTTP response head"))?;
    match head.split(' ').nth(1) {
        Some("200") => Ok(body.to_owned()),
        status => Err(format!("GET /metrics answered {status:?}")),
    }
}

/// How many successful `/complete` requests the latency histogram counted.
fn counted(text: &str) -> Result<u64, String> {
    const SERIES: &str = r#"http_request_duration_seconds_count{method="GET",route="/complete",status_class="2xx"} "#;
    let count = text
        .lines()
        .find_map(|line| line.strip_prefix(SERIES)?.parse::<f64>().ok())
        .ok_or("no latency histogram for /complete in the scrape")?;
    if count < 1.0 {
        return Err("the latency histogram counted no /complete request".into());
    }
    Ok(count as u64)
}
