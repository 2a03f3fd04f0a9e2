//! A baseline's values across the commits that changed it (`perflab baseline
//! history`), as a long-format time series: one line per (commit, key), as
//! tab-separated text or JSON, which spreadsheets, plotting tools and later
//! perflab stages read directly.
//!
//! The rows come selected and in order (oldest commit first); this module
//! only writes them out.

use perflab_schema::Measurement;

/// One measurement of the baseline as stored at one commit.
#[derive(Debug, Clone, Copy)]
pub struct HistoryRow<'a> {
    /// Full hex id of the commit that introduced this version.
    pub commit: &'a str,
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// The commit's summary line.
    pub summary: &'a str,
    pub measurement: &'a Measurement,
}

/// A header line, then one tab-separated line per row with the commit id
/// cut to 12 characters.
pub fn render_history_tsv(rows: &[HistoryRow<'_>]) -> String {
    let mut out = String::from("commit\ttime\tscenario\tvariant\tbenchmark\tmetric\testimate\n");
    for row in rows {
        let m = row.measurement;
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            &row.commit[..12.min(row.commit.len())],
            row.time,
            m.key.scenario,
            m.key.variant,
            m.key.benchmark,
            m.key.metric,
            m.estimate
        ));
    }
    out
}

/// A pretty-printed JSON array, one object per row, with the full commit id
/// and summary; a line break last.
pub fn render_history_json(rows: &[HistoryRow<'_>]) -> String {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let m = row.measurement;
            serde_json::json!({
                "commit": row.commit, "time": row.time, "summary": row.summary,
                "scenario": m.key.scenario, "variant": m.key.variant,
                "benchmark": m.key.benchmark, "metric": m.key.metric,
                "estimate": m.estimate, "unit": m.unit,
            })
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&rows).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use perflab_schema::{MeasurementKey, MetricKind, Tool};

    #[test]
    fn tsv_and_json_carry_the_same_rows() {
        let key = MeasurementKey {
            scenario: "autocomplete".into(),
            variant: "naive".into(),
            benchmark: "complete/1k".into(),
            metric: MetricKind::Instructions,
        };
        let m = Measurement::new(key, 1234.5, Tool::Gungraun);
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let rows = [HistoryRow {
            commit,
            time: 1_700_000_000,
            summary: "faster",
            measurement: &m,
        }];
        assert_eq!(
            render_history_tsv(&rows),
            "commit\ttime\tscenario\tvariant\tbenchmark\tmetric\testimate\n\
             0123456789ab\t1700000000\tautocomplete\tnaive\tcomplete/1k\tinstructions\t1234.5\n"
        );
        let json: serde_json::Value = serde_json::from_str(&render_history_json(&rows)).unwrap();
        assert_eq!(json[0]["commit"], commit);
        assert_eq!(json[0]["summary"], "faster");
        assert_eq!(json[0]["estimate"], 1234.5);
        assert_eq!(render_history_json(&[]), "[]\n");
    }
}
