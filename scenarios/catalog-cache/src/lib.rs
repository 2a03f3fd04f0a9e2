//! perflab scenario: a product catalog whose "top 10 products" queries are
//! expensive (aggregates over every sale and review), asked on every page
//! load.
//!
//! - [`NaiveCatalog`]: every request runs its query.
//! - [`CachedCatalog`]: cache-aside in two levels, L1 in process (moka,
//!   bounded by weight, jittered TTLs) and L2 in Redis (shared by every
//!   instance), with invalidation by TTL, by event (Redis pub/sub) and by
//!   group (tags), warming, stampede protection (single flight, a Redis
//!   lease, XFetch) and a circuit breaker that answers from the database
//!   when Redis is down. See [`cache`].
//!
//! Both have the same API and give the same answers ([`Catalog`]); the
//! service ([`service::router`]) serves either over HTTP with axum, and
//! [`db`] is the one place SQL lives (SQLite by default, PostgreSQL with
//! the `postgres` feature).

pub mod cache;
pub mod db;
mod error;
pub mod model;
mod naive;
pub mod service;
pub mod testing;

pub use cache::{CacheConfig, CacheStats, CachedCatalog};
pub use db::{CatalogSpec, Db, DbError, OriginCounts, QueryKind, SeedStats, seed, sqlite_url};
pub use error::CatalogError;
pub use model::{CategoryPage, NewProduct, Product, TopList, Write, Written};
pub use naive::NaiveCatalog;
pub use perflab_kit::{UnknownVariant, Variant};

/// Either variant behind one API.
#[derive(Debug, Clone)]
pub enum Catalog {
    Naive(NaiveCatalog),
    Optimized(CachedCatalog),
}

impl Catalog {
    /// A catalog of `variant` over `db`; `config` is used by the optimized one.
    pub async fn start(
        variant: Variant,
        db: Db,
        config: CacheConfig,
    ) -> Result<Catalog, CatalogError> {
        Ok(match variant {
            Variant::Naive => Catalog::Naive(NaiveCatalog::start(db).await?),
            Variant::Optimized => Catalog::Optimized(CachedCatalog::start(db, config).await?),
        })
    }

    pub fn variant(&self) -> Variant {
        match self {
            Catalog::Naive(_) => Variant::Naive,
            Catalog::Optimized(_) => Variant::Optimized,
        }
    }

    pub fn db(&self) -> &Db {
        match self {
            Catalog::Naive(c) => c.db(),
            Catalog::Optimized(c) => c.db(),
        }
    }

    pub async fn top(&self, category: Option<i64>) -> Result<TopList, CatalogError> {
        match self {
            Catalog::Naive(c) => c.top(category).await,
            Catalog::Optimized(c) => c.top(category).await,
        }
    }

    pub async fn product(&self, id: i64) -> Result<Product, CatalogError> {
        match self {
            Catalog::Naive(c) => c.product(id).await,
            Catalog::Optimized(c) => c.product(id).await,
        }
    }

    pub async fn category_page(
        &self,
        category: i64,
        page: u32,
    ) -> Result<CategoryPage, CatalogError> {
        match self {
            Catalog::Naive(c) => c.category_page(category, page).await,
            Catalog::Optimized(c) => c.category_page(category, page).await,
        }
    }

    pub async fn write(&self, write: &Write) -> Result<Written, CatalogError> {
        match self {
            Catalog::Naive(c) => c.write(write).await,
            Catalog::Optimized(c) => c.write(write).await,
        }
    }

    /// The cache's counters (none for the naive variant).
    pub async fn cache_stats(&self) -> Option<CacheStats> {
        match self {
            Catalog::Naive(_) => None,
            Catalog::Optimized(c) => Some(c.stats().await),
        }
    }
}
