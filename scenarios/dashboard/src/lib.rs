//! A user-dashboard HTTP API whose database access is slow, and the fix.
//!
//! # The problem
//!
//! `GET /users/{id}/dashboard` returns what a dashboard page shows: the
//! user's profile, the latest events, order counts and spend over the last
//! 7/30/365 days and all time, the most bought products and event counts by
//! kind (see [`Dashboard`]). In production its p95 was 3 s against a 500 ms
//! target, and nobody knew where the time went.
//!
//! * [`Variant::Naive`] is what is commonly written first: a new database
//!   connection per request (no pool, nothing prepared twice), the N+1
//!   pattern (all orders, then the items of each order, then the product of
//!   each item, one query each), a schema with primary keys only (so each
//!   `WHERE user_id` / `WHERE order_id` scans a whole table) and aggregation
//!   row by row in Rust. Its statement count grows with the user's data.
//! * [`Variant::Optimized`] keeps a connection pool, runs three set-based
//!   statements (CTE, conditional aggregates, `UNION ALL`, join with
//!   `GROUP BY … LIMIT`), prepared once per connection, against covering
//!   indexes. Three statements for any user.
//!
//! Both return the same JSON for every user (tested on every user of a small
//! data set). The data come from a seeded generator ([`Dataset`]) with a
//! fixed reference "now" stored in the database, so answers never depend on
//! the wall clock. SQLite is the default database; the crate's `postgres`
//! feature lets the same code run on PostgreSQL (see [`db`]).
//!
//! # Expected numbers
//!
//! Default data set ([`Dataset::default_scale`]: 10k users, 2k products,
//! 778k events, 81k orders, 202k items = 1.06M child rows), SQLite in WAL
//! mode, release build, on the shared 2-core development VM. Seeding takes
//! about 1 s of inserts, 1.4 to 2.1 s with the copy and the indexes;
//! `naive.sqlite` is 36 MB, `optimized.sqlite` 73 MB. Sequential
//! in-process medians (`examples/latency.rs`):
//!
//! | user | orders | naive statements | naive | optimized statements | optimized |
//! |------|-------:|-----------------:|------:|---------------------:|----------:|
//! | 12 (no events, no orders) | 0 | 3 | 21 ms | 3 | 0.17 ms |
//! | 9 (light) | 1 | 8 | 26 ms | 3 | 0.21 ms |
//! | 6777 (heaviest) | 199 | 704 | 794 ms | 3 | 0.72 ms |
//!
//! Over 2,000 random users the optimized mean is 0.25 to 0.39 ms (about
//! 0.25 ms of CPU). A rough closed loop over HTTP with 64 keep-alive users
//! (`examples/closed_loop.rs`, client on the same 2 cores) gave about
//! 8,000 requests/s at p95 9 ms for optimized, and 32 requests/s at p95
//! 4.9 s for naive. PostgreSQL 15 gives the same JSON (6,900 requests/s
//! closed loop for optimized). The load-test targets are naive p95 >= 1 s
//! at 200 requests/s, optimized p95 <= 5 ms at the same pace, and
//! optimized >= 3,000 requests/s at p95 <= 25 ms closed loop.
//!
//! This crate does not generate load or measure latency itself; the load
//! bench (goose) will.

pub mod db;
mod exec;
pub mod explain;
mod generate;
mod model;
pub mod monitoring;
mod naive;
mod optimized;
mod seed;
mod service;

pub use db::{DbError, migrate, sqlite_url};
pub use explain::{EXPLAIN_RUNS, ExplainError, explain, render_report};
pub use generate::{
    DAY, DEFAULT_NOW, Dataset, EVENT_KINDS, Generator, SplitMix64, UserRows, products,
};
pub use model::{
    Activity, Dashboard, PERIODS_DAYS, PeriodTotal, Profile, RECENT_EVENTS, TOP_ITEMS, TopItem,
};
pub use monitoring::{Metrics, Telemetry, init_telemetry};
/// Which implementation of the dashboard to run: perflab-kit's variant, the
/// same names in every scenario.
pub use perflab_kit::{UnknownVariant, Variant};
pub use seed::{SeedStats, SqlitePair, seed, seed_sqlite_pair};
pub use service::{
    Answer, BadUserId, DashboardError, POOL_SIZE, QUERIES_HEADER, Service, parse_user_id, serve,
};
