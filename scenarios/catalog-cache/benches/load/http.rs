//! The little HTTP the bench sends itself, beside goose: the `/metrics`
//! scrape and the writes (perflab-load's plans send `GET` only). Plain
//! HTTP/1.1 over a fresh loopback connection each, `Connection: close`.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one of these requests may take before it counts as failed.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends one request and returns the status and the body.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        let body = body.unwrap_or("");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("sending to {addr}: {e}"))?;
        let mut raw = String::new();
        stream
            .read_to_string(&mut raw)
            .await
            .map_err(|e| format!("reading from {addr}: {e}"))?;
        let (head, body) = raw
            .split_once("\r\n\r\n")
            .ok_or_else(|| format!("{method} {path}: no HTTP response head"))?;
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("{method} {path}: no status in {head:?}"))?;
        Ok((status, body.to_owned()))
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| format!("{method} {path}: no answer within {TIMEOUT:?}"))?
}

/// The service's `/metrics` text after `delay`.
pub async fn scrape_after(addr: SocketAddr, delay: Duration) -> Result<String, String> {
    tokio::time::sleep(delay).await;
    match send(addr, "GET", "/metrics", None).await? {
        (200, body) => Ok(body),
        (status, _) => Err(format!("GET /metrics answered {status}")),
    }
}

/// How many requests the latency histogram has counted, or why the scrape
/// does not show it.
pub fn check_scrape(text: &str) -> Result<u64, String> {
    const COUNT: &str = "http_request_duration_seconds_count{";
    if !text.contains("# TYPE http_request_duration_seconds histogram") {
        return Err("no http_request_duration_seconds histogram".into());
    }
    let count: f64 = text
        .lines()
        .filter(|l| l.starts_with(COUNT))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    if count < 1.0 {
        return Err("the latency histogram has counted no request yet".into());
    }
    Ok(count as u64)
}
