//! The seeded, deterministic data set: users, products, activity events,
//! orders and order items.
//!
//! Everything derives from [`SplitMix64`] and integer arithmetic, so a
//! [`Dataset`] gives the same rows on every platform. Each user draws from
//! its own generator (seeded from the data-set seed and the user id), so the
//! rows can be streamed user by user into the database without holding the
//! whole data set in memory. Ids are assigned in generation order.
//!
//! The mix is skewed on purpose, as real shops are: most users are light,
//! a few percent are heavy, one percent are very heavy (hundreds of orders,
//! thousands of events), and about two percent are dormant (no events, no
//! orders). This module does not touch the database; see `db`.

pub use perflab_kit::SplitMix64;

/// Seconds in a day; every period in the dashboard is a whole number of days.
pub const DAY: i64 = 86_400;

/// The fixed "now" of the default data set: 2026-01-01T00:00:00Z. Stored
/// with the data so that answers never depend on the wall clock.
pub const DEFAULT_NOW: i64 = 1_767_225_600;

/// The kinds of activity events and their relative weights.
pub const EVENT_KINDS: [(&str, u64); 6] = [
    ("page_view", 50),
    ("search", 20),
    ("login", 15),
    ("add_to_cart", 10),
    ("review", 3),
    ("support_ticket", 2),
];

const FIRST: [&str; 12] = [
    "ada", "alan", "barbara", "edsger", "grace", "john", "ken", "linus", "margaret", "niklaus",
    "radia", "tony",
];
const LAST: [&str; 10] = [
    "hopper", "turing", "liskov", "dijkstra", "lovelace", "backus", "thompson", "hamilton",
    "wirth", "perlman",
];

/// Which data set to build: its seed, its size and its fixed "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset {
    /// Seed of every generator.
    pub seed: u64,
    /// Number of users (ids `1..=users`).
    pub users: u32,
    /// Number of products (ids `1..=products`).
    pub products: u32,
    /// The reference timestamp (Unix seconds) all periods count back from.
    pub now: i64,
}

impl Dataset {
    /// The default scale: 10k users, about 1.1M child rows.
    pub const DEFAULT_USERS: u32 = 10_000;

    /// A data set of `users` users with the default seed and "now"; the
    /// product catalogue grows with it (at least 20, at most 2,000).
    pub fn with_users(users: u32) -> Self {
        Self {
            seed: 42,
            users,
            products: (users / 5).clamp(20, 2_000),
            now: DEFAULT_NOW,
        }
    }

    /// The default scale used by the benches and the load test.
    pub fn default_scale() -> Self {
        Self::with_users(Self::DEFAULT_USERS)
    }

    /// A tiny data set for tests: 60 users, 20 products.
    pub fn tiny() -> Self {
        Self::with_users(60)
    }
}

impl Default for Dataset {
    fn default() -> Self {
        Self::default_scale()
    }
}

/// A row of `users`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub created_at: i64,
}

/// A row of `products`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub price_cents: i64,
}

/// A row of `events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub user_id: i64,
    pub kind: &'static str,
    pub detail: String,
    pub occurred_at: i64,
}

/// A row of `orders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub user_id: i64,
    pub placed_at: i64,
}

/// A row of `order_items`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub order_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price_cents: i64,
}

/// Everything generated for one user.
#[derive(Debug, Clone, Default)]
pub struct UserRows {
    pub users: Vec<User>,
    pub events: Vec<Event>,
    pub orders: Vec<Order>,
    pub items: Vec<Item>,
}

impl UserRows {
    /// Rows other than users (events, orders and items).
    pub fn child_rows(&self) -> usize {
        self.events.len() + self.orders.len() + self.items.len()
    }
}

/// The product catalogue of `dataset`.
pub fn products(dataset: &Dataset) -> Vec<Product> {
    let mut rng = SplitMix64::new(dataset.seed ^ 0x5EED_0FC0_FFEE);
    (1..=i64::from(dataset.products))
        .map(|id| Product {
            id,
            name: format!(
                "{} {id:04}",
                ["Widget", "Gadget", "Gizmo", "Doohickey"][id as usize % 4]
            ),
            price_cents: 199 + rng.below(20_000) as i64,
        })
        .collect()
}

/// Streams the per-user rows of a data set in id order, assigning ids.
#[derive(Debug)]
pub struct Generator {
    dataset: Dataset,
    prices: Vec<i64>,
    next_user: u32,
    next_event: i64,
    next_order: i64,
    next_item: i64,
}

impl Generator {
    /// A generator for `dataset`, starting at user 1.
    pub fn new(dataset: Dataset) -> Self {
        let prices = products(&dataset).iter().map(|p| p.price_cents).collect();
        Self {
            dataset,
            prices,
            next_user: 1,
            next_event: 1,
            next_order: 1,
            next_item: 1,
        }
    }

    /// Appends the rows of the next user to `out`; `false` when done.
    pub fn next_user(&mut self, out: &mut UserRows) -> bool {
        if self.next_user > self.dataset.users {
            return false;
        }
        let id = i64::from(self.next_user);
        self.next_user += 1;
        let d = &self.dataset;
        let mut rng = SplitMix64::new(d.seed ^ (id as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let first = FIRST[rng.below(FIRST.len() as u64) as usize];
        let last = LAST[rng.below(LAST.len() as u64) as usize];
        let created_at = d.now - rng.below(3 * 365) as i64 * DAY - rng.below(DAY as u64) as i64;
        out.users.push(User {
            id,
            name: format!("{} {}", capitalise(first), capitalise(last)),
            email: format!("{first}.{last}{id}@example.com"),
            created_at,
        });
        let (orders, events) = match rng.below(100) {
            0..2 => (0, 0),
            2..60 => (rng.below(4), rng.below(40)),
            60..90 => (4 + rng.below(12), 30 + rng.below(100)),
            90..99 => (16 + rng.below(40), 150 + rng.below(400)),
            _ => (60 + rng.below(140), 600 + rng.below(1_500)),
        };
        // Times are whole minutes so that heavy users have ties, which the
        // ordering must break by id in both variants.
        let span = (d.now - created_at) as u64 / 60 + 1;
        let total: u64 = EVENT_KINDS.iter().map(|k| k.1).sum();
        for _ in 0..events {
            let mut pick = rng.below(total);
            let kind = EVENT_KINDS
                .iter()
                .find(|k| {
                    let hit = pick < k.1;
                    pick = pick.saturating_sub(k.1);
                    hit
                })
                .map_or("page_view", |k| k.0);
            let detail = match kind {
                "page_view" | "add_to_cart" | "review" => {
                    format!("/products/{}", 1 + rng.below(d.products.into()))
                }
                "search" => format!("q=term{}", rng.below(5_000)),
                "login" => format!(
                    "ip=10.{}.{}.{}",
                    rng.below(256),
                    rng.below(256),
                    rng.below(256)
                ),
                _ => format!("ticket #{}", rng.below(100_000)),
            };
            let occurred_at = d.now - rng.below(span) as i64 * 60;
            out.events.push(Event {
                id: self.next_event,
                user_id: id,
                kind,
                detail,
                occurred_at,
            });
            self.next_event += 1;
        }
        let n = self.prices.len() as u64;
        for _ in 0..orders {
            let order_id = self.next_order;
            self.next_order += 1;
            let placed_at = d.now - rng.below(span) as i64 * 60;
            out.orders.push(Order {
                id: order_id,
                user_id: id,
                placed_at,
            });
            for _ in 0..1 + rng.below(4) {
                // The product of two uniform draws favours low ids: a few
                // best sellers, as in a real catalogue.
                let product = rng.below(n) * rng.below(n) / n;
                out.items.push(Item {
                    id: self.next_item,
                    order_id,
                    product_id: product as i64 + 1,
                    quantity: 1 + (rng.below(8) / 5) as i64 + (rng.below(10) / 9) as i64,
                    unit_price_cents: self.prices[product as usize],
                });
                self.next_item += 1;
            }
        }
        true
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
