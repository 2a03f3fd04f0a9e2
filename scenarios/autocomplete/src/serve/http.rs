//! The router: `GET /complete`, `GET /metrics`, `GET /health` and the search
//! page, over any [`Completer`].
//!
//! Queries are CPU work (microseconds in the trie, milliseconds in the linear
//! scan at a million terms, more for fuzzy ones), so they do not run on the
//! async worker threads, where a slow one would stall every other connection
//! and `/metrics`: each runs on tokio's blocking pool, under a permit, so a
//! burst of expensive queries queues instead of starting hundreds of threads
//! (and, with an index that allocates per query, hundreds of copies).
//! Exact and fuzzy queries have separate permits (one per core for exact,
//! half the cores, at least one, for fuzzy): fuzzy queries can cost a
//! thousand times more, and with one shared queue a burst of them made every
//! exact query wait behind it. Measured with `benches/load.rs` (1M terms,
//! `PERFLAB_QUICK=1`, 10% fuzzy queries, while the optimized fuzzy path
//! still rebuilt a linear scan per query): one queue, closed-loop exact p50
//! 782 ms; separate permits, 0.88 ms. The blocking pool's hand-off costs
//! little: on exact queries alone at 2,000 requests/s, goose's service time
//! was p50 0.38 ms / p99 2.13 ms with it and 0.39 / 2.12 ms answering on the
//! async threads; only the saturated closed loop lost throughput (16.1k
//! against 18.5k requests/s). The permit travels with the query, so a client
//! that disconnects mid-query does not free a core that is still busy.
//! Every error is JSON, `{"error": "...", "parameter": "k"}` (`parameter`
//! only when one is at fault), including unknown routes (404) and methods
//! (405).

use std::num::NonZero;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::error::error;
use super::metrics::{self, Metrics, QueryKind, QueryTime};
use super::params::{CompleteParams, Limits, parse_query};
use crate::{Completer, FuzzyQuery, QueryError, Suggestion};

/// The answer of `GET /complete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteResponse {
    /// The decoded `q`.
    pub query: String,
    /// The `k` used (the default when the request gave none).
    pub k: usize,
    /// The edit distance allowed; 0 for exact-prefix matching.
    pub fuzzy: u8,
    /// At most `k` suggestions, best first.
    pub suggestions: Vec<SuggestionBody>,
}

/// One suggestion in a [`CompleteResponse`]. Weights above 2^53 lose
/// precision in JavaScript's numbers; generated and loaded weights stay far
/// below.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionBody {
    /// The completed term.
    pub text: String,
    /// Its weight.
    pub weight: u64,
    /// Its prefix distance to the query (0 for exact matches).
    pub distance: u8,
}

impl From<Suggestion> for SuggestionBody {
    fn from(s: Suggestion) -> Self {
        Self {
            text: s.text,
            weight: s.weight,
            distance: s.distance,
        }
    }
}

/// What every handler shares.
struct AppState<C> {
    index: Arc<C>,
    limits: Limits,
    metrics: Arc<Metrics>,
    /// Exact queries running at once: one per core.
    exact_permits: Arc<Semaphore>,
    /// Fuzzy queries running at once: half the cores, at least one.
    fuzzy_permits: Arc<Semaphore>,
}

/// The page, its script and its style, compiled into the binary.
const INDEX_HTML: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const STYLE_CSS: &str = include_str!("page/style.css");

/// Only the page's own files: no inline script, nothing from elsewhere.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The service's router over `index`, answering under `limits`; see the
/// module docs. Tests may wrap it in more layers.
pub fn router<C>(index: Arc<C>, limits: Limits) -> Router
where
    C: Completer + Send + Sync + 'static,
{
    let metrics = Arc::new(Metrics::new(index.len()));
    let cores = std::thread::available_parallelism().map_or(1, NonZero::get);
    let state = Arc::new(AppState {
        index,
        limits,
        metrics: Arc::clone(&metrics),
        exact_permits: Arc::new(Semaphore::new(cores)),
        fuzzy_permits: Arc::new(Semaphore::new((cores / 2).max(1))),
    });
    Router::new()
        .route("/", get(|| async { page("text/html; charset=utf-8", INDEX_HTML) }))
        .route(
            "/app.js",
            get(|| async { page("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/style.css",
            get(|| async { page("text/css; charset=utf-8", STYLE_CSS) }),
        )
        .route("/complete", get(complete::<C>))
        .route("/health", get(|| async { "ok" }))
        .route(
            "/metrics",
            get(|State(state): State<Arc<AppState<C>>>| async move {
                metrics::render(&state.metrics)
            }),
        )
        .fallback(|method: Method, uri: Uri| async move {
            error(
                StatusCode::NOT_FOUND,
                None,
                format!("no route for {method} {}", uri.path()),
            )
        })
        .method_not_allowed_fallback(|method: Method, uri: Uri| async move {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                None,
                format!("{} answers GET only, not {method}", uri.path()),
            )
        })
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(metrics, metrics::track))
}

fn page(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_POLICY),
            ),
            (
                HeaderName::from_static("x-content-type-options"),
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /complete?q=&k=&fuzzy=`.
async fn complete<C>(State(state): State<Arc<AppState<C>>>, uri: Uri) -> Response
where
    C: Completer + Send + Sync + 'static,
{
    let params = match parse_query(uri.query().unwrap_or(""), &state.limits) {
        Ok(params) => params,
        Err(e) => return error(StatusCode::BAD_REQUEST, Some(e.parameter()), e.to_string()),
    };
    let permits = if params.fuzzy == 0 {
        &state.exact_permits
    } else {
        &state.fuzzy_permits
    };
    let Ok(permit) = Arc::clone(permits).acquire_owned().await else {
        // Only a closed semaphore fails, and nothing closes this one.
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "the service is shutting down".into(),
        );
    };
    let index = Arc::clone(&state.index);
    let job = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        answer(index.as_ref(), params)
    });
    match job.await {
        Ok(Ok((body, time))) => {
            let mut response = Json(body).into_response();
            response.extensions_mut().insert(time);
            response
        }
        Ok(Err(e)) => {
            let parameter = match e {
                QueryError::DistanceTooLarge { .. } => "fuzzy",
                QueryError::TooLong { .. } => "q",
            };
            error(StatusCode::BAD_REQUEST, Some(parameter), e.to_string())
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            format!("the query failed: {e}"),
        ),
    }
}

/// Runs one validated query on the index and times it.
fn answer<C: Completer>(
    index: &C,
    params: CompleteParams,
) -> Result<(CompleteResponse, QueryTime), QueryError> {
    let started = Instant::now();
    let (kind, suggestions) = if params.fuzzy == 0 {
        (QueryKind::Exact, index.complete(&params.q, params.k))
    } else {
        let query = FuzzyQuery::new(&params.q, params.fuzzy)?;
        (QueryKind::Fuzzy, index.complete_fuzzy(&query, params.k))
    };
    let time = QueryTime {
        kind,
        elapsed: started.elapsed(),
    };
    let body = CompleteResponse {
        query: params.q,
        k: params.k,
        fuzzy: params.fuzzy,
        suggestions: suggestions.into_iter().map(SuggestionBody::from).collect(),
    };
    Ok((body, time))
}
