//! Renderers: finished findings to terminal text or Markdown. They compute
//! nothing.

use std::fmt::Write as _;

use crate::finding::Finding;

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
