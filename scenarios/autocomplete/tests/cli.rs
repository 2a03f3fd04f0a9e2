//! The `autocomplete` binary's `build` and `query`, as a user runs them.

use assert_cmd::Command;
use predicates::prelude::*;

fn autocomplete() -> Command {
    Command::cargo_bin("autocomplete").expect("the binary is built for tests")
}

#[test]
fn build_then_query_exact_and_fuzzy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let terms = dir.path().join("terms.tsv");
    std::fs::write(
        &terms,
        "carton\t8\ncar\t5\ncart\t3\ncarbon\t9\nzebra\t1\nnaïve\t4\n",
    )
    .expect("write");
    let index = dir.path().join("terms.idx");
    autocomplete()
        .args(["build"])
        .arg(&terms)
        .arg("-o")
        .arg(&index)
        .assert()
        .success()
        .stderr(predicate::str::contains("6 distinct terms"));

    autocomplete()
        .arg("query")
        .arg(&index)
        .args(["car", "-k", "2"])
        .assert()
        .success()
        .stdout("carbon\t9\t0\ncarton\t8\t0\n");

    // "cqrt" is one substitution from "cart", a prefix of "carton" and
    // "cart"; "carbon" and "car" are two edits away.
    autocomplete()
        .arg("query")
        .arg(&index)
        .args(["cqrt", "--fuzzy", "1"])
        .assert()
        .success()
        .stdout("carton\t8\t1\ncart\t3\t1\n");

    autocomplete()
        .arg("query")
        .arg(&index)
        .args(["naiv", "--fuzzy", "1", "-k", "1"])
        .assert()
        .success()
        .stdout("naïve\t4\t1\n");

    autocomplete()
        .arg("query")
        .arg(&index)
        .arg("xylophone")
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("no term in"));
}

#[test]
fn bad_input_names_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad_terms = dir.path().join("bad.tsv");
    std::fs::write(&bad_terms, "ok\t1\nbad\tlots\n").expect("write");
    autocomplete()
        .arg("build")
        .arg(&bad_terms)
        .arg("-o")
        .arg(dir.path().join("out.idx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.tsv:2"));
    assert!(!dir.path().join("out.idx").exists(), "nothing half-written");

    let foreign = dir.path().join("foreign.idx");
    std::fs::write(
        &foreign,
        "just some text, long enough to hold a header of an index file, really",
    )
    .expect("write");
    autocomplete()
        .arg("query")
        .arg(&foreign)
        .arg("a")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("foreign.idx")
                .and(predicate::str::contains("not an autocomplete index")),
        );

    let terms = dir.path().join("t.txt");
    std::fs::write(&terms, "alpha\nbeta\n").expect("write");
    let index = dir.path().join("t.idx");
    autocomplete()
        .arg("build")
        .arg(&terms)
        .arg("-o")
        .arg(&index)
        .assert()
        .success();
    let bytes = std::fs::read(&index).expect("read");
    std::fs::write(&index, &bytes[..bytes.len() - 3]).expect("truncate");
    autocomplete()
        .arg("query")
        .arg(&index)
        .arg("a")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("t.idx").and(predicate::str::contains("truncated")));

    std::fs::write(&index, &bytes).expect("restore");
    autocomplete()
        .arg("query")
        .arg(&index)
        .args(["a", "--fuzzy", "3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fuzzy distance 3"));
    autocomplete()
        .arg("query")
        .arg(&index)
        .args(["a", "-k", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-k 0"));
}
