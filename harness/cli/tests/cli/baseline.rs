//! `perflab baseline save | list | history`.

use crate::fixture::{MACHINE, Repo, run, scale};
use predicates::prelude::*;

#[test]
fn history_reads_one_point_per_committed_version() {
    let repo = Repo::new();
    for factor in [1.0, 1.1, 1.2] {
        let mut r = run(MACHINE);
        scale(&mut r, factor);
        let path = repo.write_run("r.json", &r);
        repo.perflab()
            .args(["baseline", "save", "--run"])
            .arg(&path)
            .assert()
            .success();
        repo.commit(&format!("baseline x{factor}"));
    }
    let assert = repo
        .perflab()
        .args([
            "baseline",
            "history",
            "--machine",
            MACHINE,
            "--metric",
            "instructions",
            "--variant",
            "naive",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let values: Vec<f64> = stdout
        .lines()
        .skip(1)
        .map(|l| l.rsplit('\t').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(values.len(), 3, "{stdout}");
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {stdout}"
    );

    repo.perflab()
        .args(["baseline", "list", "--against", "HEAD~2"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "main (machine {MACHINE})"
        )));
}

#[test]
fn save_refuses_an_invalid_run_file_and_writes_nothing() {
    let repo = Repo::new();
    let path = repo.path().join("broken.json");
    std::fs::write(&path, "{\"schema\": \"perflab.run\", \"version\": 99}").unwrap();
    repo.perflab()
        .args(["baseline", "save", "--run"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.json"))
        .stderr(predicate::str::contains("version 99"));
    assert!(!repo.path().join("baselines").exists());
}

#[test]
fn save_rejects_a_bad_name() {
    let repo = Repo::new();
    let path = repo.write_run("r.json", &run(MACHINE));
    repo.perflab()
        .args(["baseline", "save", "--name", "../escape", "--run"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid baseline name"));
}
