//! Query analysis: every statement the endpoint issues, with its plan, flags
//! and median time, as a [`QueryReport`] (the shape `perflab-findings` reads, defined in
//! `perflab-schema`).
//!
//! For a variant and a seeded database, [`explain`] picks two sample users
//! (the one with the fewest orders and the one with the most), runs the
//! plan explainer on each statement with the heaviest user's values, times
//! each statement [`EXPLAIN_RUNS`] times and keeps the median:
//!
//! * SQLite: `EXPLAIN QUERY PLAN <stmt>`; one plan line per row (`detail`).
//! * PostgreSQL: `EXPLAIN (ANALYZE, FORMAT TEXT) <stmt>`. Text, not JSON:
//!   sqlx's `Any` driver maps no JSON type, and the text lines are what the
//!   report shows anyway; the flags below read the text.
//!
//! Flags, derived from the plan lines by [`analyse_plan`]:
//!
//! * **full scan**: a SQLite `SCAN <name>` line without `USING … INDEX`, or
//!   a PostgreSQL `Seq Scan on <table>`, whose name is a base table of the
//!   statement (aliases resolved from its `FROM`/`JOIN`; CTE names and
//!   subqueries are derived tables and never count);
//! * **temp b-tree**: SQLite `USE TEMP B-TREE …`, PostgreSQL a `Sort` node;
//! * **missing index** (heuristic): for each fully scanned table, the
//!   columns of that table the statement compares in its `WHERE`/`ON`
//!   clauses (qualified by one of the table's aliases, or unqualified when
//!   the statement reads that table only): compared with a value first,
//!   join columns after, each in SQL order. When an existing index (primary
//!   keys included, read from the catalog) already leads with the first
//!   such column, the suggestion goes to `unused_indexes` instead: the
//!   planner chose the scan (PostgreSQL does on small tables).
//!
//! Multiplicity per request is taken from the code, not measured: naive
//! issues `order_items` once per order and `product` once per order item
//! of the user, every other statement once (see `naive`); optimized issues
//! each of its three once. A test checks the sums against the statement
//! count the service itself reports. This module neither serves nor seeds.

use std::time::{Duration, Instant};

use perflab_schema::query::{
    IndexSuggestion, QUERY_REPORT_VERSION, QueryReport, SampleUser, StatementReport,
};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AssertSqlSafe, Connection, Row};

use crate::db::{self, DbError};
use crate::generate::DAY;
use crate::model::{PERIODS_DAYS, RECENT_EVENTS, TOP_ITEMS};
use crate::{Variant, naive, optimized};

mod plan;
mod render;

pub use plan::{PlanFlags, analyse_plan, index_columns};
pub use render::render_report;

/// Executions per statement whose median is reported.
pub const EXPLAIN_RUNS: u32 = 20;

/// What went wrong while analysing, naming the database URL.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// Connecting or reading the reference time failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A statement failed; `what` says which.
    #[error("{what} failed on {url}")]
    Statement {
        what: String,
        url: String,
        #[source]
        source: sqlx::Error,
    },
    /// The database has no users to take as samples.
    #[error("{url} has no users to sample")]
    NoUsers { url: String },
    /// `runs` was 0: a median needs at least one run.
    #[error("runs must be at least 1")]
    NoRuns,
}

/// Which plan format a backend prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of(url: &str) -> Self {
        if db::is_sqlite(url) {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// `sqlite` or `postgres`, as in [`QueryReport::backend`].
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A bound value, resolved against the heaviest sample user.
#[derive(Debug, Clone, Copy)]
enum Param {
    User,
    /// `now - days * DAY`.
    Since(i64),
    Order,
    Product,
    Value(i64),
}

/// How often one request issues a statement.
#[derive(Debug, Clone, Copy)]
enum Times {
    Once,
    PerOrder,
    PerItem,
}

impl Times {
    fn count(self, user: &SampleUser) -> u32 {
        let n = match self {
            Times::Once => 1,
            Times::PerOrder => user.orders,
            Times::PerItem => user.items,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

fn statements(variant: Variant) -> Vec<(&'static str, &'static str, Vec<Param>, Times)> {
    match variant {
        Variant::Naive => naive::STATEMENTS
            .iter()
            .map(|&(name, sql)| {
                let (param, times) = match name {
                    "order_items" => (Param::Order, Times::PerOrder),
                    "product" => (Param::Product, Times::PerItem),
                    _ => (Param::User, Times::Once),
                };
                (name, sql, vec![param], times)
            })
            .collect(),
        Variant::Optimized => optimized::STATEMENTS
            .iter()
            .map(|&(name, sql)| {
                let params = match name {
                    "profile_and_totals" => {
                        let mut p = vec![Param::User];
                        p.extend(PERIODS_DAYS.map(Param::Since));
                        p
                    }
                    "events" => vec![Param::User, Param::Value(RECENT_EVENTS)],
                    _ => vec![Param::User, Param::Value(TOP_ITEMS)],
                };
                (name, sql, params, Times::Once)
            })
            .collect(),
    }
}

/// Analyses every statement of `variant` on the seeded database at `url`,
/// running each `runs` times for its median.
pub async fn explain(variant: Variant, url: &str, runs: u32) -> Result<QueryReport, ExplainError> {
    if runs == 0 {
        return Err(ExplainError::NoRuns);
    }
    let backend = Backend::of(url);
    let mut conn = db::connect(url).await.map_err(|source| DbError::Connect {
        url: url.into(),
        source,
    })?;
    let now = db::reference_now(&mut conn, url).await?;
    let failed = |what: &str| {
        let what = what.to_owned();
        move |source| ExplainError::Statement {
            what,
            url: url.into(),
            source,
        }
    };
    let samples = sample_users(&mut conn)
        .await
        .map_err(failed("sampling users"))?;
    let heavy = samples
        .last()
        .ok_or(ExplainError::NoUsers { url: url.into() })?;
    let first: Option<AnyRow> = sqlx::query(
        "SELECT o.id, i.product_id FROM orders o JOIN order_items i ON i.order_id = o.id \
         WHERE o.user_id = $1 ORDER BY o.id, i.id LIMIT 1",
    )
    .bind(heavy.user_id)
    .fetch_optional(&mut conn)
    .await
    .map_err(failed("finding a sample order"))?;
    let (order, product) = match first {
        Some(row) => (row.try_get(0).unwrap_or(0), row.try_get(1).unwrap_or(0)),
        None => (0, 0),
    };
    let value = |p: Param| match p {
        Param::User => heavy.user_id,
        Param::Since(days) => now - days * DAY,
        Param::Order => order,
        Param::Product => product,
        Param::Value(v) => v,
    };

    let existing = existing_indexes(&mut conn, backend)
        .await
        .map_err(failed("reading the indexes"))?;
    let mut reports = Vec::new();
    for (name, sql, params, times) in statements(variant) {
        let values: Vec<i64> = params.into_iter().map(value).collect();
        let plan = plan_lines(&mut conn, backend, sql, &values)
            .await
            .map_err(failed(&format!("explaining {name}")))?;
        let mut durations = Vec::with_capacity(runs as usize);
        for _ in 0..runs {
            let started = Instant::now();
            // Prepared and cached as the variant itself does: optimized
            // reuses statements on a pooled connection, naive never does.
            bind(sqlx::query(sql), &values)
                .persistent(variant == Variant::Optimized)
                .fetch_all(&mut conn)
                .await
                .map_err(failed(&format!("timing {name}")))?;
            durations.push(started.elapsed());
        }
        let flags = analyse_plan(backend, sql, &plan, &existing);
        reports.push(StatementReport {
            name: name.into(),
            sql: sql.into(),
            plan,
            full_scans: flags.full_scans,
            temp_btree: flags.temp_btree,
            missing_indexes: flags.missing_indexes,
            unused_indexes: flags.unused_indexes,
            median_us: median(&mut durations).as_secs_f64() * 1e6,
            per_request: samples.iter().map(|u| times.count(u)).collect(),
        });
    }
    conn.close().await.map_err(failed("close"))?;
    Ok(QueryReport {
        version: QUERY_REPORT_VERSION,
        variant: variant.name().into(),
        backend: backend.name().into(),
        runs,
        samples,
        statements: reports,
    })
}

fn bind<'q>(mut q: Query<'q, Any, AnyArguments>, values: &[i64]) -> Query<'q, Any, AnyArguments> {
    for &v in values {
        q = q.bind(v);
    }
    q
}

fn median(durations: &mut [Duration]) -> Duration {
    durations.sort_unstable();
    durations[durations.len() / 2]
}

/// The users with the fewest and the most orders (ties: lowest id), with
/// the sizes of their data.
async fn sample_users(conn: &mut AnyConnection) -> Result<Vec<SampleUser>, sqlx::Error> {
    let counts: std::collections::HashMap<i64, i64> =
        sqlx::query("SELECT user_id, CAST(COUNT(*) AS BIGINT) FROM orders GROUP BY user_id")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let ids: Vec<i64> = sqlx::query("SELECT id FROM users ORDER BY id")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let orders = |id: &i64| counts.get(id).copied().unwrap_or(0);
    let light = ids.iter().min_by_key(|&id| (orders(id), *id));
    let heavy = ids
        .iter()
        .min_by_key(|&id| (std::cmp::Reverse(orders(id)), *id));
    let mut picked: Vec<i64> = light.into_iter().chain(heavy).copied().collect();
    picked.dedup();
    let mut samples = Vec::new();
    for user_id in picked {
        let items = count(
            conn,
            user_id,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM order_items i \
             JOIN orders o ON o.id = i.order_id WHERE o.user_id = $1",
        )
        .await?;
        let events = count(
            conn,
            user_id,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM events WHERE user_id = $1",
        )
        .await?;
        let as_u64 = |n: i64| u64::try_from(n).unwrap_or(0);
        samples.push(SampleUser {
            user_id,
            orders: as_u64(orders(&user_id)),
            items: as_u64(items),
            events: as_u64(events),
        });
    }
    Ok(samples)
}

async fn count(
    conn: &mut AnyConnection,
    user_id: i64,
    sql: &'static str,
) -> Result<i64, sqlx::Error> {
    sqlx::query(sql)
        .bind(user_id)
        .fetch_one(conn)
        .await?
        .try_get(0)
}

/// Every index of the database as (table, columns), primary keys included.
async fn existing_indexes(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<IndexSuggestion>, sqlx::Error> {
    let mut found: Vec<(String, String, String)> = Vec::new();
    let mut push = |table: String, index: String, column: String| {
        found.push((table, index, column));
    };
    match backend {
        Backend::Sqlite => {
            // An INTEGER PRIMARY KEY is the rowid: in no index list.
            for row in sqlx::query(
                "SELECT m.name, 'pk', t.name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) t WHERE m.type = 'table' AND t.pk > 0 \
                 UNION ALL \
                 SELECT m.name, l.name, i.name FROM sqlite_master m \
                 JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i \
                 WHERE m.type = 'table' ORDER BY 1, 2",
            )
            .fetch_all(&mut *conn)
            .await?
            {
                push(row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            }
        }
        Backend::Postgres => {
            for row in sqlx::query(
                "SELECT CAST(tablename AS TEXT), CAST(indexname AS TEXT), indexdef \
                 FROM pg_indexes WHERE schemaname = current_schema()",
            )
            .fetch_all(&mut *conn)
            .await?
            {
                let def: String = row.try_get(2)?;
                for column in index_columns(&def) {
                    push(row.try_get(0)?, row.try_get(1)?, column);
                }
            }
        }
    }
    let mut indexes: Vec<(String, IndexSuggestion)> = Vec::new();
    for (table, index, column) in found {
        match indexes
            .iter_mut()
            .find(|(n, i)| n == &index && i.table == table)
        {
            Some((_, i)) => i.columns.push(column),
            None => indexes.push((
                index,
                IndexSuggestion {
                    table,
                    columns: vec![column],
                },
            )),
        }
    }
    Ok(indexes.into_iter().map(|(_, i)| i).collect())
}

async fn plan_lines(
    conn: &mut AnyConnection,
    backend: Backend,
    sql: &str,
    values: &[i64],
) -> Result<Vec<String>, sqlx::Error> {
    let (prefix, column) = match backend {
        Backend::Sqlite => ("EXPLAIN QUERY PLAN", 3),
        Backend::Postgres => ("EXPLAIN (ANALYZE, FORMAT TEXT)", 0),
    };
    let text = format!("{prefix} {sql}");
    bind(sqlx::query(AssertSqlSafe(text)), values)
        .persistent(false)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>(column))
        .collect()
}
