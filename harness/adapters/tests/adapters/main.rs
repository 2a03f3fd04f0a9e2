//! The adapters against real captured tool output (see `fixtures/README.md`),
//! and against hand-broken copies of it. One test binary, organised by tool.

use perflab_adapters::{AdapterError, Naming, Problem};
use perflab_schema::{Measurement, MetricKind, Run, Tool};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(rel: &str) -> PathBuf {
    fixtures().join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixture(rel)).unwrap()
}

/// The naming of the fixture crate (`[package.metadata.perflab]`).
fn naming() -> Naming {
    Naming::new("sort", ["naive", "optimized"])
}

/// Asserts the measurements form a valid run, as the store will demand.
fn assert_valid(measurements: &[Measurement]) {
    let environment = perflab_schema::testing::environment("test");
    let mut run = Run::new(0, environment);
    run.measurements = measurements.to_vec();
    run.validate().unwrap();
}

/// `(variant, benchmark, metric, estimate)` for compact assertions.
fn summary(measurements: &[Measurement]) -> Vec<(String, String, MetricKind, f64)> {
    measurements
        .iter()
        .map(|m| {
            (
                m.key.variant.clone(),
                m.key.benchmark.clone(),
                m.key.metric,
                m.estimate,
            )
        })
        .collect()
}

fn find<'a>(
    ms: &'a [Measurement],
    variant: &str,
    benchmark: &str,
    metric: MetricKind,
) -> &'a Measurement {
    ms.iter()
        .find(|m| {
            m.key.variant == variant && m.key.benchmark == benchmark && m.key.metric == metric
        })
        .unwrap_or_else(|| panic!("no {variant} {benchmark} {metric} in {:#?}", summary(ms)))
}

/// Copies a fixture directory tree into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn message(err: &AdapterError) -> String {
    err.to_string()
}

mod criterion;
mod divan;
mod gungraun;
