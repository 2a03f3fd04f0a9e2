//! The writes that change the catalog's answers.

use super::{Db, DbError, QueryKind};
use crate::model::{NewProduct, Written};
use sqlx::Row;

impl Db {
    /// Sets a listed product's price; none if there is no such product.
    pub async fn set_price(&self, id: i64, price_cents: i64) -> Result<Option<Written>, DbError> {
        self.write_returning(
            "a price change",
            sqlx::query(
                "UPDATE products SET price_cents = $2 WHERE id = $1 AND active = 1 \
                 RETURNING id, category_id",
            )
            .bind(id)
            .bind(price_cents),
        )
        .await
    }

    /// Records a sale of a listed product; none if there is no such product.
    pub async fn record_sale(&self, id: i64, quantity: i64) -> Result<Option<Written>, DbError> {
        // The insert names its product through a select, so a sale of an
        // unknown or removed product inserts nothing; the category comes
        // from the same row (SQLite's RETURNING sees only the new row).
        let Some(written) = self
            .write_returning(
                "looking up a sold product",
                sqlx::query("SELECT id, category_id FROM products WHERE id = $1 AND active = 1")
                    .bind(id),
            )
            .await?
        else {
            return Ok(None);
        };
        let inserted = self
            .run_counted(QueryKind::Write, "a sale", async {
                sqlx::query(
                    "INSERT INTO sales (product_id, quantity) SELECT id, $2 FROM products \
                     WHERE id = $1 AND active = 1",
                )
                .bind(id)
                .bind(quantity)
                .execute(&self.pool)
                .await
            })
            .await?;
        Ok((inserted.rows_affected() == 1).then_some(written))
    }

    /// Adds a product to an existing category; none if the category is unknown.
    pub async fn add_product(&self, new: &NewProduct) -> Result<Option<Written>, DbError> {
        self.write_returning(
            "adding a product",
            sqlx::query(
                "INSERT INTO products (name, category_id, price_cents, active) \
                 SELECT $1, id, $3, 1 FROM categories WHERE id = $2 RETURNING id, category_id",
            )
            .bind(new.name.clone())
            .bind(new.category_id)
            .bind(new.price_cents),
        )
        .await
    }

    /// Takes a listed product off the catalog; none if there is no such product.
    pub async fn remove_product(&self, id: i64) -> Result<Option<Written>, DbError> {
        self.write_returning(
            "removing a product",
            sqlx::query(
                "UPDATE products SET active = 0 WHERE id = $1 AND active = 1 \
                 RETURNING id, category_id",
            )
            .bind(id),
        )
        .await
    }

    async fn write_returning<'q>(
        &self,
        what: &'static str,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<Option<Written>, DbError> {
        self.run_counted(QueryKind::Write, what, async {
            let row = query.fetch_optional(&self.pool).await?;
            row.map(|r| {
                Ok(Written {
                    product_id: r.try_get(0)?,
                    category_id: r.try_get(1)?,
                })
            })
            .transpose()
        })
        .await
    }
}
