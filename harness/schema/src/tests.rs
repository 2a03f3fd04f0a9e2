use super::*;

fn env() -> Environment {
    Environment {
        git: Some(GitInfo {
            commit: "abc".into(),
            dirty: false,
            branch: Some("main".into()),
        }),
        rustc: Some("rustc 1.95.0".into()),
        target: "x86_64-unknown-linux-gnu".into(),
        cpu_model: Some("Test CPU".into()),
        cores: 2,
        memory_bytes: Some(1 << 30),
        os: "linux".into(),
        kernel: None,
        cargo_lock_sha256: None,
        machine_id: "m1".into(),
    }
}

fn key(metric: MetricKind) -> MeasurementKey {
    MeasurementKey {
        scenario: "autocomplete".into(),
        variant: "naive".into(),
        benchmark: "complete/terms=10k".into(),
        metric,
    }
}

fn sample_run() -> Run {
    let mut run = Run::new(1_700_000_000, env());
    run.measurements.push(
        Measurement::new(key(MetricKind::WallTime), 120.0, Tool::Criterion)
            .with_interval(Interval {
                lower: 110.0,
                upper: 130.0,
                level: 0.95,
            })
            .with_samples(vec![110.0, 120.0, 130.0]),
    );
    run.measurements.push(Measurement::new(
        key(MetricKind::Instructions),
        5000.0,
        Tool::Gungraun,
    ));
    run
}

#[test]
fn round_trips_through_json() {
    let run = sample_run();
    let back = Run::from_json(run.to_json().as_bytes()).unwrap();
    assert_eq!(run, back);
}

#[test]
fn unmeasured_metrics_are_absent_not_zero() {
    let json = sample_run().to_json();
    assert!(!json.contains("heap_total_bytes"));
    assert!(!json.contains("\"samples\": null"));
}

#[test]
fn rejects_foreign_and_future_files() {
    let err = Run::from_json(br#"{"schema":"other","version":1}"#).unwrap_err();
    assert!(err.to_string().contains("not a perflab file"), "{err}");
    let mut run = sample_run();
    run.version = SCHEMA_VERSION + 1;
    let err = Run::from_json(serde_json::to_string(&run).unwrap().as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("version 2 is not supported"),
        "{err}"
    );
}

#[test]
fn rejects_truncated_json() {
    let json = sample_run().to_json();
    let err = Run::from_json(&json.as_bytes()[..json.len() / 2]).unwrap_err();
    assert!(matches!(err, SchemaError::Json(_)), "{err}");
}

#[test]
fn rejects_inconsistent_measurements() {
    let mut run = sample_run();
    run.measurements[0].unit = Unit::Bytes;
    assert!(run.validate().unwrap_err().to_string().contains("unit"));

    let mut run = sample_run();
    run.measurements[1].estimate = f64::NAN;
    assert!(run.validate().unwrap_err().to_string().contains("estimate"));

    let mut run = sample_run();
    let dup = run.measurements[1].clone();
    run.measurements.push(dup);
    assert!(matches!(
        run.validate().unwrap_err(),
        SchemaError::Duplicate(_)
    ));
}

/// The checked-in JSON Schemas must match the types. Regenerate with
/// `PERFLAB_BLESS=1 cargo test -p perflab-schema`.
#[test]
fn checked_in_json_schemas_are_current() {
    for (file, generated) in [
        ("run.v1.schema.json", json_schema()),
        ("fragment.v1.schema.json", fragment_json_schema()),
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        if std::env::var_os("PERFLAB_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "{} is stale: regenerate it with `PERFLAB_BLESS=1 cargo test -p perflab-schema`",
            path.display()
        );
    }
}

#[test]
fn fragments_round_trip_and_are_validated_like_runs() {
    let mut fragment = Fragment::new(sample_run().measurements);
    fragment.artifacts.push(Artifact {
        scenario: "autocomplete".into(),
        variant: "naive".into(),
        benchmark: "complete/terms=10k".into(),
        kind: ArtifactKind::Flamegraph,
        path: "profiles/naive.svg".into(),
        against: None,
    });
    assert_eq!(
        Fragment::from_json(fragment.to_json().as_bytes()).unwrap(),
        fragment
    );
    assert!(fragment.artifacts[0].is_for(&fragment.measurements[0].key));

    fragment.measurements[0].estimate = -1.0;
    let err = Fragment::from_json(fragment.to_json().as_bytes()).unwrap_err();
    assert!(err.to_string().contains("estimate"), "{err}");

    let run = sample_run().to_json();
    let err = Fragment::from_json(run.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("perflab.run"),
        "a run is not a fragment: {err}"
    );
}
