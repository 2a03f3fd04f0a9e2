//! Quick local iteration with divan: `cargo bench -p autocomplete --bench quick`.
//!
//! Paths are `complete/<variant>/terms_<size>_prefix_2` and
//! `complete/<variant>/terms_<size>_fuzzy_d<1|2>`, the same queries as the
//! criterion and gungraun benches (see [`autocomplete::workload::Case`]), for
//! naive, the fst peer and optimized. `PERFLAB_QUICK=1` drops 1M; `cargo
//! test --benches` runs 10k once. divan prints a table only, so perflab reads
//! numbers from the other two benches.

fn main() {
    divan::main();
}

mod complete {
    use autocomplete::workload::{self, Case, K, RunMode};
    use autocomplete::{Completer, FstMap, FuzzyQuery, Naive, Optimized};
    use divan::{Bencher, black_box};

    /// Every size with the representative prefix, then every size with the
    /// fuzzy headline query at distance 1 and 2.
    fn cases() -> Vec<Case> {
        let sizes = workload::divan_sizes(RunMode::detect());
        let prefixes = sizes.iter().map(|&size| Case::prefix(size));
        let fuzzy = sizes
            .iter()
            .flat_map(|&size| [1, 2].map(|d| Case::fuzzy(size, d)));
        prefixes.chain(fuzzy).collect()
    }

    fn query<C: Completer + Sync>(bencher: Bencher<'_, '_>, case: Case) {
        let (terms, text) = case.inputs();
        let index = C::build(terms);
        match case.fuzzy {
            None => bencher.bench(|| index.complete(black_box(&text), black_box(K))),
            Some(distance) => {
                let Ok(query) = FuzzyQuery::new(&text, distance) else {
                    panic!("the fuzzy headline query {text:?} is valid by construction");
                };
                bencher.bench(|| index.complete_fuzzy(black_box(&query), black_box(K)));
            }
        }
    }

    #[divan::bench(args = cases())]
    fn naive(bencher: Bencher<'_, '_>, case: Case) {
        query::<Naive>(bencher, case);
    }

    #[divan::bench(args = cases())]
    fn fst(bencher: Bencher<'_, '_>, case: Case) {
        query::<FstMap>(bencher, case);
    }

    #[divan::bench(args = cases())]
    fn optimized(bencher: Bencher<'_, '_>, case: Case) {
        query::<Optimized>(bencher, case);
    }
}
