//! The little HTTP a load bench sends itself, beside its load generator:
//! the `/metrics` scrape halfway through a plan, and requests the
//! generator does not make (perflab-load's plans send `GET` only). Plain
//! HTTP/1.1 over a fresh loopback connection each, `Connection: close`,
//! so no client library and no connection pool sit between the bench and
//! the service it measures.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one exchange may take before it counts as failed.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends `method path` (with a JSON `body`, when given) to `addr` and
/// returns the status and the response body.
pub async fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        let request = match body {
            None => {
                format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
            }
            Some(body) => format!(
                "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        };
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
            .ok_or_else(|| format!("{method} {path}: {addr} sent no HTTP response head"))?;
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("{method} {path}: no status in {head:?}"))?;
        Ok((status, body.to_owned()))
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| format!("{method} {path}: no answer from {addr} within {TIMEOUT:?}"))?
}

/// The service's `/metrics` text, fetched after `delay`.
pub async fn scrape_after(addr: SocketAddr, delay: Duration) -> Result<String, String> {
    tokio::time::sleep(delay).await;
    match exchange(addr, "GET", "/metrics", None).await? {
        (200, body) => Ok(body),
        (status, _) => Err(format!("GET /metrics answered {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-shot server: reads one request, answers `response`, and hands
    /// back what it read.
    async fn answer_once(response: &'static str) -> (SocketAddr, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let n = conn.read(&mut buf).await.unwrap();
            conn.write_all(response.as_bytes()).await.unwrap();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        });
        (addr, task)
    }

    #[tokio::test]
    async fn a_post_sends_its_json_body_and_reads_the_status_and_body() {
        let (addr, server) =
            answer_once("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok").await;
        let answer = exchange(addr, "POST", "/things", Some(r#"{"a":1}"#)).await;
        assert_eq!(answer, Ok((201, "ok".to_owned())));
        let request = server.await.unwrap();
        assert!(
            request.starts_with("POST /things HTTP/1.1\r\n"),
            "{request}"
        );
        assert!(request.contains("Content-Length: 7\r\n"), "{request}");
        assert!(request.ends_with(r#"{"a":1}"#), "{request}");
    }

    #[tokio::test]
    async fn a_scrape_that_is_not_200_and_a_reply_without_a_head_are_errors() {
        let (addr, _server) = answer_once("HTTP/1.1 503 Busy\r\n\r\n").await;
        let err = scrape_after(addr, Duration::ZERO).await.unwrap_err();
        assert!(err.contains("503"), "{err}");
        let (addr, _server) = answer_once("garbage").await;
        let err = exchange(addr, "GET", "/x", None).await.unwrap_err();
        assert!(err.contains("no HTTP response head"), "{err}");
    }
}
