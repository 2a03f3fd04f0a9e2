//! The orchestration: the commands each tool is started with, and how their
//! results, warnings and failures end up in the run.

use crate::scripted::{ALL, Scripted, collect, empty_run, plan, workspace};
use perflab_schema::{ArtifactKind, Glob, MetricKind, Tool};
use std::path::Path;

#[test]
fn runs_each_tool_with_its_flags_and_collects_every_measurement() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted::default();
    let mut run = empty_run();
    collect(&host, &workspace(dir.path(), ALL), &plan(true), &mut run).unwrap();

    let commands = host.commands.borrow();
    assert_eq!(
        commands.len(),
        4,
        "one build, then one command per bench target"
    );
    assert!(commands[0].has("--no-run") && commands[0].has("fixture-bench"));
    for c in commands.iter() {
        assert_eq!(
            c.env("PERFLAB_QUICK"),
            Some("1"),
            "quick mode reaches the benches: {c:?}"
        );
    }
    let crit = &commands[1];
    assert_eq!(crit.bench(), Some("crit"));
    for flag in [
        "--noplot",
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
    ] {
        assert!(crit.has(flag), "criterion gets {flag}: {crit:?}");
    }
    let gungraun = &commands[2];
    assert!(gungraun.has("--save-summary=json"));
    assert!(
        !gungraun.has("--noplot"),
        "criterion's flags are not passed to other tools"
    );
    assert!(commands[3].has("--color=never"));

    let tools: std::collections::BTreeSet<Tool> = run.measurements.iter().map(|m| m.tool).collect();
    assert_eq!(tools.len(), 3, "{tools:?}");
    assert!(
        run.measurements
            .iter()
            .any(|m| m.key.metric == MetricKind::Instructions)
    );
    run.validate().unwrap();
    assert!(run.warnings.is_empty(), "{:?}", run.warnings);
}

#[test]
fn full_mode_passes_no_quick_settings() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted::default();
    collect(
        &host,
        &workspace(dir.path(), ALL),
        &plan(false),
        &mut empty_run(),
    )
    .unwrap();
    let commands = host.commands.borrow();
    assert!(commands.iter().all(|c| c.env("PERFLAB_QUICK").is_none()));
    assert!(!commands[1].has("--sample-size"));
}

#[test]
fn a_missing_tool_is_skipped_with_a_warning_that_says_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted {
        missing: vec![Tool::Gungraun],
        ..Scripted::default()
    };
    let mut run = empty_run();
    collect(&host, &workspace(dir.path(), ALL), &plan(true), &mut run).unwrap();
    assert!(run.measurements.iter().all(|m| m.tool != Tool::Gungraun));
    assert_eq!(run.warnings.len(), 1);
    assert!(run.warnings[0].contains("instructions") && run.warnings[0].contains("install"));
}

#[test]
fn a_second_tool_measuring_the_same_keys_is_not_recorded_twice() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted::default();
    let mut run = empty_run();
    let benches = [("crit", Tool::Criterion), ("crit_again", Tool::Criterion)];
    collect(
        &host,
        &workspace(dir.path(), &benches),
        &plan(true),
        &mut run,
    )
    .unwrap();
    run.validate().unwrap();
    assert_eq!(run.warnings.len(), 1, "{:?}", run.warnings);
    assert!(run.warnings[0].contains("already measured by criterion"));
}

#[test]
fn filters_keep_only_matching_measurements() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted::default();
    let mut run = empty_run();
    let mut plan = plan(true);
    plan.filters.variant = vec![Glob::new("optimized").unwrap()];
    collect(&host, &workspace(dir.path(), ALL), &plan, &mut run).unwrap();
    assert!(!run.measurements.is_empty());
    assert!(
        run.measurements
            .iter()
            .all(|m| m.key.variant == "optimized")
    );
    let crit = &host.commands.borrow()[1];
    assert!(
        crit.has("/(optimized)(/|$)"),
        "criterion is told to skip other variants: {crit:?}"
    );
}

#[test]
fn a_failing_bench_is_an_error_with_its_output_and_log() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted {
        failing_bench: Some("crit"),
        ..Scripted::default()
    };
    let err = collect(
        &host,
        &workspace(dir.path(), ALL),
        &plan(true),
        &mut empty_run(),
    )
    .unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("sort crit (criterion) failed"), "{msg}");
    assert!(msg.contains("panicked at benches/crit.rs"), "{msg}");
    assert!(msg.contains("fixture-bench.crit.log"), "{msg}");
}

#[test]
fn a_bench_that_produces_nothing_is_an_error_not_an_empty_result() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted {
        silent_bench: Some("crit"),
        ..Scripted::default()
    };
    let err = collect(
        &host,
        &workspace(dir.path(), ALL),
        &plan(true),
        &mut empty_run(),
    )
    .unwrap_err();
    assert!(format!("{err:#}").contains("crit"), "{err:#}");
}

#[test]
fn no_matching_scenario_is_an_error_naming_the_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = plan(true);
    plan.filters.scenario = vec![Glob::new("nope").unwrap()];
    let err = collect(
        &Scripted::default(),
        &workspace(dir.path(), ALL),
        &plan,
        &mut empty_run(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("scenarios: sort"), "{err}");
}

#[test]
fn a_fragment_bench_reports_through_perflab_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted::default();
    let mut run = empty_run();
    let mut plan = plan(true);
    plan.tools.push(Tool::Goose);
    let benches = [("crit", Tool::Criterion), ("load", Tool::Goose)];
    collect(&host, &workspace(dir.path(), &benches), &plan, &mut run).unwrap();
    let p95 = run
        .measurements
        .iter()
        .find(|m| m.key.metric == MetricKind::LatencyP95)
        .unwrap();
    assert_eq!((p95.tool, p95.estimate), (Tool::Goose, 2.5e6));
    assert!(
        run.warnings
            .iter()
            .any(|w| w.contains("ran 10 s instead of 30 s")),
        "{:?}",
        run.warnings
    );
}

#[test]
fn a_fragment_bench_that_writes_nothing_is_an_error_saying_where_perflab_looked() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted {
        silent_bench: Some("load"),
        ..Scripted::default()
    };
    let mut plan = plan(true);
    plan.tools.push(Tool::Goose);
    let benches = [("load", Tool::Goose)];
    let err = collect(
        &host,
        &workspace(dir.path(), &benches),
        &plan,
        &mut empty_run(),
    )
    .unwrap_err();
    assert!(format!("{err:#}").contains("PERFLAB_FRAGMENT"), "{err:#}");
}

#[test]
fn profile_draws_flamegraphs_and_a_differential_per_benchmark() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted::default();
    let mut run = empty_run();
    let mut plan = plan(true);
    plan.profile_seconds = Some(2.0);
    let benches = [("crit", Tool::Criterion)];
    collect(&host, &workspace(dir.path(), &benches), &plan, &mut run).unwrap();

    let commands = host.commands.borrow();
    let profiling = commands
        .iter()
        .find(|c| c.has("--profile-time"))
        .expect("a profiling pass");
    assert!(profiling.has("2"), "{profiling:?}");
    let kinds = |kind: ArtifactKind| run.artifacts.iter().filter(|a| a.kind == kind).count();
    assert_eq!(kinds(ArtifactKind::Flamegraph), 2);
    assert_eq!(kinds(ArtifactKind::FoldedStacks), 2);
    let diff = run
        .artifacts
        .iter()
        .find(|a| a.kind == ArtifactKind::DiffFlamegraph)
        .unwrap();
    assert_eq!(
        (diff.variant.as_str(), diff.against.as_deref()),
        ("optimized", Some("naive"))
    );
    assert_eq!(diff.benchmark, "sort/n=100");
    let svg = std::fs::read_to_string(&diff.path).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("merge"),
        "the diff names the new frame"
    );
    for a in &run.artifacts {
        assert!(
            Path::new(&a.path).starts_with(dir.path().join("target/perflab/profiles")),
            "{a:?}"
        );
    }
}

#[test]
fn steps_start_the_built_executables_as_cargo_bench_would() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted::default();
    collect(
        &host,
        &workspace(dir.path(), ALL),
        &plan(true),
        &mut empty_run(),
    )
    .unwrap();
    let commands = host.commands.borrow();
    assert!(
        commands[0].has("--message-format=json-render-diagnostics"),
        "the build reports its executables: {:?}",
        commands[0]
    );
    for step in &commands[1..] {
        assert!(
            step.program
                .starts_with(&dir.path().join("target/release/deps").display().to_string()),
            "a step starts the built executable, not cargo: {step:?}"
        );
        assert_eq!(
            step.args.last().map(String::as_str),
            Some("--bench"),
            "{step:?}"
        );
        assert_eq!(
            step.env("CARGO_MANIFEST_DIR"),
            Some(dir.path().join("fixture-bench").to_str().unwrap()),
            "{step:?}"
        );
        assert_eq!(
            step.env("CARGO_PKG_NAME"),
            Some("fixture-bench"),
            "{step:?}"
        );
    }
}

#[test]
fn a_bench_target_the_build_did_not_produce_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let benches = [("unbuilt", Tool::Criterion)];
    let err = collect(
        &Scripted::default(),
        &workspace(dir.path(), &benches),
        &plan(true),
        &mut empty_run(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("unbuilt") && msg.contains("fixture-bench"),
        "{msg}"
    );
    assert!(msg.contains("build.log"), "{msg}");
}
