//! Correctness of both variants: they must agree with each other and with the
//! definition of the answer (matching prefix, rank order, at most `k`).
//! Nothing here measures time.

use std::collections::BTreeMap;

use autocomplete::{
    Completer, LoadError, Naive, Optimized, SplitMix64, Suggestion, Term, generate, load_terms,
    rank_order, workload,
};

/// The definition of the answer, computed without either variant: each
/// distinct text with its maximum weight, sorted bytewise.
struct Oracle(BTreeMap<Vec<u8>, u64>);

impl Oracle {
    fn new(terms: &[Term]) -> Self {
        let mut map = BTreeMap::new();
        for t in terms {
            let w = map.entry(t.text.as_bytes().to_vec()).or_insert(t.weight);
            *w = (*w).max(t.weight);
        }
        Self(map)
    }

    fn matches(&self, prefix: &[u8]) -> usize {
        self.0
            .range(prefix.to_vec()..)
            .take_while(|(text, _)| text.starts_with(prefix))
            .count()
    }
}

/// Checks one query on both variants against each other and the definition.
fn check(naive: &Naive, trie: &Optimized, oracle: &Oracle, prefix: &[u8], k: usize) {
    let expected = naive.complete_bytes(prefix, k);
    let got = trie.complete_bytes(prefix, k);
    assert_eq!(
        trie.complete_searched(prefix, k),
        got,
        "stored answers differ from the search for {prefix:?}, k = {k}"
    );
    assert_eq!(
        got,
        expected,
        "variants disagree for prefix {:?} (bytes {prefix:?}), k = {k}",
        String::from_utf8_lossy(prefix)
    );
    assert_eq!(
        got.len(),
        k.min(oracle.matches(prefix)),
        "prefix {prefix:?}, k = {k}"
    );
    for pair in got.windows(2) {
        assert!(
            rank_order(&pair[0].text, pair[0].weight, &pair[1].text, pair[1].weight).is_lt(),
            "not in rank order: {pair:?}"
        );
    }
    for s in &got {
        assert!(s.text.as_bytes().starts_with(prefix));
        assert_eq!(
            oracle.0.get(s.text.as_bytes()),
            Some(&s.weight),
            "duplicates keep their maximum weight"
        );
    }
}

/// Pieces that make many shared prefixes, terms that are prefixes of other
/// terms, and 2-, 3- and 4-byte UTF-8 characters.
const PIECES: &[&str] = &["a", "b", "c", "ab", "é", "日本", "🦀", "z"];

fn random_text(rng: &mut SplitMix64) -> String {
    let len = rng.below(6) as usize;
    (0..len)
        .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
        .collect()
}

fn random_prefix(rng: &mut SplitMix64, terms: &[Term]) -> Vec<u8> {
    match rng.below(5) {
        0 => Vec::new(),
        // Built from the same pieces: often matches, sometimes not.
        1 => {
            let chars = 1 + rng.below(4) as usize;
            let mut p = String::new();
            for _ in 0..chars {
                p.push_str(PIECES[rng.below(PIECES.len() as u64) as usize]);
            }
            p.into_bytes()
        }
        // Cut from an existing term at any byte, possibly inside a character.
        2 | 3 if !terms.is_empty() => {
            let text = terms[rng.below(terms.len() as u64) as usize]
                .text
                .as_bytes();
            let cut = rng.below(text.len() as u64 + 1) as usize;
            text[..cut].to_vec()
        }
        _ => b"no such prefix".to_vec(),
    }
}

const KS: &[usize] = &[0, 1, 2, 3, 10, 1_000];

#[test]
fn variants_agree_on_random_small_alphabets() {
    for seed in 0..300 {
        let mut rng = SplitMix64::new(seed);
        let n = rng.below(60) as usize;
        // Small weights force ties; repeated texts test the duplicate rule.
        let terms: Vec<Term> = (0..n)
            .map(|_| Term::new(random_text(&mut rng), rng.below(4)))
            .collect();
        let naive = Naive::build(terms.clone());
        let trie = Optimized::build(terms.clone());
        let oracle = Oracle::new(&terms);
        assert_eq!(naive.len(), trie.len());
        for _ in 0..40 {
            let prefix = random_prefix(&mut rng, &terms);
            let k = KS[rng.below(KS.len() as u64) as usize];
            check(&naive, &trie, &oracle, &prefix, k);
        }
    }
}

#[test]
fn variants_agree_on_generated_terms() {
    for seed in 0..4 {
        let terms = generate(5_000, seed);
        let naive = Naive::build(terms.clone());
        let trie = Optimized::build(terms.clone());
        let oracle = Oracle::new(&terms);
        let mut rng = SplitMix64::new(seed ^ 0xFFFF);
        let mut prefixes = vec![
            Vec::new(),
            workload::representative_prefix(&terms, 2).into_bytes(),
            b"q".to_vec(),
            b"xyzzy".to_vec(),
        ];
        prefixes.extend((0..200).map(|_| random_prefix(&mut rng, &terms)));
        for prefix in prefixes {
            for &k in KS {
                check(&naive, &trie, &oracle, &prefix, k);
            }
        }
    }
}

#[test]
fn edge_cases() {
    let empty_naive = Naive::build(Vec::new());
    let empty_trie = Optimized::build(Vec::new());
    check(&empty_naive, &empty_trie, &Oracle::new(&[]), b"", 10);
    check(&empty_naive, &empty_trie, &Oracle::new(&[]), b"a", 10);
    assert!(empty_trie.is_empty());

    // The empty string is a term; a term that is a prefix of the query is not a match.
    let terms = vec![
        Term::new("", 9),
        Term::new("car", 3),
        Term::new("cart", 3),
        Term::new("carton", 8),
        Term::new("car", 5),
    ];
    let naive = Naive::build(terms.clone());
    let trie = Optimized::build(terms.clone());
    let oracle = Oracle::new(&terms);
    for prefix in ["", "c", "car", "cart", "carto", "cartons", "d"] {
        for &k in KS {
            check(&naive, &trie, &oracle, prefix.as_bytes(), k);
        }
    }
    assert_eq!(
        trie.complete("car", 2),
        vec![Suggestion::exact("carton", 8), Suggestion::exact("car", 5),]
    );
}

#[test]
fn prefix_ending_inside_a_character() {
    let terms = vec![Term::new("éa", 1), Term::new("èb", 2), Term::new("e", 3)];
    let naive = Naive::build(terms.clone());
    let trie = Optimized::build(terms.clone());
    let oracle = Oracle::new(&terms);
    // "é" is C3 A9 and "è" is C3 A8: the lone lead byte matches both.
    let got = trie.complete_bytes(&[0xC3], 10);
    assert_eq!(got.len(), 2);
    check(&naive, &trie, &oracle, &[0xC3], 10);
    check(&naive, &trie, &oracle, &[0xC3, 0xA9], 10);
}

/// Weight per line number, so the word list ranks by more than the alphabet.
fn seeded_weights(words: Vec<Term>) -> Vec<Term> {
    let mut rng = SplitMix64::new(99);
    words
        .into_iter()
        .map(|t| Term::new(t.text, rng.below(1_000)))
        .collect()
}

#[test]
fn real_word_list_when_present() {
    let path = std::path::Path::new("/usr/share/dict/words");
    if !path.exists() {
        // Visible with `cargo test -- --nocapture`; CI installs `wamerican`.
        println!(
            "skipped: {} not found (apt-get install wamerican)",
            path.display()
        );
        return;
    }
    let words = load_terms(path).expect("the system word list loads");
    assert!(words.len() > 1_000, "a real word list has many words");
    for terms in [words.clone(), seeded_weights(words)] {
        let naive = Naive::build(terms.clone());
        let trie = Optimized::build(terms.clone());
        let oracle = Oracle::new(&terms);
        let mut prefixes: Vec<Vec<u8>> = vec![Vec::new()];
        for term in terms.iter().step_by(389) {
            let bytes = term.text.as_bytes();
            for cut in 1..=bytes.len().min(4) {
                prefixes.push(bytes[..cut].to_vec());
            }
        }
        for prefix in &prefixes {
            for k in [1, 10] {
                check(&naive, &trie, &oracle, prefix, k);
            }
        }
    }
}

#[test]
fn loader_reports_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.tsv");
    std::fs::write(&good, "alpha\t3\nbeta\n").expect("write");
    assert_eq!(
        load_terms(&good).expect("valid file"),
        vec![Term::new("alpha", 3), Term::new("beta", 1)]
    );

    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "alpha\t3\nbeta\tmany\n").expect("write");
    let err = load_terms(&bad).expect_err("malformed weight");
    assert!(matches!(err, LoadError::MalformedWeight { line: 2, .. }));
    assert!(err.to_string().contains("bad.tsv:2"), "{err}");

    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").expect("write");
    let err = load_terms(&empty).expect_err("empty file");
    assert!(err.to_string().contains("empty.txt"), "{err}");

    let binary = dir.path().join("binary.txt");
    std::fs::write(&binary, b"ok\n\xff\xfe\n").expect("write");
    let err = load_terms(&binary).expect_err("invalid utf-8");
    assert!(matches!(err, LoadError::InvalidUtf8 { line: 2, .. }));

    let missing = dir.path().join("missing.txt");
    let err = load_terms(&missing).expect_err("missing file");
    assert!(matches!(err, LoadError::Io { .. }));
    assert!(err.to_string().contains("missing.txt"), "{err}");
}
