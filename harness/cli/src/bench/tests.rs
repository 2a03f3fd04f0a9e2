//! `perflab run`'s orchestration against a scripted host that replays the
//! adapters' captured tool output instead of running cargo.

use super::*;
use crate::process::Finished;
use crate::workspace::BenchTarget;
use perflab_schema::{ArtifactKind, MetricKind};
use std::cell::RefCell;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters/tests/fixtures")
}

/// One command the host was asked to run.
#[derive(Debug)]
struct Recorded {
    args: Vec<String>,
    env: Vec<(String, Option<String>)>,
}

impl Recorded {
    fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn has(&self, arg: &str) -> bool {
        self.args.iter().any(|a| a == arg)
    }

    fn bench(&self) -> Option<&str> {
        let i = self.args.iter().position(|a| a == "--bench")?;
        self.args.get(i + 1).map(String::as_str)
    }
}

/// Plays each tool by copying its captured output where perflab told it to write.
#[derive(Default)]
struct Scripted {
    missing: Vec<Tool>,
    failing_bench: Option<&'static str>,
    silent_bench: Option<&'static str>,
    commands: RefCell<Vec<Recorded>>,
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Host for Scripted {
    fn check_tool(&self, tool: Tool, _: &Path) -> Result<(), String> {
        if self.missing.contains(&tool) {
            Err(format!(
                "{tool} is not installed: install it with `apt-get install {tool}`"
            ))
        } else {
            Ok(())
        }
    }

    fn execute(
        &self,
        command: &mut Command,
        _log: &Path,
        on_line: &mut dyn FnMut(&str),
    ) -> Result<Finished> {
        let recorded = Recorded {
            args: command
                .get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            env: command
                .get_envs()
                .map(|(k, v)| {
                    (
                        k.to_string_lossy().into_owned(),
                        v.map(|v| v.to_string_lossy().into_owned()),
                    )
                })
                .collect(),
        };
        on_line("Benchmarking something");
        let bench = recorded.bench().map(str::to_owned);
        let ok = |stdout: String| Finished {
            status: ExitStatus::from_raw(0),
            stdout,
            tail: Vec::new(),
        };
        let result = match bench.as_deref() {
            None => ok(String::new()), // the build step
            Some(b) if Some(b) == self.failing_bench => Finished {
                status: ExitStatus::from_raw(101 << 8),
                stdout: String::new(),
                tail: vec!["thread 'main' panicked at benches/crit.rs:1:1".into()],
            },
            Some(b) if Some(b) == self.silent_bench => ok(String::new()),
            Some(b) if b.starts_with("crit") && recorded.has("--profile-time") => {
                let home = Path::new(recorded.env("CRITERION_HOME").expect("CRITERION_HOME"));
                for (variant, frames) in [
                    ("naive", "main;sort;bubble 90\nmain;sort 10\n"),
                    ("optimized", "main;sort;merge 30\n"),
                ] {
                    let dir = home
                        .join("sort")
                        .join(variant)
                        .join("n=100")
                        .join("profile");
                    std::fs::create_dir_all(&dir).unwrap();
                    std::fs::write(dir.join("flamegraph.folded"), frames).unwrap();
                }
                ok(String::new())
            }
            Some(b) if b.starts_with("crit") => {
                let home = recorded
                    .env("CRITERION_HOME")
                    .expect("criterion gets CRITERION_HOME");
                copy_tree(&fixtures().join("criterion/home"), Path::new(home));
                ok(String::new())
            }
            Some("instructions") => {
                let home = recorded
                    .args
                    .iter()
                    .find_map(|a| a.strip_prefix("--home="))
                    .expect("--home");
                copy_tree(&fixtures().join("gungraun/home"), Path::new(home));
                ok(String::new())
            }
            Some("load") => {
                let path = recorded
                    .env("PERFLAB_FRAGMENT")
                    .expect("fragment benches get PERFLAB_FRAGMENT");
                let key = perflab_schema::MeasurementKey {
                    scenario: "sort".into(),
                    variant: "optimized".into(),
                    benchmark: "load/closed/sort".into(),
                    metric: MetricKind::LatencyP95,
                };
                let measurement = perflab_schema::Measurement::new(key, 2.5e6, Tool::Goose);
                let mut fragment = perflab_schema::Fragment::new(vec![measurement]);
                fragment.warnings.push("ran 10 s instead of 30 s".into());
                std::fs::create_dir_all(Path::new(path).parent().unwrap()).unwrap();
                std::fs::write(path, fragment.to_json()).unwrap();
                ok(String::new())
            }
            Some("quick") => ok(std::fs::read_to_string(
                fixtures().join("divan/nested_args.stdout.txt"),
            )
            .unwrap()),
            Some(other) => panic!("unexpected bench {other}"),
        };
        self.commands.borrow_mut().push(recorded);
        Ok(result)
    }
}

fn workspace(dir: &Path, benches: &[(&str, Tool)]) -> Workspace {
    Workspace {
        root: dir.to_owned(),
        target_dir: dir.join("target"),
        scenarios: vec![Scenario {
            package: "fixture-bench".into(),
            name: "sort".into(),
            variants: vec!["naive".into(), "optimized".into()],
            benches: benches
                .iter()
                .map(|(name, tool)| BenchTarget {
                    name: (*name).into(),
                    tool: *tool,
                })
                .collect(),
        }],
    }
}

fn plan(quick: bool) -> RunPlan {
    RunPlan {
        quick,
        profile_seconds: None,
        tools: vec![Tool::Criterion, Tool::Gungraun, Tool::Divan],
        filters: Filters::default(),
    }
}

fn empty_run() -> Run {
    Run::new(1, perflab_schema::testing::environment("m"))
}

const ALL: &[(&str, Tool)] = &[
    ("crit", Tool::Criterion),
    ("instructions", Tool::Gungraun),
    ("quick", Tool::Divan),
];

#[test]
fn runs_each_tool_with_its_flags_and_collects_every_measurement() {
    let dir = tempfile::tempdir().unwrap();
    let host = Scripted::default();
    let mut run = empty_run();
    super::run(&host, &workspace(dir.path(), ALL), &plan(true), &mut run).unwrap();

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
    super::run(
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
    super::run(&host, &workspace(dir.path(), ALL), &plan(true), &mut run).unwrap();
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
    super::run(
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
    plan.filters.variant = vec![crate::filter::parse_glob("optimized").unwrap()];
    super::run(&host, &workspace(dir.path(), ALL), &plan, &mut run).unwrap();
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
    let err = super::run(
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
    let err = super::run(
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
    plan.filters.scenario = vec![crate::filter::parse_glob("nope").unwrap()];
    let err = super::run(
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
    super::run(&host, &workspace(dir.path(), &benches), &plan, &mut run).unwrap();
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
    let err = super::run(
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
    super::run(&host, &workspace(dir.path(), &benches), &plan, &mut run).unwrap();

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
