//! The origin: the catalog database, and every statement either variant
//! sends to it.
//!
//! One [`Db`] per service instance, over one pool. Every statement goes
//! through it and is counted by kind ([`OriginCounts`]), so "how many
//! queries reached the database" is read in one place, for both variants
//! and for every instance sharing a database.
//!
//! Portable SQL through [`sqlx::Any`]: `$n` placeholders, `CAST(… AS BIGINT)`
//! around every aggregate (PostgreSQL's `SUM` of a `BIGINT` is `NUMERIC`),
//! integer arithmetic only, so SQLite (`sqlite://path`, bundled, the
//! default) and PostgreSQL (`postgres://…`, feature `postgres`) rank and
//! round identically. The only dialect differences (the identity column,
//! SQLite's pragmas) are in [`schema`] and [`tune`].
//!
//! The expensive statement is the ranking: it aggregates every sale and
//! every review, groups them by product and sorts by [`SCORE`]. Nothing is
//! precomputed; that is the problem the cache exists for.

mod metrics;
mod seed;
mod write;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use prometheus_client::metrics::counter::Counter;
use std::time::{Duration, Instant};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, ConnectOptions, Row};

use crate::model::{Listing, PAGE_SIZE, Product, Ranked, TOP_N};

pub use metrics::register_metrics;
pub use seed::{Catalog as CatalogSpec, SeedStats, seed};

/// How long a SQLite connection waits on a write lock before "busy".
pub const SQLITE_BUSY_TIMEOUT_MS: u64 = 2_000;
/// How long any one statement may take before the request gets a 503.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections per instance.
pub const POOL_SIZE: u32 = 8;

/// The ranking score: units sold times the Bayesian mean rating (a prior of
/// 5 reviews of 3 stars), in hundredths, all in integers.
pub const SCORE: &str = "CAST(COALESCE(s.units, 0) * (COALESCE(r.stars, 0) + 15) * 100 \
                         / (COALESCE(r.n, 0) + 5) AS BIGINT)";

/// What went wrong at the database, naming the statement and the URL.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to {url}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("{what} failed on {url}")]
    Statement {
        what: &'static str,
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("{what} on {url} took longer than {timeout:?}")]
    Timeout {
        what: &'static str,
        url: String,
        timeout: Duration,
    },
    #[error("{url} holds no seeded catalog (table categories is empty or missing)")]
    NotSeeded { url: String },
}

/// The kinds of statement the origin counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryKind {
    /// The expensive ranking (overall or per category), alone or with the
    /// products' columns (the naive top list).
    Ranking,
    /// Products by id with their aggregates.
    Products,
    /// A category's name, size and one page of ids (or rows).
    Listing,
    /// A write.
    Write,
}

impl QueryKind {
    pub const ALL: [QueryKind; 4] = [
        QueryKind::Ranking,
        QueryKind::Products,
        QueryKind::Listing,
        QueryKind::Write,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QueryKind::Ranking => "ranking",
            QueryKind::Products => "products",
            QueryKind::Listing => "listing",
            QueryKind::Write => "write",
        }
    }
}

/// Statements sent to the database, by kind, and their total time:
/// Prometheus counters, so `/metrics` shows the same numbers the benches read.
#[derive(Debug, Default)]
pub struct OriginCounts {
    counts: [Counter; 4],
    seconds: [Counter<f64, AtomicU64>; 4],
}

impl OriginCounts {
    pub fn get(&self, kind: QueryKind) -> u64 {
        self.counts[kind as usize].get()
    }

    /// Every statement but writes: what the cache is there to save.
    pub fn reads(&self) -> u64 {
        [QueryKind::Ranking, QueryKind::Products, QueryKind::Listing]
            .iter()
            .map(|&k| self.get(k))
            .sum()
    }

    /// Seconds spent in statements of `kind`.
    pub fn seconds(&self, kind: QueryKind) -> f64 {
        self.seconds[kind as usize].get()
    }

    fn record(&self, kind: QueryKind, took: Duration) {
        self.counts[kind as usize].inc();
        self.seconds[kind as usize].inc_by(took.as_secs_f64());
    }
}

/// The `sqlite://` URL of a database file, created when missing.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

async fn tune(conn: &mut AnyConnection, sqlite: bool) -> Result<(), sqlx::Error> {
    if sqlite {
        let sql = format!(
            "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = NORMAL"
        );
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(conn).await?;
    }
    Ok(())
}

/// The catalog database of one service instance.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    url: Arc<str>,
    counts: Arc<OriginCounts>,
}

/// The detail columns of a product row, `p` being `products`: the same
/// expressions in every query that returns products, so the naive and the
/// optimized answers agree to the unit.
const PRODUCT_COLUMNS: &str = "p.id, p.name, p.category_id, p.price_cents, \
    (SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM sales WHERE product_id = p.id), \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM reviews WHERE product_id = p.id), \
    (SELECT CAST(COALESCE(SUM(stars), 0) AS BIGINT) FROM reviews WHERE product_id = p.id)";

/// The ranking's body: every active product with sales, scored. `{filter}`
/// is replaced by nothing or by a category condition.
const RANKING_FROM: &str = "FROM products p \
    JOIN (SELECT product_id, CAST(SUM(quantity) AS BIGINT) AS units \
          FROM sales GROUP BY product_id) s ON s.product_id = p.id \
    LEFT JOIN (SELECT product_id, CAST(SUM(stars) AS BIGINT) AS stars, CAST(COUNT(*) AS BIGINT) AS n \
          FROM reviews GROUP BY product_id) r ON r.product_id = p.id \
    WHERE p.active = 1";

fn product_from(row: &AnyRow) -> Result<Product, sqlx::Error> {
    Ok(Product {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        category_id: row.try_get(2)?,
        price_cents: row.try_get(3)?,
        units_sold: row.try_get(4)?,
        reviews: row.try_get(5)?,
        stars_total: row.try_get(6)?,
    })
}

impl Db {
    /// A lazily opened pool on `url`: an instance can start while its
    /// database is still coming up.
    pub fn connect(url: &str) -> Result<Db, DbError> {
        install_default_drivers();
        let connect = |source| DbError::Connect {
            url: url.to_owned(),
            source,
        };
        let options: AnyConnectOptions = url.parse().map_err(connect)?;
        let options = options.disable_statement_logging();
        let sqlite = is_sqlite(url);
        let pool = AnyPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(STATEMENT_TIMEOUT)
            // A saturated pool is the naive variant's point, and the
            // origin counters show it: do not log every slow acquire
            // (sqlx warns past 2 s by default, hundreds of lines a run).
            .acquire_slow_threshold(STATEMENT_TIMEOUT)
            .after_connect(move |conn, _| Box::pin(async move { tune(conn, sqlite).await }))
            .connect_lazy_with(options);
        Ok(Db {
            pool,
            url: url.into(),
            counts: Arc::default(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The statements this instance has sent.
    pub fn counts(&self) -> &Arc<OriginCounts> {
        &self.counts
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Runs one counted, timed statement.
    pub(crate) async fn run_counted<T, F>(
        &self,
        kind: QueryKind,
        what: &'static str,
        f: F,
    ) -> Result<T, DbError>
    where
        F: Future<Output = Result<T, sqlx::Error>>,
    {
        let start = Instant::now();
        let out = tokio::time::timeout(STATEMENT_TIMEOUT, f).await;
        self.counts.record(kind, start.elapsed());
        match out {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(source)) => Err(DbError::Statement {
                what,
                url: self.url.to_string(),
                source,
            }),
            Err(_) => Err(DbError::Timeout {
                what,
                url: self.url.to_string(),
                timeout: STATEMENT_TIMEOUT,
            }),
        }
    }

    /// Whether the catalog is seeded: the category count, or
    /// [`DbError::NotSeeded`].
    pub async fn categories(&self) -> Result<i64, DbError> {
        let n: Result<i64, DbError> = self
            .run_counted(QueryKind::Listing, "counting categories", async {
                let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM categories")
                    .fetch_one(&self.pool)
                    .await?;
                row.try_get(0)
            })
            .await;
        match n {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(DbError::NotSeeded {
                url: self.url.to_string(),
            }),
        }
    }

    /// The top [`TOP_N`] ids and scores, overall or in `category`. The
    /// expensive statement.
    pub async fn ranking(&self, category: Option<i64>) -> Result<Vec<Ranked>, DbError> {
        self.run_counted(QueryKind::Ranking, "the ranking", async {
            self.ranking_rows("p.id", category)
                .await?
                .iter()
                .map(|row| {
                    Ok(Ranked {
                        id: row.try_get(0)?,
                        score: row.try_get(1)?,
                    })
                })
                .collect()
        })
        .await
    }

    /// The top list with its products' columns, in one statement: what the
    /// naive variant runs per request.
    pub async fn top_rows(&self, category: Option<i64>) -> Result<Vec<(Ranked, Product)>, DbError> {
        self.run_counted(QueryKind::Ranking, "the top list", async {
            self.ranking_rows(PRODUCT_COLUMNS, category)
                .await?
                .iter()
                .map(|row| {
                    let product = product_from(row)?;
                    let score = row.try_get(7)?;
                    Ok((
                        Ranked {
                            id: product.id,
                            score,
                        },
                        product,
                    ))
                })
                .collect()
        })
        .await
    }

    /// The ranking statement's rows, `columns` first and the score after.
    async fn ranking_rows(
        &self,
        columns: &str,
        category: Option<i64>,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        let mut q = sqlx::query(AssertSqlSafe(ranking_sql(columns, category)));
        if let Some(c) = category {
            q = q.bind(c);
        }
        q.fetch_all(&self.pool).await
    }

    /// The listed products among `ids`, in no particular order.
    pub async fn products(&self, ids: &[i64]) -> Result<Vec<Product>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.active = 1 AND p.id IN ({})",
            marks.join(", ")
        );
        self.run_counted(QueryKind::Products, "the products", async {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(&self.pool)
                .await?
                .iter()
                .map(product_from)
                .collect()
        })
        .await
    }

    /// One listed product, or none.
    pub async fn product(&self, id: i64) -> Result<Option<Product>, DbError> {
        Ok(self.products(&[id]).await?.pop())
    }

    /// A category's name and size and the ids on page `page` (from 1), or
    /// none for an unknown category.
    pub async fn listing(&self, category: i64, page: u32) -> Result<Option<Listing>, DbError> {
        let head = self.category_head(category).await?;
        let Some((name, total)) = head else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT p.id FROM products p WHERE p.category_id = $1 AND p.active = 1 \
             ORDER BY p.name, p.id LIMIT {PAGE_SIZE} OFFSET $2"
        );
        let ids = self
            .run_counted(QueryKind::Listing, "a category page's ids", async {
                sqlx::query(AssertSqlSafe(sql))
                    .bind(category)
                    .bind(offset(page))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|row| row.try_get(0))
                    .collect()
            })
            .await?;
        Ok(Some(Listing {
            category_id: category,
            name,
            page,
            total,
            ids,
        }))
    }

    /// A category page's head and rows in full, as the naive variant reads
    /// them: the listing and the products' columns in one go.
    pub async fn category_rows(
        &self,
        category: i64,
        page: u32,
    ) -> Result<Option<(Listing, Vec<Product>)>, DbError> {
        let Some((name, total)) = self.category_head(category).await? else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.category_id = $1 AND p.active = 1 \
             ORDER BY p.name, p.id LIMIT {PAGE_SIZE} OFFSET $2"
        );
        let products: Vec<Product> = self
            .run_counted(QueryKind::Listing, "a category page", async {
                sqlx::query(AssertSqlSafe(sql))
                    .bind(category)
                    .bind(offset(page))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(product_from)
                    .collect()
            })
            .await?;
        let listing = Listing {
            category_id: category,
            name,
            page,
            total,
            ids: products.iter().map(|p| p.id).collect(),
        };
        Ok(Some((listing, products)))
    }

    async fn category_head(&self, category: i64) -> Result<Option<(String, i64)>, DbError> {
        self.run_counted(QueryKind::Listing, "a category's name and size", async {
            let row = sqlx::query(
                "SELECT c.name, (SELECT CAST(COUNT(*) AS BIGINT) FROM products p \
                 WHERE p.category_id = c.id AND p.active = 1) FROM categories c WHERE c.id = $1",
            )
            .bind(category)
            .fetch_optional(&self.pool)
            .await?;
            row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
        })
        .await
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

fn ranking_sql(columns: &str, category: Option<i64>) -> String {
    let filter = if category.is_some() {
        " AND p.category_id = $1"
    } else {
        ""
    };
    format!(
        "SELECT {columns}, {SCORE} AS score {RANKING_FROM}{filter} \
         ORDER BY score DESC, p.id ASC LIMIT {TOP_N}"
    )
}

fn offset(page: u32) -> i64 {
    i64::from(page.saturating_sub(1)) * i64::from(PAGE_SIZE)
}

/// The tables and indexes, in the dialect of `url`.
pub(crate) fn schema(url: &str) -> Vec<String> {
    let id = if is_sqlite(url) {
        "INTEGER PRIMARY KEY"
    } else {
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    };
    vec![
        "DROP TABLE IF EXISTS sales".into(),
        "DROP TABLE IF EXISTS reviews".into(),
        "DROP TABLE IF EXISTS products".into(),
        "DROP TABLE IF EXISTS categories".into(),
        "CREATE TABLE categories (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)".into(),
        format!(
            "CREATE TABLE products (id {id}, name VARCHAR(200) NOT NULL, \
             category_id BIGINT NOT NULL REFERENCES categories (id), \
             price_cents BIGINT NOT NULL, active BIGINT NOT NULL)"
        ),
        "CREATE TABLE sales (product_id BIGINT NOT NULL, quantity BIGINT NOT NULL)".into(),
        "CREATE TABLE reviews (product_id BIGINT NOT NULL, stars BIGINT NOT NULL)".into(),
    ]
}

/// Indexes, created after the rows are in (faster than maintaining them
/// during the load). They serve the cheap statements: a product's
/// aggregates and a category's pages. The ranking reads every row anyway.
pub(crate) const INDEXES: [&str; 3] = [
    "CREATE INDEX sales_by_product ON sales (product_id, quantity)",
    "CREATE INDEX reviews_by_product ON reviews (product_id, stars)",
    "CREATE INDEX products_by_category ON products (category_id, active, name, id)",
];
