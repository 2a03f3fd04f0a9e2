//! The plan's writes: price changes and sales of Zipf-drawn products at a
//! fixed rate, posted beside goose's reads for as long as the plan runs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use perflab_load::SeededRng;
use tokio::time::MissedTickBehavior;

use crate::support::Zipf;
use perflab_kit::http::exchange;

/// What the writer did.
#[derive(Debug, Default)]
pub struct Writes {
    /// Each answered write's latency, from its scheduled time, ns.
    pub latency_ns: Vec<u64>,
    /// Writes that failed, with the first reason.
    pub failures: u64,
    pub first_failure: Option<String>,
}

/// Posts `rate` writes a second to `addr` until `stop` is set; each write
/// is a price change or a sale (alternating) of a product drawn from
/// `products` with `seed`. A write that is late is still sent (the
/// schedule bursts to catch up), and its latency counts the wait.
pub async fn write_until(
    addr: SocketAddr,
    rate: f64,
    products: Zipf,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> Writes {
    let mut rng = SeededRng::new(seed);
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut out = Writes::default();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let scheduled: Instant = ticks.tick().await.into_std();
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let id = products.sample(&mut rng);
        let (path, body) = if n.is_multiple_of(2) {
            let price = 199 + rng.below(99_800);
            (
                format!("/products/{id}/price"),
                format!(r#"{{"price_cents": {price}}}"#),
            )
        } else {
            let quantity = 1 + rng.below(3);
            (
                format!("/products/{id}/sales"),
                format!(r#"{{"quantity": {quantity}}}"#),
            )
        };
        n += 1;
        match exchange(addr, "POST", &path, Some(&body)).await {
            Ok((200, _)) => out.latency_ns.push(scheduled.elapsed().as_nanos() as u64),
            Ok((status, body)) => out.fail(format!("POST {path} answered {status}: {body}")),
            Err(e) => out.fail(e),
        }
    }
    out
}

impl Writes {
    fn fail(&mut self, why: String) {
        self.failures += 1;
        self.first_failure.get_or_insert(why);
    }
}
