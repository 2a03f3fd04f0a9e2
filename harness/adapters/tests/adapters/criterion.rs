use super::*;
use perflab_adapters::criterion;

const NAIVE: &str = "criterion/home/sort/naive/n=100/new";
const SLASH: &str = "criterion/home/sort/optimized/shape=rev_n=100/new";

/// Parses the three files of `dir`, with any of them replaced.
fn parse_with(
    dir: &str,
    benchmark: Option<&str>,
    estimates: Option<&str>,
    sample: Option<&str>,
) -> Result<Vec<Measurement>, AdapterError> {
    let pick = |replacement: Option<&str>, name: &str| match replacement {
        Some(rel) => read(rel),
        None => read(&format!("{dir}/{name}")),
    };
    criterion::parse(
        &pick(benchmark, "benchmark.json"),
        &pick(estimates, "estimates.json"),
        &pick(sample, "sample.json"),
        &naming(),
        &fixture(dir),
    )
}

#[test]
fn collects_every_new_benchmark_and_ignores_base() {
    let ms = criterion::collect(&fixture("criterion/home"), &naming()).unwrap();
    assert_valid(&ms);
    let keys: Vec<_> = summary(&ms)
        .into_iter()
        .map(|(v, b, m, _)| (v, b, m))
        .collect();
    assert_eq!(
        keys,
        [
            ("default".into(), "checksum".into(), MetricKind::WallTime),
            ("naive".into(), "sort/n=100".into(), MetricKind::WallTime),
            (
                "optimized".into(),
                "sort/shape=rev/n=100".into(),
                MetricKind::WallTime
            ),
        ]
    );
    insta::assert_json_snapshot!(ms);
}

#[test]
fn estimate_interval_and_samples_come_from_the_median_and_sample_json() {
    let ms = parse_with(NAIVE, None, None, None).unwrap();
    let [m] = ms.as_slice() else {
        panic!("expected one measurement")
    };
    assert_eq!(m.tool, Tool::Criterion);
    // The numbers in estimates.json's `median`.
    assert_eq!(m.estimate, 1842.7909398340753);
    let interval = m.interval.unwrap();
    assert_eq!(interval.level, 0.95);
    assert!(interval.lower <= m.estimate && m.estimate <= interval.upper);
    // Samples are per iteration: times[i] / iters[i] of sample.json.
    let sample: serde_json::Value =
        serde_json::from_str(&read(&format!("{NAIVE}/sample.json"))).unwrap();
    let first = sample["times"][0].as_f64().unwrap() / sample["iters"][0].as_f64().unwrap();
    let samples = m.samples.as_ref().unwrap();
    assert_eq!(samples.len(), 10);
    assert_eq!(samples[0], first);
}

#[test]
fn a_truncated_file_is_named_and_called_truncated() {
    let err = parse_with(
        NAIVE,
        None,
        Some("criterion/broken/estimates.truncated.json"),
        None,
    )
    .unwrap_err();
    assert!(matches!(err.problem, Problem::Truncated { .. }), "{err}");
    assert!(err.origin.ends_with("new/estimates.json"), "{err}");
    assert!(message(&err).contains("truncated"), "{err}");
}

#[test]
fn a_missing_median_names_the_field() {
    let err = parse_with(
        NAIVE,
        None,
        Some("criterion/broken/estimates.missing_median.json"),
        None,
    )
    .unwrap_err();
    assert!(err.origin.ends_with("estimates.json"), "{err}");
    assert!(message(&err).contains("missing field `median`"), "{err}");
}

#[test]
fn a_null_estimate_is_rejected() {
    let err = parse_with(
        NAIVE,
        None,
        Some("criterion/broken/estimates.null_median.json"),
        None,
    )
    .unwrap_err();
    assert!(err.origin.ends_with("estimates.json"), "{err}");
    assert!(message(&err).contains("null"), "{err}");
}

#[test]
fn sample_lengths_must_match() {
    let err = parse_with(
        NAIVE,
        None,
        None,
        Some("criterion/broken/sample.length_mismatch.json"),
    )
    .unwrap_err();
    assert!(err.origin.ends_with("sample.json"), "{err}");
    assert!(
        message(&err).contains("has 9 entries but `iters` has 10"),
        "{err}"
    );
}

#[test]
fn full_id_must_match_its_parts() {
    let err = parse_with(
        NAIVE,
        Some("criterion/broken/benchmark.wrong_full_id.json"),
        None,
        None,
    )
    .unwrap_err();
    assert!(err.origin.ends_with("benchmark.json"), "{err}");
    assert!(message(&err).contains("full_id"), "{err}");
}

#[test]
fn estimates_and_samples_from_different_benchmarks_disagree() {
    let other = format!("{SLASH}/sample.json");
    let err = parse_with(NAIVE, None, None, Some(&other)).unwrap_err();
    assert!(matches!(err.problem, Problem::Mismatch(_)), "{err}");
    assert!(message(&err).contains("different runs"), "{err}");
}

#[test]
fn a_benchmark_found_where_criterion_did_not_put_it_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(
        &fixture(NAIVE),
        &tmp.path().join("sort/optimized/n=100/new"),
    );
    let err = criterion::collect(tmp.path(), &naming()).unwrap_err();
    assert!(matches!(err.problem, Problem::Mismatch(_)), "{err}");
    assert!(message(&err).contains("directory_name"), "{err}");
}

#[test]
fn two_benchmarks_with_one_key_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture(NAIVE), &tmp.path().join("a/sort/naive/n=100/new"));
    copy_tree(&fixture(NAIVE), &tmp.path().join("b/sort/naive/n=100/new"));
    let err = criterion::collect(tmp.path(), &naming()).unwrap_err();
    assert!(matches!(err.problem, Problem::Duplicate { .. }), "{err}");
}

#[test]
fn an_empty_or_missing_home_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = criterion::collect(tmp.path(), &naming()).unwrap_err();
    assert!(matches!(err.problem, Problem::NothingFound(_)), "{err}");
    let missing = tmp.path().join("nope");
    let err = criterion::collect(&missing, &naming()).unwrap_err();
    assert!(matches!(err.problem, Problem::Io { .. }), "{err}");
    assert_eq!(err.origin, missing);
}
