//! Findings (`perflab findings`) as terminal text or a Markdown table. The
//! ranking and every number are `perflab-findings`'; this only formats.

use perflab_findings::Finding;
use std::fmt::Write as _;

fn evidence(f: &Finding) -> String {
    f.evidence
        .iter()
        .map(|e| format!("{} {} {}", e.label, trim(e.value), e.unit))
        .collect::<Vec<_>>()
        .join(", ")
}

fn trim(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// Plain text for a terminal, one block per finding.
pub fn render_findings(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "no findings: no measurement crossed a threshold\n".into();
    }
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{:>2}. [{}] {:5.1}%  {}",
            f.rank,
            f.kind.label(),
            f.share * 100.0,
            f.title
        );
        let _ = writeln!(out, "      evidence: {}", evidence(f));
        let _ = writeln!(out, "      fix: {}", f.suggestion);
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown table, one row per finding.
pub fn render_findings_markdown(findings: &[Finding]) -> String {
    let mut out = String::from("| # | kind | share | finding | evidence | suggestion |\n");
    out.push_str("|--:|------|------:|---------|----------|------------|\n");
    for f in findings {
        let _ = writeln!(
            out,
            "| {} | {} | {:.1}% | {} | {} | {} |",
            f.rank,
            f.kind.label(),
            f.share * 100.0,
            cell(&f.title),
            cell(&evidence(f)),
            cell(&f.suggestion)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    //! The renderers on the findings of a hand-made query report (the same
    //! report `perflab-findings`' own tests rank).

    use super::*;
    use perflab_findings::{Inputs, findings};
    use perflab_schema::testing::naive_query_report as report;

    #[test]
    fn no_inputs_no_findings_and_renderers_say_so() {
        let found = findings(&Inputs::default());
        assert!(found.is_empty());
        assert!(render_findings(&found).contains("no findings"));
    }

    #[test]
    fn renderers_show_rank_share_evidence_and_fix() {
        let report = report();
        let found = findings(&Inputs {
            queries: Some(&report),
            ..Inputs::default()
        });
        let text = render_findings(&found);
        assert!(text.contains(" 1. [N+1]  99.8%"), "{text}");
        assert!(
            text.contains("fix: CREATE INDEX order_items_order_id"),
            "{text}"
        );
        let md = render_findings_markdown(&found);
        assert_eq!(md.lines().count(), 2 + found.len());
        assert!(md.contains("| 2 | missing index | 99.8% |"), "{md}");
    }
}
