//! The HTTP service: `GET /users/{id}/dashboard` for either variant.
//!
//! [`Service`] holds what a variant needs (a URL for naive, which connects
//! per request; a pool for optimized) and answers [`Service::dashboard`]
//! directly, which is what the tests call. [`Service::router`] puts it
//! behind axum: ids are validated here (only decimal digits that fit an
//! `i64`, else 400), an unknown user is a JSON 404, and a database that
//! cannot be reached, is locked or whose pool is exhausted is a JSON 503
//! (the next request tries again, so the service recovers by itself). Each
//! response says how many statements it ran in `x-db-queries`. The router
//! also serves `GET /metrics` (Prometheus) from the service's own registry,
//! and every request passes the [`monitoring::track`] layer (metrics and a
//! `tracing` span); statements slower than the service's threshold are
//! logged (see [`Service::with_slow_query_threshold`]).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sqlx::{AnyPool, Connection};

use crate::db::{self, DbError};
use crate::exec::Tracked;
use crate::model::Dashboard;
use crate::monitoring::{self, DbStats, Metrics};
use crate::{Variant, naive, optimized};

/// Header that carries the number of statements a request ran.
pub const QUERIES_HEADER: &str = "x-db-queries";

/// Pool size of the optimized variant: a few more connections than cores,
/// because SQLite work happens on each connection's own worker thread.
pub const POOL_SIZE: u32 = 8;

/// Why a dashboard could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The id is well formed but no user has it.
    #[error("no user with id {user_id}")]
    NotFound { user_id: i64 },
    /// The database cannot be reached or is locked; retrying may succeed.
    #[error("database unavailable while loading user {user_id}")]
    Unavailable {
        user_id: i64,
        #[source]
        source: sqlx::Error,
    },
    /// Any other database failure.
    #[error("database error while loading user {user_id}")]
    Database {
        user_id: i64,
        #[source]
        source: sqlx::Error,
    },
}

/// A rejected `{id}` path segment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("user id {raw:?} is not a positive decimal integer that fits in 64 bits")]
pub struct BadUserId {
    pub raw: String,
}

/// Accepts only ASCII digits that fit in an `i64`: no sign, no spaces, so
/// nothing but a number ever reaches a statement (which binds it anyway).
pub fn parse_user_id(raw: &str) -> Result<i64, BadUserId> {
    let bad = || BadUserId {
        raw: raw.to_owned(),
    };
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    raw.parse().map_err(|_| bad())
}

/// A dashboard and the number of statements it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub dashboard: Dashboard,
    /// Statements run for this answer.
    pub queries: u32,
    /// Time spent waiting on those statements.
    pub db_time: std::time::Duration,
}

/// One variant of the service, bound to its database.
#[derive(Debug, Clone)]
pub struct Service {
    variant: Variant,
    url: String,
    now: i64,
    pool: Option<AnyPool>,
    metrics: Arc<Metrics>,
    slow_query: Duration,
}

impl Service {
    /// Connects `variant` to the seeded database at `url` and reads the
    /// data set's reference "now" from it. The slow-query threshold is
    /// `DASHBOARD_SLOW_QUERY_MS` if set and valid (a malformed value is
    /// reported at WARN and ignored), else 100 ms.
    pub async fn connect(variant: Variant, url: &str) -> Result<Self, DbError> {
        let mut conn = db::connect(url).await.map_err(|source| DbError::Connect {
            url: url.into(),
            source,
        })?;
        let now = db::reference_now(&mut conn, url).await?;
        let _ = conn.close().await;
        let pool = match variant {
            Variant::Naive => None,
            Variant::Optimized => {
                Some(db::pool(url, POOL_SIZE).map_err(|source| DbError::Connect {
                    url: url.into(),
                    source,
                })?)
            }
        };
        let slow_query = monitoring::slow_query_threshold_from_env().unwrap_or_else(|e| {
            tracing::warn!("{e}; using {:?}", monitoring::DEFAULT_SLOW_QUERY);
            monitoring::DEFAULT_SLOW_QUERY
        });
        Ok(Self {
            variant,
            url: url.to_owned(),
            now,
            pool,
            metrics: Arc::new(Metrics::new()),
            slow_query,
        })
    }

    /// The variant this service runs.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// Logs every statement that takes at least `threshold` at WARN
    /// (zero logs all of them).
    pub fn with_slow_query_threshold(mut self, threshold: Duration) -> Self {
        self.slow_query = threshold;
        self
    }

    /// This service's metrics (what `GET /metrics` serves).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The data set's reference time.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Closes the optimized pool (every later request gets a 503); naive
    /// has nothing to close.
    pub async fn close(&self) {
        if let Some(pool) = &self.pool {
            pool.close().await;
        }
    }

    /// The dashboard of `user_id` and how many statements it ran.
    pub async fn dashboard(&self, user_id: i64) -> Result<Answer, DashboardError> {
        let fail = |source: sqlx::Error| {
            if is_unavailable(&source) {
                DashboardError::Unavailable { user_id, source }
            } else {
                DashboardError::Database { user_id, source }
            }
        };
        let (found, queries, db_time) = match &self.pool {
            None => {
                // Naive: a fresh connection for every request.
                let mut conn = db::connect(&self.url).await.map_err(fail)?;
                let mut db = Tracked::new(&mut conn).log_slower_than(self.slow_query);
                let found = naive::dashboard(&mut db, user_id, self.now).await;
                let (queries, db_time) = (db.queries(), db.db_time());
                let _ = conn.close().await;
                (found.map_err(fail)?, queries, db_time)
            }
            Some(pool) => {
                let mut conn = pool.acquire().await.map_err(fail)?;
                let mut db = Tracked::new(&mut conn).log_slower_than(self.slow_query);
                let found = optimized::dashboard(&mut db, user_id, self.now)
                    .await
                    .map_err(fail)?;
                (found, db.queries(), db.db_time())
            }
        };
        match found {
            Some(dashboard) => Ok(Answer {
                dashboard,
                queries,
                db_time,
            }),
            None => Err(DashboardError::NotFound { user_id }),
        }
    }

    /// The axum router of this service.
    pub fn router(self) -> Router {
        let metrics = Arc::clone(&self.metrics);
        Router::new()
            .route("/users/{id}/dashboard", get(dashboard_handler))
            .route("/health", get(|| async { "ok" }))
            .route(
                "/metrics",
                get(|State(service): State<Arc<Service>>| async move {
                    monitoring::render(&service.metrics)
                }),
            )
            .fallback(|| async {
                error(StatusCode::NOT_FOUND, "not_found", "no such route".into())
            })
            .with_state(Arc::new(self))
            .layer(axum::middleware::from_fn_with_state(
                metrics,
                monitoring::track,
            ))
    }
}

/// SQLite: busy, locked or cannot open; PostgreSQL: connection exceptions,
/// shutdown in progress, too many connections; any I/O or pool failure.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            if code.starts_with("08") || code.starts_with("57P") || code == "53300" {
                return true;
            }
            // SQLite reports extended codes; the low byte is the primary one.
            matches!(code.parse::<u32>().map(|c| c & 0xff), Ok(5 | 6 | 14))
        }
        _ => false,
    }
}

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": code, "message": message })),
    )
        .into_response()
}

async fn dashboard_handler(
    State(service): State<Arc<Service>>,
    Path(raw): Path<String>,
) -> Response {
    let user_id = match parse_user_id(&raw) {
        Ok(id) => id,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e.to_string()),
    };
    match service.dashboard(user_id).await {
        Ok(answer) => {
            let mut response = Json(answer.dashboard).into_response();
            response
                .headers_mut()
                .insert(QUERIES_HEADER, HeaderValue::from(answer.queries));
            response.extensions_mut().insert(DbStats {
                queries: answer.queries,
                db_time: answer.db_time,
            });
            response
        }
        Err(e @ DashboardError::NotFound { .. }) => {
            error(StatusCode::NOT_FOUND, "not_found", e.to_string())
        }
        Err(e @ DashboardError::Unavailable { .. }) => {
            let message = format!("{e}: {}", source_text(&e));
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                message,
            )
        }
        Err(e @ DashboardError::Database { .. }) => {
            let message = format!("{e}: {}", source_text(&e));
            error(StatusCode::INTERNAL_SERVER_ERROR, "database_error", message)
        }
    }
}

fn source_text(e: &DashboardError) -> String {
    std::error::Error::source(e)
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router).await
}
