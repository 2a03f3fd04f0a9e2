//! Quick local iteration with divan: `cargo bench -p autocomplete --bench quick`.
//!
//! Paths are `complete/<variant>/terms_<size>_prefix_2`, the same query as the
//! criterion and gungraun benches. `PERFLAB_QUICK=1` drops 1M; `cargo test
//! --benches` runs 10k once. divan prints a table only, so perflab reads
//! numbers from the other two benches.

fn main() {
    divan::main();
}

mod complete {
    use autocomplete::workload::{self, K, RunMode, Size};
    use autocomplete::{Completer, Naive, Optimized};
    use divan::{Bencher, black_box};

    fn sizes() -> &'static [Size] {
        workload::divan_sizes(RunMode::detect())
    }

    fn query<C: Completer + Sync>(bencher: Bencher<'_, '_>, size: Size) {
        let (terms, prefix) = workload::inputs(size);
        let index = C::build(terms);
        bencher.bench(|| index.complete(black_box(&prefix), black_box(K)));
    }

    #[divan::bench(args = sizes())]
    fn naive(bencher: Bencher<'_, '_>, size: Size) {
        query::<Naive>(bencher, size);
    }

    #[divan::bench(args = sizes())]
    fn optimized(bencher: Bencher<'_, '_>, size: Size) {
        query::<Optimized>(bencher, size);
    }
}
