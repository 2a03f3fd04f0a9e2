//! SQL text the scenarios' seeders share (no driver: strings only).

/// `INSERT INTO table (cols) VALUES (…), …` for `rows` rows. `?`
/// placeholders when `anonymous` (SQLite), `$n` otherwise (PostgreSQL):
/// sqlx looks every `$n` up by name on SQLite, and SQLite's name lookup is
/// linear, which made a 1,000-row batch quadratic (70% of the dashboard's
/// seeding time went to `sqlite3_bind_parameter_name`).
pub fn multi_row_insert(anonymous: bool, table: &str, cols: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            if anonymous {
                sql.push('?');
            } else {
                sql.push_str(&format!("${}", r * cols.len() + c + 1));
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_anonymous_or_numbered() {
        assert_eq!(
            multi_row_insert(true, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(
            multi_row_insert(false, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
