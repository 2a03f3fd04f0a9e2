//! Deriving and ranking findings from the measurements.
//!
//! Rules, each a named constant:
//!
//! * **Hot functions**: self samples per function after charging noise
//!   frames to their caller: a leaf frame whose name starts with one of
//!   [`NOISE_PREFIXES`] (async runtime, std/core plumbing, allocator, libc
//!   memory routines, thread start) is dropped from the stack, repeatedly,
//!   so its samples count as the self time of the first non-noise frame
//!   above it (`malloc` under `serde_json::to_vec` counts for the
//!   serializer). Stacks made only of noise are left out of the ranking but
//!   not of the total. The top [`HOT_FUNCTIONS_MAX`] with a share of at
//!   least [`HOT_MIN_SHARE`] of all samples become findings.
//! * **Slow statements**: time per request = median × executions for the
//!   heaviest sample user; share = that over the sum for all statements.
//!   Those with at least [`SLOW_STATEMENT_MIN_SHARE`] become findings.
//! * **Full scans** and **missing indexes**: one finding per scanned table
//!   and per suggestion in the report, with the statement's share.
//! * **N+1**: a statement whose executions per request grow from the
//!   lightest sample user to the heaviest (to at least
//!   [`N_PLUS_ONE_MIN_CALLS`]), or exceed [`N_PLUS_ONE_MAX_CALLS`] for any.
//!
//! Ranking: by share, largest first; ties by kind (N+1, missing index, full
//! scan, slow statement, hot function: the more specific diagnosis first),
//! then by title. CPU shares and statement-time shares are both fractions
//! of the request's cost as that tool sees it; the report says which.

use perflab_profile::{Folded, hot_functions};

use crate::LoadResults;
use crate::finding::{Evidence, Finding, FindingKind};
use perflab_schema::query::{QueryReport, StatementReport};

/// Frame-name prefixes that are runtime or allocator plumbing, never the
/// code to change.
pub const NOISE_PREFIXES: [&str; 24] = [
    "tokio::runtime::",
    "tokio::park",
    "std::sys::",
    "std::thread::",
    "std::rt::",
    "std::panicking::",
    "core::ops::function::",
    "core::ptr::drop_in_place",
    "alloc::",
    "__rust_",
    "__libc_",
    "_int_malloc",
    "_int_free",
    "malloc",
    "free",
    "cfree",
    "realloc",
    "calloc",
    "__memcpy",
    "__memmove",
    "__memset",
    "memcpy",
    "start_thread",
    "[unknown]",
];

/// At most this many hot-function findings.
pub const HOT_FUNCTIONS_MAX: usize = 5;
/// A function needs this fraction of all samples as self time.
pub const HOT_MIN_SHARE: f64 = 0.02;
/// A statement needs this fraction of statement time per request.
pub const SLOW_STATEMENT_MIN_SHARE: f64 = 0.05;
/// Growing executions count as N+1 from this many per request.
pub const N_PLUS_ONE_MIN_CALLS: u32 = 2;
/// More executions than this per request are N+1 even without growth.
pub const N_PLUS_ONE_MAX_CALLS: u32 = 10;

/// Whether `frame` is runtime or allocator noise (see [`NOISE_PREFIXES`]).
pub fn is_noise(frame: &str) -> bool {
    NOISE_PREFIXES.iter().any(|p| frame.starts_with(p))
}

/// The measurements of one variant; each may be missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inputs<'a> {
    /// CPU profile, e.g. `<variant>.folded` from `perflab run --profile`.
    pub profile: Option<&'a Folded>,
    /// `dashboard explain --json` output.
    pub queries: Option<&'a QueryReport>,
    /// Latency and throughput under load.
    pub load: Option<&'a LoadResults>,
}

/// Every finding the measurements support, ranked (see the module docs).
pub fn findings(inputs: &Inputs<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(profile) = inputs.profile {
        out.extend(hot_function_findings(profile));
    }
    if let Some(report) = inputs.queries {
        out.extend(statement_findings(report, inputs.load));
    }
    out.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then(kind_order(a.kind).cmp(&kind_order(b.kind)))
            .then(a.title.cmp(&b.title))
    });
    for (i, f) in out.iter_mut().enumerate() {
        f.rank = i + 1;
    }
    out
}

fn kind_order(kind: FindingKind) -> u8 {
    match kind {
        FindingKind::NPlusOne => 0,
        FindingKind::MissingIndex => 1,
        FindingKind::FullScan => 2,
        FindingKind::SlowStatement => 3,
        FindingKind::HotFunction => 4,
    }
}

fn pct(fraction: f64) -> f64 {
    fraction * 100.0
}

fn hot_function_findings(profile: &Folded) -> Vec<Finding> {
    let all = profile.total_samples();
    if all == 0 {
        return Vec::new();
    }
    let mut trimmed = Folded::new();
    for (frames, count) in profile.iter() {
        let keep = frames
            .iter()
            .rposition(|f| !is_noise(f))
            .map_or(0, |i| i + 1);
        if keep > 0 {
            trimmed.add(&frames[..keep], count);
        }
    }
    hot_functions(&trimmed)
        .into_iter()
        .map(|h| (h.self_samples as f64 / all as f64, h))
        .filter(|(share, _)| *share >= HOT_MIN_SHARE)
        .take(HOT_FUNCTIONS_MAX)
        .map(|(share, h)| {
            let total = h.total_samples as f64 / all as f64;
            Finding {
                rank: 0,
                kind: FindingKind::HotFunction,
                title: format!("{} ({:.1}% self)", h.name, pct(share)),
                evidence: vec![
                    Evidence::new("self samples", h.self_samples as f64, "samples"),
                    Evidence::new("total samples", h.total_samples as f64, "samples"),
                    Evidence::new("all samples", all as f64, "samples"),
                    Evidence::new("with callees", pct(total), "%"),
                ],
                share,
                suggestion: format!(
                    "{} spends {:.1}% of CPU in its own code ({:.1}% with callees): make it \
                     cheaper or call it less; find its callers in the flamegraph",
                    h.name,
                    pct(share),
                    pct(total)
                ),
            }
        })
        .collect()
}

fn statement_findings(report: &QueryReport, load: Option<&LoadResults>) -> Vec<Finding> {
    let sum: f64 = report
        .statements
        .iter()
        .map(StatementReport::total_us)
        .sum();
    let mut out = Vec::new();
    for s in &report.statements {
        let total_ms = s.total_us() / 1e3;
        let share = if sum > 0.0 { s.total_us() / sum } else { 0.0 };
        let calls = s.max_per_request();
        let mut evidence = vec![
            Evidence::new("median", s.median_us / 1e3, "ms"),
            Evidence::new("executions", f64::from(calls), "per request"),
            Evidence::new("time", total_ms, "ms per request"),
        ];
        if let Some(p95) = load.and_then(|l| l.p95_ms).filter(|p| *p > 0.0) {
            evidence.push(Evidence::new("of p95", pct(total_ms / p95), "%"));
        }
        if let Some(rps) = load.and_then(|l| l.throughput_rps) {
            evidence.push(Evidence::new("executions", rps * f64::from(calls), "per s"));
        }
        let finding = |kind, title: String, suggestion: String| Finding {
            rank: 0,
            kind,
            title,
            evidence: evidence.clone(),
            share,
            suggestion,
        };
        if share >= SLOW_STATEMENT_MIN_SHARE {
            let fix = if !s.missing_indexes.is_empty() {
                format!("index it: {}", s.missing_indexes[0].ddl())
            } else if calls > 1 {
                format!("issue it once instead of {calls} times")
            } else {
                format!("read its plan: {}", s.plan.join(" / "))
            };
            out.push(finding(
                FindingKind::SlowStatement,
                format!(
                    "statement {}: {:.3} ms × {calls} = {total_ms:.3} ms per request ({:.1}%)",
                    s.name,
                    s.median_us / 1e3,
                    pct(share)
                ),
                fix,
            ));
        }
        for table in &s.full_scans {
            let indexed = s.missing_indexes.iter().find(|m| &m.table == table);
            out.push(finding(
                FindingKind::FullScan,
                format!("statement {} reads all of {table}", s.name),
                match indexed {
                    Some(m) => format!(
                        "its filter compares {} of {table}: an index on them turns the scan \
                         into a search",
                        m.columns.join(", ")
                    ),
                    None => match s.unused_indexes.iter().find(|m| &m.table == table) {
                        Some(u) => format!(
                            "an index on {table} ({}) exists but the planner scanned: cheaper on \
                             a small table; check the plan on production-sized data",
                            u.columns.join(", ")
                        ),
                        None => {
                            format!("no filter column of {table} found: check the scan is meant")
                        }
                    },
                },
            ));
        }
        for m in &s.missing_indexes {
            out.push(finding(
                FindingKind::MissingIndex,
                format!(
                    "{} ({}) for statement {}",
                    m.table,
                    m.columns.join(", "),
                    s.name
                ),
                m.ddl(),
            ));
        }
        if let Some(f) = n_plus_one(report, s) {
            out.push(finding(FindingKind::NPlusOne, f.0, f.1));
        }
    }
    out
}

fn n_plus_one(report: &QueryReport, s: &StatementReport) -> Option<(String, String)> {
    let (first, last) = (*s.per_request.first()?, s.max_per_request());
    let grows = last > first && last >= N_PLUS_ONE_MIN_CALLS;
    if !(grows || last > N_PLUS_ONE_MAX_CALLS) {
        return None;
    }
    let users: Vec<String> = report
        .samples
        .iter()
        .zip(&s.per_request)
        .map(|(u, n)| {
            format!(
                "{n} for user {} ({} orders, {} items)",
                u.user_id, u.orders, u.items
            )
        })
        .collect();
    Some((
        format!("statement {} runs {last} times per request", s.name),
        format!(
            "{} per request: {}; fetch the rows for all parents in one statement (JOIN or \
             WHERE … IN), saving {} round trips of {:.3} ms",
            s.name,
            users.join(", "),
            last.saturating_sub(1),
            s.median_us / 1e3
        ),
    ))
}
