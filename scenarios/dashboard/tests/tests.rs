//! Integration tests: the generator, both variants against each other on a
//! tiny data set, statement counts, the HTTP surface and outages.

mod common;

use axum::http::StatusCode;
use common::{get, service, tiny_pair};
use dashboard::{Dashboard, Dataset, Generator, UserRows, Variant, db, parse_user_id, sqlite_url};
use sqlx::Row;

/// Orders and items of each user of the tiny data set.
fn tiny_rows() -> UserRows {
    let mut rows = UserRows::default();
    let mut generator = Generator::new(Dataset::tiny());
    while generator.next_user(&mut rows) {}
    rows
}

#[test]
fn generator_is_deterministic_and_has_edge_cases() {
    let (a, b) = (tiny_rows(), tiny_rows());
    assert_eq!(
        (a.users, a.events.len(), a.orders),
        (b.users, b.events.len(), b.orders)
    );
    let rows = tiny_rows();
    let has_events = |id| rows.events.iter().any(|e| e.user_id == id);
    let has_orders = |id| rows.orders.iter().any(|o| o.user_id == id);
    assert!(
        rows.users
            .iter()
            .any(|u| !has_events(u.id) && !has_orders(u.id)),
        "a dormant user"
    );
    assert!(
        rows.users
            .iter()
            .any(|u| has_events(u.id) && !has_orders(u.id)),
        "a user with no orders"
    );
    assert!(rows.orders.len() > 100 && rows.items.len() > rows.orders.len());
    assert!(
        rows.events
            .iter()
            .all(|e| e.occurred_at <= Dataset::tiny().now)
    );
}

#[test]
fn default_scale_has_enough_rows() {
    let d = Dataset::default_scale();
    assert!(d.users >= 10_000);
    // Counting the child rows of the first 1,000 users is enough to know
    // the full set passes a million: users are drawn independently.
    let mut generator = Generator::new(d);
    let mut rows = UserRows::default();
    for _ in 0..1_000 {
        generator.next_user(&mut rows);
    }
    assert!(
        rows.child_rows() * 10 >= 1_000_000,
        "{} child rows per 1,000 users",
        rows.child_rows()
    );
}

#[tokio::test]
async fn both_variants_agree_on_every_user() {
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    let (naive, optimized) = (
        service(&pair, Variant::Naive).await,
        service(&pair, Variant::Optimized).await,
    );
    let rows = tiny_rows();
    let mut compared = 0;
    for id in 1..=i64::from(Dataset::tiny().users) {
        let a = naive.dashboard(id).await.unwrap();
        let b = optimized.dashboard(id).await.unwrap();
        assert_eq!(a.dashboard, b.dashboard, "user {id}");
        let orders: Vec<_> = rows
            .orders
            .iter()
            .filter(|o| o.user_id == id)
            .map(|o| o.id)
            .collect();
        let items = rows
            .items
            .iter()
            .filter(|i| orders.contains(&i.order_id))
            .count();
        // users, events, orders, then one per order and one per item.
        assert_eq!(
            a.queries as usize,
            3 + orders.len() + items,
            "naive statements for user {id}"
        );
        assert_eq!(b.queries, 3, "optimized statements for user {id}");
        check_invariants(&a.dashboard);
        compared += 1;
    }
    assert_eq!(compared, 60);
    for id in [0, 61, i64::MAX] {
        for service in [&naive, &optimized] {
            let err = service.dashboard(id).await.unwrap_err();
            assert!(
                matches!(err, dashboard::DashboardError::NotFound { user_id } if user_id == id)
            );
        }
    }
}

fn check_invariants(d: &Dashboard) {
    assert!(d.recent_activity.len() <= dashboard::RECENT_EVENTS as usize);
    assert!(
        d.recent_activity
            .windows(2)
            .all(|w| (w[0].occurred_at, w[0].id) > (w[1].occurred_at, w[1].id))
    );
    let events: i64 = d.event_counts.values().sum();
    assert_eq!(events == 0, d.recent_activity.is_empty());
    let orders: Vec<i64> = d.totals.iter().map(|t| t.orders).collect();
    assert!(
        orders.windows(2).all(|w| w[0] <= w[1]),
        "periods nest: {orders:?}"
    );
    assert_eq!(d.totals.last().unwrap().orders == 0, d.top_items.is_empty());
}

#[tokio::test]
async fn http_answers_and_rejects_bad_ids() {
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    for variant in Variant::ALL {
        let router = service(&pair, variant).await.router();
        let (status, queries, body) = get(&router, "/users/7/dashboard").await;
        assert_eq!(status, StatusCode::OK);
        assert!(queries.unwrap() >= 3);
        assert_eq!(body["user"]["id"], 7);
        assert_eq!(body["as_of"], Dataset::tiny().now);

        let (status, _, body) = get(&router, "/users/999/dashboard").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );
        for bad in [
            "abc",
            "-1",
            "1.5",
            "%2B1",
            "99999999999999999999",
            "1%20OR%201=1",
            "1;DROP%20TABLE%20users",
        ] {
            let (status, _, body) = get(&router, &format!("/users/{bad}/dashboard")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(body["error"], "bad_request", "{bad}");
        }
        let (status, _, _) = get(
            &router,
            "/users/1;DROP TABLE users/dashboard"
                .replace(' ', "%20")
                .as_str(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    // The injection attempts were only ever bound as text that failed to
    // parse: the table and its rows are intact.
    let mut conn = db::connect(&sqlite_url(&pair.naive)).await.unwrap();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 60);
}

#[test]
fn user_ids_are_plain_decimal() {
    assert_eq!(parse_user_id("42"), Ok(42));
    assert_eq!(parse_user_id("007"), Ok(7));
    assert_eq!(parse_user_id("9223372036854775807"), Ok(i64::MAX));
    for bad in [
        "",
        "-1",
        "+1",
        " 1",
        "1 ",
        "9223372036854775808",
        "0x10",
        "1;DROP TABLE users",
    ] {
        assert!(parse_user_id(bad).is_err(), "{bad:?}");
    }
    assert_eq!("optimized".parse(), Ok(Variant::Optimized));
    assert!("fast".parse::<Variant>().is_err());
}

#[tokio::test]
async fn naive_reports_503_while_the_file_is_gone_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    let router = service(&pair, Variant::Naive).await.router();
    assert_eq!(get(&router, "/users/3/dashboard").await.0, StatusCode::OK);
    let moved = dir.path().join("moved.sqlite");
    std::fs::rename(&pair.naive, &moved).unwrap();
    let (status, _, body) = get(&router, "/users/3/dashboard").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "database_unavailable");
    std::fs::rename(&moved, &pair.naive).unwrap();
    assert_eq!(get(&router, "/users/3/dashboard").await.0, StatusCode::OK);
}

#[tokio::test]
async fn optimized_reports_503_while_the_database_is_locked_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    // The pool opens its connections lazily, so none is open yet: the
    // lock below stands for a database that is down while the pool tries
    // to (re)connect, as after a PostgreSQL restart.
    let router = service(&pair, Variant::Optimized).await.router();
    // Another process takes the database for itself, as a migration or a
    // restore would: exclusive locking mode plus a write holds the lock
    // until that connection lets go.
    let mut locker = db::connect(&sqlite_url(&pair.optimized)).await.unwrap();
    sqlx::raw_sql("PRAGMA locking_mode = EXCLUSIVE")
        .execute(&mut locker)
        .await
        .unwrap();
    sqlx::raw_sql("UPDATE meta SET value = value WHERE name = 'now'")
        .execute(&mut locker)
        .await
        .unwrap();
    let (status, _, body) = get(&router, "/users/3/dashboard").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "database_unavailable");
    sqlx::Connection::close(locker).await.unwrap();
    assert_eq!(get(&router, "/users/3/dashboard").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_closed_pool_is_503_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    let service = service(&pair, Variant::Optimized).await;
    service.close().await;
    let (status, _, body) = get(&service.router(), "/users/3/dashboard").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Some("database_unavailable")
        )
    );
}

/// The binary seeds a pair, serves on an ephemeral loopback port, prints
/// the address it bound, and answers there.
#[test]
fn the_binary_seeds_and_serves() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_dashboard");
    let seeded = Command::new(bin)
        .args(["seed", "--users", "30", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    assert!(String::from_utf8_lossy(&seeded.stdout).contains("30 users"));

    let mut server = Command::new(bin)
        .args([
            "serve",
            "--variant",
            "optimized",
            "--addr",
            "127.0.0.1:0",
            "--dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /users/5/dashboard HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("x-db-queries: 3"),
        "{response}"
    );
    assert!(response.contains("\"id\":5"), "{response}");
}

/// The naive file has primary keys only; the optimized one has the indexes.
#[tokio::test]
async fn each_variant_has_its_own_indexes_on_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let pair = tiny_pair(dir.path()).await;
    let mut counts = Vec::new();
    for variant in Variant::ALL {
        let mut conn = db::connect(&sqlite_url(pair.path(variant))).await.unwrap();
        let indexes = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL";
        let n: i64 = sqlx::query(indexes)
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
        let rows = "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM order_items)";
        let r: i64 = sqlx::query(rows).fetch_one(&mut conn).await.unwrap().get(0);
        counts.push((n, r));
    }
    assert_eq!(counts[0].0, 0, "naive has no secondary index");
    assert_eq!(counts[1].0, 4, "optimized has four");
    assert_eq!(counts[0].1, counts[1].1, "same rows");
}
