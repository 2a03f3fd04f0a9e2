//! The test harness itself: a real Redis can be started, stopped and restarted.

use catalog_cache::testing::redis_or_skip;

#[test]
fn a_redis_server_starts_stops_and_restarts_on_its_port() {
    let Some(mut redis) = redis_or_skip("a_redis_server_starts_stops_and_restarts_on_its_port")
    else {
        return;
    };
    assert!(redis.ping());
    let port = redis.port();
    redis.stop();
    assert!(!redis.ping());
    redis.restart().unwrap();
    assert_eq!(redis.port(), port);
    assert!(redis.ping());
}
