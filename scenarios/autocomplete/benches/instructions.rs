//! Instruction counts of one completion query (gungraun/callgrind).
//!
//! Ids: `instructions::complete::<variant>.terms_<size>_prefix_2`. The setup
//! (generate + build) runs outside the measured function, and the function
//! hands the index back so that dropping it is not measured either.
//!
//! Sizes are declared statically; the run mode picks among them at runtime
//! with gungraun's own filter: under `PERFLAB_QUICK=1` (drops 1M, whose setup
//! is slow under valgrind) and under `cargo test --benches` (10k only) the
//! binary re-runs itself with `GUNGRAUN_FILTER` set, unless a filter was
//! already given.

use std::hint::black_box;

use autocomplete::workload::{self, K, LARGE, MEDIUM, RunMode, SMALL, Size};
use autocomplete::{Completer, Naive, Optimized, Suggestion};
use gungraun::{LibraryBenchmarkConfig, library_benchmark, library_benchmark_group, main};

/// A built index and the prefix to query.
struct Case<C> {
    index: C,
    prefix: String,
}

fn case<C: Completer>(size: Size) -> Case<C> {
    let (terms, prefix) = workload::inputs(size);
    Case {
        index: C::build(terms),
        prefix,
    }
}

fn naive_case(size: Size) -> Case<Naive> {
    case(size)
}

fn optimized_case(size: Size) -> Case<Optimized> {
    case(size)
}

#[library_benchmark(setup = naive_case)]
#[bench::terms_10k_prefix_2(SMALL)]
#[bench::terms_100k_prefix_2(MEDIUM)]
#[bench::terms_1m_prefix_2(LARGE)]
fn naive(case: Case<Naive>) -> (Case<Naive>, Vec<Suggestion>) {
    let found = black_box(case.index.complete(black_box(&case.prefix), K));
    (case, found)
}

#[library_benchmark(setup = optimized_case)]
#[bench::terms_10k_prefix_2(SMALL)]
#[bench::terms_100k_prefix_2(MEDIUM)]
#[bench::terms_1m_prefix_2(LARGE)]
fn optimized(case: Case<Optimized>) -> (Case<Optimized>, Vec<Suggestion>) {
    let found = black_box(case.index.complete(black_box(&case.prefix), K));
    (case, found)
}

library_benchmark_group!(
    name = complete;
    compare_by_id = true;
    benchmarks = naive, optimized
);

/// Restricts the run to the sizes of the current mode, then returns the
/// default configuration.
///
/// The filter is read by `gungraun-runner`, which this process starts after
/// evaluating the configuration; setting an environment variable of our own
/// process would need `unsafe`, so the binary runs itself again with the
/// variable set and exits with the child's status.
fn config() -> LibraryBenchmarkConfig {
    let filter = workload::gungraun_filter(RunMode::detect());
    if let Some(filter) = filter
        && std::env::var_os("GUNGRAUN_FILTER").is_none()
    {
        let exe = std::env::current_exe().expect("the bench binary knows its own path");
        let status = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("GUNGRAUN_FILTER", filter)
            .status()
            .expect("the bench binary can run itself");
        std::process::exit(status.code().unwrap_or(1));
    }
    LibraryBenchmarkConfig::default()
}

main!(
    config = config();
    library_benchmark_groups = complete
);
