//! Autocomplete over millions of weighted terms: exact and fuzzy, in a
//! compact index that loads by `mmap`, served as you type.
//!
//! # The problem
//!
//! A user types a few characters and expects the `k` most popular terms that
//! start with them, best first, while typing, and forgiving a typo or two.
//! The term list is large (millions of terms) and the prefix is short: one
//! or two characters still match hundreds of thousands of terms.
//!
//! * [`Naive`] is what a reasonable developer writes first: keep the terms in
//!   a `Vec`, `iter().filter(starts_with)` over **all** of them (or compute
//!   every term's edit distance, for fuzzy queries), then pick the best `k`
//!   of the matches with a partial selection. It is correct and simple, but
//!   every keystroke touches every term, so a query costs O(n) however
//!   selective the prefix is.
//! * [`FstMap`] is the best peer: the `fst` crate's map from term to weight,
//!   streaming the prefix's range (or its Levenshtein automaton) into a
//!   bounded top-k heap. Compact, but it has no notion of "best k", so a
//!   short prefix still streams every match.
//!   (Non-ASCII fuzzy queries take a row automaton of its own over the same
//!   map: fst's misses matches there, fst issue #38.)
//! * [`Optimized`] is a compact radix trie in flat, bit-packed arrays
//!   ([`index`]), about 13 bytes per term with its weights. Every node knows
//!   the best rank in its subtree and siblings are stored best first, so a
//!   best-first search walks from the prefix's node straight to the `k` best
//!   terms; the shallowest nodes also store their top 10. Fuzzy queries run
//!   a band of Levenshtein cells over trie positions ([`Session`]), which is
//!   also the state an as-you-type session keeps between keystrokes. The
//!   index is a file that loads by `mmap` without parsing.
//!
//! All three implement [`Completer`] and return identical answers. Exact
//! queries rank by *weight descending, then text ascending (bytewise)*;
//! fuzzy ones by distance first (exact-prefix matches, distance 0, lead), see
//! [`FuzzyQuery`] for the distance and how it applies to a prefix.
//! Duplicate terms in the input keep their maximum weight (see
//! [`canonicalize`]). Exact prefixes are matched on bytes, so a prefix that
//! ends inside a multi-byte UTF-8 character works (and agrees) in all three;
//! fuzzy distances count characters.
//!
//! The `autocomplete` binary builds index files, queries them and serves them
//! over HTTP with a search page ([`cli`], [`serve`]). This crate does not
//! measure anything itself; the benches under `benches/` do, and
//! [`workload`] decides their sizes, queries and seeds.
//!
//! # Expected numbers
//!
//! One full perflab run on the shared 2-core VM (`perflab run -s
//! autocomplete --tools goose`: the latency bench, 1000 seeded queries per
//! class, `k = 10`), 5M generated terms, p50 / p99:
//!
//! | query | naive | fst | optimized |
//! |---|---:|---:|---:|
//! | exact, 1 character | 50.1 / 72.4 ms | 54.4 / 154 ms | 0.73 / 1.06 µs |
//! | exact, 3 characters | 32.9 / 38.6 ms | 1.30 / 7.20 ms | 1.28 / 15.4 µs |
//! | fuzzy, d = 1 | 237 ms (p50 of 20) | 0.81 / 56.8 ms | 132 / 276 µs |
//! | fuzzy, d = 2 | 390 ms (p50 of 20) | 11.1 ms / 1.31 s | 2.31 / 5.80 ms |
//! | bytes per term | 42.5 | 9.9 | 13.3 |
//!
//! Opening the 5M index file takes 51 µs (header and length) or 10.4 ms
//! with the checksum pass; building it 5.3 s (fst 8.0 s). Served over
//! loopback at 2,000 requests/s (1M terms, 10% fuzzy), the service time's
//! p99 is 1.05 ms with no errors.

pub mod cli;
mod fuzzy;
mod generate;
pub mod index;
mod load;
mod naive;
mod peer;
pub mod serve;
pub mod workload;

pub use fuzzy::{
    FuzzyQuery, MAX_DISTANCE, MAX_QUERY_CHARS, QueryError, fuzzy_order, prefix_distance,
};
pub use generate::{SplitMix64, generate};
pub use index::{IndexError, Optimized, Session, Verify};
pub use load::{LoadError, load_terms, parse_terms};
pub use naive::Naive;
pub use peer::FstMap;

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
