//! Helpers shared by the dashboard's integration-test binaries: the tiny
//! seeded data set, services over it, and the two ways tests talk HTTP (a
//! router called in-process, or a real connection to a served address).

// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use dashboard::{
    Dataset, QUERIES_HEADER, Service, SqlitePair, Variant, seed_sqlite_pair, sqlite_url,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

/// The route every dashboard request matches, as its metrics label it.
pub const ROUTE: &str = "/users/{id}/dashboard";

pub async fn tiny_pair(dir: &Path) -> SqlitePair {
    seed_sqlite_pair(dir, &Dataset::tiny())
        .await
        .expect("seeding the tiny data set")
        .0
}

pub async fn service(pair: &SqlitePair, variant: Variant) -> Service {
    Service::connect(variant, &sqlite_url(pair.path(variant)))
        .await
        .expect("connecting")
}

/// One request through the router, in-process: status, `x-db-queries`, JSON body.
pub async fn get(router: &axum::Router, uri: &str) -> (StatusCode, Option<u32>, serde_json::Value) {
    let request = Request::get(uri).body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let queries = response
        .headers()
        .get(QUERIES_HEADER)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, queries, serde_json::from_slice(&body).unwrap())
}

/// One HTTP/1.1 GET over a fresh connection: status, `x-db-queries`, body.
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, Option<u32>, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let queries = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case(QUERIES_HEADER)
            .then(|| value.trim().parse().unwrap())
    });
    (status, queries, body.to_owned())
}

/// Serves `service` on an ephemeral loopback port; the server stops when the
/// returned task is aborted or the test's runtime ends.
pub async fn serve(service: Service) -> (SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (
        addr,
        tokio::spawn(dashboard::serve(listener, service.router())),
    )
}

/// The value of the sample line that starts with `series` followed by a space.
pub fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample {series} in\n{text}"))
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Whether the tiny data set's user count is what a database holds.
pub fn tiny_users() -> i64 {
    i64::from(Dataset::tiny().users)
}
