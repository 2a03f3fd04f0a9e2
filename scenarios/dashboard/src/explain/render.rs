//! The terminal rendering of a query analysis report.

use perflab_schema::query::QueryReport;
use std::fmt::Write as _;

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
