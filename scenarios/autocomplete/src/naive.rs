//! The reference variant: a linear scan with a prefix filter.
//!
//! It keeps the distinct terms in input order in a `Vec<Term>` and answers a query by
//! filtering all of them with `starts_with`, then selecting the best `k`
//! matches with `select_nth_unstable_by` and sorting only those. The
//! selection keeps the ranking step O(matches) rather than
//! O(matches log matches), so the variant is not a strawman: what it does
//! wrong is the O(n) scan, which no ranking trick removes.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::{Completer, FuzzyQuery, Suggestion, Term, fuzzy_order};

/// Linear-scan autocomplete over a plain list of terms.
#[derive(Debug, Clone)]
pub struct Naive {
    terms: Vec<Term>,
}

/// The best `k` of `matches` (term and distance) in [`fuzzy_order`], which
/// for exact matches (all distance 0) is [`crate::rank_order`]: a partial
/// selection, then a sort of only the `k` selected.
fn best_k(mut matches: Vec<(&Term, u8)>, k: usize) -> Vec<Suggestion> {
    let order = |a: &(&Term, u8), b: &(&Term, u8)| {
        fuzzy_order((&a.0.text, a.0.weight, a.1), (&b.0.text, b.0.weight, b.1))
    };
    if matches.len() > k {
        matches.select_nth_unstable_by(k - 1, order);
        matches.truncate(k);
    }
    matches.sort_unstable_by(order);
    matches
        .into_iter()
        .map(|(term, distance)| Suggestion {
            text: term.text.clone(),
            weight: term.weight,
            distance,
        })
        .collect()
}

impl Completer for Naive {
    const VARIANT: &'static str = "naive";

    fn build(terms: Vec<Term>) -> Self {
        // Merge duplicates (maximum weight, as `canonicalize` does) but keep
        // the input order and the input's `String`s. Sorting would leave the
        // texts scattered over the heap relative to the scan order, and
        // re-allocating them would leave freed chunks behind that the first
        // query's allocations pay for; the naive variant should lose for its
        // algorithm, not for an accident of its build.
        let mut position: HashMap<&str, usize> = HashMap::with_capacity(terms.len());
        let mut weights: Vec<u64> = Vec::with_capacity(terms.len());
        let mut first = vec![false; terms.len()];
        for (i, term) in terms.iter().enumerate() {
            match position.entry(term.text.as_str()) {
                Entry::Occupied(slot) => {
                    let kept = &mut weights[*slot.get()];
                    *kept = (*kept).max(term.weight);
                }
                Entry::Vacant(slot) => {
                    slot.insert(weights.len());
                    weights.push(term.weight);
                    first[i] = true;
                }
            }
        }
        drop(position);
        let terms = terms
            .into_iter()
            .zip(first)
            .filter_map(|(term, first)| first.then_some(term.text))
            .zip(weights)
            .map(|(text, weight)| Term { text, weight })
            .collect();
        Self { terms }
    }

    fn complete_bytes(&self, prefix: &[u8], k: usize) -> Vec<Suggestion> {
        if k == 0 {
            return Vec::new();
        }
        let matches = self
            .terms
            .iter()
            .filter(|term| term.text.as_bytes().starts_with(prefix))
            .map(|term| (term, 0))
            .collect();
        best_k(matches, k)
    }

    /// Every term's prefix distance, one Levenshtein row per character of
    /// the term (with the early exit of [`crate::prefix_distance`]), then
    /// the same partial selection as the exact query.
    fn complete_fuzzy(&self, query: &FuzzyQuery, k: usize) -> Vec<Suggestion> {
        if k == 0 {
            return Vec::new();
        }
        let matches = self
            .terms
            .iter()
            .filter_map(|term| Some((term, query.distance_to(&term.text)?)))
            .collect();
        best_k(matches, k)
    }

    fn len(&self) -> usize {
        self.terms.len()
    }

    fn heap_bytes(&self) -> usize {
        self.terms.capacity() * size_of::<Term>()
            + self.terms.iter().map(|t| t.text.capacity()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Naive {
        Naive::build(vec![
            Term::new("apple", 5),
            Term::new("apricot", 9),
            Term::new("banana", 7),
            Term::new("apply", 5),
        ])
    }

    #[test]
    fn ranks_by_weight_then_text() {
        let got: Vec<_> = index()
            .complete("ap", 10)
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(got, ["apricot", "apple", "apply"]);
    }

    #[test]
    fn k_limits_and_zero_is_empty() {
        assert_eq!(index().complete("ap", 1).len(), 1);
        assert!(index().complete("ap", 0).is_empty());
        assert!(index().complete("zz", 3).is_empty());
    }
}
