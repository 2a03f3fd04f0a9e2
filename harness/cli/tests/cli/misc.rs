//! `perflab schema`, `perflab compare`, and errors outside any workspace.

use crate::fixture::{MACHINE, Repo, run, scale};
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
fn compare_reads_its_limits_from_config() {
    let repo = Repo::new();
    let base = repo.write_run("base.json", &run(MACHINE));
    repo.perflab()
        .args(["baseline", "save", "--run"])
        .arg(&base)
        .assert()
        .success();
    repo.commit("baseline");
    // 1% more instructions: within the built-in 2%, past a 0.5% limit.
    let mut worse = run(MACHINE);
    scale(&mut worse, 1.01);
    let worse = repo.write_run("worse.json", &worse);
    let instructions_row = |stdout: &[u8]| {
        String::from_utf8_lossy(stdout)
            .lines()
            .find(|l| l.contains("naive") && l.contains("instructions"))
            .unwrap_or_else(|| panic!("no instructions row"))
            .to_owned()
    };
    let assert = repo
        .perflab()
        .args(["compare", "--run"])
        .arg(&worse)
        .assert()
        .success();
    let row = instructions_row(&assert.get_output().stdout);
    assert!(row.ends_with("unchanged"), "{row}");

    let strict = repo.path().join("runs/strict.toml");
    std::fs::write(&strict, "[metrics.instructions]\nsoft_pct = 0.5\n").unwrap();
    let assert = repo
        .perflab()
        .args(["compare", "--run"])
        .arg(&worse)
        .arg("--config")
        .arg(&strict)
        .assert()
        .success();
    let row = instructions_row(&assert.get_output().stdout);
    assert!(row.ends_with("regressed"), "{row}");

    repo.perflab()
        .args(["compare", "--config", "nope.toml", "--run"])
        .arg(&worse)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml"));
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
