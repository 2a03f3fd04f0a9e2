//! Wall time of one completion query (criterion), naive against optimized.
//!
//! Ids: `complete/<variant>/terms_<size>_prefix_2`, plus
//! `build/<variant>/terms_<size>` for the index build. Inputs, sizes and the
//! prefix come from [`autocomplete::workload`]; the index is built outside
//! the timed loop. `PERFLAB_QUICK=1` keeps 10k and 1M; `cargo test --benches`
//! runs 10k once.

use std::hint::black_box;

use autocomplete::workload::{self, K, MEDIUM, RunMode, SMALL, Size};
use autocomplete::{Completer, Naive, Optimized, Term};
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main,
};

fn complete(c: &mut Criterion) {
    let mode = RunMode::detect();
    let mut group = c.benchmark_group("complete");
    for &size in workload::criterion_sizes(mode) {
        let (terms, prefix) = workload::inputs(size);
        query::<Naive>(&mut group, size, terms.clone(), &prefix);
        query::<Optimized>(&mut group, size, terms, &prefix);
    }
    group.finish();
}

fn query<C: Completer>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    size: Size,
    terms: Vec<Term>,
    prefix: &str,
) {
    let index = C::build(terms);
    let id = BenchmarkId::new(C::VARIANT, size.id());
    group.bench_with_input(id, prefix, |b, prefix| {
        b.iter(|| index.complete(black_box(prefix), black_box(K)));
    });
}

/// Build cost, for context: what the trie pays up front for fast queries.
/// 1M is left out because one build takes about half a second, which makes
/// criterion's minimum of 10 samples cost half a minute per variant.
fn build(c: &mut Criterion) {
    let sizes: &[Size] = match RunMode::detect() {
        RunMode::Full => &[SMALL, MEDIUM],
        RunMode::Quick | RunMode::Test => &[SMALL],
    };
    let mut group = c.benchmark_group("build");
    for &size in sizes {
        let (terms, _) = workload::inputs(size);
        build_one::<Naive>(&mut group, size, &terms);
        build_one::<Optimized>(&mut group, size, &terms);
    }
    group.finish();
}

fn build_one<C: Completer>(group: &mut BenchmarkGroup<'_, WallTime>, size: Size, terms: &[Term]) {
    let id = BenchmarkId::new(
        C::VARIANT,
        format!("terms_{}", size.label.to_ascii_lowercase()),
    );
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
    targets = complete, build
}
criterion_main!(benches);
