//! `perflab report`: a site from a run and the git-stored baseline's history;
//! exit 2 naming the file on bad input, with nothing written; the gate's
//! Markdown links regressions to their report pages.

use crate::fixture::{MACHINE, Repo, run, scale};
use predicates::prelude::*;

/// `perflab report --run RUN --out OUT` in `repo`, ready for more flags.
fn report(repo: &Repo, run: &std::path::Path, out: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = repo.perflab();
    cmd.args(["report", "--run"]).arg(run).arg("--out").arg(out);
    cmd
}

/// A repository whose baseline `main` changed over three commits.
fn repo_with_history() -> (Repo, std::path::PathBuf) {
    let repo = Repo::new();
    for (i, factor) in [1.2, 1.1, 1.0].into_iter().enumerate() {
        let mut r = run(MACHINE);
        scale(&mut r, factor);
        let path = repo.write_run(&format!("base{i}.json"), &r);
        repo.perflab()
            .args(["baseline", "save", "--name", "main", "--run"])
            .arg(&path)
            .assert()
            .success();
        repo.commit(&format!("baseline {i}"));
    }
    let current = repo.write_run("current.json", &run(MACHINE));
    (repo, current)
}

#[test]
fn renders_a_site_with_history_into_reports_site() {
    let (repo, current) = repo_with_history();
    let assert = repo
        .perflab()
        .args(["report", "--run"])
        .arg(&current)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let index = repo.path().join("reports/site/index.html");
    assert_eq!(stdout.trim(), index.display().to_string());
    let html = std::fs::read_to_string(&index).unwrap();
    assert!(html.contains("Gate passed"), "{html}");
    assert!(html.contains("baseline versions in git: 3"), "{html}");
    assert!(html.contains("4000×"), "naive → optimized speedup: {html}");
    let page = repo
        .path()
        .join("reports/site")
        .join(perflab_render::html::slug::bench_page(
            "autocomplete",
            "complete/terms_1m_prefix_2",
        ));
    let page = std::fs::read_to_string(page).unwrap();
    assert!(page.contains("chart-lines"), "history chart");

    // A second render replaces the first.
    repo.perflab()
        .args(["report", "--history", "2", "--run"])
        .arg(&current)
        .assert()
        .success();
    let html = std::fs::read_to_string(&index).unwrap();
    assert!(html.contains("baseline versions in git: 2"), "{html}");
}

#[test]
fn without_a_baseline_the_report_still_renders() {
    let repo = Repo::new();
    let current = repo.write_run("current.json", &run(MACHINE));
    let out = repo.path().join("out");
    report(&repo, &current, &out)
        .assert()
        .success()
        .stderr(predicate::str::contains("no baseline"));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("No baseline to compare with"));
}

#[test]
fn missing_or_corrupt_run_is_exit_2_naming_the_file_and_writes_nothing() {
    let repo = Repo::new();
    let out = repo.path().join("site");
    repo.perflab()
        .args(["report", "--run", "nope.json", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.json"));
    let corrupt = repo.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"schema\": \"perflab.run\", \"ver").unwrap();
    report(&repo, &corrupt, &out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("corrupt.json"));
    let mut empty = run(MACHINE);
    empty.measurements.clear();
    let empty = repo.write_run("empty.json", &empty);
    report(&repo, &empty, &out).assert().code(2).stderr(
        predicate::str::contains("empty.json").and(predicate::str::contains("no measurements")),
    );
    assert!(!out.exists());
    assert!(!repo.path().join("reports").exists());
}

#[test]
fn gate_markdown_links_regressions_to_report_pages() {
    let (repo, current) = repo_with_history();
    let mut slower = run(MACHINE);
    scale(&mut slower, 1.5);
    let slower = repo.write_run("slower.json", &slower);
    let markdown = repo.path().join("runs/gate.md");
    repo.perflab()
        .args(["gate", "--run"])
        .arg(&slower)
        .arg("--markdown")
        .arg(&markdown)
        .args(["--report-url", "https://example.org/perf/"])
        .assert()
        .code(1);
    let md = std::fs::read_to_string(&markdown).unwrap();
    let page = perflab_render::html::slug::bench_page("autocomplete", "complete/terms_1m_prefix_2");
    assert!(
        md.contains(&format!("](https://example.org/perf/{page}#m-")),
        "{md}"
    );
    assert!(
        md.contains("[Full report](https://example.org/perf/index.html)"),
        "{md}"
    );

    // Unset: links relative to the workspace root, into reports/site/.
    repo.perflab()
        .args(["gate", "--run"])
        .arg(&current)
        .arg("--markdown")
        .arg(&markdown)
        .assert()
        .code(0);
    let md = std::fs::read_to_string(&markdown).unwrap();
    assert!(md.contains("(reports/site/index.html)"), "{md}");
}

#[test]
fn corrupt_baseline_is_exit_2_naming_the_file() {
    let (repo, current) = repo_with_history();
    std::fs::write(
        repo.baseline_path("main", MACHINE),
        "{\"schema\": \"perflab.run\", \"vers",
    )
    .unwrap();
    let out = repo.path().join("site");
    report(&repo, &current, &out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{MACHINE}.json")));
    assert!(!out.exists());
}
