//! GitHub workflow commands: one `::error` per regression or SLO breach that
//! fails the build, one `::warning` per one that is reported only. GitHub
//! shows them on the run's summary page.

use crate::cells::{bench_name, explain, slo_text};
use crate::units::{format_pct, format_value};
use perflab_compare::Verdict;
use perflab_gate::{Decision, Role, SloBound};

/// The annotations for `decision`, one command per line.
pub fn render_annotations(decision: &Decision) -> String {
    let mut out = String::new();
    for row in decision.rows_by_status() {
        let c = &row.comparison;
        let unit = c.key.metric.unit();
        let subject = format!(
            "{} ({}) [{}]",
            bench_name(&c.key),
            c.key.variant,
            c.key.metric
        );
        if c.verdict == Verdict::Regressed {
            let message = format!(
                "{} {} ({} -> {}): {}; rule: {}",
                c.key.metric,
                c.change_pct.map_or_else(|| "-".to_owned(), format_pct),
                c.baseline
                    .map_or_else(|| "-".to_owned(), |v| format_value(v, unit)),
                c.current
                    .map_or_else(|| "-".to_owned(), |v| format_value(v, unit)),
                explain(c),
                row.source,
            );
            push(
                &mut out,
                row.role,
                &format!("Performance regression: {subject}"),
                &message,
            );
        }
        for check in row.slo.iter().filter(|s| s.breached) {
            let message = format!(
                "{}: {}; rule: {}",
                c.key.metric,
                slo_text(check, unit),
                row.source
            );
            push(
                &mut out,
                check.role,
                &match check.bound {
                    SloBound::Leak(_) => format!("Memory leak: {subject}"),
                    SloBound::Max(_) | SloBound::Min(_) => format!("SLO breached: {subject}"),
                },
                &message,
            );
        }
    }
    out
}

fn push(out: &mut String, role: Role, title: &str, message: &str) {
    let level = match role {
        Role::Gate => "error",
        Role::Inform => "warning",
    };
    out.push_str(&format!(
        "::{level} title={}::{}\n",
        escape_property(title),
        escape_data(message)
    ));
}

/// GitHub's escaping for a command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping for a command's property values, which also end at
/// `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_github_rules() {
        assert_eq!(escape_data("50%\r\nok"), "50%25%0D%0Aok");
        assert_eq!(escape_property("a: b, c%"), "a%3A b%2C c%25");
    }
}
