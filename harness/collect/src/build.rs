//! The one build every step shares: `cargo bench --no-run` for all selected
//! scenarios at once, with cargo's JSON messages on stdout so perflab learns
//! where each bench target's executable is.
//!
//! Steps then start those executables directly ([`crate::launch`]). Running
//! `cargo bench -p X --bench Y` per step instead would resolve features for
//! that package alone, which differ from the combined build's, and rebuild
//! dozens of crates before the first step measures anything. Building first
//! also makes compile errors surface before any measuring, and keeps build
//! time out of the first bench step.
//!
//! This module builds and reads cargo's messages; it does not run benches.

use crate::error::{CollectError, Result};
use crate::process::Host;
use crate::progress;
use crate::workspace::{BenchTarget, Scenario, Workspace};
use cargo_metadata::{Message, TargetKind};
use perflab_schema::QUICK_ENV;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The bench executables one build produced.
#[derive(Debug, Default)]
pub struct Built {
    /// `(manifest path, bench target name)` → executable.
    executables: HashMap<(PathBuf, String), PathBuf>,
    log: PathBuf,
}

impl Built {
    /// The executable of `scenario`'s bench target `bench`.
    pub fn executable(&self, scenario: &Scenario, bench: &BenchTarget) -> Result<&Path> {
        self.executables
            .get(&(scenario.manifest_path.clone(), bench.name.clone()))
            .map(PathBuf::as_path)
            .ok_or_else(|| CollectError::NoExecutable {
                package: scenario.package.clone(),
                bench: bench.name.clone(),
                log: self.log.clone(),
            })
    }

    /// Reads the bench executables from cargo's JSON messages (other lines
    /// are ignored: they are not cargo's).
    pub fn from_messages(stdout: &str, log: &Path) -> Self {
        let mut executables = HashMap::new();
        for message in Message::parse_stream(stdout.as_bytes()).flatten() {
            let Message::CompilerArtifact(artifact) = message else {
                continue;
            };
            let Some(executable) = artifact.executable else {
                continue;
            };
            if artifact.target.kind.contains(&TargetKind::Bench) {
                executables.insert(
                    (
                        artifact.manifest_path.into_std_path_buf(),
                        artifact.target.name,
                    ),
                    executable.into_std_path_buf(),
                );
            }
        }
        Built {
            executables,
            log: log.to_owned(),
        }
    }
}

/// Builds every bench target of `scenarios` in one `cargo bench --no-run`.
pub fn build(
    host: &dyn Host,
    workspace: &Workspace,
    scenarios: &[&Scenario],
    quick: bool,
    log: &Path,
    label: &str,
) -> Result<Built> {
    let mut cmd = cargo_bench(workspace, quick);
    for scenario in scenarios {
        cmd.args(["-p", &scenario.package]);
    }
    // Diagnostics stay human-readable on stderr; stdout is cargo's messages.
    cmd.args(["--no-run", "--message-format=json-render-diagnostics"]);
    let stdout = progress::execute(host, &mut cmd, log, label, &is_for_people)?;
    Ok(Built::from_messages(&stdout, log))
}

/// The program perflab runs as cargo: `$CARGO` when perflab itself runs
/// under cargo, so the same toolchain builds and runs.
pub fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn cargo_bench(workspace: &Workspace, quick: bool) -> Command {
    let mut cmd = Command::new(cargo_program());
    cmd.current_dir(&workspace.root).arg("bench");
    // Build scripts may read it; the build must see what the benches will.
    if quick {
        cmd.env(QUICK_ENV, "1");
    } else {
        cmd.env_remove(QUICK_ENV);
    }
    cmd
}

/// Whether a line of the build's output is for people (cargo's status and
/// rendered diagnostics) rather than one of its JSON messages.
fn is_for_people(line: &str) -> bool {
    !line.starts_with("{\"reason\":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bench_executables_and_skips_everything_else() {
        let stdout = concat!(
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/s#0.1.0","manifest_path":"/w/s/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"s","src_path":"/w/s/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/t/release/deps/libs.rlib"],"executable":null,"fresh":true}"#,
            "\n",
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/s#0.1.0","manifest_path":"/w/s/Cargo.toml","target":{"kind":["bench"],"crate_types":["bin"],"name":"wall_time","src_path":"/w/s/benches/wall_time.rs","edition":"2024","doc":false,"doctest":false,"test":false},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":true},"features":[],"filenames":["/t/release/deps/wall_time-0123"],"executable":"/t/release/deps/wall_time-0123","fresh":false}"#,
            "\n",
            "not a message\n",
            r#"{"reason":"build-finished","success":true}"#,
            "\n",
        );
        let built = Built::from_messages(stdout, Path::new("build.log"));
        assert_eq!(built.executables.len(), 1);
        assert_eq!(
            built.executables[&(PathBuf::from("/w/s/Cargo.toml"), "wall_time".to_owned())],
            PathBuf::from("/t/release/deps/wall_time-0123")
        );
    }

    #[test]
    fn cargos_messages_are_not_shown_as_progress() {
        assert!(is_for_people("   Compiling serde v1.0.0"));
        assert!(is_for_people("error[E0308]: mismatched types"));
        assert!(!is_for_people(
            r#"{"reason":"build-finished","success":true}"#
        ));
    }
}
