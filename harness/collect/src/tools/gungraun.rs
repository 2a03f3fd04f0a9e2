//! gungraun: instruction counts under valgrind. The bench executable hands
//! its benchmarks to `gungraun-runner`, which must match the library's
//! version; it writes `summary.json` files under `--home=`, which perflab
//! points at the step's fresh output directory, and perflab reads them with
//! [`perflab_adapters::gungraun`].
//!
//! Unlike the other tools, gungraun needs programs outside the bench binary,
//! so it is the one tool whose [`BenchTool::available`] checks anything; a
//! missing or mismatched one is skipped with a warning that says how to get
//! it, never silently. The runner also reads `CARGO_PKG_NAME` and runs
//! `cargo metadata` from its working directory, which the step provides as
//! `cargo bench` would.

use super::{BenchTool, Collected, StepContext};
use crate::error::Result;
use perflab_schema::Tool;
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// gungraun 0.20 library benches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gungraun;

impl BenchTool for Gungraun {
    fn tool(&self) -> Tool {
        Tool::Gungraun
    }

    fn available(&self, workspace_root: &Path) -> Result<(), String> {
        check(workspace_root)
    }

    fn prepare(&self, step: &StepContext<'_>, bench: &mut Command) -> Result<()> {
        let mut home = OsString::from("--home=");
        home.push(step.output());
        bench.arg("--save-summary=json").arg(home);
        Ok(())
    }

    fn read(&self, step: &StepContext<'_>, _stdout: &str) -> Result<Collected> {
        let measurements = perflab_adapters::gungraun::collect(&step.output(), &step.naming())?;
        Ok(measurements.into())
    }
}

/// Whether valgrind and the runner of the locked gungraun version are here.
fn check(workspace_root: &Path) -> Result<(), String> {
    let skipped = "instruction counts (gungraun) skipped";
    if !runs("valgrind", "--version").is_some_and(|v| v.starts_with("valgrind")) {
        return Err(format!(
            "valgrind not found on PATH: {skipped}. Install it, e.g. `apt-get install valgrind`"
        ));
    }
    let Some(wanted) = locked_version(workspace_root, "gungraun") else {
        return Err(format!(
            "gungraun is not in {}/Cargo.lock: {skipped}",
            workspace_root.display()
        ));
    };
    let runner = std::env::var("GUNGRAUN_RUNNER").unwrap_or_else(|_| "gungraun-runner".to_owned());
    let install = format!("cargo install gungraun-runner --version {wanted} --locked");
    match runs(&runner, "--version") {
        None => Err(format!(
            "{runner} not found: {skipped}. Install it with `{install}`"
        )),
        Some(found) => {
            let found = found
                .split_whitespace()
                .last()
                .unwrap_or_default()
                .to_owned();
            if found == wanted {
                Ok(())
            } else {
                Err(format!(
                    "{runner} is version {found} but the benches use gungraun {wanted}: {skipped}. \
                     Install the matching runner with `{install}`"
                ))
            }
        }
    }
}

fn runs(program: &str, arg: &str) -> Option<String> {
    let out = Command::new(program).arg(arg).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The version of `package` that Cargo.lock pins.
fn locked_version(workspace_root: &Path, package: &str) -> Option<String> {
    let lock = std::fs::read_to_string(workspace_root.join("Cargo.lock")).ok()?;
    let needle = format!("name = \"{package}\"\n");
    let start = lock.find(&needle)? + needle.len();
    let line = lock[start..].lines().next()?;
    Some(
        line.strip_prefix("version = ")?
            .trim_matches('"')
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_locked_version() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.lock"),
            "[[package]]\nname = \"gungraun\"\nversion = \"0.20.0\"\n",
        )
        .unwrap();
        assert_eq!(
            super::locked_version(dir.path(), "gungraun").as_deref(),
            Some("0.20.0")
        );
        assert_eq!(super::locked_version(dir.path(), "other"), None);
    }
}
