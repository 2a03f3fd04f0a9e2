//! The optimized dashboard: three set-based statements on indexed tables.
//!
//! 1. the profile and all period totals in one statement: a CTE sums each
//!    order's items, and conditional aggregates count the periods;
//! 2. recent events and per-kind counts in one `UNION ALL`;
//! 3. top items as a join with `GROUP BY`, `ORDER BY` and `LIMIT`.
//!
//! Every statement is served by an index from the optimized migration (see
//! `db`), runs on a pooled connection and is prepared once per connection
//! (sqlx caches prepared statements by their text). The count of statements
//! is 3 for any user (1 for an unknown one), whatever their data. The
//! answers are exactly the naive variant's.

use std::collections::BTreeMap;

use sqlx::Row;

use crate::exec::Tracked;
use crate::generate::DAY;
use crate::model::{
    Activity, Dashboard, PERIODS_DAYS, PeriodTotal, Profile, RECENT_EVENTS, TOP_ITEMS, TopItem,
};

pub(crate) const PROFILE_AND_TOTALS: &str = "\
WITH o AS (
    SELECT o.id, o.placed_at, COALESCE(SUM(i.quantity * i.unit_price_cents), 0) AS total
    FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
    WHERE o.user_id = $1
    GROUP BY o.id, o.placed_at
)
SELECT u.id, u.name, u.email, u.created_at,
    CAST(COUNT(CASE WHEN o.placed_at > $2 THEN 1 END) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN o.placed_at > $2 THEN o.total END), 0) AS BIGINT),
    CAST(COUNT(CASE WHEN o.placed_at > $3 THEN 1 END) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN o.placed_at > $3 THEN o.total END), 0) AS BIGINT),
    CAST(COUNT(CASE WHEN o.placed_at > $4 THEN 1 END) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN o.placed_at > $4 THEN o.total END), 0) AS BIGINT),
    CAST(COUNT(o.id) AS BIGINT),
    CAST(COALESCE(SUM(o.total), 0) AS BIGINT)
FROM users u LEFT JOIN o ON TRUE
WHERE u.id = $1
GROUP BY u.id, u.name, u.email, u.created_at";

// Part 0 rows are recent events; part 1 rows carry a kind's count in `id`.
pub(crate) const EVENTS: &str = "\
SELECT 0 AS part, r.id, r.kind, r.detail, r.occurred_at
FROM (SELECT id, kind, detail, occurred_at FROM events
      WHERE user_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2) AS r
UNION ALL
SELECT 1 AS part, COUNT(*) AS id, kind, '' AS detail, 0 AS occurred_at
FROM events WHERE user_id = $1 GROUP BY kind";

pub(crate) const TOP: &str = "\
SELECT p.id, p.name, CAST(SUM(i.quantity) AS BIGINT) AS qty,
    CAST(SUM(i.quantity * i.unit_price_cents) AS BIGINT) AS spend
FROM orders o
JOIN order_items i ON i.order_id = o.id
JOIN products p ON p.id = i.product_id
WHERE o.user_id = $1
GROUP BY p.id, p.name
ORDER BY qty DESC, p.id ASC
LIMIT $2";

/// Every statement, by a short name, in the order a request issues them.
pub(crate) const STATEMENTS: [(&str, &str); 3] = [
    ("profile_and_totals", PROFILE_AND_TOTALS),
    ("events", EVENTS),
    ("top_items", TOP),
];

/// The dashboard of `user_id`, or `None` if there is no such user.
pub async fn dashboard(
    db: &mut Tracked<'_>,
    user_id: i64,
    now: i64,
) -> Result<Option<Dashboard>, sqlx::Error> {
    let [d7, d30, d365] = PERIODS_DAYS.map(|days| now - days * DAY);
    let q = sqlx::query(PROFILE_AND_TOTALS)
        .bind(user_id)
        .bind(d7)
        .bind(d30)
        .bind(d365);
    let Some(row) = db.fetch_optional(q).await? else {
        return Ok(None);
    };
    let user = Profile {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        email: row.try_get(2)?,
        created_at: row.try_get(3)?,
    };
    let days = PERIODS_DAYS.iter().map(|&d| Some(d)).chain([None]);
    let mut totals = Vec::with_capacity(4);
    for (i, days) in days.enumerate() {
        totals.push(PeriodTotal {
            days,
            orders: row.try_get(4 + 2 * i)?,
            spend_cents: row.try_get(5 + 2 * i)?,
        });
    }

    let mut recent_activity = Vec::with_capacity(RECENT_EVENTS as usize);
    let mut event_counts = BTreeMap::new();
    for row in db
        .fetch_all(sqlx::query(EVENTS).bind(user_id).bind(RECENT_EVENTS))
        .await?
    {
        let (part, id, kind): (i64, i64, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        if part == 0 {
            recent_activity.push(Activity {
                id,
                kind,
                detail: row.try_get(3)?,
                occurred_at: row.try_get(4)?,
            });
        } else {
            event_counts.insert(kind, id);
        }
    }
    // UNION ALL does not promise to keep the subquery's order.
    recent_activity.sort_by_key(|e| std::cmp::Reverse((e.occurred_at, e.id)));

    let mut top_items = Vec::with_capacity(TOP_ITEMS as usize);
    for row in db
        .fetch_all(sqlx::query(TOP).bind(user_id).bind(TOP_ITEMS))
        .await?
    {
        top_items.push(TopItem {
            product_id: row.try_get(0)?,
            name: row.try_get(1)?,
            quantity: row.try_get(2)?,
            spend_cents: row.try_get(3)?,
        });
    }
    Ok(Some(Dashboard {
        user,
        as_of: now,
        recent_activity,
        event_counts,
        totals,
        top_items,
    }))
}
