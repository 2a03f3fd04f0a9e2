//! `perflab gate`: pass on an unchanged tree, exit 1 on a regression naming
//! the benchmark and metric, exit 2 on bad input.

use crate::fixture::{MACHINE, Repo, run, scale};
use predicates::prelude::*;

/// Saves `run(MACHINE)` as baseline `main` and commits it.
fn repo_with_baseline() -> (Repo, std::path::PathBuf) {
    let repo = Repo::new();
    let current = repo.write_run("current.json", &run(MACHINE));
    repo.perflab()
        .args(["baseline", "save", "--name", "main", "--run"])
        .arg(&current)
        .assert()
        .success()
        .stdout(predicate::str::contains("saved baseline main"));
    repo.commit("baseline");
    (repo, current)
}

#[test]
fn unchanged_run_passes() {
    let (repo, current) = repo_with_baseline();
    repo.perflab()
        .args(["gate", "--against", "HEAD", "--run"])
        .arg(&current)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("complete/terms_1m_prefix_2"));
}

#[test]
fn baseline_edited_to_be_ten_percent_faster_fails_the_gate() {
    let (repo, current) = repo_with_baseline();
    // Edit the committed baseline: every value 10% lower, as if the code had been faster.
    let path = repo.baseline_path("main", MACHINE);
    let mut baseline = perflab_schema::Run::from_json(&std::fs::read(&path).unwrap()).unwrap();
    scale(&mut baseline, 0.9);
    std::fs::write(&path, baseline.to_json()).unwrap();
    repo.commit("faster baseline");

    let markdown = repo.path().join("runs/gate.md");
    let assert = repo
        .perflab()
        .args(["gate", "--against", "HEAD", "--annotations", "--run"])
        .arg(&current)
        .arg("--markdown")
        .arg(&markdown)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("complete/terms_1m_prefix_2"), "{stdout}");
    assert!(stdout.contains("instructions"), "{stdout}");
    assert!(
        stdout.contains("::error"),
        "annotations name the regression: {stdout}"
    );
    let md = std::fs::read_to_string(&markdown).unwrap();
    assert!(
        md.contains("complete/terms_1m_prefix_2") && md.contains("instructions"),
        "{md}"
    );

    // The previous commit's baseline still passes: refs are read from git, not the work tree.
    repo.perflab()
        .args(["gate", "--against", "HEAD~1", "--run"])
        .arg(&current)
        .assert()
        .code(0);
}

#[test]
fn corrupt_baseline_is_an_error_naming_the_file() {
    let (repo, current) = repo_with_baseline();
    std::fs::write(
        repo.baseline_path("main", MACHINE),
        "{\"schema\": \"perflab.run\", \"vers",
    )
    .unwrap();
    repo.perflab()
        .args(["gate", "--run"])
        .arg(&current)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "baselines/main/{MACHINE}.json"
        )))
        .stderr(predicate::str::contains("corrupt"));
}

#[test]
fn baseline_from_another_machine_is_never_compared_silently() {
    let (repo, _) = repo_with_baseline();
    let other = repo.write_run("other.json", &run("other-machine"));
    repo.perflab()
        .args(["gate", "--run"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no baseline main (machine other-machine)",
        ))
        .stderr(predicate::str::contains(format!(
            "main (machine {MACHINE})"
        )));
    // Asked for deliberately, it compares and says so.
    repo.perflab()
        .args(["gate", "--machine", MACHINE, "--run"])
        .arg(&other)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("comparing across machines"));
}

#[test]
fn merge_base_reads_the_baseline_where_the_branch_forked() {
    let (repo, current) = repo_with_baseline();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let path = repo.baseline_path("main", MACHINE);
    let mut changed = perflab_schema::Run::from_json(&std::fs::read(&path).unwrap()).unwrap();
    scale(&mut changed, 0.5);
    std::fs::write(&path, changed.to_json()).unwrap();
    repo.commit("feature changes the baseline");
    repo.perflab()
        .args(["gate", "--merge-base", "main", "--run"])
        .arg(&current)
        .assert()
        .code(0);
    repo.perflab()
        .args(["gate", "--run"])
        .arg(&current)
        .assert()
        .code(1);
}

#[test]
fn bad_config_is_an_error_naming_the_file() {
    let (repo, current) = repo_with_baseline();
    std::fs::write(
        repo.path().join("perflab.toml"),
        "[metrics.instructionz]\nsoft_pct = 1.0\n",
    )
    .unwrap();
    repo.perflab()
        .args(["gate", "--run"])
        .arg(&current)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("perflab.toml"))
        .stderr(predicate::str::contains("instructionz"));
}

#[test]
fn config_can_tighten_a_limit_until_a_small_change_fails() {
    let (repo, _) = repo_with_baseline();
    let mut slightly_worse = run(MACHINE);
    scale(&mut slightly_worse, 1.01);
    let current = repo.write_run("worse.json", &slightly_worse);
    repo.perflab()
        .args(["gate", "--run"])
        .arg(&current)
        .assert()
        .code(0);
    std::fs::write(
        repo.path().join("perflab.toml"),
        "[metrics.instructions]\nsoft_pct = 0.5\n",
    )
    .unwrap();
    repo.perflab()
        .args(["gate", "--run"])
        .arg(&current)
        .assert()
        .code(1);
}
