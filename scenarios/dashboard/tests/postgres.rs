//! The same code and the same checks on a real PostgreSQL server: both
//! variants give the SQLite answers, reject bad ids with 400 and unknown
//! users with 404, bind injection attempts harmlessly, and answer 503 while
//! the database cannot be reached, recovering when it comes back.
//!
//! Set `DASHBOARD_TEST_PG_URL` to a scratch database (its tables are
//! replaced) and build with `--features postgres`; `.ci/run` does both.
//! Without the variable each test says it was skipped; under CI (`CI` set) a
//! missing variable fails. The tests share one database, so they take a lock.

mod common;

#[cfg(feature = "postgres")]
mod on_postgres {
    use super::common::{get, service, tiny_pair, tiny_users};
    use axum::http::StatusCode;
    use dashboard::{Dataset, Service, Variant, db};
    use sqlx::Row;
    use std::net::SocketAddr;
    use tokio::net::{TcpListener, TcpSocket, TcpStream};
    use tokio::sync::{Mutex, MutexGuard};
    use tokio::task::JoinSet;

    /// The scratch database is one for all tests of this binary.
    static DATABASE: Mutex<()> = Mutex::const_new(());

    /// The server's URL and the lock on it, or `None` (and a visible skip)
    /// when no server was given.
    async fn postgres(test: &str) -> Option<(String, MutexGuard<'static, ()>)> {
        let Ok(url) = std::env::var("DASHBOARD_TEST_PG_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "DASHBOARD_TEST_PG_URL must be set under CI: .ci/run starts PostgreSQL for {test}"
            );
            eprintln!("SKIPPED {test}: set DASHBOARD_TEST_PG_URL=postgres://… to run it");
            return None;
        };
        let guard = DATABASE.lock().await;
        dashboard::seed(&url, &Dataset::tiny())
            .await
            .expect("seeding PostgreSQL");
        Some((url, guard))
    }

    #[tokio::test]
    async fn postgres_gives_the_sqlite_answers() {
        let Some((url, _lock)) = postgres("postgres_gives_the_sqlite_answers").await else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let pair = tiny_pair(dir.path()).await;
        let reference = service(&pair, Variant::Optimized).await;
        for variant in Variant::ALL {
            // One database serves both variants in turn: the migration
            // switches the indexes on or off.
            dashboard::migrate(&url, variant).await.unwrap();
            let pg = Service::connect(variant, &url).await.unwrap();
            for id in 1..=tiny_users() {
                let expected = reference.dashboard(id).await.unwrap().dashboard;
                assert_eq!(
                    pg.dashboard(id).await.unwrap().dashboard,
                    expected,
                    "{variant}, user {id}"
                );
            }
            pg.close().await;
        }
    }

    #[tokio::test]
    async fn postgres_rejects_bad_ids_and_binds_injections_harmlessly() {
        let Some((url, _lock)) =
            postgres("postgres_rejects_bad_ids_and_binds_injections_harmlessly").await
        else {
            return;
        };
        for variant in Variant::ALL {
            dashboard::migrate(&url, variant).await.unwrap();
            let router = Service::connect(variant, &url).await.unwrap().router();
            let (status, queries, body) = get(&router, "/users/7/dashboard").await;
            assert_eq!(status, StatusCode::OK, "{variant}: {body}");
            assert!(queries.unwrap() >= 3);
            assert_eq!(body["user"]["id"], 7);
            let (status, _, body) = get(&router, "/users/999/dashboard").await;
            assert_eq!(
                (status, body["error"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{variant}"
            );
            for bad in [
                "abc",
                "-1",
                "99999999999999999999",
                "1%20OR%201=1",
                "1;DROP%20TABLE%20users",
                "1'%20OR%20'1'='1",
            ] {
                let (status, _, body) = get(&router, &format!("/users/{bad}/dashboard")).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{variant} {bad}");
                assert_eq!(body["error"], "bad_request", "{variant} {bad}");
            }
        }
        let mut conn = db::connect(&url).await.unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, tiny_users(), "the users table is intact");
    }

    /// A TCP relay between the service and PostgreSQL that can be cut and
    /// restored on the same port: the server really disappears from the
    /// service's point of view (refused connections, reset sessions), as in
    /// a restart or a network partition, without stopping the shared server.
    struct Relay {
        addr: SocketAddr,
        upstream: SocketAddr,
        tasks: JoinSet<()>,
    }

    impl Relay {
        async fn start(upstream: SocketAddr) -> Relay {
            let mut relay = Relay {
                addr: "127.0.0.1:0".parse().unwrap(),
                upstream,
                tasks: JoinSet::new(),
            };
            relay.listen().await;
            relay
        }

        async fn listen(&mut self) {
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            socket.bind(self.addr).unwrap();
            let listener: TcpListener = socket.listen(64).unwrap();
            self.addr = listener.local_addr().unwrap();
            let upstream = self.upstream;
            self.tasks.spawn(async move {
                let mut sessions = JoinSet::new();
                while let Ok((mut client, _)) = listener.accept().await {
                    sessions.spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                }
            });
        }

        /// Stops listening and resets every relayed session (dropping the
        /// accept task drops the sessions it owns).
        async fn cut(&mut self) {
            self.tasks.shutdown().await;
        }

        async fn restore(&mut self) {
            self.listen().await;
        }
    }

    /// `url` with its host and port replaced by `addr`.
    fn via(url: &str, addr: SocketAddr) -> String {
        let mut url = url::Url::parse(url).expect("DASHBOARD_TEST_PG_URL is a URL");
        url.set_host(Some(&addr.ip().to_string())).unwrap();
        url.set_port(Some(addr.port())).unwrap();
        url.to_string()
    }

    async fn upstream(url: &str) -> SocketAddr {
        let url = url::Url::parse(url).expect("DASHBOARD_TEST_PG_URL is a URL");
        let host = url.host_str().unwrap_or("localhost");
        let port = url.port().unwrap_or(5432);
        tokio::net::lookup_host((host, port))
            .await
            .unwrap()
            .next()
            .expect("the PostgreSQL host resolves")
    }

    #[tokio::test]
    async fn postgres_unreachable_is_503_and_recovers() {
        let Some((url, _lock)) = postgres("postgres_unreachable_is_503_and_recovers").await else {
            return;
        };
        let upstream = upstream(&url).await;
        for variant in Variant::ALL {
            dashboard::migrate(&url, variant).await.unwrap();
            let mut relay = Relay::start(upstream).await;
            let router = Service::connect(variant, &via(&url, relay.addr))
                .await
                .unwrap()
                .router();
            let (status, _, body) = get(&router, "/users/3/dashboard").await;
            assert_eq!(status, StatusCode::OK, "{variant}: {body}");

            relay.cut().await;
            for _ in 0..2 {
                let (status, _, body) = get(&router, "/users/3/dashboard").await;
                assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{variant}: {body}");
                assert_eq!(body["error"], "database_unavailable", "{variant}");
            }

            relay.restore().await;
            let (status, _, body) = get(&router, "/users/3/dashboard").await;
            assert_eq!(status, StatusCode::OK, "{variant} after recovery: {body}");
            assert_eq!(body["user"]["id"], 3);
        }
    }
}

/// Says, visibly, that the PostgreSQL tests were not built.
#[cfg(not(feature = "postgres"))]
#[test]
fn postgres_tests_need_the_postgres_feature() {
    eprintln!(
        "SKIPPED PostgreSQL tests: run `cargo test -p dashboard --features postgres --test postgres` \
         with DASHBOARD_TEST_PG_URL=postgres://… (.ci/run does)"
    );
}
