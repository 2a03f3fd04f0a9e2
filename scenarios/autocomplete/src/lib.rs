//! Autocomplete over millions of weighted terms: a linear scan against a trie.
//!
//! # The problem
//!
//! A user types a few characters and expects the `k` most popular terms that
//! start with them, best first, while typing. The term list is large (a
//! million terms and more) and the prefix is short: two characters is the
//! headline case, where a single prefix still matches thousands of terms.
//!
//! * [`Naive`] is what a reasonable developer writes first: keep the terms in
//!   a `Vec`, `iter().filter(starts_with)` over **all** of them, then pick the
//!   best `k` of the matches. It is correct and simple, but every keystroke
//!   touches every term (and its heap-allocated text), so a query costs O(n)
//!   however selective the prefix is.
//! * [`Optimized`] is a compressed trie (radix tree) kept in flat arrays: nodes
//!   in one `Vec` addressed by `u32`, children contiguous and sorted by byte,
//!   all term text in one buffer. Every node records the best term of its
//!   subtree, so a best-first search with a max-heap walks from the prefix's
//!   node straight to the `k` best terms and never looks at the rest. A query
//!   costs time that depends on the prefix length and on `k`, not on `n`.
//!
//! Both implement [`Completer`] and return identical answers: suggestions in
//! the total order *weight descending, then text ascending (bytewise)*.
//! Duplicate terms in the input keep their maximum weight (see
//! [`canonicalize`]). Prefixes are matched on bytes, so a prefix that ends in
//! the middle of a multi-byte UTF-8 character works (and agrees) in both.
//!
//! This crate does not measure anything itself; the benches under `benches/`
//! do (criterion for wall time, gungraun for instruction counts, divan for
//! quick local runs), and [`workload`] decides their sizes and prefixes.
//!
//! # Expected numbers
//!
//! Measured on the 2-core development VM (Rust 1.95, `cargo bench`), with
//! generated terms, the representative 2-character prefix (see
//! [`workload::representative_prefix`]; `"pi"`, 11,429 matches at 1M) and
//! `k = 10`. Wall time is criterion's median, instructions are callgrind's
//! count through gungraun:
//!
//! | terms | naive wall | optimized wall | ratio | naive instr. | optimized instr. | ratio |
//! |-------|-----------:|---------------:|------:|-------------:|-----------------:|------:|
//! | 10k   | 16.2 µs    | 0.83 µs        | 19x   | 330,328      | 12,953           | 26x   |
//! | 100k  | 182 µs     | 1.23 µs        | 148x  | 3,319,973    | 20,453           | 162x  |
//! | 1M    | 2.23 ms    | 1.48 µs        | 1506x | 32,657,781   | 25,069           | 1303x |
//!
//! The naive cost grows linearly with `n`; the trie's grows only with the
//! depth of the tree. The price is paid at build time and in memory: at 1M
//! terms the trie builds in about 0.4 s (naive: 0.13 s) and owns 48.5 MB
//! (10.2 MB of text, 12 MB of offsets and weights, 1.3M nodes of 20 bytes),
//! against 42 MB plus one allocation per term for the naive `Vec<Term>`.

pub mod cli;
mod fuzzy;
mod generate;
mod load;
mod naive;
mod peer;
pub mod serve;
mod trie;
pub mod workload;

pub use fuzzy::{
    FuzzyQuery, MAX_DISTANCE, MAX_QUERY_CHARS, QueryError, fuzzy_order, prefix_distance,
};
pub use generate::{SplitMix64, generate};
pub use load::{LoadError, load_terms, parse_terms};
pub use naive::Naive;
pub use peer::FstMap;
pub use trie::Optimized;

use std::cmp::Ordering;

/// One completable term and its popularity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    /// The text that is completed, matched bytewise against prefixes.
    pub text: String,
    /// Popularity; larger ranks first.
    pub weight: u64,
}

impl Term {
    /// A term with the given text and weight.
    pub fn new(text: impl Into<String>, weight: u64) -> Self {
        Self {
            text: text.into(),
            weight,
        }
    }
}

/// One answer of a completion query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Suggestion {
    /// The completed term.
    pub text: String,
    /// Its weight.
    pub weight: u64,
    /// Its prefix distance to the query: 0 for exact-prefix answers (see
    /// the fuzzy module's docs).
    pub distance: u8,
}

impl Suggestion {
    /// An exact-prefix answer (distance 0).
    pub fn exact(text: impl Into<String>, weight: u64) -> Self {
        Self {
            text: text.into(),
            weight,
            distance: 0,
        }
    }
}

/// An autocomplete index: built once, queried many times.
pub trait Completer {
    /// Name of the variant, as declared in `[package.metadata.perflab]`.
    const VARIANT: &'static str;

    /// Builds the index. Duplicate texts keep their maximum weight.
    fn build(terms: Vec<Term>) -> Self
    where
        Self: Sized;

    /// The at most `k` best terms starting with the bytes of `prefix`, in
    /// [`rank_order`]. `k == 0` gives an empty answer; an empty prefix gives
    /// the global top `k`.
    fn complete_bytes(&self, prefix: &[u8], k: usize) -> Vec<Suggestion>;

    /// [`Completer::complete_bytes`] for a string prefix.
    fn complete(&self, prefix: &str, k: usize) -> Vec<Suggestion> {
        self.complete_bytes(prefix.as_bytes(), k)
    }

    /// The at most `k` best terms whose prefix distance to the query is
    /// within its limit, ranked by [`fuzzy_order`]: exact-prefix matches
    /// first, then by distance, weight and text.
    fn complete_fuzzy(&self, query: &FuzzyQuery, k: usize) -> Vec<Suggestion>;

    /// Number of distinct terms in the index.
    fn len(&self) -> usize;

    /// Whether the index holds no term.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Estimate of the heap memory the index owns, in bytes (capacities, not
    /// allocator overhead).
    fn heap_bytes(&self) -> usize;
}

/// The one total order both variants answer in: weight descending, then
/// text ascending bytewise. `Less` means "ranks first".
pub fn rank_order(a_text: &str, a_weight: u64, b_text: &str, b_weight: u64) -> Ordering {
    b_weight
        .cmp(&a_weight)
        .then_with(|| a_text.as_bytes().cmp(b_text.as_bytes()))
}

/// Sorts terms by text (bytewise) and merges duplicates, keeping the maximum
/// weight of each text. Both variants build from this, so the duplicate rule
/// is applied identically.
pub fn canonicalize(mut terms: Vec<Term>) -> Vec<Term> {
    // Heaviest first within equal texts, so `dedup_by` keeps the maximum.
    terms.sort_unstable_by(|a, b| {
        a.text
            .as_bytes()
            .cmp(b.text.as_bytes())
            .then_with(|| b.weight.cmp(&a.weight))
    });
    terms.dedup_by(|later, kept| later.text == kept.text);
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalize_keeps_max_weight_and_sorts() {
        let terms = vec![
            Term::new("b", 1),
            Term::new("a", 3),
            Term::new("b", 7),
            Term::new("b", 2),
        ];
        assert_eq!(
            canonicalize(terms),
            vec![Term::new("a", 3), Term::new("b", 7)]
        );
    }

    #[test]
    fn rank_order_is_weight_then_text() {
        assert_eq!(rank_order("z", 5, "a", 4), Ordering::Less);
        assert_eq!(rank_order("a", 4, "b", 4), Ordering::Less);
        assert_eq!(rank_order("a", 4, "a", 4), Ordering::Equal);
    }
}
