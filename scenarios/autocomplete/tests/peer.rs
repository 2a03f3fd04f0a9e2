//! The fst peer ([`FstMap`]) answers exactly as the naive scan does: exact
//! prefixes and fuzzy queries at distance 0, 1 and 2, on random small inputs
//! with multi-byte UTF-8, on generated terms, and on Debian's word list when
//! it is installed (skipped with a message otherwise, failed under
//! `CI=true`).

use autocomplete::workload::{self, QueryClass, SEED};
use autocomplete::{Completer, FstMap, FuzzyQuery, Naive, Suggestion, Term, generate};
use proptest::prelude::*;

/// Both answers to one exact query, checked equal.
fn same_exact(naive: &Naive, fst: &FstMap, prefix: &[u8], k: usize) {
    let want = naive.complete_bytes(prefix, k);
    let got = fst.complete_bytes(prefix, k);
    assert_eq!(
        got,
        want,
        "prefix {:?}, k {k}",
        String::from_utf8_lossy(prefix)
    );
}

/// Both answers to one fuzzy query, checked equal.
fn same_fuzzy(naive: &Naive, fst: &FstMap, text: &str, distance: u8, k: usize) {
    let query = FuzzyQuery::new(text, distance).expect("queries here are short");
    let want = naive.complete_fuzzy(&query, k);
    let got = fst.complete_fuzzy(&query, k);
    assert_eq!(got, want, "fuzzy {text:?} at {distance}, k {k}");
}

/// Characters of the random inputs: ASCII, and two-, three- and four-byte
/// UTF-8 (é, 日本, 🦀), so prefixes can end inside a character.
const ALPHABET: &[char] = &['a', 'b', 'e', 'é', '日', '本', '🦀'];

fn text(max_len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..=max_len)
        .prop_map(|chars| chars.into_iter().collect())
}

fn terms() -> impl Strategy<Value = Vec<Term>> {
    // Few distinct weights, so ties (and the text tie-break) are common;
    // duplicates texts are likely too, and must keep the maximum weight.
    prop::collection::vec((text(6), 0u64..4), 0..40)
        .prop_map(|pairs| pairs.into_iter().map(|(t, w)| Term::new(t, w)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn exact_prefixes_agree(terms in terms(), prefix in text(3), cut in 0usize..4, k in 0usize..12) {
        let naive = Naive::build(terms.clone());
        let fst = FstMap::build(terms);
        prop_assert_eq!(fst.len(), naive.len());
        // A byte prefix of the text, which may end inside a character.
        let bytes = prefix.as_bytes();
        let bytes = &bytes[..bytes.len().saturating_sub(cut)];
        same_exact(&naive, &fst, bytes, k);
    }

    #[test]
    fn fuzzy_queries_agree(terms in terms(), query in text(4), distance in 0u8..=2, k in 0usize..12) {
        let naive = Naive::build(terms.clone());
        let fst = FstMap::build(terms);
        same_fuzzy(&naive, &fst, &query, distance, k);
    }
}

#[test]
fn duplicates_keep_their_maximum_weight_and_bytes_are_the_fst() {
    let fst = FstMap::build(vec![
        Term::new("crab", 2),
        Term::new("🦀", 1),
        Term::new("crab", 9),
        Term::new("crabs", 9),
    ]);
    assert_eq!(fst.len(), 3);
    assert_eq!(fst.heap_bytes(), fst.as_bytes().len());
    assert_eq!(
        fst.complete("cra", 10),
        [Suggestion::exact("crab", 9), Suggestion::exact("crabs", 9)]
    );
    assert!(fst.complete("cra", 0).is_empty());
    // The crab is one character: one substitution away from "c".
    let query = FuzzyQuery::new("c", 1).expect("short");
    let texts: Vec<String> = fst
        .complete_fuzzy(&query, 10)
        .into_iter()
        .map(|s| s.text)
        .collect();
    assert_eq!(texts, ["crab", "crabs", "🦀"]);
}

#[test]
fn queries_fst_gets_wrong_or_refuses_take_the_row_automaton_and_agree() {
    let mut terms = generate(2_000, 11);
    terms.extend(["日本", "日本語", "本当", "café", "🦀 crab"].map(|t| Term::new(t, 5)));
    let naive = Naive::build(terms.clone());
    let fst = FstMap::build(terms.clone());
    let path = |text: &str, d| FstMap::uses_fst_automaton(&FuzzyQuery::new(text, d).expect("ok"));

    // fst #38: its automaton misses "日本" for "a本" at distance 1.
    assert!(!path("a本", 1));
    same_fuzzy(&naive, &fst, "a本", 1, 10);
    let alone = FstMap::build(vec![Term::new("日本", 3)]);
    let found = alone.complete_fuzzy(&FuzzyQuery::new("a本", 1).expect("ok"), 10);
    assert_eq!(
        found,
        [Suggestion {
            text: "日本".into(),
            weight: 3,
            distance: 1
        }]
    );
    same_fuzzy(&naive, &fst, "cafe", 1, 10);
    same_fuzzy(&naive, &fst, "🦀", 2, 10);

    // fst #83: 64 distinct characters at distance 2 pass its 10,000 states.
    let long: String = ('a'..='z')
        .chain('A'..='Z')
        .chain('0'..='9')
        .take(64)
        .collect();
    assert!(!path(&long, 2), "expected fst to refuse {long:?}");
    same_fuzzy(&naive, &fst, &long, 2, 10);
    // A long query that does match: terms glued into 64 characters, the
    // first of them its prefix.
    let glued: String = terms.iter().flat_map(|t| t.text.chars()).take(64).collect();
    same_fuzzy(&naive, &fst, &glued, 2, 10);
    same_fuzzy(&naive, &fst, &glued, 1, 10);

    // The bench's generated queries are ASCII and short: fst's own path.
    assert!(path("carton", 2));
    assert!(!path("carton", 0), "distance 0 is the exact range");
}

/// The bench's own queries (every class) on `terms`, through both variants.
fn agree_on_bench_queries(terms: Vec<Term>, per_class: usize) {
    let naive = Naive::build(terms.clone());
    let fst = FstMap::build(terms.clone());
    assert_eq!(fst.len(), naive.len());
    for class in QueryClass::ALL {
        let queries = workload::latency_queries(&terms, class, per_class, SEED);
        assert!(!queries.is_empty(), "no {} queries", class.id());
        for q in &queries {
            match class.distance() {
                None => same_exact(&naive, &fst, q.as_bytes(), workload::K),
                Some(d) => {
                    for distance in 0..=d {
                        same_fuzzy(&naive, &fst, q, distance, workload::K);
                    }
                }
            }
        }
    }
    same_exact(&naive, &fst, b"", workload::K);
}

#[test]
fn generated_terms_agree_on_the_bench_queries() {
    agree_on_bench_queries(generate(20_000, SEED), 25);
}

#[test]
fn debian_word_list_agrees_when_installed() {
    let path = std::path::Path::new("/usr/share/dict/words");
    if !path.is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {} is missing (Debian package wamerican)",
            path.display()
        );
        eprintln!(
            "SKIPPED debian_word_list_agrees_when_installed: {} is missing (install wamerican)",
            path.display()
        );
        return;
    }
    let terms = workload::load_word_list(path, SEED, None).expect("a readable word list");
    agree_on_bench_queries(terms, 10);
}
