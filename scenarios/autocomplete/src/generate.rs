//! Seeded generator of English-like weighted terms.
//!
//! Words are built from weighted syllables (onset, vowel nucleus, coda, and an
//! optional suffix on the last one), with onset weights that follow the rough
//! frequency of English initial letters. So 2-character prefixes have a
//! realistic, skewed number of matches: `se`, `ca` or `pr` match thousands of
//! terms in a million, `zy` or `xo` almost none.
//!
//! Weights are Zipf-like with exponent 1: the term of rank `r` (1-based)
//! weighs `ZIPF_TOP / r`. Ranks are a seeded shuffle, so weight does not
//! follow alphabetical or generation order. Integer division keeps the
//! weights exact on every platform; the tail produces ties on purpose, which
//! exercises the text tie-break of the ranking.
//!
//! Everything runs on [`SplitMix64`] and integer arithmetic only, so a seed
//! gives the same terms on every platform and Rust version. It does not try
//! to produce real words or pronounceable ones every time.

use std::collections::HashSet;

use crate::Term;

/// Weight of the rank-1 term.
const ZIPF_TOP: u64 = 1_000_000_000;

pub use perflab_kit::SplitMix64;
use perflab_kit::fnv1a;

// Weights are per-mille-ish shares; only their ratios matter.
const ONSETS: &[(&str, u64)] = &[
    ("", 60),
    ("s", 70),
    ("c", 60),
    ("p", 50),
    ("b", 45),
    ("t", 40),
    ("m", 45),
    ("d", 40),
    ("r", 35),
    ("f", 30),
    ("h", 30),
    ("l", 30),
    ("g", 22),
    ("w", 22),
    ("n", 18),
    ("v", 12),
    ("j", 6),
    ("k", 6),
    ("y", 3),
    ("z", 2),
    ("st", 20),
    ("tr", 18),
    ("pr", 25),
    ("ch", 16),
    ("th", 15),
    ("sh", 12),
    ("br", 10),
    ("gr", 10),
    ("cl", 10),
    ("pl", 9),
    ("fl", 7),
    ("sp", 8),
    ("cr", 8),
    ("qu", 5),
    ("wh", 5),
    ("sc", 6),
];

const NUCLEI: &[(&str, u64)] = &[
    ("a", 80),
    ("e", 100),
    ("i", 70),
    ("o", 70),
    ("u", 30),
    ("ea", 15),
    ("ou", 15),
    ("ai", 8),
    ("io", 8),
    ("ee", 7),
    ("oo", 6),
    ("y", 5),
];

const CODAS: &[(&str, u64)] = &[
    ("", 120),
    ("n", 60),
    ("r", 60),
    ("s", 40),
    ("t", 50),
    ("l", 40),
    ("m", 20),
    ("d", 20),
    ("nd", 20),
    ("nt", 20),
    ("st", 15),
    ("ng", 15),
    ("ck", 10),
    ("rt", 8),
    ("ll", 8),
    ("ss", 8),
    ("p", 8),
    ("x", 4),
];

const SUFFIXES: &[(&str, u64)] = &[
    ("", 100),
    ("s", 30),
    ("ing", 20),
    ("ed", 20),
    ("er", 20),
    ("ly", 10),
    ("tion", 10),
    ("ness", 6),
    ("able", 6),
    ("ist", 4),
];

const SYLLABLES: &[(usize, u64)] = &[(1, 15), (2, 40), (3, 30), (4, 12), (5, 3)];

fn word(rng: &mut SplitMix64) -> String {
    let syllables = rng.pick(SYLLABLES);
    let mut word = String::with_capacity(16);
    for _ in 0..syllables {
        word.push_str(rng.pick(ONSETS));
        word.push_str(rng.pick(NUCLEI));
        word.push_str(rng.pick(CODAS));
    }
    word.push_str(rng.pick(SUFFIXES));
    word
}

/// `n` unique pseudo-words with Zipf-like weights, the same for the same
/// `(n, seed)` everywhere. Terms come in generation order (not sorted).
pub fn generate(n: usize, seed: u64) -> Vec<Term> {
    let mut rng = SplitMix64::new(seed);
    // Membership by a fixed 64-bit hash (FNV-1a, stable unlike std's
    // randomly seeded hasher) rather than by cloned `String`s: the
    // clones would interleave with the kept texts on the heap and leave holes
    // when freed, and the benches' memory layout would depend on that. A
    // collision (about 3e-8 at 1M terms) would only skip a word, the same
    // way on every platform.
    let mut seen: HashSet<u64> = HashSet::with_capacity(n);
    let mut texts: Vec<String> = Vec::with_capacity(n);
    while texts.len() < n {
        let candidate = word(&mut rng);
        if seen.insert(fnv1a(candidate.as_bytes())) {
            texts.push(candidate);
        }
    }
    drop(seen);

    let mut ranks: Vec<u64> = (1..=n as u64).collect();
    // Fisher-Yates with our own PRNG, so the shuffle is stable too.
    for i in (1..ranks.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        ranks.swap(i, j);
    }
    texts
        .into_iter()
        .zip(ranks)
        .map(|(text, rank)| Term {
            text,
            weight: (ZIPF_TOP / rank).max(1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_stream_is_the_reference_one() {
        // First outputs for seed 0 from the reference implementation (Vigna's splitmix64.c).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn same_seed_same_terms_and_unique() {
        let a = generate(2_000, 7);
        assert_eq!(a, generate(2_000, 7));
        assert_ne!(a, generate(2_000, 8));
        let unique: HashSet<&str> = a.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(unique.len(), 2_000);
    }

    #[test]
    fn weights_are_a_shuffled_zipf() {
        let terms = generate(1_000, 1);
        let mut weights: Vec<u64> = terms.iter().map(|t| t.weight).collect();
        let max = *weights.iter().max().expect("non-empty");
        assert_eq!(max, ZIPF_TOP);
        // The heaviest term is not simply the first one generated.
        assert_ne!(terms[0].weight, max);
        weights.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(weights[1], ZIPF_TOP / 2);
        assert_eq!(weights[999], ZIPF_TOP / 1_000);
    }

    #[test]
    fn fixed_output_for_a_fixed_seed() {
        // Pins the stream: if this changes, every stored baseline's inputs changed.
        let terms = generate(3, 42);
        let texts: Vec<&str> = terms.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["sereatret", "rilcas", "flathanvurted"]);
    }
}
