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
//! database seeded identically ([`seed_sqlite_pair`] writes one file and
//! copies it). This module does not run dashboard queries; see `naive` and
//! `optimized`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, ConnectOptions, Connection, Row};

use crate::Variant;
use crate::generate::{Dataset, Generator, UserRows, products};

/// How long a SQLite connection waits on a lock before it reports "busy".
/// Short, so that a locked database turns into a quick 503 rather than a
/// request that hangs for sqlx's default of five seconds.
pub const SQLITE_BUSY_TIMEOUT_MS: u64 = 250;

/// Rows per multi-row INSERT. 1,000 rows of 5 columns stay far below the
/// bind-parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const BATCH_ROWS: usize = 1_000;

/// Users per seeding transaction.
const USERS_PER_TX: usize = 2_000;

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

fn is_sqlite(url: &str) -> bool {
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

const TABLES: [&str; 6] = [
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

/// Row counts and time of one seeding run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedStats {
    pub users: u64,
    pub products: u64,
    pub events: u64,
    pub orders: u64,
    pub items: u64,
    pub elapsed: Duration,
}

impl SeedStats {
    /// Events, orders and order items together.
    pub fn child_rows(&self) -> u64 {
        self.events + self.orders + self.items
    }
}

/// `INSERT INTO table (cols) VALUES ($1, …), …` for `rows` rows, with `?`
/// placeholders on SQLite instead: sqlx looks every `$n` up by name, and
/// SQLite's name lookup is linear, which made a 1,000-row batch quadratic
/// (70% of seeding time went to `sqlite3_bind_parameter_name`).
fn insert_sql(sqlite: bool, table: &str, cols: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            if sqlite {
                sql.push('?');
            } else {
                sql.push_str(&format!("${}", r * cols.len() + c + 1));
            }
        }
        sql.push(')');
    }
    sql
}

/// Binds one value per column for every row of a batch and runs the INSERT.
macro_rules! insert_rows {
    ($conn:expr, $sqlite:expr, $table:literal, [$($col:ident),+], $rows:expr) => {{
        let rows = $rows;
        for chunk in rows.chunks(BATCH_ROWS) {
            let sql = insert_sql($sqlite, $table, &[$(stringify!($col)),+], chunk.len());
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for row in chunk {
                $(q = q.bind(row.$col.clone());)+
            }
            q.execute(&mut *$conn).await?;
        }
    }};
}

/// Creates the tables and fills them with `dataset` at `url` (replacing any
/// previous tables). No secondary indexes: see [`migrate`].
pub async fn seed(url: &str, dataset: &Dataset) -> Result<SeedStats, DbError> {
    let started = Instant::now();
    let mut conn = connect(url).await.map_err(|source| DbError::Connect {
        url: url.into(),
        source,
    })?;
    let stats = fill(&mut conn, url, dataset)
        .await
        .map_err(|source| DbError::Statement {
            what: "seeding",
            url: url.into(),
            source,
        })?;
    conn.close().await.map_err(|source| DbError::Statement {
        what: "close",
        url: url.into(),
        source,
    })?;
    Ok(SeedStats {
        elapsed: started.elapsed(),
        ..stats
    })
}

async fn fill(
    conn: &mut AnyConnection,
    url: &str,
    dataset: &Dataset,
) -> Result<SeedStats, sqlx::Error> {
    let sqlite = is_sqlite(url);
    if sqlite {
        // WAL lets readers run beside a writer and persists in the file;
        // synchronous=OFF only for the bulk load, which can be redone.
        sqlx::raw_sql("PRAGMA journal_mode = WAL")
            .execute(&mut *conn)
            .await?;
        sqlx::raw_sql("PRAGMA synchronous = OFF")
            .execute(&mut *conn)
            .await?;
    }
    for table in [
        "order_items",
        "orders",
        "events",
        "products",
        "users",
        "meta",
    ] {
        sqlx::raw_sql(AssertSqlSafe(format!("DROP TABLE IF EXISTS {table}")))
            .execute(&mut *conn)
            .await?;
    }
    for ddl in TABLES {
        sqlx::raw_sql(ddl).execute(&mut *conn).await?;
    }
    let mut tx = conn.begin().await?;
    let meta = [
        ("now", dataset.now),
        ("seed", dataset.seed as i64),
        ("users", dataset.users.into()),
    ];
    for (name, value) in meta {
        sqlx::query("INSERT INTO meta (name, value) VALUES ($1, $2)")
            .bind(name)
            .bind(value)
            .execute(&mut *tx)
            .await?;
    }
    let catalogue = products(dataset);
    insert_rows!(tx, sqlite, "products", [id, name, price_cents], &catalogue);
    tx.commit().await?;

    let mut stats = SeedStats {
        users: 0,
        products: catalogue.len() as u64,
        events: 0,
        orders: 0,
        items: 0,
        elapsed: Duration::ZERO,
    };
    let mut generator = Generator::new(*dataset);
    let mut rows = UserRows::default();
    let mut more = true;
    while more {
        let mut tx = conn.begin().await?;
        for _ in 0..USERS_PER_TX {
            more = generator.next_user(&mut rows);
            if !more {
                break;
            }
            if rows.child_rows() >= 4 * BATCH_ROWS {
                flush(&mut tx, sqlite, &mut rows, &mut stats).await?;
            }
        }
        flush(&mut tx, sqlite, &mut rows, &mut stats).await?;
        tx.commit().await?;
    }
    Ok(stats)
}

async fn flush(
    conn: &mut AnyConnection,
    sqlite: bool,
    rows: &mut UserRows,
    stats: &mut SeedStats,
) -> Result<(), sqlx::Error> {
    insert_rows!(
        conn,
        sqlite,
        "users",
        [id, name, email, created_at],
        &rows.users
    );
    let events: Vec<_> = rows
        .events
        .iter()
        .map(|e| (e.id, e.user_id, e.kind.to_owned(), &e.detail, e.occurred_at))
        .collect();
    for chunk in events.chunks(BATCH_ROWS) {
        let sql = insert_sql(
            sqlite,
            "events",
            &["id", "user_id", "kind", "detail", "occurred_at"],
            chunk.len(),
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (id, user_id, kind, detail, at) in chunk {
            q = q
                .bind(*id)
                .bind(*user_id)
                .bind(kind.clone())
                .bind((*detail).clone())
                .bind(*at);
        }
        q.execute(&mut *conn).await?;
    }
    insert_rows!(
        conn,
        sqlite,
        "orders",
        [id, user_id, placed_at],
        &rows.orders
    );
    insert_rows!(
        conn,
        sqlite,
        "order_items",
        [id, order_id, product_id, quantity, unit_price_cents],
        &rows.items
    );
    stats.users += rows.users.len() as u64;
    stats.events += rows.events.len() as u64;
    stats.orders += rows.orders.len() as u64;
    stats.items += rows.items.len() as u64;
    *rows = UserRows::default();
    Ok(())
}

/// The two SQLite files of a seeded pair, one per variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlitePair {
    pub naive: PathBuf,
    pub optimized: PathBuf,
}

impl SqlitePair {
    /// The file of `variant`.
    pub fn path(&self, variant: Variant) -> &Path {
        match variant {
            Variant::Naive => &self.naive,
            Variant::Optimized => &self.optimized,
        }
    }
}

/// Seeds `dir/naive.sqlite`, copies it to `dir/optimized.sqlite`, and
/// migrates each to its variant, so both hold the same rows.
pub async fn seed_sqlite_pair(
    dir: &Path,
    dataset: &Dataset,
) -> Result<(SqlitePair, SeedStats), DbError> {
    let file = |what, path: &Path| {
        let path = path.to_owned();
        move |source| DbError::File { what, path, source }
    };
    std::fs::create_dir_all(dir).map_err(file("create directory", dir))?;
    let pair = SqlitePair {
        naive: dir.join("naive.sqlite"),
        optimized: dir.join("optimized.sqlite"),
    };
    for db in [&pair.naive, &pair.optimized] {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p).map_err(file("remove", &p))?;
            }
        }
    }
    let stats = seed(&format!("{}?mode=rwc", sqlite_url(&pair.naive)), dataset).await?;
    // The last connection has closed, so the WAL is checkpointed into the
    // main file and a plain copy is a consistent database.
    std::fs::copy(&pair.naive, &pair.optimized).map_err(file("copy to", &pair.optimized))?;
    migrate(&sqlite_url(&pair.naive), Variant::Naive).await?;
    migrate(&sqlite_url(&pair.optimized), Variant::Optimized).await?;
    Ok((
        pair,
        SeedStats {
            elapsed: stats.elapsed,
            ..stats
        },
    ))
}
