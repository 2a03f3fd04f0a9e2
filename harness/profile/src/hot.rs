//! Hot-function ranking from folded stacks: for each function, its self
//! samples (it was the leaf: the CPU was in its own code) and total samples (it
//! was anywhere on the stack: its own code plus everything it called).
//!
//! Pure arithmetic on a [`Folded`]; it neither samples nor prints. A later
//! findings report renders the list.

use std::collections::{BTreeMap, HashSet};

use crate::folded::Folded;

/// One function's share of a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct HotFunction {
    /// The frame name as it appears in the folded stacks.
    pub name: String,
    /// Samples where this function was the leaf frame.
    pub self_samples: u64,
    /// Samples where this function was anywhere on the stack, counted once
    /// per sample even when it recurses.
    pub total_samples: u64,
    /// `self_samples` over all samples of the profile, 0.0..=1.0.
    pub self_fraction: f64,
    /// `total_samples` over all samples of the profile, 0.0..=1.0.
    pub total_fraction: f64,
}

/// Every function of the profile, hottest first: by self samples, then by
/// total samples, then by name so equal profiles rank identically.
///
/// Self time is the usual "where does the CPU go" answer; total time finds the
/// caller responsible. Both are given so the report can choose. An empty
/// profile gives an empty list.
pub fn hot_functions(folded: &Folded) -> Vec<HotFunction> {
    let mut self_counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut total_counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (frames, count) in folded.iter() {
        if let Some(leaf) = frames.last() {
            *self_counts.entry(leaf).or_insert(0) += count;
        }
        // Recursion (`f;g;f`) must not count a sample twice in f's total.
        seen.clear();
        for frame in frames {
            if seen.insert(frame) {
                *total_counts.entry(frame).or_insert(0) += count;
            }
        }
    }

    let all = folded.total_samples();
    let fraction = |n: u64| if all == 0 { 0.0 } else { n as f64 / all as f64 };
    let mut ranked: Vec<HotFunction> = total_counts
        .into_iter()
        .map(|(name, total)| {
            let own = self_counts.get(name).copied().unwrap_or(0);
            HotFunction {
                name: name.to_owned(),
                self_samples: own,
                total_samples: total,
                self_fraction: fraction(own),
                total_fraction: fraction(total),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.self_samples
            .cmp(&a.self_samples)
            .then(b.total_samples.cmp(&a.total_samples))
            .then_with(|| a.name.cmp(&b.name))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(text: &str) -> Vec<(String, u64, u64)> {
        hot_functions(&Folded::parse(text).unwrap())
            .into_iter()
            .map(|h| (h.name, h.self_samples, h.total_samples))
            .collect()
    }

    #[test]
    fn self_and_total_time() {
        let got = ranked("main;parse;lex 6\nmain;parse 2\nmain;render 4\nmain 1\n");
        assert_eq!(
            got,
            vec![
                ("lex".to_owned(), 6, 6),
                ("render".to_owned(), 4, 4),
                ("parse".to_owned(), 2, 8),
                ("main".to_owned(), 1, 13),
            ]
        );
    }

    #[test]
    fn recursion_counts_once_in_total() {
        let got = ranked("main;fib;fib;fib 5\n");
        assert_eq!(got[0], ("fib".to_owned(), 5, 5));
        assert_eq!(got[1], ("main".to_owned(), 0, 5));
    }

    #[test]
    fn fractions_and_ties() {
        let hot = hot_functions(&Folded::parse("m;b 1\nm;a 1\n").unwrap());
        assert_eq!(hot[0].name, "a");
        assert_eq!(hot[1].name, "b");
        assert!((hot[0].self_fraction - 0.5).abs() < 1e-12);
        assert!((hot[2].total_fraction - 1.0).abs() < 1e-12);
    }

    #[test]
    fn empty_profile_ranks_nothing() {
        assert!(hot_functions(&Folded::new()).is_empty());
    }
}
