//! Instruction counts of one completion query (gungraun/callgrind): naive,
//! the fst peer and optimized.
//!
//! Ids: `instructions::complete::<variant>.terms_<size>_prefix_2` for the
//! representative prefix and `...terms_<size>_fuzzy_d<1|2>` for the fuzzy
//! headline queries (see [`autocomplete::workload::Case`]), so perflab keys
//! them `complete/terms_<size>_…` as criterion and divan do. Fuzzy queries
//! stop at 100k: under valgrind a naive fuzzy scan of 1M terms takes
//! seconds, and the setup (generate + build) of 1M as long again. The setup
//! (generate, build, and one warm-up query, see `built`) runs outside the
//! measured function, and the function hands the index back so that
//! dropping it is not measured either.
//!
//! Sizes are declared statically; the run mode picks among them at runtime
//! with gungraun's own filter: under `PERFLAB_QUICK=1` (drops 1M, whose setup
//! is slow under valgrind) and under `cargo test --benches` (10k only) the
//! binary re-runs itself with `GUNGRAUN_FILTER` set, unless a filter was
//! already given.

use std::hint::black_box;

use autocomplete::workload::{self, Case, K, LARGE, MEDIUM, RunMode, SMALL};
use autocomplete::{Completer, FstMap, FuzzyQuery, Naive, Optimized, Suggestion};
use gungraun::{LibraryBenchmarkConfig, library_benchmark, library_benchmark_group, main};

/// The query of a case, ready to run.
enum Query {
    Prefix(String),
    Fuzzy(FuzzyQuery),
}

/// A built index and the query to run.
struct Built<C> {
    index: C,
    query: Query,
}

impl<C: Completer> Built<C> {
    fn run(&self) -> Vec<Suggestion> {
        match &self.query {
            Query::Prefix(prefix) => self.index.complete(black_box(prefix), K),
            Query::Fuzzy(query) => self.index.complete_fuzzy(black_box(query), K),
        }
    }
}

fn built<C: Completer>(case: Case) -> Built<C> {
    let (terms, text) = case.inputs();
    let query = match case.fuzzy {
        None => Query::Prefix(text),
        Some(distance) => match FuzzyQuery::new(&text, distance) {
            Ok(query) => Query::Fuzzy(query),
            Err(e) => panic!("the fuzzy headline query {text:?}: {e}"),
        },
    };
    let built = Built {
        index: C::build(terms),
        query,
    };
    // One unmeasured query first: a build that frees many small blocks at
    // its end (the fst's canonical terms) leaves glibc's fastbins full, and
    // the next larger allocation consolidates them. Measured cold, the
    // fst's 10k prefix query counted 2,218,304 instructions, 1,918,526 of
    // them in that one `malloc` (`malloc_consolidate`); that is the
    // build's debt, not the query's.
    black_box(built.run());
    built
}

fn naive_case(case: Case) -> Built<Naive> {
    built(case)
}

fn fst_case(case: Case) -> Built<FstMap> {
    built(case)
}

fn optimized_case(case: Case) -> Built<Optimized> {
    built(case)
}

#[library_benchmark(setup = naive_case)]
#[bench::terms_10k_prefix_2(Case::prefix(SMALL))]
#[bench::terms_100k_prefix_2(Case::prefix(MEDIUM))]
#[bench::terms_1m_prefix_2(Case::prefix(LARGE))]
#[bench::terms_10k_fuzzy_d1(Case::fuzzy(SMALL, 1))]
#[bench::terms_10k_fuzzy_d2(Case::fuzzy(SMALL, 2))]
#[bench::terms_100k_fuzzy_d1(Case::fuzzy(MEDIUM, 1))]
#[bench::terms_100k_fuzzy_d2(Case::fuzzy(MEDIUM, 2))]
fn naive(case: Built<Naive>) -> (Built<Naive>, Vec<Suggestion>) {
    let found = black_box(case.run());
    (case, found)
}

#[library_benchmark(setup = fst_case)]
#[bench::terms_10k_prefix_2(Case::prefix(SMALL))]
#[bench::terms_100k_prefix_2(Case::prefix(MEDIUM))]
#[bench::terms_1m_prefix_2(Case::prefix(LARGE))]
#[bench::terms_10k_fuzzy_d1(Case::fuzzy(SMALL, 1))]
#[bench::terms_10k_fuzzy_d2(Case::fuzzy(SMALL, 2))]
#[bench::terms_100k_fuzzy_d1(Case::fuzzy(MEDIUM, 1))]
#[bench::terms_100k_fuzzy_d2(Case::fuzzy(MEDIUM, 2))]
fn fst(case: Built<FstMap>) -> (Built<FstMap>, Vec<Suggestion>) {
    let found = black_box(case.run());
    (case, found)
}

#[library_benchmark(setup = optimized_case)]
#[bench::terms_10k_prefix_2(Case::prefix(SMALL))]
#[bench::terms_100k_prefix_2(Case::prefix(MEDIUM))]
#[bench::terms_1m_prefix_2(Case::prefix(LARGE))]
#[bench::terms_10k_fuzzy_d1(Case::fuzzy(SMALL, 1))]
#[bench::terms_10k_fuzzy_d2(Case::fuzzy(SMALL, 2))]
#[bench::terms_100k_fuzzy_d1(Case::fuzzy(MEDIUM, 1))]
#[bench::terms_100k_fuzzy_d2(Case::fuzzy(MEDIUM, 2))]
fn optimized(case: Built<Optimized>) -> (Built<Optimized>, Vec<Suggestion>) {
    let found = black_box(case.run());
    (case, found)
}

library_benchmark_group!(
    name = complete;
    compare_by_id = true;
    benchmarks = naive, fst, optimized
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
