//! Prints what the benches work on at one size: generation and build times,
//! the index sizes in memory, the chosen prefix and its match count.
//!
//! `cargo run --release -p autocomplete --example stats -- 1000000`
//!
//! The times are single runs, for orientation only; the benches measure.

use std::time::Instant;

use autocomplete::{Completer, Naive, Optimized, workload};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |a| a.replace('_', "").parse())
        .expect("the argument is a number of terms");

    let t = Instant::now();
    let terms = autocomplete::generate(n, workload::SEED);
    let generate_time = t.elapsed();
    let prefix = workload::representative_prefix(&terms, workload::PREFIX_LEN);
    let matches = terms
        .iter()
        .filter(|t| t.text.starts_with(prefix.as_str()))
        .count();
    let bytes: usize = terms.iter().map(|t| t.text.len()).sum();

    let t = Instant::now();
    let naive = Naive::build(terms.clone());
    let naive_build = t.elapsed();
    let t = Instant::now();
    let trie = Optimized::build(terms);
    let trie_build = t.elapsed();

    println!("terms:            {n} ({bytes} bytes of text, generated in {generate_time:.2?})");
    println!("prefix:           {prefix:?} matches {matches} terms");
    println!(
        "naive:            built in {naive_build:.2?}, {:.1} MB",
        mb(naive.heap_bytes())
    );
    println!(
        "optimized:        built in {trie_build:.2?}, {:.1} MB",
        mb(trie.heap_bytes())
    );
    let answer = trie.complete(&prefix, workload::K);
    assert_eq!(answer, naive.complete(&prefix, workload::K));
    println!("top {}: {answer:?}", workload::K);
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}
