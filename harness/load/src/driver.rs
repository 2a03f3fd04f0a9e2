//! Drives a service with goose according to a [`LoadPlan`] and collects one
//! [`RequestRecord`] per completed request.
//!
//! goose is configured in code (`initialize_with_config`, never argv), with no
//! telnet or WebSocket controller, no report files and no printed summary, so
//! the only socket it opens is to the target, which must be on loopback.
//! Every user's client refuses redirects and ignores proxy settings, so no
//! request can leave the machine by way of a `Location:` header or an
//! `http_proxy` variable. goose still prints one line to stdout, `All N users
//! launched.`, unconditionally; callers that own stdout should know.
//!
//! Timings: goose measures each request from send to response headers, in
//! microseconds, and hands that measurement back with the response. This
//! driver keeps every one of those raw values (goose's aggregate `GooseMetrics`
//! keeps them only in log-linear buckets, ≤ 0.8% wide), so percentiles are
//! exact. Paced users add how late the request went out against its schedule
//! (see [`crate::Pacing`]). The response body is read after the clock stops,
//! so the connection is reused.

use crate::path::SeededRng;
use crate::plan::{CompiledRequest, LoadPlan, Pacing, PlanError, Ramp, pick};
use crate::report::{LoadReport, RequestRecord};
use goose::config::GooseConfiguration;
use goose::prelude::*;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use url::{Host, Url};

/// How often the progress callback is called.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Per-request timeout: a request still unanswered after this counts as a
/// failure with status 0.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a user idles when the plan's `max_requests` is used up but its
/// `duration_secs` has not passed: short enough not to hold goose's shutdown,
/// long enough not to spin.
const IDLE_POLL: Duration = Duration::from_millis(50);

/// Why a load run did not happen.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("load target {url:?} is not a valid http URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "load target {url:?}: host {host:?} is not loopback; perflab only sends load to 127.0.0.0/8, ::1 or localhost"
    )]
    NotLoopback { url: String, host: String },
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("load plan {plan:?}: goose failed: {message}")]
    Goose { plan: String, message: String },
}

/// A snapshot for progress reporting.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub plan: String,
    pub elapsed: Duration,
    /// Completed requests so far.
    pub completed: u64,
    /// Of which failed.
    pub failures: u64,
}

/// A progress callback that prints one line to stderr.
pub fn eprint_progress(p: &Progress) {
    eprintln!(
        "load {}: {} requests ({} failed) in {:.1} s",
        p.plan,
        p.completed,
        p.failures,
        p.elapsed.as_secs_f64()
    );
}

/// A progress callback that does nothing.
pub fn no_progress(_: &Progress) {}

/// Parses `base_url` and refuses anything but plain http to loopback.
pub fn check_loopback(base_url: &str) -> Result<Url, LoadError> {
    let bad = |reason: &str| LoadError::BadUrl {
        url: base_url.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(base_url).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "http" {
        return Err(bad("only plain `http://` is supported"));
    }
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => return Err(bad("no host")),
    };
    if !loopback {
        return Err(LoadError::NotLoopback {
            url: base_url.to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
        });
    }
    Ok(url)
}

/// State shared by every goose user of one run.
#[derive(Debug)]
struct Shared {
    mix: Vec<CompiledRequest>,
    users: usize,
    seed: u64,
    /// Time between one user's sends when paced.
    interval: Option<Duration>,
    max_requests: Option<u64>,
    /// Whether a user past `max_requests` waits out the duration (idling)
    /// rather than finishing its remaining goose iterations at once.
    idle_when_capped: bool,
    /// Requests claimed against `max_requests`.
    claimed: AtomicU64,
    completed: AtomicU64,
    failures: AtomicU64,
    origin: Instant,
    /// Nanoseconds after `origin`: first (intended) start, last response.
    first_start_ns: AtomicU64,
    last_end_ns: AtomicU64,
    records: Mutex<Vec<RequestRecord>>,
}

/// Per-user state, kept in goose's session data.
#[derive(Debug, Clone)]
struct UserState {
    rng: SeededRng,
    /// The next scheduled send, when paced.
    next_send: Option<Instant>,
}

impl Shared {
    fn since_origin_ns(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.origin).as_nanos() as u64
    }

    /// Sets up a user: a client that stays on loopback, and its generator.
    async fn start_user(&self, user: &mut GooseUser) -> TransactionResult {
        let builder = reqwest::Client::builder()
            .user_agent("perflab-load")
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        user.set_client_builder(builder).await.map_err(Box::new)?;
        let index = user.weighted_users_index as u64;
        // Distinct, seed-determined streams per user.
        let mut seeder = SeededRng::new(self.seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
        let next_send = self.interval.map(|i| {
            // Stagger phases so users that start together do not send in bursts.
            Instant::now() + i.mul_f64((index % self.users as u64) as f64 / self.users as f64)
        });
        user.set_session_data(UserState {
            rng: SeededRng::new(seeder.next_u64()),
            next_send,
        });
        Ok(())
    }

    /// One iteration: at most one request.
    async fn step(&self, user: &mut GooseUser) -> TransactionResult {
        if let Some(max) = self.max_requests
            && self.claimed.fetch_add(1, Ordering::Relaxed) >= max
        {
            if self.idle_when_capped {
                tokio::time::sleep(IDLE_POLL).await;
            }
            return Ok(());
        }
        let (kind, path, intended) = {
            let st = user
                .get_session_data_mut::<UserState>()
                .expect("on_start sets the session data");
            let kind = pick(&self.mix, &mut st.rng);
            let path = self.mix[kind].path(&mut st.rng);
            let intended = match (st.next_send.as_mut(), self.interval) {
                (Some(next), Some(interval)) => {
                    let at = *next;
                    *next += interval;
                    Some(at)
                }
                _ => None,
            };
            (kind, path, intended)
        };
        let late_us = match intended {
            Some(at) => {
                tokio::time::sleep_until(at).await;
                Instant::now().saturating_duration_since(at).as_micros() as u64
            }
            None => 0,
        };
        let start = intended.unwrap_or_else(Instant::now);
        let response = user.get_named(&path, &self.mix[kind].name).await?;
        let service_us = response.request.response_time_micros();
        let record = RequestRecord {
            kind,
            status: response.request.status_code,
            success: response.request.success,
            service_us,
            latency_us: service_us + late_us,
        };
        let end = Instant::now();
        if let Ok(body) = response.response {
            // Drain so the connection goes back to the pool; the body's
            // content is the service's business.
            let _ = body.bytes().await;
        }
        self.first_start_ns
            .fetch_min(self.since_origin_ns(start), Ordering::Relaxed);
        self.last_end_ns
            .fetch_max(self.since_origin_ns(end), Ordering::Relaxed);
        self.completed.fetch_add(1, Ordering::Relaxed);
        if !record.success {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        self.records
            .lock()
            .expect("no panics while holding the lock")
            .push(record);
        Ok(())
    }
}

fn goose_err(plan: &LoadPlan) -> impl Fn(GooseError) -> LoadError + '_ {
    move |e| LoadError::Goose {
        plan: plan.name.clone(),
        message: e.to_string(),
    }
}

/// Runs `plan` against `base_url` (loopback only) and reports what it
/// measured. `progress` is called about every [`PROGRESS_EVERY`].
///
/// Call from a multi-threaded tokio runtime: goose runs each user as a task.
pub async fn run(
    base_url: &str,
    plan: &LoadPlan,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<LoadReport, LoadError> {
    let url = check_loopback(base_url)?;
    let mix = plan.validate()?;
    let names: Vec<String> = mix.iter().map(|r| r.name.clone()).collect();
    let target = match plan.pacing {
        Pacing::Closed => None,
        Pacing::Paced { requests_per_sec } => Some(requests_per_sec),
    };
    let shared = Arc::new(Shared {
        mix,
        users: plan.users,
        seed: plan.seed,
        interval: target.map(|rate| Duration::from_secs_f64(plan.users as f64 / rate)),
        max_requests: plan.max_requests,
        idle_when_capped: plan.duration_secs.is_some(),
        claimed: AtomicU64::new(0),
        completed: AtomicU64::new(0),
        failures: AtomicU64::new(0),
        origin: Instant::now(),
        first_start_ns: AtomicU64::new(u64::MAX),
        last_end_ns: AtomicU64::new(0),
        records: Mutex::new(Vec::new()),
    });

    let s = shared.clone();
    let on_start: TransactionFunction = Arc::new(move |user| {
        let s = s.clone();
        Box::pin(async move { s.start_user(user).await })
    });
    let s = shared.clone();
    let step: TransactionFunction = Arc::new(move |user| {
        let s = s.clone();
        Box::pin(async move { s.step(user).await })
    });
    let scenario = Scenario::new(&plan.name)
        .register_transaction(Transaction::new(on_start).set_on_start())
        .register_transaction(Transaction::new(step).set_name("request"));

    let err = goose_err(plan);
    let mut attack = GooseAttack::initialize_with_config(GooseConfiguration::default())
        .map_err(&err)?
        .register_scenario(scenario);
    macro_rules! set {
        ($key:expr, $value:expr) => {
            attack = *attack.set_default($key, $value).map_err(&err)?
        };
    }
    set!(GooseDefault::Host, url.as_str());
    set!(GooseDefault::Users, plan.users);
    set!(GooseDefault::NoTelnet, true);
    set!(GooseDefault::Quiet, 1);
    set!(GooseDefault::NoPrintMetrics, true);
    set!(GooseDefault::NoErrorSummary, true);
    set!(GooseDefault::NoTransactionMetrics, true);
    set!(GooseDefault::NoScenarioMetrics, true);
    // Pacing and intended-time latency are done here; goose's backfill of
    // synthetic requests would double count.
    set!(
        GooseDefault::CoordinatedOmissionMitigation,
        GooseCoordinatedOmissionMitigation::Disabled
    );
    set!(
        GooseDefault::Timeout,
        REQUEST_TIMEOUT.as_secs().to_string().as_str()
    );
    match plan.ramp {
        Ramp::Immediate | Ramp::Over { secs: 0 } => {
            // All users within about 10 ms.
            set!(
                GooseDefault::IncreaseRate,
                (plan.users * 100).to_string().as_str()
            )
        }
        Ramp::Rate { users_per_sec } => {
            set!(
                GooseDefault::IncreaseRate,
                users_per_sec.to_string().as_str()
            )
        }
        Ramp::Over { secs } => set!(GooseDefault::IncreaseTime, secs as usize),
    }
    match (plan.duration_secs, plan.max_requests) {
        (Some(secs), _) => {
            set!(GooseDefault::RunTime, secs as usize);
            // Count from the first request like our own records do.
            set!(GooseDefault::NoResetMetrics, true);
        }
        (None, Some(max)) => {
            // Enough iterations for every user to reach the cap together;
            // `step` stops at exactly `max`.
            let per_user = max.div_ceil(plan.users as u64);
            set!(GooseDefault::Iterations, per_user as usize);
        }
        (None, None) => unreachable!("validate() requires a stop condition"),
    }

    let execute = attack.execute();
    tokio::pin!(execute);
    let mut ticker = tokio::time::interval_at(Instant::now() + PROGRESS_EVERY, PROGRESS_EVERY);
    let metrics = loop {
        tokio::select! {
            result = &mut execute => break result.map_err(&err)?,
            _ = ticker.tick() => progress(&Progress {
                plan: plan.name.clone(),
                elapsed: shared.origin.elapsed(),
                completed: shared.completed.load(Ordering::Relaxed),
                failures: shared.failures.load(Ordering::Relaxed),
            }),
        }
    };

    let goose_counted: u64 = metrics
        .requests
        .values()
        .map(|r| r.raw_data.counter as u64)
        .sum();
    let records = std::mem::take(&mut *shared.records.lock().expect("no poisoned lock"));
    let first = shared.first_start_ns.load(Ordering::Relaxed);
    let last = shared.last_end_ns.load(Ordering::Relaxed);
    let measured_secs = if records.is_empty() || last <= first {
        0.0
    } else {
        (last - first) as f64 / 1e9
    };
    Ok(LoadReport::from_records(
        &plan.name,
        plan.users,
        target,
        &names,
        &records,
        measured_secs,
        goose_counted,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_accepted() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/",
            "http://[::1]:3000/",
            "http://localhost:1",
            "http://LOCALHOST/",
        ] {
            check_loopback(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn other_hosts_and_schemes_are_refused_by_name() {
        for (url, host) in [
            ("http://10.0.0.1/", "10.0.0.1"),
            ("http://example.com/", "example.com"),
            ("http://localhost.example.com/", "localhost.example.com"),
            ("http://[::2]/", "[::2]"),
            ("http://0.0.0.0:80/", "0.0.0.0"),
        ] {
            match check_loopback(url) {
                Err(LoadError::NotLoopback { host: h, .. }) => assert_eq!(h, host),
                other => panic!("{url}: {other:?}"),
            }
        }
        for url in ["https://127.0.0.1/", "not a url", "file:///tmp/x"] {
            let err = check_loopback(url).unwrap_err();
            assert!(matches!(err, LoadError::BadUrl { .. }), "{url}: {err}");
            assert!(err.to_string().contains(url), "{err}");
        }
    }

    #[test]
    fn a_run_can_be_spawned() {
        fn assert_send<T: Send>(_: &T) {}
        let plan = crate::LoadPlan::new("p", 1).max_requests(1);
        // Building the future sends nothing; only its type is checked.
        let mut progress = no_progress;
        let future = run("http://127.0.0.1:1", &plan, &mut progress);
        assert_send(&future);
    }
}
