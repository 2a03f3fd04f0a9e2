//! The database: driver choice, schema, per-variant migrations and seeding.
//!
//! This is the one place that knows which database is behind a URL. Every
//! query elsewhere goes through [`sqlx::Any`] with portable SQL (`$n`
//! placeholders, `CAST(… AS BIGINT)` around aggregates, no dialect-only
//! functions), so the same code runs on SQLite (`sqlite://path`, bundled)
//! and, with the crate's `postgres` feature, on PostgreSQL
//! (`postgres://…`). SQLite-only tuning (WAL, busy timeout) is applied here
//! and nowhere else.
//!
//! The two variants need different physical schemas on the same rows: the
//! naive one has primary keys only, the optimized one adds indexes. Because
//! an index would speed the naive queries up too, each variant gets its own
//! database seeded identically ([`seed_sqlite_pair`](crate::seed_sqlite_pair) writes one file and
//! copies it). This module does not run dashboard queries (see `naive` and
//! `optimized`) and does not fill tables (see `seed`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, ConnectOptions, Connection, Row};

use crate::Variant;

/// How long a SQLite connection waits on a lock before it reports "busy".
/// Short, so that a locked database turns into a quick 503 rather than a
/// request that hangs for sqlx's default of five seconds.
pub const SQLITE_BUSY_TIMEOUT_MS: u64 = 250;

/// What went wrong with the database, naming the URL or file involved.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Opening a connection or pool failed.
    #[error("cannot connect to {url}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    /// A statement failed; `what` says which step.
    #[error("{what} failed on {url}")]
    Statement {
        what: &'static str,
        url: String,
        #[source]
        source: sqlx::Error,
    },
    /// The database has no `meta` row that a seeded data set always has.
    #[error("{url} is not a seeded dashboard database (no `{key}` in table meta)")]
    NotSeeded { url: String, key: &'static str },
    /// A file operation on a SQLite database failed.
    #[error("cannot {what} {}", path.display())]
    File {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The `sqlite://` URL of a database file (which must exist to be opened).
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

pub(crate) fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

fn options(url: &str) -> Result<AnyConnectOptions, sqlx::Error> {
    install_default_drivers();
    let opts: AnyConnectOptions = url.parse()?;
    // Statement logging would cost more than the optimized query itself;
    // the query wrapper in `exec` is where timing and logging belong.
    Ok(opts.disable_statement_logging())
}

async fn tune(conn: &mut AnyConnection, sqlite: bool) -> Result<(), sqlx::Error> {
    if sqlite {
        let sql = format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}");
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(conn).await?;
    }
    Ok(())
}

/// One new connection, as the naive variant opens per request.
pub async fn connect(url: &str) -> Result<AnyConnection, sqlx::Error> {
    let mut conn = AnyConnection::connect_with(&options(url)?).await?;
    tune(&mut conn, is_sqlite(url)).await?;
    Ok(conn)
}

/// A pool of `size` connections, as the optimized variant keeps. Opened
/// lazily, so a service can start while its database is down.
pub fn pool(url: &str, size: u32) -> Result<AnyPool, sqlx::Error> {
    let sqlite = is_sqlite(url);
    Ok(AnyPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(2))
        .after_connect(move |conn, _| Box::pin(async move { tune(conn, sqlite).await }))
        .connect_lazy_with(options(url)?))
}

pub(crate) const TABLES: [&str; 6] = [
    "CREATE TABLE meta (name VARCHAR(32) PRIMARY KEY, value BIGINT NOT NULL)",
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, \
     email VARCHAR(200) NOT NULL, created_at BIGINT NOT NULL)",
    "CREATE TABLE products (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, \
     price_cents BIGINT NOT NULL)",
    "CREATE TABLE events (id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL, \
     kind VARCHAR(32) NOT NULL, detail VARCHAR(200) NOT NULL, occurred_at BIGINT NOT NULL)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL, \
     placed_at BIGINT NOT NULL)",
    "CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id BIGINT NOT NULL, \
     product_id BIGINT NOT NULL, quantity BIGINT NOT NULL, unit_price_cents BIGINT NOT NULL)",
];

/// The optimized variant's indexes: each serves one of its three queries and
/// covers the columns it reads, so the lookups never touch the table.
const INDEXES: [(&str, &str); 4] = [
    ("events_user_time", "events (user_id, occurred_at, id)"),
    ("events_user_kind", "events (user_id, kind)"),
    ("orders_user_time", "orders (user_id, placed_at, id)"),
    (
        "order_items_order",
        "order_items (order_id, product_id, quantity, unit_price_cents)",
    ),
];

/// Applies `variant`'s physical schema to a seeded database: the optimized
/// indexes (and fresh planner statistics), or none at all for naive.
pub async fn migrate(url: &str, variant: Variant) -> Result<(), DbError> {
    let mut conn = connect(url).await.map_err(|source| DbError::Connect {
        url: url.into(),
        source,
    })?;
    let step = |what| {
        move |source| DbError::Statement {
            what,
            url: url.into(),
            source,
        }
    };
    for (name, on) in INDEXES {
        let sql = match variant {
            Variant::Naive => format!("DROP INDEX IF EXISTS {name}"),
            Variant::Optimized => format!("CREATE INDEX IF NOT EXISTS {name} ON {on}"),
        };
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .map_err(step("migration"))?;
    }
    // Planner statistics help PostgreSQL. On SQLite they hurt: the bundled
    // build has STAT4, and a statement planned with STAT4 samples is
    // re-prepared whenever a bound value changes, which made parsing and
    // planning a quarter of the optimized request's CPU time. Without
    // statistics SQLite still picks these indexes (equality on the
    // leading column).
    if variant == Variant::Optimized && !is_sqlite(url) {
        sqlx::raw_sql("ANALYZE")
            .execute(&mut conn)
            .await
            .map_err(step("ANALYZE"))?;
    }
    conn.close().await.map_err(step("close"))
}

/// Reads the data set's reference "now" from table `meta`.
pub async fn reference_now(conn: &mut AnyConnection, url: &str) -> Result<i64, DbError> {
    let row = sqlx::query("SELECT value FROM meta WHERE name = $1")
        .bind("now")
        .fetch_optional(conn)
        .await
        .map_err(|source| DbError::Statement {
            what: "reading meta",
            url: url.into(),
            source,
        })?;
    row.and_then(|r| r.try_get::<i64, _>(0).ok())
        .ok_or(DbError::NotSeeded {
            url: url.into(),
            key: "now",
        })
}
