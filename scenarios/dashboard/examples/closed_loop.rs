//! A rough closed-loop load check against a running `dashboard serve`.
//!
//! `cargo run --release -p dashboard --example closed_loop -- ADDR [USERS] [SECONDS] [MAX_ID]`
//! keeps USERS (default 64) keep-alive connections busy for SECONDS
//! (default 5) with `GET /users/{random id}/dashboard` and prints requests
//! per second and latency percentiles. A development aid with a minimal
//! HTTP/1.1 client; the goose load bench is the real measurement.

use std::time::{Duration, Instant};

use dashboard::SplitMix64;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn user(
    addr: String,
    seed: u64,
    max_id: u64,
    until: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let mut stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let mut rng = SplitMix64::new(seed);
    let mut times = Vec::new();
    let mut buf = Vec::with_capacity(1 << 16);
    while Instant::now() < until {
        let id = 1 + rng.below(max_id);
        let request = format!("GET /users/{id}/dashboard HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        let started = Instant::now();
        stream.write_all(request.as_bytes()).await?;
        buf.clear();
        let (head_end, length) = loop {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "connection closed");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                break (end + 4, length);
            }
        };
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "connection closed");
            buf.extend_from_slice(&chunk[..n]);
        }
        times.push(started.elapsed());
    }
    Ok(times)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .first()
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let users: u64 = args.get(1).map_or(Ok(64), |a| a.parse())?;
    let seconds: u64 = args.get(2).map_or(Ok(5), |a| a.parse())?;
    let max_id: u64 = args.get(3).map_or(Ok(10_000), |a| a.parse())?;
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..users)
        .map(|u| tokio::spawn(user(addr.clone(), u, max_id, until)))
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    let pct = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{} requests in {elapsed:.1} s = {:.0}/s; p50 {:?} p95 {:?} p99 {:?} max {:?}",
        times.len(),
        times.len() as f64 / elapsed,
        pct(0.50),
        pct(0.95),
        pct(0.99),
        times[times.len() - 1]
    );
    Ok(())
}
