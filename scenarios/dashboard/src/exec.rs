//! The one door every dashboard statement goes through.
//!
//! [`Tracked`] wraps a connection for the length of one request and counts
//! the statements it runs, which is how the service reports queries per
//! request (`x-db-queries`) and how the tests prove that naive's count grows
//! with the data while optimized's stays constant. It also keeps the
//! slow-query log: a statement that takes at least the threshold is logged
//! at WARN (target `dashboard::slow_query`) with its text, duration and rows,
//! inside the request's span. It does not open or pool connections (see
//! `db`).

use std::time::{Duration, Instant};

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Execute, SqlStr};

/// Target of the slow-query events, for `RUST_LOG` filters.
pub const SLOW_QUERY_TARGET: &str = "dashboard::slow_query";

/// A connection plus the statement count and time of the current request.
#[derive(Debug)]
pub struct Tracked<'c> {
    conn: &'c mut AnyConnection,
    queries: u32,
    db_time: Duration,
    slow: Option<Duration>,
}

impl<'c> Tracked<'c> {
    /// Starts counting on `conn`.
    pub fn new(conn: &'c mut AnyConnection) -> Self {
        Self {
            conn,
            queries: 0,
            db_time: Duration::ZERO,
            slow: None,
        }
    }

    /// Logs every statement that takes at least `threshold` (zero: all).
    pub fn log_slower_than(mut self, threshold: Duration) -> Self {
        self.slow = Some(threshold);
        self
    }

    /// Statements run so far.
    pub fn queries(&self) -> u32 {
        self.queries
    }

    /// Time spent waiting on statements so far.
    pub fn db_time(&self) -> Duration {
        self.db_time
    }

    /// Runs `query` and returns all its rows.
    pub async fn fetch_all(
        &mut self,
        query: Query<'_, Any, AnyArguments>,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        let (sql, query) = split(query)?;
        let started = self.start();
        let rows = query.fetch_all(&mut *self.conn).await;
        let rows_seen = rows.as_ref().map_or(0, Vec::len);
        self.finish(started, &sql, rows_seen, rows.is_ok());
        rows
    }

    /// Runs `query` and returns its first row, if any.
    pub async fn fetch_optional(
        &mut self,
        query: Query<'_, Any, AnyArguments>,
    ) -> Result<Option<AnyRow>, sqlx::Error> {
        let (sql, query) = split(query)?;
        let started = self.start();
        let row = query.fetch_optional(&mut *self.conn).await;
        let rows_seen = row.as_ref().map_or(0, |r| usize::from(r.is_some()));
        self.finish(started, &sql, rows_seen, row.is_ok());
        row
    }

    fn start(&mut self) -> Instant {
        self.queries += 1;
        Instant::now()
    }

    fn finish(&mut self, started: Instant, sql: &SqlStr, rows: usize, ok: bool) {
        let took = started.elapsed();
        self.db_time += took;
        if self.slow.is_some_and(|threshold| took >= threshold) {
            tracing::warn!(
                target: SLOW_QUERY_TARGET,
                statement = sql.as_str(),
                duration_ms = took.as_secs_f64() * 1e3,
                rows,
                ok,
                "slow statement"
            );
        }
    }
}

/// The statement's text and the same statement to run: sqlx hands out the
/// text only by consuming the query, so it is rebuilt from its parts (the
/// text is shared, not copied).
fn split(
    mut query: Query<'_, Any, AnyArguments>,
) -> Result<(SqlStr, Query<'_, Any, AnyArguments>), sqlx::Error> {
    let persistent = Execute::persistent(&query);
    let arguments = query
        .take_arguments()
        .map_err(sqlx::Error::Encode)?
        .unwrap_or_default();
    let sql = query.sql();
    let rebuilt = sqlx::query_with(sql.clone(), arguments).persistent(persistent);
    Ok((sql, rebuilt))
}
