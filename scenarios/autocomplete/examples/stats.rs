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
    println!(
        "optimized:        {:.2} bytes/term, {} nodes ({:.2}/term)",
        trie.heap_bytes() as f64 / trie.len() as f64,
        trie.node_count(),
        trie.node_count() as f64 / trie.len() as f64
    );
    for (name, size) in trie.section_sizes() {
        println!(
            "  {name:<12} {:>8.2} bytes/term",
            size as f64 / trie.len() as f64
        );
    }
    let answer = trie.complete(&prefix, workload::K);
    assert_eq!(answer, naive.complete(&prefix, workload::K));
    println!("top {}: {answer:?}", workload::K);

    // Single queries timed one by one, for orientation (the benches measure).
    let letters: Vec<String> = ('a'..='z').map(String::from).collect();
    probe("exact, 1 char", &letters, |q| {
        trie.complete(q, workload::K).len()
    });
    let mut rng = autocomplete::SplitMix64::new(1);
    let typos: Vec<String> = (0..200)
        .map(|_| {
            let t = &terms_for_probe(&trie, &mut rng);
            let mut chars: Vec<char> = t.chars().take(6).collect();
            let at = rng.below(chars.len() as u64) as usize;
            chars[at] = char::from(b'a' + rng.below(26) as u8);
            chars.into_iter().collect()
        })
        .collect();
    state_sizes(&trie, &typos);
    for d in 1..=2 {
        probe(&format!("fuzzy d={d}, 6 chars"), &typos, |q| {
            let query = autocomplete::FuzzyQuery::new(q, d).expect("valid");
            trie.complete_fuzzy(&query, workload::K).len()
        });
    }
}

/// A random term's text, found through the index itself.
fn terms_for_probe(trie: &Optimized, rng: &mut autocomplete::SplitMix64) -> String {
    let first = char::from(b'a' + rng.below(26) as u8).to_string();
    let found = trie.complete(&first, 50);
    found
        .get(rng.below(found.len().max(1) as u64) as usize)
        .map_or_else(|| "example".to_owned(), |s| s.text.clone())
}

fn probe(name: &str, queries: &[String], run: impl Fn(&str) -> usize) {
    let mut times: Vec<f64> = Vec::new();
    for _ in 0..5 {
        for q in queries {
            let t = Instant::now();
            std::hint::black_box(run(q));
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "{name:<22} p50 {:>9.1} µs  p99 {:>9.1} µs  ({} queries)",
        at(0.5),
        at(0.99),
        times.len()
    );
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

#[allow(dead_code)]
fn state_sizes(trie: &Optimized, queries: &[String]) {
    for d in 1..=2 {
        let mut sizes: Vec<usize> = Vec::new();
        let mut push_t = 0.0;
        let mut complete_t = 0.0;
        for q in queries {
            let mut s = trie.session(d).expect("valid");
            let t = Instant::now();
            for c in q.chars() {
                s.push(c).expect("short");
            }
            push_t += t.elapsed().as_secs_f64();
            let t = Instant::now();
            std::hint::black_box(s.complete(10));
            complete_t += t.elapsed().as_secs_f64();
            sizes.push(s.state_size());
        }
        sizes.sort_unstable();
        println!(
            "d={d}: state p50 {} p99 {} max {}; mean push {:.1} µs, complete {:.1} µs",
            sizes[sizes.len() / 2],
            sizes[sizes.len() * 99 / 100],
            sizes[sizes.len() - 1],
            push_t / queries.len() as f64 * 1e6,
            complete_t / queries.len() as f64 * 1e6
        );
    }
}
