//! `perflab schema`, `perflab compare`, and errors outside any workspace.

use crate::fixture::{MACHINE, Repo, run};
use predicates::prelude::*;

#[test]
fn schema_command_prints_the_checked_in_schema() {
    let checked_in = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/run.v1.schema.json"),
    )
    .unwrap();
    let repo = Repo::new();
    repo.perflab()
        .arg("schema")
        .assert()
        .success()
        .stdout(checked_in);
}

#[test]
fn compare_shows_speedups_between_variants_without_a_baseline() {
    let repo = Repo::new();
    let path = repo.write_run("r.json", &run(MACHINE));
    repo.perflab()
        .args(["compare", "--variants-only", "--run"])
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn missing_run_says_how_to_make_one() {
    let repo = Repo::new();
    repo.perflab()
        .arg("gate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("perflab run"));
}

#[test]
fn run_outside_a_workspace_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("perflab").unwrap();
    cmd.current_dir(dir.path())
        .args(["run", "--quick"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cargo metadata"));
}

#[test]
fn run_with_no_scenarios_is_an_error() {
    let repo = Repo::new();
    repo.perflab()
        .args(["run", "--quick"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no scenario crates"));
}
