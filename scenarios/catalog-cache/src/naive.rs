//! The naive variant: every request runs its query. What a reasonable
//! first version does, and what the database saturates under.

use std::collections::HashSet;

use sqlx::Row;

use crate::db::{Db, QueryKind};
use crate::error::CatalogError;
use crate::model::{CategoryPage, Product, TopEntry, TopList, Write, Written};

/// The catalog with no cache.
#[derive(Debug, Clone)]
pub struct NaiveCatalog {
    db: Db,
    categories: Categories,
}

/// The category ids, read once at start (the API cannot add categories),
/// and the checks both variants make against them before any lookup.
#[derive(Debug, Clone, Default)]
pub(crate) struct Categories(HashSet<i64>);

impl Categories {
    pub(crate) async fn load(db: &Db) -> Result<Categories, CatalogError> {
        db.categories().await?;
        let ids = db
            .run_counted(QueryKind::Listing, "reading the categories", async {
                sqlx::query("SELECT id FROM categories")
                    .fetch_all(db.pool())
                    .await?
                    .iter()
                    .map(|row| row.try_get::<i64, _>(0))
                    .collect::<Result<HashSet<i64>, sqlx::Error>>()
            })
            .await?;
        Ok(Categories(ids))
    }

    /// `category`, or the not-found error for it.
    pub(crate) fn check(&self, category: i64) -> Result<i64, CatalogError> {
        if self.0.contains(&category) {
            Ok(category)
        } else {
            Err(CatalogError::NoCategory(category))
        }
    }

    /// The category ids, in order.
    pub(crate) fn sorted(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.0.iter().copied().collect();
        ids.sort_unstable();
        ids
    }
}

/// Page `page` (from 1) of a category of `total` products, or the
/// not-found error naming how many pages there are.
pub(crate) fn check_page(category: i64, page: u32, total: i64) -> Result<(), CatalogError> {
    let pages = CategoryPage::pages(total);
    if page == 0 || page > pages {
        return Err(CatalogError::NoPage {
            category,
            page,
            pages,
        });
    }
    Ok(())
}

/// Applies a write at the database: what it touched, or why not.
pub(crate) async fn apply(db: &Db, write: &Write) -> Result<Written, CatalogError> {
    let (written, missing) = match write {
        Write::Price { id, price_cents } => (
            db.set_price(*id, *price_cents).await?,
            CatalogError::NoProduct(*id),
        ),
        Write::Sale { id, quantity } => (
            db.record_sale(*id, *quantity).await?,
            CatalogError::NoProduct(*id),
        ),
        Write::Add(new) => (
            db.add_product(new).await?,
            CatalogError::NoCategory(new.category_id),
        ),
        Write::Remove { id } => (db.remove_product(*id).await?, CatalogError::NoProduct(*id)),
    };
    written.ok_or(missing)
}

impl NaiveCatalog {
    pub async fn start(db: Db) -> Result<NaiveCatalog, CatalogError> {
        let categories = Categories::load(&db).await?;
        Ok(NaiveCatalog { db, categories })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The top 10, computed now.
    pub async fn top(&self, category: Option<i64>) -> Result<TopList, CatalogError> {
        if let Some(c) = category {
            self.categories.check(c)?;
        }
        let rows = self.db.top_rows(category).await?;
        let products = rows
            .into_iter()
            .enumerate()
            .map(|(i, (ranked, product))| TopEntry {
                rank: i as u32 + 1,
                score: ranked.score,
                product,
            })
            .collect();
        Ok(TopList {
            category_id: category,
            products,
        })
    }

    pub async fn product(&self, id: i64) -> Result<Product, CatalogError> {
        self.db
            .product(id)
            .await?
            .ok_or(CatalogError::NoProduct(id))
    }

    pub async fn category_page(
        &self,
        category: i64,
        page: u32,
    ) -> Result<CategoryPage, CatalogError> {
        self.categories.check(category)?;
        let (listing, products) = self
            .db
            .category_rows(category, page)
            .await?
            .ok_or(CatalogError::NoCategory(category))?;
        check_page(category, page, listing.total)?;
        Ok(CategoryPage::compose(&listing, products))
    }

    pub async fn write(&self, write: &Write) -> Result<Written, CatalogError> {
        apply(&self.db, write).await
    }
}
