//! Wall time of one completion query (criterion): naive, the fst peer and
//! optimized.
//!
//! Ids: `complete/<variant>/terms_<size>_prefix_2` for the representative
//! prefix, `complete/<variant>/terms_<size>_fuzzy_d<1|2>` for the fuzzy
//! headline queries (see [`autocomplete::workload::Case`]), plus
//! `build/<variant>/terms_<size>` for the index build. Inputs, sizes and
//! queries come from [`autocomplete::workload`]; the index is built outside
//! the timed loop. `PERFLAB_QUICK=1` keeps 10k and 1M for the prefix, 10k
//! and 100k for the fuzzy queries; `cargo test --benches` runs 10k once.
//!
//! Fuzzy queries take one sample per iteration count criterion picks
//! (`SamplingMode::Flat`) and 20 samples: the scans take tens of
//! milliseconds at 1M, where criterion's default of 100 linear samples
//! would run for minutes.

use std::hint::black_box;

use autocomplete::workload::{self, Case, K, MEDIUM, RunMode, SMALL, Size};
use autocomplete::{Completer, FstMap, FuzzyQuery, Naive, Optimized, Term};
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, criterion_group,
    criterion_main,
};

fn complete(c: &mut Criterion) {
    let mode = RunMode::detect();
    let mut group = c.benchmark_group("complete");
    for &size in workload::criterion_sizes(mode) {
        let (terms, prefix) = Case::prefix(size).inputs();
        query::<Naive>(&mut group, Case::prefix(size), terms.clone(), &prefix);
        query::<FstMap>(&mut group, Case::prefix(size), terms.clone(), &prefix);
        query::<Optimized>(&mut group, Case::prefix(size), terms, &prefix);
    }
    group.finish();
}

fn query<C: Completer>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    case: Case,
    terms: Vec<Term>,
    prefix: &str,
) {
    let index = C::build(terms);
    let id = BenchmarkId::new(C::VARIANT, case.id());
    group.bench_with_input(id, prefix, |b, prefix| {
        b.iter(|| index.complete(black_box(prefix), black_box(K)));
    });
}

/// The fuzzy headline queries at distance 1 and 2, in the same `complete`
/// group so every tool names them `complete/<variant>/terms_<size>_fuzzy_d<d>`.
fn complete_fuzzy(c: &mut Criterion) {
    let mode = RunMode::detect();
    let mut group = c.benchmark_group("complete");
    group.sampling_mode(SamplingMode::Flat).sample_size(20);
    for &size in workload::divan_sizes(mode) {
        for distance in [1, 2] {
            let case = Case::fuzzy(size, distance);
            let (terms, text) = case.inputs();
            let Ok(query) = FuzzyQuery::new(&text, distance) else {
                panic!("the fuzzy headline query {text:?} is valid by construction");
            };
            fuzzy::<Naive>(&mut group, case, terms.clone(), &query);
            fuzzy::<FstMap>(&mut group, case, terms.clone(), &query);
            fuzzy::<Optimized>(&mut group, case, terms, &query);
        }
    }
    group.finish();
}

fn fuzzy<C: Completer>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    case: Case,
    terms: Vec<Term>,
    query: &FuzzyQuery,
) {
    let index = C::build(terms);
    let id = BenchmarkId::new(C::VARIANT, case.id());
    group.bench_with_input(id, query, |b, query| {
        b.iter(|| index.complete_fuzzy(black_box(query), black_box(K)));
    });
}

/// Build cost, for context: what the trie and the fst pay up front for fast
/// queries. 1M is left out because one build takes about half a second,
/// which makes criterion's minimum of 10 samples cost half a minute per
/// variant.
fn build(c: &mut Criterion) {
    let sizes: &[Size] = match RunMode::detect() {
        RunMode::Full => &[SMALL, MEDIUM],
        RunMode::Quick | RunMode::Test => &[SMALL],
    };
    let mut group = c.benchmark_group("build");
    for &size in sizes {
        let (terms, _) = workload::inputs(size);
        build_one::<Naive>(&mut group, size, &terms);
        build_one::<FstMap>(&mut group, size, &terms);
        build_one::<Optimized>(&mut group, size, &terms);
    }
    group.finish();
}

fn build_one<C: Completer>(group: &mut BenchmarkGroup<'_, WallTime>, size: Size, terms: &[Term]) {
    let id = BenchmarkId::new(C::VARIANT, size.terms_id());
    group.bench_function(id, |b| {
        b.iter_batched(|| terms.to_vec(), C::build, BatchSize::LargeInput);
    });
}

/// `--profile-time N` (as `perflab run --profile` passes) writes a CPU
/// flamegraph per benchmark instead of measuring.
fn config() -> Criterion {
    Criterion::default().with_profiler(perflab_profile::CriterionProfiler::default())
}

criterion_group! {
    name = benches;
    config = config();
    targets = complete, complete_fuzzy, build
}
criterion_main!(benches);
