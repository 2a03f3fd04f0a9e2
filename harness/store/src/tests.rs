use super::*;
use perflab_schema::{Measurement, MeasurementKey, MetricKind, Tool};
use std::path::Path;

fn run(machine: &str, instructions: f64) -> Run {
    let env = perflab_schema::testing::environment(machine);
    let mut run = Run::new(0, env);
    let key = MeasurementKey {
        scenario: "s".into(),
        variant: "naive".into(),
        benchmark: "b".into(),
        metric: MetricKind::Instructions,
    };
    run.measurements
        .push(Measurement::new(key, instructions, Tool::Gungraun));
    run
}

fn commit_all(repo: &git2::Repository, message: &str) -> git2::Oid {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    let parents: Vec<git2::Commit<'_>> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap()
}

fn instructions(run: &Run) -> f64 {
    run.measurements[0].estimate
}

#[test]
fn names_are_validated() {
    assert!(BaselineId::new("main", "abc-123").is_ok());
    for bad in ["", "../x", ".hidden", "a/b", "spa ce"] {
        let err = BaselineId::new(bad, "m").unwrap_err();
        assert!(err.to_string().contains("invalid baseline name"), "{err}");
    }
}

#[test]
fn work_tree_save_load_list() {
    let dir = tempfile::tempdir().unwrap();
    let store = WorkTree::new(dir.path().join("baselines"));
    let path = store.save("main", &run("m1", 10.0)).unwrap();
    assert!(path.ends_with("baselines/main/m1.json"));
    let id = BaselineId::new("main", "m1").unwrap();
    assert_eq!(instructions(&store.load(&id).unwrap().unwrap()), 10.0);
    assert!(
        store
            .load(&BaselineId::new("main", "m2").unwrap())
            .unwrap()
            .is_none()
    );
    assert_eq!(store.list().unwrap(), vec![id]);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("baselines/main"))
        .unwrap()
        .collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn corrupt_baseline_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = WorkTree::new(dir.path().join("baselines"));
    let path = store.save("main", &run("m1", 10.0)).unwrap();
    std::fs::write(&path, "{\"schema\": \"perflab.run\", \"version\": 1, ").unwrap();
    let err = store
        .load(&BaselineId::new("main", "m1").unwrap())
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("baselines/main/m1.json") && msg.contains("corrupt"),
        "{msg}"
    );
}

#[test]
fn baseline_filed_under_wrong_machine_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = WorkTree::new(dir.path().join("baselines"));
    let path = store.save("main", &run("m1", 10.0)).unwrap();
    std::fs::copy(&path, path.with_file_name("m2.json")).unwrap();
    let err = store
        .load(&BaselineId::new("main", "m2").unwrap())
        .unwrap_err();
    assert!(matches!(err, StoreError::MachineMismatch { .. }), "{err}");
}

#[test]
fn git_reads_any_ref_without_touching_the_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let baselines = dir.path().join("baselines");
    let store = WorkTree::new(&baselines);
    store.save("main", &run("m1", 10.0)).unwrap();
    let first = commit_all(&repo, "first baseline");
    repo.tag_lightweight("v1", &repo.find_object(first, None).unwrap(), false)
        .unwrap();
    store.save("main", &run("m1", 20.0)).unwrap();
    commit_all(&repo, "second baseline");
    store.save("main", &run("m1", 30.0)).unwrap(); // uncommitted

    let git = GitRepo::discover(&baselines).unwrap();
    let id = BaselineId::new("main", "m1").unwrap();
    let at = |spec: &str| {
        let oid = git.resolve(spec).unwrap();
        instructions(&git.snapshot(oid, spec).load(&id).unwrap().unwrap())
    };
    assert_eq!(at("HEAD"), 20.0);
    assert_eq!(at("HEAD~1"), 10.0);
    assert_eq!(at("v1"), 10.0);
    assert_eq!(at(&first.to_string()), 10.0);
    assert_eq!(
        instructions(&store.load(&id).unwrap().unwrap()),
        30.0,
        "work tree untouched"
    );
    assert_eq!(
        git.snapshot(git.resolve("HEAD").unwrap(), "HEAD")
            .list()
            .unwrap(),
        vec![id]
    );

    let err = git.resolve("no-such-branch").unwrap_err();
    assert!(err.to_string().contains("no-such-branch"), "{err}");
}

#[test]
fn merge_base_is_where_the_branch_forked() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let baselines = dir.path().join("baselines");
    let store = WorkTree::new(&baselines);
    store.save("main", &run("m1", 10.0)).unwrap();
    let fork = commit_all(&repo, "fork point");
    let fork_commit = repo.find_commit(fork).unwrap();
    repo.branch("trunk", &fork_commit, false).unwrap();
    store.save("main", &run("m1", 20.0)).unwrap();
    commit_all(&repo, "on the feature branch");
    let git = GitRepo::discover(&baselines).unwrap();
    assert_eq!(git.merge_base_with("trunk").unwrap(), fork);
}

#[test]
fn history_is_one_point_per_version_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let baselines = dir.path().join("baselines");
    let store = WorkTree::new(&baselines);
    for (i, value) in [10.0, 10.0, 12.0, 11.0].iter().enumerate() {
        store.save("main", &run("m1", *value)).unwrap();
        std::fs::write(dir.path().join("other.txt"), i.to_string()).unwrap();
        commit_all(&repo, &format!("commit {i}"));
    }
    let git = GitRepo::discover(&baselines).unwrap();
    let id = BaselineId::new("main", "m1").unwrap();
    let (points, skipped) = git.history(&id, 100).unwrap();
    assert!(skipped.is_empty());
    let values: Vec<f64> = points.iter().map(|p| instructions(&p.run)).collect();
    assert_eq!(values, vec![10.0, 12.0, 11.0]);
    assert_eq!(
        points[0].summary, "commit 0",
        "a version is dated by the commit that introduced it"
    );
    let (newest, _) = git.history(&id, 2).unwrap();
    let values: Vec<f64> = newest.iter().map(|p| instructions(&p.run)).collect();
    assert_eq!(values, vec![12.0, 11.0]);
}

#[test]
fn history_reports_corrupt_versions_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let baselines = dir.path().join("baselines");
    let store = WorkTree::new(&baselines);
    let path = store.save("main", &run("m1", 10.0)).unwrap();
    commit_all(&repo, "good");
    std::fs::write(&path, "not json").unwrap();
    commit_all(&repo, "broken");
    store.save("main", &run("m1", 12.0)).unwrap();
    commit_all(&repo, "fixed");
    let git = GitRepo::discover(Path::new(&baselines)).unwrap();
    let (points, skipped) = git
        .history(&BaselineId::new("main", "m1").unwrap(), 100)
        .unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0].contains("baselines/main/m1.json"),
        "{}",
        skipped[0]
    );
}
