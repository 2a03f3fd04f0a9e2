//! `perflab-findings` on hand-made profiles and query reports. How findings
//! read is tested with their renderers, in `perflab-render`.

use perflab_findings::{FindingKind, Inputs, LoadResults, QueryReport, findings};
use perflab_profile::Folded;
use perflab_schema::testing::naive_query_report as report;

#[test]
fn statements_rank_by_time_per_request_and_n_plus_one_is_detected() {
    let report = report();
    let load = LoadResults {
        p95_ms: Some(40.0),
        throughput_rps: Some(10.0),
    };
    let found = findings(&Inputs {
        queries: Some(&report),
        load: Some(&load),
        ..Inputs::default()
    });

    // order_items: 0.5 ms x 40 = 20 ms of 20.05 ms; user: 0.05 ms (0.25%).
    let kinds: Vec<FindingKind> = found.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FindingKind::NPlusOne,
            FindingKind::MissingIndex,
            FindingKind::FullScan,
            FindingKind::SlowStatement
        ]
    );
    assert_eq!(
        found.iter().map(|f| f.rank).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    let share = 20.0 / 20.05;
    for f in &found {
        assert!((f.share - share).abs() < 1e-9, "{f:?}");
        assert!(f.title.contains("order_items"), "{}", f.title);
    }
    assert_eq!(
        found[1].suggestion,
        "CREATE INDEX order_items_order_id ON order_items (order_id)"
    );
    let slow = &found[3];
    let value = |label: &str, unit: &str| {
        slow.evidence
            .iter()
            .find(|e| e.label == label && e.unit == unit)
            .unwrap()
            .value
    };
    assert_eq!(value("time", "ms per request"), 20.0);
    assert_eq!(value("of p95", "%"), 50.0);
    assert_eq!(value("executions", "per s"), 400.0);
    assert!(
        found[0].suggestion.contains("saving 39 round trips"),
        "{}",
        found[0].suggestion
    );
}

#[test]
fn a_constant_single_statement_is_not_n_plus_one() {
    let mut report = report();
    report.statements.truncate(1);
    let found = findings(&Inputs {
        queries: Some(&report),
        ..Inputs::default()
    });
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, FindingKind::SlowStatement);
    assert_eq!(found[0].share, 1.0);
}

#[test]
fn noise_frames_charge_their_caller_and_small_functions_drop_out() {
    let mut profile = Folded::new();
    profile.add(["main", "serde_json::to_vec", "malloc", "_int_malloc"], 30);
    profile.add(["main", "serde_json::to_vec"], 10);
    profile.add(["main", "dashboard::naive::dashboard"], 59);
    profile.add(["start_thread", "tokio::runtime::park"], 100);
    profile.add(["main", "tiny"], 1);
    let found = findings(&Inputs {
        profile: Some(&profile),
        ..Inputs::default()
    });
    let names: Vec<&str> = found
        .iter()
        .map(|f| f.title.split(' ').next().unwrap())
        .collect();
    // 200 samples: naive 59 (29.5%), to_vec 10 + 30 from malloc (20%);
    // the all-noise idle stack is dropped, `tiny` (0.5%) is under 2%.
    assert_eq!(names, ["dashboard::naive::dashboard", "serde_json::to_vec"]);
    assert!((found[0].share - 0.295).abs() < 1e-12);
    assert!((found[1].share - 0.2).abs() < 1e-12);
    assert!(found.iter().all(|f| f.kind == FindingKind::HotFunction));
}

#[test]
fn a_scan_despite_an_index_says_so() {
    let mut report = report();
    let items = &mut report.statements[1];
    items.unused_indexes = std::mem::take(&mut items.missing_indexes);
    let found = findings(&Inputs {
        queries: Some(&report),
        ..Inputs::default()
    });
    assert!(!found.iter().any(|f| f.kind == FindingKind::MissingIndex));
    let scan = found
        .iter()
        .find(|f| f.kind == FindingKind::FullScan)
        .unwrap();
    assert!(
        scan.suggestion
            .contains("index on order_items (order_id) exists"),
        "{}",
        scan.suggestion
    );
}

#[test]
fn the_report_json_shape_is_stable() {
    let json = serde_json::to_value(report()).unwrap();
    let s = &json["statements"][1];
    assert_eq!(s["missing_indexes"][0]["columns"][0], "order_id");
    assert_eq!(s["per_request"][1], 40);
    assert_eq!(json["samples"][1]["user_id"], 6777);
    let back: QueryReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report());
}
