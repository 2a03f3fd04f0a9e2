//! What the catalog answers, in the shapes both variants return and the
//! service serializes: a product, a top-10 list, a category page. Both
//! variants build these from the same rows, so equal inputs give equal
//! values (the tests compare them field by field).

use serde::{Deserialize, Serialize};

/// How many products a top list holds.
pub const TOP_N: usize = 10;
/// How many products a category page holds.
pub const PAGE_SIZE: u32 = 20;

/// One product as every answer shows it: its row and its sales and review
/// aggregates, computed when the answer was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub category_id: i64,
    pub price_cents: i64,
    /// Units sold over all sales.
    pub units_sold: i64,
    /// Reviews written.
    pub reviews: i64,
    /// Sum of the reviews' stars (1-5 each); the mean is this over `reviews`.
    pub stars_total: i64,
}

impl Product {
    /// The mean rating in hundredths of a star (0 without reviews), rounded
    /// half up.
    pub fn rating_centi(&self) -> i64 {
        if self.reviews == 0 {
            0
        } else {
            (self.stars_total * 100 + self.reviews / 2) / self.reviews
        }
    }
}

/// A product's place in a ranking: what the expensive query computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    pub id: i64,
    /// units sold × Bayesian mean rating × 100 (see `db::SCORE`).
    pub score: i64,
}

/// One line of a top list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopEntry {
    pub rank: u32,
    pub score: i64,
    #[serde(flatten)]
    pub product: Product,
}

/// The top 10 products overall (`category_id` none) or of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopList {
    pub category_id: Option<i64>,
    pub products: Vec<TopEntry>,
}

impl TopList {
    /// A list from a ranking and the products it names, in ranking order;
    /// a ranked product that is no longer listed (removed since) is left out.
    pub fn compose(
        category_id: Option<i64>,
        ranking: &[Ranked],
        products: Vec<Option<Product>>,
    ) -> Self {
        let products = ranking
            .iter()
            .zip(products)
            .filter_map(|(r, product)| Some((r.score, product?)))
            .enumerate()
            .map(|(i, (score, product))| TopEntry {
                rank: i as u32 + 1,
                score,
                product,
            })
            .collect();
        TopList {
            category_id,
            products,
        }
    }
}

/// A category's name and size, and which products one page of it shows
/// (sorted by name, then id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub category_id: i64,
    pub name: String,
    pub page: u32,
    /// Products listed in the category.
    pub total: i64,
    pub ids: Vec<i64>,
}

/// One page of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPage {
    pub category_id: i64,
    pub name: String,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
    pub products: Vec<Product>,
}

impl CategoryPage {
    pub fn compose(listing: &Listing, products: Vec<Product>) -> Self {
        CategoryPage {
            category_id: listing.category_id,
            name: listing.name.clone(),
            page: listing.page,
            per_page: PAGE_SIZE,
            total: listing.total,
            products,
        }
    }

    /// Pages a category of `total` products has (at least 1, even empty).
    pub fn pages(total: i64) -> u32 {
        (total.max(0) as u64).div_ceil(u64::from(PAGE_SIZE)).max(1) as u32
    }
}

/// A new product, as `POST /products` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProduct {
    pub name: String,
    pub category_id: i64,
    pub price_cents: i64,
}

/// What a write touched: the product, and the category it is (or was) in.
/// The optimized variant turns this into invalidations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    pub product_id: i64,
    pub category_id: i64,
}

/// The writes that change the catalog's answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// A new price: changes the product page and every list that shows it.
    Price { id: i64, price_cents: i64 },
    /// A sale: changes the product's units sold (and, within the rankings'
    /// TTL, the rankings).
    Sale { id: i64, quantity: i64 },
    /// A new product: changes its category's pages.
    Add(NewProduct),
    /// A product taken off the catalog: its page is gone, and it leaves
    /// every ranking and page that listed it.
    Remove { id: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(reviews: i64, stars_total: i64) -> Product {
        Product {
            id: 1,
            name: "x".into(),
            category_id: 1,
            price_cents: 100,
            units_sold: 0,
            reviews,
            stars_total,
        }
    }

    #[test]
    fn rating_rounds_half_up_and_is_zero_without_reviews() {
        assert_eq!(product(0, 0).rating_centi(), 0);
        assert_eq!(product(3, 13).rating_centi(), 433);
        assert_eq!(product(8, 34).rating_centi(), 425);
        assert_eq!(product(2, 9).rating_centi(), 450);
    }

    #[test]
    fn pages_count_partial_pages_and_an_empty_category_has_one() {
        assert_eq!(CategoryPage::pages(0), 1);
        assert_eq!(CategoryPage::pages(20), 1);
        assert_eq!(CategoryPage::pages(21), 2);
    }

    #[test]
    fn compose_ranks_in_order_and_skips_a_removed_product() {
        let ranking = [
            Ranked { id: 1, score: 9 },
            Ranked { id: 2, score: 7 },
            Ranked { id: 3, score: 5 },
        ];
        let list = TopList::compose(
            None,
            &ranking,
            vec![Some(product(0, 0)), None, Some(product(1, 4))],
        );
        let got: Vec<(u32, i64)> = list.products.iter().map(|e| (e.rank, e.score)).collect();
        assert_eq!(got, [(1, 9), (2, 5)]);
    }
}
