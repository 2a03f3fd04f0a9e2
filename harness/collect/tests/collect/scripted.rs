//! A scripted [`Host`]: it plays cargo and each tool by copying the adapters'
//! captured tool output where perflab told the tool to write, and records
//! every command it was asked to run.

use perflab_collect::{
    BenchTarget, BenchTool, Finished, Host, Plan, Result, RunOptions, Scenario, Workspace,
};
use perflab_schema::{Filters, MetricKind, Run, Tool};
use std::cell::RefCell;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters/tests/fixtures")
}

/// The bench targets the scripted build knows, in every test's one package.
const BUILT: &[&str] = &["crit", "crit_again", "instructions", "quick", "load"];

/// One command the host was asked to run.
#[derive(Debug)]
pub struct Recorded {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, Option<String>)>,
}

impl Recorded {
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }

    pub fn has(&self, arg: &str) -> bool {
        self.args.iter().any(|a| a == arg)
    }

    /// The bench target a command starts: the executable is
    /// `…/deps/<target>-<hash>`, as cargo names it. `None` for the build.
    pub fn bench(&self) -> Option<&str> {
        if self.has("--no-run") {
            return None;
        }
        let file = Path::new(&self.program).file_name()?.to_str()?;
        file.rsplit_once('-').map(|(target, _)| target)
    }
}

/// Plays each tool by copying its captured output where perflab told it to write.
#[derive(Default)]
pub struct Scripted {
    pub missing: Vec<Tool>,
    pub failing_bench: Option<&'static str>,
    pub silent_bench: Option<&'static str>,
    pub commands: RefCell<Vec<Recorded>>,
}

/// What `cargo bench --no-run --message-format=json-render-diagnostics`
/// prints on stdout for the fixture package: one artifact per bench target.
fn build_messages(root: &Path) -> String {
    let manifest = manifest_path(root);
    BUILT
        .iter()
        .map(|name| {
            let exe = root.join(format!("target/release/deps/{name}-0123456789abcdef"));
            serde_json::json!({
                "reason": "compiler-artifact",
                "package_id": "path+file:///fixture-bench#0.1.0",
                "manifest_path": manifest,
                "target": {
                    "kind": ["bench"], "crate_types": ["bin"], "name": name,
                    "src_path": root.join(format!("fixture-bench/benches/{name}.rs")),
                    "edition": "2024", "doc": false, "doctest": false, "test": false
                },
                "profile": {
                    "opt_level": "3", "debuginfo": 0, "debug_assertions": false,
                    "overflow_checks": false, "test": true
                },
                "features": [],
                "filenames": [exe],
                "executable": exe,
                "fresh": false
            })
            .to_string()
                + "\n"
        })
        .collect::<String>()
        + "{\"reason\":\"build-finished\",\"success\":true}\n"
}

fn manifest_path(root: &Path) -> PathBuf {
    root.join("fixture-bench/Cargo.toml")
}

pub fn copy_tree(from: &Path, to: &Path) {
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
    fn check_tool(&self, tool: &dyn BenchTool, _: &Path) -> Result<(), String> {
        let tool = tool.tool();
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
            program: command.get_program().to_string_lossy().into_owned(),
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
            None => ok(build_messages(
                command.get_current_dir().expect("cargo runs in the root"),
            )),
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

pub fn workspace(dir: &Path, benches: &[(&str, Tool)]) -> Workspace {
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
            manifest_path: manifest_path(dir),
            package_env: vec![("CARGO_PKG_NAME".into(), "fixture-bench".into())],
        }],
    }
}

pub fn plan(quick: bool) -> RunOptions {
    RunOptions {
        quick,
        profile_seconds: None,
        tools: vec![Tool::Criterion, Tool::Gungraun, Tool::Divan],
        filters: Filters::default(),
    }
}

pub fn empty_run() -> Run {
    Run::new(1, perflab_schema::testing::environment("m"))
}

pub const ALL: &[(&str, Tool)] = &[
    ("crit", Tool::Criterion),
    ("instructions", Tool::Gungraun),
    ("quick", Tool::Divan),
];

/// Plans a run of `workspace` under `options` and collects it into `run`,
/// as `perflab run` does.
pub fn collect(
    host: &dyn Host,
    workspace: &Workspace,
    options: &RunOptions,
    run: &mut Run,
) -> Result<()> {
    let plan = Plan::new(host, workspace, options.clone())?;
    perflab_collect::collect(host, workspace, &plan, run)
}
