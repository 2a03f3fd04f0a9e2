//! The index file: written, mapped, refused when damaged, and never a
//! panic or an out-of-bounds read, whatever the bytes (property tests over
//! arbitrary and mutated files).

use std::path::Path;

use autocomplete::index::format;
use autocomplete::{
    Completer, FuzzyQuery, IndexError, Optimized, SplitMix64, Term, Verify, generate,
};
use proptest::prelude::*;

fn sample_terms() -> Vec<Term> {
    let mut terms = generate(500, 21);
    terms.extend(
        ["é", "éa", "日本", "日本語", "🦀", "🦀s", ""]
            .iter()
            .enumerate()
            .map(|(i, t)| Term::new(*t, i as u64 * 1_000)),
    );
    terms
}

fn queries() -> Vec<(String, u8)> {
    let mut out = Vec::new();
    for q in ["", "a", "se", "pri", "日", "🦀", "éb", "zzz", "carton"] {
        for d in 0..=2 {
            out.push((q.to_owned(), d));
        }
    }
    out
}

/// Every kind of query on `index`; used to show it does not panic.
fn exercise(index: &Optimized) -> usize {
    let mut answers = 0;
    for (q, d) in queries() {
        let query = FuzzyQuery::new(&q, d).expect("valid");
        answers += index.complete_fuzzy(&query, 10).len();
        answers += index.complete_bytes(q.as_bytes(), 5).len();
        if let Ok(mut session) = index.session(d) {
            for c in q.chars() {
                let _ = session.push(c);
                answers += session.complete(3).len();
            }
            session.pop();
            answers += session.complete(3).len();
        }
    }
    answers
}

#[test]
fn a_written_file_answers_like_the_built_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("terms.idx");
    let built = Optimized::build(sample_terms());
    built.write(&path).expect("write");
    let opened = Optimized::open(&path).expect("open");
    assert_eq!(opened.len(), built.len());
    assert_eq!(opened.as_bytes(), built.as_bytes());
    for (q, d) in queries() {
        let query = FuzzyQuery::new(&q, d).expect("valid");
        assert_eq!(
            opened.complete_fuzzy(&query, 10),
            built.complete_fuzzy(&query, 10),
            "{q:?} d={d}"
        );
    }
    assert!(exercise(&opened) > 0);
    // Nothing but the file itself is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["terms.idx"]);
}

fn refused(bytes: &[u8]) -> IndexError {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.idx");
    std::fs::write(&path, bytes).expect("write");
    let err = Optimized::open(&path).expect_err("refused");
    assert!(err.to_string().contains("bad.idx"), "names the file: {err}");
    match err {
        IndexError::File { source, .. } => *source,
        other => other,
    }
}

#[test]
fn damaged_files_are_refused_with_the_reason() {
    let good = Optimized::build(sample_terms()).as_bytes().to_vec();

    assert!(matches!(refused(&[]), IndexError::Truncated { .. }));
    assert!(matches!(refused(&good[..40]), IndexError::Truncated { .. }));
    assert!(matches!(
        refused(&good[..good.len() - 1]),
        IndexError::Truncated { .. }
    ));
    let mut longer = good.clone();
    longer.extend_from_slice(&[0; 8]);
    assert!(matches!(refused(&longer), IndexError::TrailingBytes { .. }));

    let mut body = good.clone();
    let at = good.len() - 20;
    body[at] ^= 0x40;
    let err = refused(&body);
    assert!(err.to_string().contains("body's checksum"), "{err}");
    // Trusted opens skip the body check but stay safe to query.
    let trusted = Optimized::from_bytes(body, Verify::HeaderOnly).expect("header is fine");
    exercise(&trusted);

    let mut header = good.clone();
    header[20] ^= 1;
    assert!(refused(&header).to_string().contains("header's checksum"));

    let mut version = good.clone();
    version[8] = 9;
    let sum = format::checksum(&version[..format::HEADER_SUM_AT]);
    version[format::HEADER_SUM_AT..format::HEADER_SUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
    assert!(matches!(
        refused(&version),
        IndexError::Version { found: 9, .. }
    ));

    assert!(matches!(
        refused(b"\x89PNG\r\n\x1a\n0000000000000000000000000000000000000000000000000000000000"),
        IndexError::NotAnIndex
    ));
    assert!(matches!(refused(&[b'x'; 4096]), IndexError::NotAnIndex));

    let missing = Optimized::open(Path::new("/nonexistent/terms.idx")).expect_err("missing");
    assert!(matches!(missing, IndexError::Io { .. }));
    assert!(missing.to_string().contains("/nonexistent/terms.idx"));
}

#[test]
fn an_empty_index_round_trips() {
    let empty = Optimized::build(Vec::new());
    let again = Optimized::from_bytes(empty.as_bytes().to_vec(), Verify::Checksum).expect("valid");
    assert!(again.is_empty());
    assert_eq!(exercise(&again), 0);
}

/// A valid small index, as bytes, from a seed.
fn small_index(seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let pieces = ["a", "b", "ab", "é", "日本", "🦀"];
    let terms: Vec<Term> = (0..1 + rng.below(30))
        .map(|_| {
            let text: String = (0..rng.below(5))
                .map(|_| pieces[rng.below(pieces.len() as u64) as usize])
                .collect();
            Term::new(text, rng.below(100))
        })
        .collect();
    Optimized::build(terms).as_bytes().to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary bytes, with and without a valid-looking header prefix.
    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..600), magic in any::<bool>()) {
        if magic && bytes.len() >= 8 {
            bytes[..8].copy_from_slice(&format::MAGIC);
        }
        if let Ok(index) = Optimized::from_bytes(bytes, Verify::HeaderOnly) {
            exercise(&index);
        }
    }

    /// A valid file with bytes overwritten after the header, opened
    /// without the checksum so that queries run over the damage.
    #[test]
    fn damaged_bodies_never_panic(seed in 0u64..1_000, edits in proptest::collection::vec((any::<u16>(), any::<u8>()), 1..12)) {
        let mut bytes = small_index(seed);
        let body = bytes.len() - format::HEADER_LEN;
        for (at, value) in edits {
            let at = format::HEADER_LEN + usize::from(at) % body;
            bytes[at] = value;
        }
        let index = Optimized::from_bytes(bytes, Verify::HeaderOnly).expect("the header is intact");
        exercise(&index);
    }

    /// Damaged counts in the header (checksum recomputed, so they are
    /// believed): refused as truncated or out of range, or safe to query.
    #[test]
    fn damaged_counts_never_panic(seed in 0u64..1_000, field in 0usize..8, value in any::<u32>()) {
        let mut bytes = small_index(seed);
        let at = [12, 16, 24, 32, 40, 48, 52, 56][field];
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        let end = format::HEADER_SUM_AT;
        let sum = format::checksum(&bytes[..end]);
        bytes[end..end + 8].copy_from_slice(&sum.to_le_bytes());
        if let Ok(index) = Optimized::from_bytes(bytes, Verify::HeaderOnly) {
            exercise(&index);
        }
    }
}
