//! Seeding: creating the tables and filling them with a [`Dataset`].
//!
//! Rows stream from the generator user by user into batched multi-row
//! INSERTs, a few thousand users per transaction, so the default data set
//! (10k users, 1.06M child rows) loads in about a second on SQLite without
//! holding it in memory. [`seed_sqlite_pair`] produces the two identical
//! SQLite files the variants need. Indexes are not created here; the
//! variant migrations in `db` own them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use crate::Variant;
use crate::db::{DbError, TABLES, connect, is_sqlite, migrate, sqlite_url};
use crate::generate::{Dataset, Generator, UserRows, products};

/// Rows per multi-row INSERT. 1,000 rows of 5 columns stay far below the
/// bind-parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const BATCH_ROWS: usize = 1_000;

/// Users per seeding transaction.
const USERS_PER_TX: usize = 2_000;

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

/// Binds one value per column for every row of a batch and runs the INSERT.
macro_rules! insert_rows {
    ($conn:expr, $sqlite:expr, $table:literal, [$($col:ident),+], $rows:expr) => {{
        let rows = $rows;
        for chunk in rows.chunks(BATCH_ROWS) {
            let sql = perflab_kit::sql::multi_row_insert($sqlite, $table, &[$(stringify!($col)),+], chunk.len());
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
        let sql = perflab_kit::sql::multi_row_insert(
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
