//! The naive dashboard: what is commonly written first.
//!
//! It loads the user, then all of the user's events, then all orders, then
//! the items of each order one query at a time, then each item's product one
//! query at a time (the N+1 pattern), and adds everything up row by row in
//! Rust. On the naive schema (primary keys only) every `WHERE user_id = …`
//! and `WHERE order_id = …` is a full table scan, so one order costs a scan
//! of all order items. The caller opens a new connection per request, so no
//! statement is ever prepared twice. The answers are exactly the optimized
//! variant's; only the cost differs.

use std::collections::{BTreeMap, HashMap};

use sqlx::Row;

use crate::exec::Tracked;
use crate::generate::DAY;
use crate::model::{
    Activity, Dashboard, PERIODS_DAYS, PeriodTotal, Profile, RECENT_EVENTS, TOP_ITEMS, TopItem,
};

pub(crate) const USER: &str = "SELECT id, name, email, created_at FROM users WHERE id = $1";
pub(crate) const EVENTS: &str =
    "SELECT id, kind, detail, occurred_at FROM events WHERE user_id = $1";
pub(crate) const ORDERS: &str = "SELECT id, placed_at FROM orders WHERE user_id = $1";
/// Issued once per order of the user.
pub(crate) const ORDER_ITEMS: &str =
    "SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = $1";
/// Issued once per order item of the user.
pub(crate) const PRODUCT: &str = "SELECT name FROM products WHERE id = $1";

/// Every statement, by a short name, in the order a request first issues it.
pub(crate) const STATEMENTS: [(&str, &str); 5] = [
    ("user", USER),
    ("events", EVENTS),
    ("orders", ORDERS),
    ("order_items", ORDER_ITEMS),
    ("product", PRODUCT),
];

/// The dashboard of `user_id`, or `None` if there is no such user.
pub async fn dashboard(
    db: &mut Tracked<'_>,
    user_id: i64,
    now: i64,
) -> Result<Option<Dashboard>, sqlx::Error> {
    let q = sqlx::query(USER).bind(user_id);
    let Some(row) = db.fetch_optional(q.persistent(false)).await? else {
        return Ok(None);
    };
    let user = Profile {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        email: row.try_get(2)?,
        created_at: row.try_get(3)?,
    };

    let q = sqlx::query(EVENTS).bind(user_id);
    let mut events = Vec::new();
    let mut event_counts = BTreeMap::new();
    for row in db.fetch_all(q.persistent(false)).await? {
        let event = Activity {
            id: row.try_get(0)?,
            kind: row.try_get(1)?,
            detail: row.try_get(2)?,
            occurred_at: row.try_get(3)?,
        };
        *event_counts.entry(event.kind.clone()).or_insert(0) += 1;
        events.push(event);
    }
    events.sort_by_key(|e| std::cmp::Reverse((e.occurred_at, e.id)));
    events.truncate(RECENT_EVENTS as usize);

    let mut totals: Vec<PeriodTotal> = PERIODS_DAYS
        .iter()
        .map(|&d| Some(d))
        .chain([None])
        .map(|days| PeriodTotal {
            days,
            orders: 0,
            spend_cents: 0,
        })
        .collect();
    let mut bought: HashMap<i64, TopItem> = HashMap::new();
    let q = sqlx::query(ORDERS).bind(user_id);
    for order in db.fetch_all(q.persistent(false)).await? {
        let (order_id, placed_at): (i64, i64) = (order.try_get(0)?, order.try_get(1)?);
        let q = sqlx::query(ORDER_ITEMS).bind(order_id);
        let mut order_total = 0;
        for item in db.fetch_all(q.persistent(false)).await? {
            let (product_id, quantity, price): (i64, i64, i64) =
                (item.try_get(0)?, item.try_get(1)?, item.try_get(2)?);
            let q = sqlx::query(PRODUCT).bind(product_id);
            let name: String = match db.fetch_optional(q.persistent(false)).await? {
                Some(p) => p.try_get(0)?,
                None => String::new(),
            };
            order_total += quantity * price;
            let entry = bought.entry(product_id).or_insert(TopItem {
                product_id,
                name,
                quantity: 0,
                spend_cents: 0,
            });
            entry.quantity += quantity;
            entry.spend_cents += quantity * price;
        }
        for total in &mut totals {
            if total.days.is_none_or(|days| placed_at > now - days * DAY) {
                total.orders += 1;
                total.spend_cents += order_total;
            }
        }
    }
    let mut top_items: Vec<TopItem> = bought.into_values().collect();
    top_items.sort_by(|a, b| {
        b.quantity
            .cmp(&a.quantity)
            .then(a.product_id.cmp(&b.product_id))
    });
    top_items.truncate(TOP_ITEMS as usize);

    Ok(Some(Dashboard {
        user,
        as_of: now,
        recent_activity: events,
        event_counts,
        totals,
        top_items,
    }))
}
