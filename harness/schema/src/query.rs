//! The query-analysis report: the JSON shape `dashboard explain --json`
//! prints and `perflab-findings` reads.
//!
//! One definition for both sides, in the contract crate so that neither side
//! links the other: the dashboard crate builds these types and serializes
//! them, perflab deserializes them. The shape, field by field:
//!
//! ```json
//! {
//!   "variant": "naive",
//!   "backend": "sqlite",
//!   "runs": 20,
//!   "samples": [ { "user_id": 12, "orders": 0, "items": 0, "events": 0 },
//!                { "user_id": 6777, "orders": 199, "items": 510, "events": 310 } ],
//!   "statements": [ {
//!     "name": "order_items",
//!     "sql": "SELECT … FROM order_items WHERE order_id = $1",
//!     "plan": ["SCAN order_items"],
//!     "full_scans": ["order_items"],
//!     "temp_btree": false,
//!     "missing_indexes": [ { "table": "order_items", "columns": ["order_id"] } ],
//!     "unused_indexes": [],
//!     "median_us": 812.5,
//!     "per_request": [0, 199]
//!   } ]
//! }
//! ```
//!
//! `per_request[i]` is how often one request for `samples[i]` issues the
//! statement; samples go from the lightest user to the heaviest. Times are
//! microseconds. This module holds data only; it neither runs nor judges.

use serde::{Deserialize, Serialize};

/// Version of this JSON shape; bump on any incompatible change.
pub const QUERY_REPORT_VERSION: u32 = 1;

/// Every statement one endpoint variant issues, with its plan and timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryReport {
    /// [`QUERY_REPORT_VERSION`] of the producer.
    pub version: u32,
    /// The variant analysed, e.g. `naive`.
    pub variant: String,
    /// `sqlite` or `postgres`: which plan format `plan` holds.
    pub backend: String,
    /// How many times each statement was run to take its median.
    pub runs: u32,
    /// The users whose requests were counted, lightest first.
    pub samples: Vec<SampleUser>,
    /// The statements in the order the endpoint issues them.
    pub statements: Vec<StatementReport>,
}

/// A user whose request was counted, and the size of their data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleUser {
    pub user_id: i64,
    pub orders: u64,
    pub items: u64,
    pub events: u64,
}

/// One statement's plan, flags and timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementReport {
    /// A short stable name, e.g. `order_items`.
    pub name: String,
    /// The statement text as the endpoint sends it.
    pub sql: String,
    /// The plan explainer's lines, outermost first.
    pub plan: Vec<String>,
    /// Base tables the plan reads in full (no index), deduplicated.
    pub full_scans: Vec<String>,
    /// The plan builds a temporary b-tree or sorts without an index.
    pub temp_btree: bool,
    /// Indexes that would turn the full scans into searches.
    pub missing_indexes: Vec<IndexSuggestion>,
    /// Existing indexes that lead with a column the scan filtered on, which
    /// the planner passed over (a small table, or a filter that keeps most
    /// rows). Absent in reports that predate the field.
    #[serde(default)]
    pub unused_indexes: Vec<IndexSuggestion>,
    /// Median duration of one execution, in microseconds.
    pub median_us: f64,
    /// Executions per request, one entry per [`QueryReport::samples`].
    pub per_request: Vec<u32>,
}

impl StatementReport {
    /// Executions per request for the heaviest sample (the largest count).
    pub fn max_per_request(&self) -> u32 {
        self.per_request.iter().copied().max().unwrap_or(0)
    }

    /// Median time × executions for the heaviest sample, in microseconds.
    pub fn total_us(&self) -> f64 {
        self.median_us * f64::from(self.max_per_request())
    }
}

/// A table and the columns its filter or join compared, in SQL order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSuggestion {
    pub table: String,
    pub columns: Vec<String>,
}

impl IndexSuggestion {
    /// The `CREATE INDEX` statement that would serve the filter.
    pub fn ddl(&self) -> String {
        format!(
            "CREATE INDEX {}_{} ON {} ({})",
            self.table,
            self.columns.join("_"),
            self.table,
            self.columns.join(", ")
        )
    }
}
