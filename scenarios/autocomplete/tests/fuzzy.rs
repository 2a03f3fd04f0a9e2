//! Fuzzy completion and sessions against a brute-force oracle.
//!
//! The oracle shares no code with the variants: it computes the full
//! Levenshtein table of the query against every character prefix of every
//! term, takes the least value, and sorts all matches by the documented
//! order. Inputs mix 1- to 4-byte characters, so a character-counting bug
//! or a split inside a character shows up as a wrong distance.

use std::collections::BTreeMap;

use autocomplete::{
    Completer, FuzzyQuery, Naive, Optimized, SplitMix64, Suggestion, Term, generate, load_terms,
};

/// The least Levenshtein distance between `query` and any prefix of
/// `term`, from the whole table of `term` (rows) against `query` (columns):
/// row `i`'s last cell is the distance to the prefix of `i` characters.
fn least_prefix_distance(query: &[char], term: &[char]) -> usize {
    let mut table = vec![vec![0usize; query.len() + 1]; term.len() + 1];
    for (i, row) in table.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in table[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=term.len() {
        for j in 1..=query.len() {
            let substitute = table[i - 1][j - 1] + usize::from(term[i - 1] != query[j - 1]);
            table[i][j] = substitute.min(table[i - 1][j] + 1).min(table[i][j - 1] + 1);
        }
    }
    table.iter().map(|row| row[query.len()]).min().unwrap_or(0)
}

/// Every match of `query` within `d`, ranked: distance, weight desc, text.
fn oracle(terms: &[Term], query: &str, d: u8, k: usize) -> Vec<Suggestion> {
    let mut best: BTreeMap<&str, u64> = BTreeMap::new();
    for t in terms {
        let w = best.entry(t.text.as_str()).or_insert(t.weight);
        *w = (*w).max(t.weight);
    }
    let q: Vec<char> = query.chars().collect();
    let mut found: Vec<Suggestion> = best
        .into_iter()
        .filter_map(|(text, weight)| {
            let chars: Vec<char> = text.chars().collect();
            let distance = least_prefix_distance(&q, &chars);
            (distance <= usize::from(d)).then(|| Suggestion {
                text: text.to_owned(),
                weight,
                distance: distance as u8,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        a.distance
            .cmp(&b.distance)
            .then(b.weight.cmp(&a.weight))
            .then(a.text.as_bytes().cmp(b.text.as_bytes()))
    });
    found.truncate(k);
    found
}

const PIECES: &[&str] = &["a", "b", "ab", "ba", "é", "è", "日本", "日", "🦀", "z"];

fn random_text(rng: &mut SplitMix64, max_pieces: u64) -> String {
    (0..rng.below(max_pieces + 1))
        .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
        .collect()
}

fn check_all(terms: &[Term], naive: &Naive, index: &Optimized, query: &str, d: u8, k: usize) {
    let expected = oracle(terms, query, d, k);
    let fuzzy = FuzzyQuery::new(query, d).expect("valid query");
    assert_eq!(
        naive.complete_fuzzy(&fuzzy, k),
        expected,
        "naive, query {query:?}, d = {d}, k = {k}"
    );
    assert_eq!(
        index.complete_fuzzy(&fuzzy, k),
        expected,
        "optimized, query {query:?}, d = {d}, k = {k}"
    );
}

#[test]
fn variants_agree_with_the_oracle_on_random_multibyte_terms() {
    for seed in 0..150 {
        let mut rng = SplitMix64::new(seed);
        let n = rng.below(40) as usize;
        let terms: Vec<Term> = (0..n)
            .map(|_| Term::new(random_text(&mut rng, 5), rng.below(5)))
            .collect();
        let naive = Naive::build(terms.clone());
        let index = Optimized::build(terms.clone());
        for _ in 0..25 {
            let query = if rng.below(2) == 0 && !terms.is_empty() {
                // A term's prefix with one random piece swapped in.
                let t = &terms[rng.below(terms.len() as u64) as usize].text;
                let mut chars: Vec<char> = t.chars().collect();
                if !chars.is_empty() {
                    let at = rng.below(chars.len() as u64) as usize;
                    chars[at] = PIECES[rng.below(PIECES.len() as u64) as usize]
                        .chars()
                        .next()
                        .unwrap_or('a');
                }
                chars.into_iter().collect()
            } else {
                random_text(&mut rng, 4)
            };
            let d = rng.below(3) as u8;
            let k = [1, 3, 10, 100][rng.below(4) as usize];
            check_all(&terms, &naive, &index, &query, d, k);
        }
    }
}

/// One edit (substitute, insert or delete a letter) at a seeded place.
fn typo(rng: &mut SplitMix64, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let letter = char::from(b'a' + rng.below(26) as u8);
    let at = rng.below(chars.len() as u64 + 1) as usize;
    match rng.below(3) {
        0 if at < chars.len() => chars[at] = letter,
        1 => chars.insert(at, letter),
        _ if at < chars.len() => {
            chars.remove(at);
        }
        _ => chars.push(letter),
    }
    chars.into_iter().collect()
}

#[test]
fn variants_agree_with_the_oracle_on_generated_terms() {
    let terms = generate(3_000, 11);
    let naive = Naive::build(terms.clone());
    let index = Optimized::build(terms.clone());
    let mut rng = SplitMix64::new(5);
    for i in 0..60 {
        let t = &terms[rng.below(terms.len() as u64) as usize].text;
        let prefix: String = t.chars().take(1 + rng.below(7) as usize).collect();
        let query = if i % 3 == 0 {
            prefix
        } else {
            typo(&mut rng, &prefix)
        };
        for d in 0..=2 {
            check_all(&terms, &naive, &index, &query, d, 10);
        }
    }
    for query in ["", "q", "zzzz", "xyzzyplugh"] {
        for d in 0..=2 {
            check_all(&terms, &naive, &index, query, d, 10);
        }
    }
}

#[test]
fn real_word_list_when_present() {
    let path = std::path::Path::new("/usr/share/dict/words");
    if !path.exists() {
        println!(
            "skipped: {} not found (apt-get install wamerican)",
            path.display()
        );
        return;
    }
    let words = load_terms(path).expect("the system word list loads");
    let mut rng = SplitMix64::new(17);
    let terms: Vec<Term> = words
        .into_iter()
        .map(|t| Term::new(t.text, rng.below(10_000)))
        .collect();
    let naive = Naive::build(terms.clone());
    let index = Optimized::build(terms.clone());
    for _ in 0..12 {
        let t = &terms[rng.below(terms.len() as u64) as usize].text;
        let prefix: String = t.chars().take(3 + rng.below(4) as usize).collect();
        let query = typo(&mut rng, &prefix);
        for d in 1..=2 {
            let fuzzy = FuzzyQuery::new(&query, d).expect("valid");
            assert_eq!(
                index.complete_fuzzy(&fuzzy, 10),
                naive.complete_fuzzy(&fuzzy, 10),
                "query {query:?}, d = {d}"
            );
        }
    }
}

#[test]
fn a_session_equals_a_fresh_query_at_every_keystroke() {
    let terms = generate(1_000, 3);
    let index = Optimized::build(terms.clone());
    let mut rng = SplitMix64::new(8);
    for d in 0..=2 {
        let mut session = index.session(d).expect("valid distance");
        let mut typed = String::new();
        for _ in 0..60 {
            // Mostly typing, sometimes backspace, sometimes a jump.
            match rng.below(10) {
                0..=5 => {
                    let c = char::from(b'a' + rng.below(26) as u8);
                    session.push(c).expect("short query");
                    typed.push(c);
                }
                6..=8 => {
                    assert_eq!(session.pop(), typed.pop());
                }
                _ => {
                    let t = &terms[rng.below(terms.len() as u64) as usize].text;
                    typed = t.chars().take(5).collect();
                    session.set(&typed).expect("short query");
                }
            }
            assert_eq!(session.query(), typed);
            let fresh = oracle(&terms, &typed, d, 10);
            assert_eq!(session.complete(10), fresh, "typed {typed:?}, d = {d}");
        }
    }
}

#[test]
fn sessions_refuse_what_queries_refuse() {
    let index = Optimized::build(vec![Term::new("a", 1)]);
    assert!(index.session(3).is_err());
    let mut session = index.session(1).expect("valid");
    for _ in 0..autocomplete::MAX_QUERY_CHARS {
        session.push('é').expect("within the limit");
    }
    assert!(session.push('é').is_err());
    assert_eq!(
        session.query().chars().count(),
        autocomplete::MAX_QUERY_CHARS
    );
    let empty = Optimized::build(Vec::new());
    let mut session = empty.session(2).expect("valid");
    session.push('a').expect("short");
    assert!(session.complete(10).is_empty());
}
