//! The dashboard's JSON, shared by both variants.
//!
//! Every list has a total order, so the two variants can be compared with
//! `==`: recent activity by time then id, newest first; top items by
//! quantity (descending) then product id; event counts in a map sorted by
//! kind. Money is integer cents. This module holds data only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How many events "recent activity" shows.
pub const RECENT_EVENTS: i64 = 10;
/// How many products "top items" shows.
pub const TOP_ITEMS: i64 = 5;
/// The periods totals are reported for, in days back from the data set's
/// "now"; an order counts for a period when `placed_at > now - days * DAY`.
pub const PERIODS_DAYS: [i64; 3] = [7, 30, 365];

/// The body of `GET /users/{id}/dashboard`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub user: Profile,
    /// The reference time (Unix seconds) the periods count back from.
    pub as_of: i64,
    /// The latest [`RECENT_EVENTS`] events, newest first (ties: higher id first).
    pub recent_activity: Vec<Activity>,
    /// Number of events of each kind the user has; kinds never seen are absent.
    pub event_counts: BTreeMap<String, i64>,
    /// Orders and spend in the last 7, 30 and 365 days, then over all time.
    pub totals: Vec<PeriodTotal>,
    /// The [`TOP_ITEMS`] most bought products (by quantity, ties by id).
    pub top_items: Vec<TopItem>,
}

/// The user's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub created_at: i64,
}

/// One activity event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub id: i64,
    pub kind: String,
    pub detail: String,
    pub occurred_at: i64,
}

/// Orders placed and money spent in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodTotal {
    /// Length of the period in days; `None` for all time.
    pub days: Option<i64>,
    pub orders: i64,
    pub spend_cents: i64,
}

/// A product and how much of it the user bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopItem {
    pub product_id: i64,
    pub name: String,
    pub quantity: i64,
    pub spend_cents: i64,
}
