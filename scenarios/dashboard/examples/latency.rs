//! Sequential in-process timing of `Service::dashboard`, without HTTP.
//!
//! `cargo run --release -p dashboard --example latency -- DIR [USERS…]`
//! times each listed user on both variants (median of several runs) and
//! then the optimized variant over a seeded sample of 2,000 users. It is a
//! quick look for development, not a benchmark: the load bench measures.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use dashboard::{Service, SplitMix64, Variant, sqlite_url};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "target/dashboard".into()));
    let users: Vec<i64> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    let mut services = Vec::new();
    for variant in Variant::ALL {
        let url = sqlite_url(&dir.join(format!("{variant}.sqlite")));
        services.push(Service::connect(variant, &url).await?);
    }
    for &user in &users {
        for service in &services {
            let runs = if service.variant() == Variant::Naive {
                5
            } else {
                101
            };
            let mut times = Vec::with_capacity(runs);
            let mut queries = 0;
            for _ in 0..runs {
                let started = Instant::now();
                queries = service
                    .dashboard(user)
                    .await
                    .map(|a| a.queries)
                    .unwrap_or(0);
                times.push(started.elapsed());
            }
            times.sort();
            println!(
                "user {user:>6} {:<9} {queries:>4} queries  median {:?}",
                service.variant(),
                times[runs / 2]
            );
        }
    }
    let optimized = &services[1];
    let mut rng = SplitMix64::new(7);
    let sample: Vec<i64> = (0..2_000).map(|_| 1 + rng.below(10_000) as i64).collect();
    let started = Instant::now();
    let mut times: Vec<Duration> = Vec::with_capacity(sample.len());
    for &user in &sample {
        let t = Instant::now();
        let _ = optimized.dashboard(user).await;
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    println!(
        "optimized, 2,000 random users: mean {:?}, median {:?}, p95 {:?}, max {:?}",
        total / 2_000,
        times[1_000],
        times[1_900],
        times[1_999]
    );
    Ok(())
}
