//! Is a measuring tool usable here? Missing tools are skipped with a warning
//! that says how to get them, never silently.

use perflab_schema::Tool;
use std::path::Path;
use std::process::Command;

/// Whether `tool` can run, or why not and how to fix it.
pub fn check(tool: Tool, workspace_root: &Path) -> Result<(), String> {
    match tool {
        // Libraries linked into the bench binary: nothing external to check.
        Tool::Criterion | Tool::Divan | Tool::Goose | Tool::Dhat => Ok(()),
        Tool::Gungraun => check_gungraun(workspace_root),
        other => Err(format!("{other} benches are not run by `perflab run` yet")),
    }
}

fn check_gungraun(workspace_root: &Path) -> Result<(), String> {
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
