//! The plan heuristics of [`super`]: which plan lines are full scans or
//! temporary b-trees, and which columns a missing index would cover. Pure
//! functions over SQL text and plan lines; nothing here talks to a database.

use super::Backend;
use perflab_schema::query::IndexSuggestion;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{naive, optimized};

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
