//! The one door every dashboard statement goes through.
//!
//! [`Tracked`] wraps a connection for the length of one request and counts
//! the statements it runs, which is how the service reports queries per
//! request (`x-db-queries`) and how the tests prove that naive's count grows
//! with the data while optimized's stays constant. It is also where a
//! slow-query log or per-statement metrics will hook in later: it already
//! times each statement. It does not open or pool connections (see `db`).

use std::time::{Duration, Instant};

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

/// A connection plus the statement count and time of the current request.
#[derive(Debug)]
pub struct Tracked<'c> {
    conn: &'c mut AnyConnection,
    queries: u32,
    db_time: Duration,
}

impl<'c> Tracked<'c> {
    /// Starts counting on `conn`.
    pub fn new(conn: &'c mut AnyConnection) -> Self {
        Self {
            conn,
            queries: 0,
            db_time: Duration::ZERO,
        }
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
        let started = self.start();
        let rows = query.fetch_all(&mut *self.conn).await;
        self.db_time += started.elapsed();
        rows
    }

    /// Runs `query` and returns its first row, if any.
    pub async fn fetch_optional(
        &mut self,
        query: Query<'_, Any, AnyArguments>,
    ) -> Result<Option<AnyRow>, sqlx::Error> {
        let started = self.start();
        let row = query.fetch_optional(&mut *self.conn).await;
        self.db_time += started.elapsed();
        row
    }

    fn start(&mut self) -> Instant {
        self.queries += 1;
        Instant::now()
    }
}
