//! Query analysis: every statement the endpoint issues, with its plan, flags
//! and median time, as a [`QueryReport`] (the shape `perflab-findings` reads).
//!
//! For a variant and a seeded database, [`explain`] picks two sample users
//! (the one with the fewest orders and the one with the most), runs the
//! plan explainer on each statement with the heaviest user's values, times
//! each statement [`EXPLAIN_RUNS`] times and keeps the median:
//!
//! * SQLite: `EXPLAIN QUERY PLAN <stmt>`; one plan line per row (`detail`).
//! * PostgreSQL: `EXPLAIN (ANALYZE, FORMAT TEXT) <stmt>`. Text, not JSON:
//!   sqlx's `Any` driver maps no JSON type, and the text lines are what the
//!   report shows anyway; the flags below read the text.
//!
//! Flags, derived from the plan lines by [`analyse_plan`]:
//!
//! * **full scan**: a SQLite `SCAN <name>` line without `USING … INDEX`, or
//!   a PostgreSQL `Seq Scan on <table>`, whose name is a base table of the
//!   statement (aliases resolved from its `FROM`/`JOIN`; CTE names and
//!   subqueries are derived tables and never count);
//! * **temp b-tree**: SQLite `USE TEMP B-TREE …`, PostgreSQL a `Sort` node;
//! * **missing index** (heuristic): for each fully scanned table, the
//!   columns of that table the statement compares in its `WHERE`/`ON`
//!   clauses (qualified by one of the table's aliases, or unqualified when
//!   the statement reads that table only): compared with a value first,
//!   join columns after, each in SQL order. When an existing index (primary
//!   keys included, read from the catalog) already leads with the first
//!   such column, the suggestion goes to `unused_indexes` instead: the
//!   planner chose the scan (PostgreSQL does on small tables).
//!
//! Multiplicity per request is taken from the code, not measured: naive
//! issues `order_items` once per order and `product` once per order item
//! of the user, every other statement once (see `naive`); optimized issues
//! each of its three once. A test checks the sums against the statement
//! count the service itself reports. This module neither serves nor seeds.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use perflab_findings::{
    IndexSuggestion, QUERY_REPORT_VERSION, QueryReport, SampleUser, StatementReport,
};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AssertSqlSafe, Connection, Row};

use crate::db::{self, DbError};
use crate::generate::DAY;
use crate::model::{PERIODS_DAYS, RECENT_EVENTS, TOP_ITEMS};
use crate::{Variant, naive, optimized};

/// Executions per statement whose median is reported.
pub const EXPLAIN_RUNS: u32 = 20;

/// What went wrong while analysing, naming the database URL.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// Connecting or reading the reference time failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A statement failed; `what` says which.
    #[error("{what} failed on {url}")]
    Statement {
        what: String,
        url: String,
        #[source]
        source: sqlx::Error,
    },
    /// The database has no users to take as samples.
    #[error("{url} has no users to sample")]
    NoUsers { url: String },
    /// `runs` was 0: a median needs at least one run.
    #[error("runs must be at least 1")]
    NoRuns,
}

/// Which plan format a backend prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of(url: &str) -> Self {
        if db::is_sqlite(url) {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// `sqlite` or `postgres`, as in [`QueryReport::backend`].
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A bound value, resolved against the heaviest sample user.
#[derive(Debug, Clone, Copy)]
enum Param {
    User,
    /// `now - days * DAY`.
    Since(i64),
    Order,
    Product,
    Value(i64),
}

/// How often one request issues a statement.
#[derive(Debug, Clone, Copy)]
enum Times {
    Once,
    PerOrder,
    PerItem,
}

impl Times {
    fn count(self, user: &SampleUser) -> u32 {
        let n = match self {
            Times::Once => 1,
            Times::PerOrder => user.orders,
            Times::PerItem => user.items,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

fn statements(variant: Variant) -> Vec<(&'static str, &'static str, Vec<Param>, Times)> {
    match variant {
        Variant::Naive => naive::STATEMENTS
            .iter()
            .map(|&(name, sql)| {
                let (param, times) = match name {
                    "order_items" => (Param::Order, Times::PerOrder),
                    "product" => (Param::Product, Times::PerItem),
                    _ => (Param::User, Times::Once),
                };
                (name, sql, vec![param], times)
            })
            .collect(),
        Variant::Optimized => optimized::STATEMENTS
            .iter()
            .map(|&(name, sql)| {
                let params = match name {
                    "profile_and_totals" => {
                        let mut p = vec![Param::User];
                        p.extend(PERIODS_DAYS.map(Param::Since));
                        p
                    }
                    "events" => vec![Param::User, Param::Value(RECENT_EVENTS)],
                    _ => vec![Param::User, Param::Value(TOP_ITEMS)],
                };
                (name, sql, params, Times::Once)
            })
            .collect(),
    }
}

/// Analyses every statement of `variant` on the seeded database at `url`,
/// running each `runs` times for its median.
pub async fn explain(variant: Variant, url: &str, runs: u32) -> Result<QueryReport, ExplainError> {
    if runs == 0 {
        return Err(ExplainError::NoRuns);
    }
    let backend = Backend::of(url);
    let mut conn = db::connect(url).await.map_err(|source| DbError::Connect {
        url: url.into(),
        source,
    })?;
    let now = db::reference_now(&mut conn, url).await?;
    let failed = |what: &str| {
        let what = what.to_owned();
        move |source| ExplainError::Statement {
            what,
            url: url.into(),
            source,
        }
    };
    let samples = sample_users(&mut conn)
        .await
        .map_err(failed("sampling users"))?;
    let heavy = samples
        .last()
        .ok_or(ExplainError::NoUsers { url: url.into() })?;
    let first: Option<AnyRow> = sqlx::query(
        "SELECT o.id, i.product_id FROM orders o JOIN order_items i ON i.order_id = o.id \
         WHERE o.user_id = $1 ORDER BY o.id, i.id LIMIT 1",
    )
    .bind(heavy.user_id)
    .fetch_optional(&mut conn)
    .await
    .map_err(failed("finding a sample order"))?;
    let (order, product) = match first {
        Some(row) => (row.try_get(0).unwrap_or(0), row.try_get(1).unwrap_or(0)),
        None => (0, 0),
    };
    let value = |p: Param| match p {
        Param::User => heavy.user_id,
        Param::Since(days) => now - days * DAY,
        Param::Order => order,
        Param::Product => product,
        Param::Value(v) => v,
    };

    let existing = existing_indexes(&mut conn, backend)
        .await
        .map_err(failed("reading the indexes"))?;
    let mut reports = Vec::new();
    for (name, sql, params, times) in statements(variant) {
        let values: Vec<i64> = params.into_iter().map(value).collect();
        let plan = plan_lines(&mut conn, backend, sql, &values)
            .await
            .map_err(failed(&format!("explaining {name}")))?;
        let mut durations = Vec::with_capacity(runs as usize);
        for _ in 0..runs {
            let started = Instant::now();
            // Prepared and cached as the variant itself does: optimized
            // reuses statements on a pooled connection, naive never does.
            bind(sqlx::query(sql), &values)
                .persistent(variant == Variant::Optimized)
                .fetch_all(&mut conn)
                .await
                .map_err(failed(&format!("timing {name}")))?;
            durations.push(started.elapsed());
        }
        let flags = analyse_plan(backend, sql, &plan, &existing);
        reports.push(StatementReport {
            name: name.into(),
            sql: sql.into(),
            plan,
            full_scans: flags.full_scans,
            temp_btree: flags.temp_btree,
            missing_indexes: flags.missing_indexes,
            unused_indexes: flags.unused_indexes,
            median_us: median(&mut durations).as_secs_f64() * 1e6,
            per_request: samples.iter().map(|u| times.count(u)).collect(),
        });
    }
    conn.close().await.map_err(failed("close"))?;
    Ok(QueryReport {
        version: QUERY_REPORT_VERSION,
        variant: variant.name().into(),
        backend: backend.name().into(),
        runs,
        samples,
        statements: reports,
    })
}

fn bind<'q>(mut q: Query<'q, Any, AnyArguments>, values: &[i64]) -> Query<'q, Any, AnyArguments> {
    for &v in values {
        q = q.bind(v);
    }
    q
}

fn median(durations: &mut [Duration]) -> Duration {
    durations.sort_unstable();
    durations[durations.len() / 2]
}

/// The users with the fewest and the most orders (ties: lowest id), with
/// the sizes of their data.
async fn sample_users(conn: &mut AnyConnection) -> Result<Vec<SampleUser>, sqlx::Error> {
    let counts: std::collections::HashMap<i64, i64> =
        sqlx::query("SELECT user_id, CAST(COUNT(*) AS BIGINT) FROM orders GROUP BY user_id")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let ids: Vec<i64> = sqlx::query("SELECT id FROM users ORDER BY id")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let orders = |id: &i64| counts.get(id).copied().unwrap_or(0);
    let light = ids.iter().min_by_key(|&id| (orders(id), *id));
    let heavy = ids
        .iter()
        .min_by_key(|&id| (std::cmp::Reverse(orders(id)), *id));
    let mut picked: Vec<i64> = light.into_iter().chain(heavy).copied().collect();
    picked.dedup();
    let mut samples = Vec::new();
    for user_id in picked {
        let items = count(
            conn,
            user_id,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM order_items i \
             JOIN orders o ON o.id = i.order_id WHERE o.user_id = $1",
        )
        .await?;
        let events = count(
            conn,
            user_id,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM events WHERE user_id = $1",
        )
        .await?;
        let as_u64 = |n: i64| u64::try_from(n).unwrap_or(0);
        samples.push(SampleUser {
            user_id,
            orders: as_u64(orders(&user_id)),
            items: as_u64(items),
            events: as_u64(events),
        });
    }
    Ok(samples)
}

async fn count(
    conn: &mut AnyConnection,
    user_id: i64,
    sql: &'static str,
) -> Result<i64, sqlx::Error> {
    sqlx::query(sql)
        .bind(user_id)
        .fetch_one(conn)
        .await?
        .try_get(0)
}

/// Every index of the database as (table, columns), primary keys included.
async fn existing_indexes(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<IndexSuggestion>, sqlx::Error> {
    let mut found: Vec<(String, String, String)> = Vec::new();
    let mut push = |table: String, index: String, column: String| {
        found.push((table, index, column));
    };
    match backend {
        Backend::Sqlite => {
            // An INTEGER PRIMARY KEY is the rowid: in no index list.
            for row in sqlx::query(
                "SELECT m.name, 'pk', t.name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) t WHERE m.type = 'table' AND t.pk > 0 \
                 UNION ALL \
                 SELECT m.name, l.name, i.name FROM sqlite_master m \
                 JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i \
                 WHERE m.type = 'table' ORDER BY 1, 2",
            )
            .fetch_all(&mut *conn)
            .await?
            {
                push(row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            }
        }
        Backend::Postgres => {
            for row in sqlx::query(
                "SELECT CAST(tablename AS TEXT), CAST(indexname AS TEXT), indexdef \
                 FROM pg_indexes WHERE schemaname = current_schema()",
            )
            .fetch_all(&mut *conn)
            .await?
            {
                let def: String = row.try_get(2)?;
                for column in index_columns(&def) {
                    push(row.try_get(0)?, row.try_get(1)?, column);
                }
            }
        }
    }
    let mut indexes: Vec<(String, IndexSuggestion)> = Vec::new();
    for (table, index, column) in found {
        match indexes
            .iter_mut()
            .find(|(n, i)| n == &index && i.table == table)
        {
            Some((_, i)) => i.columns.push(column),
            None => indexes.push((
                index,
                IndexSuggestion {
                    table,
                    columns: vec![column],
                },
            )),
        }
    }
    Ok(indexes.into_iter().map(|(_, i)| i).collect())
}

/// The column names of a PostgreSQL `indexdef`, e.g. `CREATE INDEX x ON
/// public.t USING btree (a, b DESC)` gives `a`, `b`.
pub fn index_columns(indexdef: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (indexdef.find('('), indexdef.rfind(')')) else {
        return Vec::new();
    };
    indexdef[open + 1..close.max(open + 1)]
        .split(',')
        .filter_map(|c| c.split_whitespace().next())
        .map(|c| c.trim_matches('"').to_owned())
        .collect()
}

async fn plan_lines(
    conn: &mut AnyConnection,
    backend: Backend,
    sql: &str,
    values: &[i64],
) -> Result<Vec<String>, sqlx::Error> {
    let (prefix, column) = match backend {
        Backend::Sqlite => ("EXPLAIN QUERY PLAN", 3),
        Backend::Postgres => ("EXPLAIN (ANALYZE, FORMAT TEXT)", 0),
    };
    let text = format!("{prefix} {sql}");
    bind(sqlx::query(AssertSqlSafe(text)), values)
        .persistent(false)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>(column))
        .collect()
}

/// What [`analyse_plan`] found in one statement's plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanFlags {
    /// Base tables read in full, deduplicated, in plan order.
    pub full_scans: Vec<String>,
    /// A temporary b-tree (SQLite) or a sort node (PostgreSQL).
    pub temp_btree: bool,
    /// One suggestion per fully scanned table whose filter columns are known
    /// and no existing index leads with the first of them.
    pub missing_indexes: Vec<IndexSuggestion>,
    /// Suggestions that an existing index already serves.
    pub unused_indexes: Vec<IndexSuggestion>,
}

/// Reads the flags out of `plan`, the explainer's lines for `sql`, given the
/// database's `existing` indexes (see the module documentation for the
/// rules).
pub fn analyse_plan(
    backend: Backend,
    sql: &str,
    plan: &[String],
    existing: &[IndexSuggestion],
) -> PlanFlags {
    let tokens = tokenize(sql);
    let names = Names::of(&tokens);
    let mut flags = PlanFlags::default();
    for line in plan {
        let line = line.trim().trim_start_matches("->").trim();
        let scanned = match backend {
            Backend::Sqlite => line
                .strip_prefix("SCAN ")
                .filter(|rest| !(rest.contains("USING") && rest.contains("INDEX"))),
            Backend::Postgres => line
                .find("Seq Scan on ")
                .map(|at| &line[at + "Seq Scan on ".len()..]),
        };
        if let Some(name) = scanned.and_then(|rest| rest.split_whitespace().next())
            && let Some(table) = names.table(name)
            && !flags.full_scans.iter().any(|t| t == table)
        {
            flags.full_scans.push(table.to_owned());
        }
        flags.temp_btree |= match backend {
            Backend::Sqlite => line.contains("USE TEMP B-TREE"),
            Backend::Postgres => line.starts_with("Sort ") || line.starts_with("Incremental Sort"),
        };
    }
    for table in &flags.full_scans {
        let columns = filter_columns(&tokens, &names, table);
        let Some(lead) = columns.first() else {
            continue;
        };
        let served = existing
            .iter()
            .find(|i| &i.table == table && i.columns.first() == Some(lead));
        match served {
            Some(index) => flags.unused_indexes.push(index.clone()),
            None => flags.missing_indexes.push(IndexSuggestion {
                table: table.clone(),
                columns,
            }),
        }
    }
    flags
}

const KEYWORDS: [&str; 16] = [
    "WHERE", "JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "CROSS", "ON", "GROUP", "ORDER", "LIMIT",
    "UNION", "SELECT", "AS", "USING", "FROM",
];

fn is_keyword(token: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(token))
}

fn is_ident(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
}

/// Identifiers (with dots), `$n`, numbers, quoted strings and operators.
fn tokenize(sql: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut token = c.to_string();
        if c.is_ascii_alphanumeric() || c == '_' || c == '$' {
            while let Some(&n) = chars.peek() {
                if !(n.is_ascii_alphanumeric() || n == '_' || n == '.') {
                    break;
                }
                token.push(n);
                chars.next();
            }
        } else if c == '\'' {
            for n in chars.by_ref() {
                token.push(n);
                if n == '\'' {
                    break;
                }
            }
        } else if matches!(c, '<' | '>' | '!')
            && let Some(&n) = chars.peek()
            && matches!(n, '=' | '>')
        {
            token.push(n);
            chars.next();
        }
        tokens.push(token);
    }
    tokens
}

/// The statement's tables by every name the plan may use for them.
#[derive(Debug, Default)]
struct Names {
    /// (name or alias, table), excluding CTE names.
    aliases: Vec<(String, String)>,
    /// Distinct base tables.
    tables: Vec<String>,
}

impl Names {
    fn of(tokens: &[String]) -> Self {
        // `name AS (` introduces a CTE: a derived table, never a base one.
        let ctes: Vec<&str> = tokens
            .windows(3)
            .filter(|w| is_ident(&w[0]) && w[1].eq_ignore_ascii_case("AS") && w[2] == "(")
            .map(|w| w[0].as_str())
            .collect();
        let mut names = Names::default();
        for (i, token) in tokens.iter().enumerate() {
            if !(token.eq_ignore_ascii_case("FROM") || token.eq_ignore_ascii_case("JOIN")) {
                continue;
            }
            let Some(table) = tokens.get(i + 1).filter(|t| is_ident(t) && !is_keyword(t)) else {
                continue;
            };
            if ctes.contains(&table.as_str()) {
                continue;
            }
            let mut next = i + 2;
            if tokens
                .get(next)
                .is_some_and(|t| t.eq_ignore_ascii_case("AS"))
            {
                next += 1;
            }
            names.aliases.push((table.clone(), table.clone()));
            if let Some(alias) = tokens.get(next).filter(|t| is_ident(t) && !is_keyword(t)) {
                names.aliases.push((alias.clone(), table.clone()));
            }
            if !names.tables.contains(table) {
                names.tables.push(table.clone());
            }
        }
        names
            .aliases
            .retain(|(name, _)| !ctes.contains(&name.as_str()));
        names
    }

    fn table(&self, name: &str) -> Option<&str> {
        self.aliases
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }
}

/// Columns of `table` compared in the statement's `WHERE`/`ON` clauses.
fn filter_columns(tokens: &[String], names: &Names, table: &str) -> Vec<String> {
    let only_table = names.tables.len() == 1 && names.tables[0] == table;
    let column_of = |token: &str| -> Option<String> {
        if !is_ident(token) || is_keyword(token) {
            return None;
        }
        match token.split_once('.') {
            Some((q, col)) => (names.table(q) == Some(table)).then(|| col.to_owned()),
            None => only_table.then(|| token.to_owned()),
        }
    };
    // Columns compared with a value ($n, a number, a string) lead the
    // index; join columns follow.
    let is_value = |token: &str| !is_ident(token) || token.eq_ignore_ascii_case("TRUE");
    let mut with_value: Vec<String> = Vec::new();
    let mut joined: Vec<String> = Vec::new();
    let mut in_condition = false;
    for (i, token) in tokens.iter().enumerate() {
        let upper = token.to_ascii_uppercase();
        match upper.as_str() {
            "WHERE" | "ON" => in_condition = true,
            "GROUP" | "ORDER" | "LIMIT" | "UNION" | "SELECT" | "FROM" | "JOIN" => {
                in_condition = false
            }
            "=" | "<" | ">" | "<=" | ">=" | "<>" | "!=" | "IN" | "LIKE" if in_condition => {
                let (Some(left), Some(right)) = (
                    i.checked_sub(1).and_then(|l| tokens.get(l)),
                    tokens.get(i + 1),
                ) else {
                    continue;
                };
                for (side, other) in [(left, right), (right, left)] {
                    if let Some(col) = column_of(side) {
                        let list = if is_value(other) {
                            &mut with_value
                        } else {
                            &mut joined
                        };
                        if !list.contains(&col) {
                            list.push(col);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    joined.retain(|c| !with_value.contains(c));
    with_value.extend(joined);
    with_value
}

/// A readable table of `report`: one row per statement, then the plans.
pub fn render_report(report: &QueryReport) -> String {
    let mut out = String::new();
    let users: Vec<String> = report
        .samples
        .iter()
        .map(|u| {
            format!(
                "user {} ({} orders, {} items)",
                u.user_id, u.orders, u.items
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "{} on {}, median of {} runs; per request for {}",
        report.variant,
        report.backend,
        report.runs,
        users.join(" / ")
    );
    let _ = writeln!(
        out,
        "{:<20} {:>12} {:>11} {:>14}  flags",
        "statement", "per request", "median ms", "ms per request"
    );
    for s in &report.statements {
        let per: Vec<String> = s.per_request.iter().map(u32::to_string).collect();
        let mut flags: Vec<String> = s
            .full_scans
            .iter()
            .map(|t| format!("full scan {t}"))
            .collect();
        if s.temp_btree {
            flags.push("temp b-tree".into());
        }
        flags.extend(
            s.missing_indexes
                .iter()
                .map(|m| format!("missing {}", m.ddl())),
        );
        flags.extend(
            s.unused_indexes
                .iter()
                .map(|m| format!("index {} ({}) not used", m.table, m.columns.join(", "))),
        );
        let _ = writeln!(
            out,
            "{:<20} {:>12} {:>11.3} {:>14.3}  {}",
            s.name,
            per.join("/"),
            s.median_us / 1e3,
            s.total_us() / 1e3,
            if flags.is_empty() {
                "-".into()
            } else {
                flags.join("; ")
            }
        );
    }
    for s in &report.statements {
        let _ = writeln!(out, "\n{}:", s.name);
        for line in &s.plan {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(plan: &[&str]) -> Vec<String> {
        plan.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sqlite_scan_without_index_is_a_full_scan_with_a_suggestion() {
        let flags = analyse_plan(
            Backend::Sqlite,
            naive::ORDER_ITEMS,
            &lines(&["SCAN order_items"]),
            &[],
        );
        assert_eq!(flags.full_scans, ["order_items"]);
        assert_eq!(
            flags.missing_indexes,
            [IndexSuggestion {
                table: "order_items".into(),
                columns: vec!["order_id".into()]
            }]
        );
    }

    #[test]
    fn aliases_resolve_and_ctes_and_index_scans_do_not_count() {
        let plan = lines(&[
            "CO-ROUTINE o",
            "SEARCH o USING COVERING INDEX orders_user_time (user_id=?)",
            "SCAN i",
            "SCAN o",
            "SCAN p USING INDEX x",
            "USE TEMP B-TREE FOR GROUP BY",
        ]);
        let flags = analyse_plan(Backend::Sqlite, optimized::PROFILE_AND_TOTALS, &plan, &[]);
        assert_eq!(flags.full_scans, ["order_items"]);
        assert!(flags.temp_btree);
        assert_eq!(flags.missing_indexes[0].columns, ["order_id"]);
    }

    #[test]
    fn postgres_seq_scan_and_sort() {
        let plan = lines(&[
            "Limit  (cost=1..2 rows=5)",
            "  ->  Sort  (cost=1..2 rows=5)",
            "        ->  Seq Scan on orders o  (cost=0..1 rows=3)",
            "              Filter: (user_id = $1)",
        ]);
        let flags = analyse_plan(Backend::Postgres, optimized::TOP, &plan, &[]);
        assert_eq!(flags.full_scans, ["orders"]);
        assert!(flags.temp_btree);
        assert_eq!(flags.missing_indexes[0].columns, ["user_id", "id"]);

        // An index leading with user_id exists: the planner passed it over.
        let existing = [IndexSuggestion {
            table: "orders".into(),
            columns: index_columns(
                "CREATE INDEX orders_user_time ON public.orders USING btree (user_id, placed_at DESC, id)",
            ),
        }];
        assert_eq!(existing[0].columns, ["user_id", "placed_at", "id"]);
        let flags = analyse_plan(Backend::Postgres, optimized::TOP, &plan, &existing);
        assert_eq!(flags.full_scans, ["orders"]);
        assert!(flags.missing_indexes.is_empty());
        assert_eq!(flags.unused_indexes, existing);
    }
}
