//! A seeded catalog: categories, products, sales and reviews, the same rows
//! for the same [`Catalog`] on every machine and database.
//!
//! Popularity follows the product id: product `k` has about
//! `c / k^0.75` sales, so low ids are the best sellers, the tail is long,
//! and a load generator that draws ids from a Zipf distribution asks for
//! the products people would actually open. Reviews are spread the same
//! way, three per ten sales, with a per-product bias in their stars.

use std::time::{Duration, Instant};

use perflab_kit::SplitMix64;
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use super::{DbError, INDEXES, is_sqlite, schema, tune};

/// Rows per multi-row INSERT: far below either database's bind limits.
const BATCH_ROWS: usize = 1_000;

const ADJECTIVES: [&str; 16] = [
    "Compact",
    "Deluxe",
    "Ergonomic",
    "Foldable",
    "Heavy-duty",
    "Insulated",
    "Lightweight",
    "Magnetic",
    "Portable",
    "Quiet",
    "Rugged",
    "Smart",
    "Solar",
    "Vintage",
    "Waterproof",
    "Wireless",
];
const NOUNS: [&str; 16] = [
    "Backpack",
    "Blender",
    "Desk Lamp",
    "Drill",
    "Headphones",
    "Kettle",
    "Keyboard",
    "Lantern",
    "Monitor",
    "Mug",
    "Router",
    "Speaker",
    "Tent",
    "Thermos",
    "Toaster",
    "Watch",
];

/// The size of a seeded catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Catalog {
    pub categories: u32,
    pub products: u32,
    /// Sales rows per product on average (popular ones far more).
    pub sales_per_product: u32,
    pub seed: u64,
}

impl Catalog {
    /// The size: 100k products in 50 categories, 1M sales.
    pub fn default_scale() -> Self {
        Catalog {
            categories: 50,
            products: 100_000,
            sales_per_product: 10,
            seed: 0x00CA_7A10,
        }
    }

    /// A catalog for tests in the unoptimized profile.
    pub fn tiny() -> Self {
        Catalog {
            categories: 5,
            products: 400,
            sales_per_product: 5,
            seed: 0x00CA_7A10,
        }
    }

    /// Sales rows of product `k` (from 1).
    fn sales_of(&self, k: u32) -> u32 {
        // sum of k^-0.75 for k in 1..=n is about 4 n^0.25 - 3.
        let n = f64::from(self.products);
        let norm = 4.0 * n.powf(0.25) - 3.0;
        let top = f64::from(self.sales_per_product) * n / norm;
        (top / f64::from(k).powf(0.75)).round().max(1.0) as u32
    }
}

/// Rows written and the time it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedStats {
    pub categories: u64,
    pub products: u64,
    pub sales: u64,
    pub reviews: u64,
    pub elapsed: Duration,
}

/// Replaces the catalog tables at `url` with a seeded catalog.
pub async fn seed(url: &str, catalog: &Catalog) -> Result<SeedStats, DbError> {
    let started = Instant::now();
    super::install_default_drivers();
    let statement = |what| {
        move |source| DbError::Statement {
            what,
            url: url.to_owned(),
            source,
        }
    };
    let mut conn = AnyConnection::connect(url)
        .await
        .map_err(|source| DbError::Connect {
            url: url.to_owned(),
            source,
        })?;
    tune(&mut conn, is_sqlite(url))
        .await
        .map_err(statement("tuning the connection"))?;
    let mut stats = fill(&mut conn, url, catalog)
        .await
        .map_err(statement("seeding the catalog"))?;
    conn.close().await.map_err(statement("closing"))?;
    stats.elapsed = started.elapsed();
    Ok(stats)
}

/// One row's values, all integers but the names.
enum Cell {
    Int(i64),
    Text(String),
}

async fn insert(
    conn: &mut AnyConnection,
    sqlite: bool,
    table: &str,
    cols: &[&str],
    rows: &[Vec<Cell>],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = perflab_kit::sql::multi_row_insert(sqlite, table, cols, chunk.len());
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            for cell in row {
                q = match cell {
                    Cell::Int(v) => q.bind(*v),
                    Cell::Text(s) => q.bind(s.clone()),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn fill(
    conn: &mut AnyConnection,
    url: &str,
    catalog: &Catalog,
) -> Result<SeedStats, sqlx::Error> {
    let sqlite = is_sqlite(url);
    if sqlite {
        sqlx::raw_sql("PRAGMA synchronous = OFF")
            .execute(&mut *conn)
            .await?;
    }
    for sql in schema(url) {
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
    }
    let mut rng = SplitMix64::new(catalog.seed);
    let mut tx = conn.begin().await?;
    let categories: Vec<Vec<Cell>> = (1..=catalog.categories)
        .map(|c| {
            let name = format!(
                "{} {}s {c:02}",
                ADJECTIVES[c as usize % ADJECTIVES.len()],
                NOUNS[(c as usize / ADJECTIVES.len()) % NOUNS.len()]
            );
            vec![Cell::Int(i64::from(c)), Cell::Text(name)]
        })
        .collect();
    insert(&mut tx, sqlite, "categories", &["id", "name"], &categories).await?;

    let mut stats = SeedStats {
        categories: u64::from(catalog.categories),
        products: u64::from(catalog.products),
        sales: 0,
        reviews: 0,
        elapsed: Duration::ZERO,
    };
    let mut products = Vec::with_capacity(BATCH_ROWS);
    let mut sales = Vec::with_capacity(BATCH_ROWS * 4);
    let mut reviews = Vec::with_capacity(BATCH_ROWS * 2);
    for k in 1..=catalog.products {
        let id = i64::from(k);
        let name = format!(
            "{} {} {k}",
            ADJECTIVES[rng.below(ADJECTIVES.len() as u64) as usize],
            NOUNS[rng.below(NOUNS.len() as u64) as usize]
        );
        let category = 1 + rng.below(u64::from(catalog.categories)) as i64;
        let price = 199 + rng.below(99_800) as i64;
        products.push(vec![
            Cell::Int(id),
            Cell::Text(name),
            Cell::Int(category),
            Cell::Int(price),
            Cell::Int(1),
        ]);
        let n_sales = catalog.sales_of(k);
        for _ in 0..n_sales {
            sales.push(vec![Cell::Int(id), Cell::Int(1 + rng.below(4) as i64)]);
        }
        // Each product's reviews lean to its own mean, 2 to 5 stars.
        let lean = 2 + rng.below(4) as i64;
        for _ in 0..(n_sales * 3 / 10) {
            let stars = (lean + rng.below(3) as i64 - 1).clamp(1, 5);
            reviews.push(vec![Cell::Int(id), Cell::Int(stars)]);
        }
        if products.len() >= BATCH_ROWS || k == catalog.products {
            let cols = ["id", "name", "category_id", "price_cents", "active"];
            insert(&mut tx, sqlite, "products", &cols, &products).await?;
            insert(
                &mut tx,
                sqlite,
                "sales",
                &["product_id", "quantity"],
                &sales,
            )
            .await?;
            insert(
                &mut tx,
                sqlite,
                "reviews",
                &["product_id", "stars"],
                &reviews,
            )
            .await?;
            stats.sales += sales.len() as u64;
            stats.reviews += reviews.len() as u64;
            products.clear();
            sales.clear();
            reviews.clear();
        }
    }
    for sql in INDEXES {
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
    }
    if !sqlite {
        // Seeded ids were given explicitly; new products continue after them.
        sqlx::raw_sql(
            "SELECT setval(pg_get_serial_sequence('products', 'id'), (SELECT MAX(id) FROM products))",
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    sqlx::raw_sql("ANALYZE").execute(&mut *conn).await?;
    if sqlite {
        sqlx::raw_sql("PRAGMA synchronous = NORMAL")
            .execute(&mut *conn)
            .await?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sales_fall_with_the_id_and_total_about_the_mean() {
        let c = Catalog::default_scale();
        assert!(c.sales_of(1) > 100 * c.sales_of(10_000));
        let total: u64 = (1..=c.products).map(|k| u64::from(c.sales_of(k))).sum();
        let mean = total as f64 / f64::from(c.products);
        assert!((mean - 10.0).abs() < 1.5, "mean {mean}");
    }
}
