use super::*;
use perflab_adapters::gungraun;

const HOME: &str = "gungraun/home";
const NAIVE_100: &str = "gungraun/home/fixture-bench/instructions/sort/naive.n_100/summary.json";

fn parse(rel: &str) -> Result<Vec<Measurement>, AdapterError> {
    gungraun::parse_summary(&read(rel), &naming(), &fixture(rel))
}

const CACHE_METRICS: [MetricKind; 5] = [
    MetricKind::L1Hits,
    MetricKind::LlHits,
    MetricKind::RamHits,
    MetricKind::TotalReadWrite,
    MetricKind::EstimatedCycles,
];

#[test]
fn collects_every_summary_under_the_home() {
    let ms = gungraun::collect(&fixture(HOME), &naming()).unwrap();
    assert_valid(&ms);
    // naive: Ir only (2 benches); optimized: Ir + 5 cache metrics (2 benches);
    // par_sort: 6 Callgrind + 6 DHAT metrics.
    assert_eq!(ms.len(), 2 + 2 * 6 + 12);
    assert!(
        ms.iter()
            .all(|m| m.tool == Tool::Gungraun && m.interval.is_none() && m.samples.is_none())
    );
    insta::assert_json_snapshot!(ms);
}

#[test]
fn without_cache_simulation_only_instructions_are_reported() {
    let ms = parse(NAIVE_100).unwrap();
    assert_eq!(
        summary(&ms),
        [(
            "naive".into(),
            "sort/n_100".into(),
            MetricKind::Instructions,
            47969.0
        )]
    );
}

#[test]
fn with_cache_simulation_the_cache_metrics_are_reported() {
    let ms = parse("gungraun/home/fixture-bench/instructions/sort/optimized.n_1000/summary.json")
        .unwrap();
    let get = |metric| find(&ms, "optimized", "sort/n_1000", metric).estimate;
    assert_eq!(get(MetricKind::Instructions), 92892.0);
    assert_eq!(get(MetricKind::TotalReadWrite), 127404.0);
    for metric in CACHE_METRICS {
        assert!(get(metric) >= 0.0);
    }
    // The model behind EstimatedCycles: L1 + 5·LL + 35·RAM.
    let cycles =
        get(MetricKind::L1Hits) + 5.0 * get(MetricKind::LlHits) + 35.0 * get(MetricKind::RamHits);
    assert_eq!(get(MetricKind::EstimatedCycles), cycles);
}

#[test]
fn several_threads_use_the_total_and_dhat_gives_heap_metrics() {
    let ms =
        parse("gungraun/home/fixture-bench/instructions/par_sort/optimized.n_1000/summary.json")
            .unwrap();
    let get = |metric| find(&ms, "optimized", "par_sort/n_1000", metric).estimate;
    // Three parts (threads) of which only the first ran the benchmark body.
    assert_eq!(get(MetricKind::Instructions), 10382.0);
    assert_eq!(get(MetricKind::HeapTotalBytes), 9096.0);
    assert_eq!(get(MetricKind::HeapTotalBlocks), 17.0);
    assert_eq!(get(MetricKind::HeapPeakBytes), 8840.0);
    assert_eq!(get(MetricKind::HeapPeakBlocks), 10.0);
    assert_eq!(get(MetricKind::HeapLeakedBytes), 48.0);
    assert_eq!(get(MetricKind::HeapLeakedBlocks), 1.0);
}

#[test]
fn metrics_with_only_an_old_value_are_absent() {
    let ms = parse("gungraun/cache_sim_dropped.summary.json").unwrap();
    assert_eq!(
        summary(&ms),
        [(
            "naive".into(),
            "sort/n_100".into(),
            MetricKind::Instructions,
            47969.0
        )]
    );
}

#[test]
fn an_unsupported_version_names_the_file_and_both_versions() {
    let err = parse("gungraun/broken/version_6.summary.json").unwrap_err();
    assert!(matches!(err.problem, Problem::Version { .. }), "{err}");
    let text = message(&err);
    assert!(text.contains("version_6.summary.json"), "{text}");
    assert!(
        text.contains("version 6") && text.contains("version 7"),
        "{text}"
    );
}

#[test]
fn a_truncated_summary_is_called_truncated() {
    let err = parse("gungraun/broken/truncated.summary.json").unwrap_err();
    assert!(matches!(err.problem, Problem::Truncated { .. }), "{err}");
    assert!(err.origin.ends_with("truncated.summary.json"));
}

#[test]
fn a_missing_field_is_named() {
    let err = parse("gungraun/broken/missing_profiles.summary.json").unwrap_err();
    assert!(message(&err).contains("missing field `profiles`"), "{err}");
}

#[test]
fn a_value_that_is_no_number_names_its_field() {
    let err = parse("gungraun/broken/bad_number.summary.json").unwrap_err();
    let text = message(&err);
    assert!(
        text.contains("profiles[0].data.total.metrics.Ir.values.new"),
        "{text}"
    );
    assert!(text.contains("\"lots\""), "{text}");
}

#[test]
fn a_summary_without_usable_metrics_is_an_error_not_an_empty_list() {
    let mut summary: serde_json::Value = serde_json::from_str(&read(NAIVE_100)).unwrap();
    summary["profiles"][0]["tool"] = "Memcheck".into();
    let err =
        gungraun::parse_summary(&summary.to_string(), &naming(), Path::new("m.json")).unwrap_err();
    assert!(matches!(err.problem, Problem::NothingFound(_)), "{err}");
}

#[test]
fn an_empty_home_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = gungraun::collect(tmp.path(), &naming()).unwrap_err();
    assert!(message(&err).contains("--save-summary=json"), "{err}");
}
