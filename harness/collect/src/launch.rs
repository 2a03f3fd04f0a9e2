//! Starting a built bench executable the way `cargo bench` would, without
//! cargo: its working directory is the package's directory, it gets cargo's
//! variables for the package (`CARGO`, `CARGO_MANIFEST_DIR`,
//! `CARGO_MANIFEST_PATH`, `CARGO_PKG_*`) and the build's library directories
//! on `LD_LIBRARY_PATH`, and `--bench` comes after the tool's own arguments,
//! as cargo appends it.
//!
//! The tools depend on these: without `--bench`, criterion, divan and
//! gungraun all run in test mode and measure nothing; gungraun's runner
//! files its output under `CARGO_PKG_NAME` and runs `$CARGO metadata` from
//! the working directory. `CARGO_PKG_*` variables perflab inherited (from a
//! `cargo run` that started it) are removed, so a bench never sees another
//! package's. Two things cargo adds are left out, as no scenario needs them:
//! the sysroot's library directory on `LD_LIBRARY_PATH` (for benches linking
//! the standard library dynamically) and build scripts' native library
//! directories.
//!
//! This module only builds the command; the tool adds its flags
//! ([`crate::tools::BenchTool::prepare`]) and the step runs it.

use crate::workspace::Scenario;
use perflab_schema::QUICK_ENV;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The command starting `executable`, a bench target of `scenario`, before
/// the tool's arguments; [`finish`] adds cargo's `--bench` after them.
pub fn bench_command(executable: &Path, scenario: &Scenario, quick: bool) -> Command {
    let mut cmd = Command::new(executable);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CARGO_PKG_") {
            cmd.env_remove(name);
        }
    }
    let package_dir = scenario.package_dir();
    cmd.current_dir(package_dir)
        .env("CARGO", crate::build::cargo_program())
        .env("CARGO_MANIFEST_DIR", package_dir)
        .env("CARGO_MANIFEST_PATH", &scenario.manifest_path)
        .envs(scenario.package_env.iter().map(|(k, v)| (k, v)));
    if let Some(path) = library_path(executable) {
        cmd.env("LD_LIBRARY_PATH", path);
    }
    if quick {
        cmd.env(QUICK_ENV, "1");
    } else {
        cmd.env_remove(QUICK_ENV);
    }
    cmd
}

/// Appends cargo's `--bench`, the flag that tells a bench harness it is
/// being benchmarked rather than tested.
pub fn finish(cmd: &mut Command) {
    cmd.arg("--bench");
}

/// The build's output directory and its `deps/` ahead of the inherited
/// `LD_LIBRARY_PATH`, as cargo sets it, for benches linking a dynamic
/// library the build put there. Like cargo, an inherited path that already
/// starts with them (perflab itself started by `cargo run`) is kept as is.
fn library_path(executable: &Path) -> Option<OsString> {
    let deps = executable.parent()?;
    let ours = [deps.parent()?.to_owned(), deps.to_owned()];
    let inherited: Vec<PathBuf> = std::env::var_os("LD_LIBRARY_PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if inherited.starts_with(&ours) {
        return std::env::join_paths(inherited).ok();
    }
    std::env::join_paths(ours.into_iter().chain(inherited)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        Scenario {
            package: "pkg".into(),
            name: "s".into(),
            variants: vec!["a".into()],
            benches: Vec::new(),
            manifest_path: "/w/scenarios/pkg/Cargo.toml".into(),
            package_env: vec![("CARGO_PKG_NAME".into(), "pkg".into())],
        }
    }

    fn env<'a>(cmd: &'a Command, name: &str) -> Option<&'a std::ffi::OsStr> {
        cmd.get_envs()
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v)
    }

    #[test]
    fn runs_in_the_package_directory_with_cargos_variables_and_bench_last() {
        let exe = Path::new("/t/release/deps/wall_time-0123");
        let mut cmd = bench_command(exe, &scenario(), true);
        cmd.arg("--noplot");
        finish(&mut cmd);
        assert_eq!(cmd.get_program(), exe);
        assert_eq!(cmd.get_current_dir(), Some(Path::new("/w/scenarios/pkg")));
        let args: Vec<_> = cmd.get_args().collect();
        assert_eq!(args, ["--noplot", "--bench"]);
        assert_eq!(
            env(&cmd, "CARGO_MANIFEST_DIR"),
            Some("/w/scenarios/pkg".as_ref())
        );
        assert_eq!(env(&cmd, "CARGO_PKG_NAME"), Some("pkg".as_ref()));
        assert_eq!(env(&cmd, QUICK_ENV), Some("1".as_ref()));
        // `cargo test` gave this test process perflab-collect's variables.
        if std::env::var_os("CARGO_PKG_DESCRIPTION").is_some() {
            let description = cmd.get_envs().find(|(k, _)| *k == "CARGO_PKG_DESCRIPTION");
            assert_eq!(
                description.map(|(_, v)| v),
                Some(None),
                "an inherited package's variables are removed"
            );
        }
        let library = env(&cmd, "LD_LIBRARY_PATH").unwrap().to_string_lossy();
        assert!(
            library.starts_with("/t/release:/t/release/deps"),
            "{library}"
        );
    }
}
