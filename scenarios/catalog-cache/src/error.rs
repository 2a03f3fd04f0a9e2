//! What a catalog call can answer instead of a value.

use std::sync::Arc;

use crate::db::DbError;

/// Why a catalog call has no answer. Cloneable, because one failed origin
/// load is handed to every request that waited on it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CatalogError {
    #[error("no product {0}")]
    NoProduct(i64),
    #[error("no category {0}")]
    NoCategory(i64),
    #[error("category {category} has {pages} page(s); page {page} is past the last")]
    NoPage {
        category: i64,
        page: u32,
        pages: u32,
    },
    #[error("the database failed: {0}")]
    Db(#[source] Arc<DbError>),
    /// Something the cache holds does not fit its key; never served.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<DbError> for CatalogError {
    fn from(e: DbError) -> Self {
        CatalogError::Db(Arc::new(e))
    }
}

impl CatalogError {
    /// Whether this is the client's doing (an unknown id), not a failure.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            CatalogError::NoProduct(_) | CatalogError::NoCategory(_) | CatalogError::NoPage { .. }
        )
    }
}
