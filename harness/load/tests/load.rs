//! perflab-load against a real axum server on 127.0.0.1:0: counts, latency
//! ordering, error accounting, pacing and refusals. Assertions are about the
//! correctness of what was measured (a 20 ms handler cannot answer in less
//! than 20 ms), never about how fast this machine is.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use perflab_load::{
    Distribution, LoadError, LoadPlan, Pacing, PlanError, Ramp, RequestType, no_progress, run,
};
use perflab_schema::MetricKind;
use std::time::Duration;

/// goose keeps some process-wide state (its Ctrl-C handler, logger); one
/// attack at a time keeps the tests independent of each other.
static ONE_ATTACK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const SLOW: Duration = Duration::from_millis(20);

/// Serves `/items/{id}` (fast), `/slow` (sleeps [`SLOW`]) and `/fail` (500)
/// until the test's runtime ends; returns its base URL.
async fn serve() -> String {
    let app = Router::new()
        .route("/items/{id}", get(|| async { "ok" }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(SLOW).await;
                "slow"
            }),
        )
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn mix(plan: LoadPlan) -> LoadPlan {
    plan.request(
        RequestType::get("fast", "/items/{id}")
            .param("id", Distribution::Uniform { min: 1, max: 50 }),
    )
    .request(RequestType::get("slow", "/slow"))
    .request(RequestType::get_with("fail", |_| "/fail".to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_loop_counts_every_request_and_orders_latencies() {
    let _one = ONE_ATTACK.lock().await;
    let base = serve().await;
    let plan = mix(LoadPlan::new("mix", 4).max_requests(300).seed(7));
    let mut ticks = 0;
    let report = run(&base, &plan, &mut |_| ticks += 1).await.unwrap();

    assert_eq!(report.total.count, 300, "{report:#?}");
    assert_eq!(
        report.goose_counted, 300,
        "goose saw other requests than we did"
    );
    let sum: u64 = report.requests.iter().map(|r| r.count).sum();
    assert_eq!(sum, 300);

    let fast = report.request("fast").unwrap();
    let slow = report.request("slow").unwrap();
    let fail = report.request("fail").unwrap();
    // Equal weights: each type gets a fair share of 300 (±5 σ).
    for r in [fast, slow, fail] {
        assert!((60..=140).contains(&r.count), "{}: {}", r.name, r.count);
    }
    assert_eq!(fast.failures, 0);
    assert_eq!(fast.statuses.get(&200), Some(&fast.count));

    let slow_p50 = slow.latency.unwrap().p50_ns;
    let fast_p50 = fast.latency.unwrap().p50_ns;
    assert!(slow_p50 >= SLOW.as_nanos() as u64, "slow p50 {slow_p50} ns");
    assert!(
        fast_p50 * 4 < slow_p50,
        "fast p50 {fast_p50} ns vs slow {slow_p50} ns"
    );
    let s = slow.latency.unwrap();
    assert!(s.min_ns <= s.p50_ns && s.p50_ns <= s.p90_ns && s.p99_ns <= s.max_ns);
    // Closed loop: latency is goose's service time.
    assert_eq!(slow.latency, slow.service);

    assert_eq!((fail.successes, fail.failures), (0, fail.count));
    assert_eq!(fail.statuses.get(&500), Some(&fail.count));
    assert_eq!(fail.latency, None);
    assert_eq!(report.total.failures, fail.count);
    assert!(report.measured_secs > 0.0 && report.total.throughput_per_sec > 0.0);

    let ms = report.measurements("dashboard", "naive");
    let errors = ms
        .iter()
        .find(|m| m.key.benchmark == "load/mix/fail" && m.key.metric == MetricKind::Errors)
        .unwrap();
    assert_eq!(errors.estimate, fail.count as f64);
    let p50 = ms
        .iter()
        .find(|m| m.key.benchmark == "load/mix/slow" && m.key.metric == MetricKind::LatencyP50)
        .unwrap();
    assert_eq!(p50.estimate, slow_p50 as f64);
    assert_eq!(p50.samples.as_ref().unwrap().len() as u64, slow.successes);
    perflab_schema::testing::run("m", ms).validate().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paced_mode_reaches_its_target_rate() {
    let _one = ONE_ATTACK.lock().await;
    let base = serve().await;
    let target = 100.0;
    let plan = LoadPlan::new("paced", 8)
        .duration_secs(2)
        .pacing(Pacing::Paced {
            requests_per_sec: target,
        })
        .request(RequestType::get("fast", "/items/1"));
    let report = run(&base, &plan, &mut no_progress).await.unwrap();
    let achieved = report.total.count as f64 / report.measured_secs;
    // Generous: this checks that pacing paces, not how precisely.
    assert!(
        (0.7 * target..=1.3 * target).contains(&achieved),
        "achieved {achieved:.1}/s for a target of {target}/s over {:.2} s",
        report.measured_secs
    );
    assert_eq!(report.target_rate_per_sec, Some(target));
    assert!(!report.warnings().iter().any(|w| w.contains("failed")));
    let fast = report.request("fast").unwrap();
    // Measured from the intended send time, never less than service time.
    assert!(fast.latency.unwrap().p50_ns >= fast.service.unwrap().p50_ns);
}

/// A paced user that cannot keep up (20 ms answers, one send due every
/// 10 ms) must be charged for the wait: latency from the intended send time
/// grows far past the service time. A closed loop would hide it
/// (coordinated omission).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paced_latency_counts_from_the_intended_send_time() {
    let _one = ONE_ATTACK.lock().await;
    let base = serve().await;
    let plan = LoadPlan::new("behind", 1)
        .max_requests(30)
        .pacing(Pacing::Paced {
            requests_per_sec: 100.0,
        })
        .request(RequestType::get("slow", "/slow"));
    let report = run(&base, &plan, &mut no_progress).await.unwrap();
    let slow = report.request("slow").unwrap();
    assert_eq!(slow.count, 30);
    let (latency, service) = (slow.latency.unwrap(), slow.service.unwrap());
    assert!(service.p50_ns >= SLOW.as_nanos() as u64);
    // The 30th request was due at 290 ms but cannot be answered before
    // 30 × 20 ms = 600 ms: at least 310 ms late.
    assert!(
        latency.max_ns >= 290_000_000 + service.min_ns,
        "max latency {} ns, service {service:?}",
        latency.max_ns
    );
    assert!(
        latency.p50_ns > 2 * service.p50_ns,
        "{latency:?} vs {service:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duration_and_request_cap_together_stop_at_the_cap() {
    let _one = ONE_ATTACK.lock().await;
    let base = serve().await;
    let plan = LoadPlan::new("capped", 2)
        .duration_secs(1)
        .max_requests(50)
        .request(RequestType::get("fast", "/items/2"));
    let report = run(&base, &plan, &mut no_progress).await.unwrap();
    assert_eq!(report.total.count, 50);
    assert_eq!(report.goose_counted, 50);
}

#[tokio::test]
async fn bad_targets_and_plans_are_refused_before_any_request() {
    let plan = mix(LoadPlan::new("p", 1).max_requests(1));
    match run("http://192.0.2.1:80/", &plan, &mut no_progress).await {
        Err(LoadError::NotLoopback { host, .. }) => assert_eq!(host, "192.0.2.1"),
        other => panic!("{other:?}"),
    }
    let zero_users = LoadPlan {
        users: 0,
        ..plan.clone()
    };
    let err = run("http://127.0.0.1:9/", &zero_users, &mut no_progress)
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoadError::Plan(PlanError::Users { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("`users`"), "{err}");
    let zero_time = plan.clone().duration_secs(0);
    let err = run("http://127.0.0.1:9/", &zero_time, &mut no_progress)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`duration_secs`"), "{err}");
}

/// One quick measurement of what this machine sustains against a trivial
/// route, for the record rather than as a check:
/// `cargo test -p perflab-load --test load -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test"]
async fn trivial_route_throughput() {
    let _one = ONE_ATTACK.lock().await;
    let base = serve().await;
    for users in [1, 8, 32] {
        let plan = LoadPlan::new("trivial", users)
            .duration_secs(3)
            .request(RequestType::get("fast", "/items/1"));
        let r = run(&base, &plan, &mut perflab_load::eprint_progress)
            .await
            .unwrap();
        let l = r.total.latency.unwrap();
        println!(
            "users {users}: {:.0} req/s, p50 {} µs, p99 {} µs, {} requests, {} failed",
            r.total.throughput_per_sec,
            l.p50_ns / 1000,
            l.p99_ns / 1000,
            r.total.count,
            r.total.failures
        );
    }
}

/// goose accepts both ramp forms, with either stop condition.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ramps_by_rate_and_by_time_are_accepted() {
    let _one = ONE_ATTACK.lock().await;
    let base = serve().await;
    let by_rate = LoadPlan::new("rate", 2)
        .max_requests(20)
        .ramp(Ramp::Rate {
            users_per_sec: 20.0,
        })
        .request(RequestType::get("fast", "/items/3"));
    let report = run(&base, &by_rate, &mut no_progress).await.unwrap();
    assert_eq!(report.total.count, 20);
    let over_time = LoadPlan::new("time", 2)
        .duration_secs(1)
        .ramp(Ramp::Over { secs: 1 })
        .request(RequestType::get("fast", "/items/4"));
    let report = run(&base, &over_time, &mut no_progress).await.unwrap();
    assert!(report.total.count > 0);
    assert_eq!(report.total.failures, 0);
}
