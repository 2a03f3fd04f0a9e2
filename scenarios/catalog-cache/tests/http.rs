//! The HTTP service (`service::router`) over both variants, called
//! in-process with `tower::ServiceExt::oneshot`: every route answers the
//! same status and JSON for both; bad input gets the documented JSON error
//! (400 malformed, 404 unknown); `/metrics` shows the cache's and the
//! database's counters; `/healthz` answers.

mod common;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use catalog_cache::{Catalog, Variant, service};
use common::{Seeded, l1_config, seeded};
use serde_json::Value;
use tower::ServiceExt;

/// One request: its status, Content-Type and body.
async fn call(
    router: &Router,
    method: Method,
    uri: &str,
    body: &str,
) -> (StatusCode, String, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = to_bytes(response.into_body(), 1 << 22).await.unwrap();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

/// One request whose answer must be JSON: status and value.
async fn json(router: &Router, method: Method, uri: &str, body: &str) -> (StatusCode, Value) {
    let (status, content_type, text) = call(router, method, uri, body).await;
    assert_eq!(content_type, "application/json", "{uri}: {text}");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: {e}: {text}"));
    (status, value)
}

/// A router of `variant` over its own copy of the tiny catalog, so the
/// same writes can go to both.
async fn router(variant: Variant) -> (Router, Seeded, Catalog) {
    let s = seeded().await;
    let catalog = Catalog::start(variant, s.db(), l1_config()).await.unwrap();
    (service::router(catalog.clone()), s, catalog)
}

/// Asserts both routers answer `uri` alike; the status and answer.
async fn same(routers: &[Router; 2], method: Method, uri: &str, body: &str) -> (StatusCode, Value) {
    let naive = json(&routers[0], method.clone(), uri, body).await;
    let optimized = json(&routers[1], method, uri, body).await;
    assert_eq!(naive, optimized, "{uri}: the variants differ");
    naive
}

/// The `error` text of a JSON error answer.
fn error_of(value: &Value) -> &str {
    value["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error body: {value}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_the_same_json_for_both_variants() {
    let (naive, _s1, _) = router(Variant::Naive).await;
    let (optimized, _s2, _) = router(Variant::Optimized).await;
    let routers = [naive, optimized];

    let (status, top) = same(&routers, Method::GET, "/top", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(top["products"].as_array().unwrap().len(), 10, "{top}");
    for c in 1..=5 {
        let (status, list) = same(&routers, Method::GET, &format!("/categories/{c}/top"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["category_id"], c);
        for uri in [
            format!("/categories/{c}"),
            format!("/categories/{c}?page=2"),
        ] {
            let (status, page) = same(&routers, Method::GET, &uri, "").await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert_eq!(page["category_id"], c);
        }
    }
    for id in [1, 2, 17, 200, 400] {
        let (status, product) = same(&routers, Method::GET, &format!("/products/{id}"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(product["id"], id);
    }
    // Warm now: ask again, the answers must not move.
    assert_eq!(same(&routers, Method::GET, "/top", "").await.1, top);

    // Writes answer what they touched, the same for both.
    let (status, written) = same(
        &routers,
        Method::POST,
        "/products/17/price",
        r#"{"price_cents": 4321}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(written["product_id"], 17);
    let product = same(&routers, Method::GET, "/products/17", "").await.1;
    assert_eq!(product["price_cents"], 4321);
    let (status, _) = same(
        &routers,
        Method::POST,
        "/products/17/sales",
        r#"{"quantity": 3}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let body = r#"{"name": "Quiet Lamp", "category_id": 2, "price_cents": 1500}"#;
    let (status, added) = same(&routers, Method::POST, "/products", body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(added["category_id"], 2);
    let new_id = added["product_id"].as_i64().unwrap();
    let product = same(&routers, Method::GET, &format!("/products/{new_id}"), "")
        .await
        .1;
    assert_eq!(product["name"], "Quiet Lamp");
    same(&routers, Method::GET, "/categories/2", "").await;
    let (status, _) = same(&routers, Method::DELETE, "/products/1", "").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = same(&routers, Method::GET, "/products/1", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    same(&routers, Method::GET, "/top", "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_json_error_that_names_it() {
    let (naive, _s1, _) = router(Variant::Naive).await;
    let (optimized, _s2, _) = router(Variant::Optimized).await;
    let routers = [naive, optimized];
    let cases: [(Method, &str, &str, StatusCode, &str); 18] = [
        (
            Method::GET,
            "/products/abc",
            "",
            StatusCode::BAD_REQUEST,
            "product id",
        ),
        (
            Method::GET,
            "/products/0",
            "",
            StatusCode::BAD_REQUEST,
            "product id",
        ),
        (
            Method::GET,
            "/products/-4",
            "",
            StatusCode::BAD_REQUEST,
            "product id",
        ),
        (
            Method::GET,
            "/categories/x/top",
            "",
            StatusCode::BAD_REQUEST,
            "category id",
        ),
        (
            Method::GET,
            "/categories/x",
            "",
            StatusCode::BAD_REQUEST,
            "category id",
        ),
        (
            Method::GET,
            "/categories/1?page=0",
            "",
            StatusCode::BAD_REQUEST,
            "page",
        ),
        (
            Method::GET,
            "/categories/1?page=two",
            "",
            StatusCode::BAD_REQUEST,
            "page",
        ),
        (
            Method::GET,
            "/categories/1?sort=name",
            "",
            StatusCode::BAD_REQUEST,
            "query",
        ),
        (
            Method::GET,
            "/top?n=5",
            "",
            StatusCode::BAD_REQUEST,
            "query",
        ),
        (
            Method::GET,
            "/products/999999",
            "",
            StatusCode::NOT_FOUND,
            "no product 999999",
        ),
        (
            Method::GET,
            "/categories/99",
            "",
            StatusCode::NOT_FOUND,
            "no category 99",
        ),
        (
            Method::GET,
            "/categories/99/top",
            "",
            StatusCode::NOT_FOUND,
            "no category 99",
        ),
        (
            Method::GET,
            "/categories/1?page=999",
            "",
            StatusCode::NOT_FOUND,
            "page 999",
        ),
        (
            Method::POST,
            "/products/1/price",
            "not json",
            StatusCode::BAD_REQUEST,
            "body",
        ),
        (
            Method::POST,
            "/products/1/price",
            r#"{"price": 5}"#,
            StatusCode::BAD_REQUEST,
            "price_cents",
        ),
        (
            Method::POST,
            "/products/1/sales",
            r#"{"quantity": 0}"#,
            StatusCode::BAD_REQUEST,
            "quantity",
        ),
        (
            Method::POST,
            "/products",
            r#"{"name": "x"}"#,
            StatusCode::BAD_REQUEST,
            "body",
        ),
        (
            Method::POST,
            "/products",
            r#"{"name": "x", "category_id": 99, "price_cents": 5}"#,
            StatusCode::NOT_FOUND,
            "no category 99",
        ),
    ];
    for (method, uri, body, want, names) in cases {
        let (status, answer) = same(&routers, method, uri, body).await;
        assert_eq!(status, want, "{uri} {body}: {answer}");
        let error = error_of(&answer);
        assert!(
            error.contains(names),
            "{uri} {body}: {error:?} should name {names:?}"
        );
    }
    // A write to a product that is not there is a 404, not a 400.
    let (status, answer) = same(&routers, Method::DELETE, "/products/999999", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_of(&answer).contains("999999"));
}

/// The value of the sample line that starts with `series` (name and
/// labels), or none.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_the_cache_and_database_counters_and_healthz_answers() {
    let (optimized, _s, catalog) = router(Variant::Optimized).await;
    let (naive, _s2, naive_catalog) = router(Variant::Naive).await;
    for router in [&optimized, &naive] {
        let (status, _, text) = call(router, Method::GET, "/healthz", "").await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, "ok"));
    }
    for _ in 0..3 {
        assert_eq!(
            json(&optimized, Method::GET, "/top", "").await.0,
            StatusCode::OK
        );
        assert_eq!(
            json(&naive, Method::GET, "/top", "").await.0,
            StatusCode::OK
        );
    }
    json(&optimized, Method::GET, "/products/999999", "").await;

    let (status, content_type, text) = call(&optimized, Method::GET, "/metrics", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    // The first /top missed L1 and loaded the ranking; the next two hit.
    let series = |s: &str| sample(&text, s).unwrap_or_else(|| panic!("no {s} in\n{text}"));
    assert_eq!(
        series(r#"catalog_cache_misses_total{level="l1",class="top"}"#),
        1.0
    );
    assert_eq!(
        series(r#"catalog_cache_hits_total{level="l1",class="top"}"#),
        2.0
    );
    assert!(series(r#"catalog_cache_misses_total{level="l1",class="product"}"#) >= 10.0);
    let ranking = catalog.db().counts().get(catalog_cache::QueryKind::Ranking);
    assert_eq!(ranking, 1);
    assert_eq!(series(r#"catalog_db_queries_total{kind="ranking"}"#), 1.0);
    assert!(text.contains("catalog_http_requests_total") || text.contains("http_requests_total"));

    // The naive service has no cache, and its database ran every ranking.
    let (_, _, text) = call(&naive, Method::GET, "/metrics", "").await;
    assert!(!text.contains("catalog_cache_hits"), "{text}");
    let want = naive_catalog
        .db()
        .counts()
        .get(catalog_cache::QueryKind::Ranking) as f64;
    assert_eq!(want, 3.0);
    assert_eq!(
        sample(&text, r#"catalog_db_queries_total{kind="ranking"}"#),
        Some(want)
    );
}
