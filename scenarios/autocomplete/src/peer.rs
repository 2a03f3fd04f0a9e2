//! The peer contender: the `fst` crate's map, used the way its documentation
//! suggests, so the benches can say where the scenario's own index stands
//! against a mature, widely used library.
//!
//! [`FstMap`] stores the canonical terms (see [`crate::canonicalize`]) as an
//! `fst::Map` from text to weight: a minimal finite-state transducer that
//! shares prefixes *and* suffixes, so it is small (about 10 bytes per term
//! on English-like words), but it keeps no ranking information. Every query
//! therefore streams *all* matching keys and keeps the best `k` in a bounded
//! heap:
//!
//! * **exact**: the byte range `[prefix, prefix + 1)` of the map, so a
//!   1-character prefix streams a large share of all terms (that is the
//!   price of having no per-subtree best, which the trie has);
//! * **fuzzy**: `fst::automaton::Levenshtein::new(query, d).starts_with()`,
//!   intersected with the map. fst's automaton accepts the keys *some
//!   prefix* of which is within `d` edits (over Unicode scalar values) of the
//!   query, which is exactly the crate's prefix distance (see the fuzzy
//!   module). The automaton says *whether* a key matches, not at what
//!   distance, so each matching key's distance is computed again with
//!   [`FuzzyQuery::distance_to`] for the ranking.
//!
//! fst's automaton is not used for every query, because it is not always
//! right or not always available:
//!
//! * **Non-ASCII queries miss matches.** fst 0.4.7's Levenshtein DFA loses
//!   some matches when the query holds multi-byte characters: `"a本"` at
//!   distance 1 does not find `"日本"`, and a random test of 23,514 small
//!   non-ASCII queries found 745 with matches missing (never extra ones),
//!   against none in 36,486 ASCII queries over the same multi-byte keys.
//!   This is fst's open issue #38 (and #160, "Arabic support").
//! * **Long queries are refused.** fst builds the DFA up front and gives up
//!   past 10,000 states (`LevenshteinError::TooManyStates`, fst issue #83);
//!   long queries at distance 2 do.
//!
//! For those queries [`FstMap`] walks the same map with an automaton of its
//! own, [`RowAutomaton`]: the Levenshtein table's row as the state, one row
//! per character of the key, pruned as soon as every cell is above `d`. It
//! is slower per step than fst's precomputed DFA but always right, so no
//! query fails and every answer equals the naive scan's.
//! [`FstMap::uses_fst_automaton`] tells which path a query takes. The
//! latency bench's generated terms are ASCII, so there it measures fst's own
//! automaton.
//!
//! What it does not do: load from a file or memory map (fst can, through
//! `Map::new` on any byte slice, but mapping a file needs `unsafe`, which the
//! workspace denies), or insert after the build.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use fst::automaton::Levenshtein;
use fst::{Automaton, IntoStreamer, Map, Streamer};

use crate::{Completer, FuzzyQuery, MAX_QUERY_CHARS, Suggestion, Term, canonicalize};

/// Autocomplete over an `fst::Map` from term to weight; see the module docs.
#[derive(Clone)]
pub struct FstMap {
    map: Map<Vec<u8>>,
}

impl FstMap {
    /// Whether [`Completer::complete_fuzzy`] answers `query` with fst's own
    /// Levenshtein automaton: a fuzzy ASCII query that fst can build one
    /// for. Otherwise (distance 0, a non-ASCII query, or too many states)
    /// it takes the exact range or the crate's own row automaton; see the
    /// module docs. Building the automaton to find out costs as much as the
    /// query's first step.
    pub fn uses_fst_automaton(query: &FuzzyQuery) -> bool {
        query.max_distance() > 0 && fst_automaton(query).is_some()
    }

    /// The serialized fst: what [`Completer::heap_bytes`] counts, and what
    /// `fst::Map::new` would read back.
    pub fn as_bytes(&self) -> &[u8] {
        self.map.as_fst().as_bytes()
    }

    /// The best `k` keys of the byte range that starts with `prefix`.
    fn top_of_range(&self, prefix: &[u8], k: usize) -> TopK {
        let mut top = TopK::new(k);
        let range = self.map.range().ge(prefix);
        let mut stream = match prefix_successor(prefix) {
            Some(end) => range.lt(end).into_stream(),
            None => range.into_stream(),
        };
        while let Some((key, weight)) = stream.next() {
            top.offer(0, weight, key);
        }
        top
    }

    /// The best `k` keys that `stream` yields, ranked by prefix distance.
    fn top_fuzzy<S>(mut stream: S, query: &FuzzyQuery, k: usize) -> TopK
    where
        S: for<'a> Streamer<'a, Item = (&'a [u8], u64)>,
    {
        let mut top = TopK::new(k);
        while let Some((key, weight)) = stream.next() {
            // Keys were inserted from `String`s, so they are whole UTF-8.
            let Ok(text) = std::str::from_utf8(key) else {
                continue;
            };
            if let Some(distance) = query.distance_to(text) {
                top.offer(distance, weight, key);
            }
        }
        top
    }
}

/// Shows the size, not the keys (fst's own `Debug` lists every entry).
impl std::fmt::Debug for FstMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FstMap")
            .field("terms", &self.map.len())
            .field("bytes", &self.map.as_fst().size())
            .finish()
    }
}

impl Completer for FstMap {
    const VARIANT: &'static str = "fst";

    /// fst refuses only keys that are out of order or repeated, which
    /// [`canonicalize`] rules out, and reads back only what it wrote; so an
    /// error here is a broken invariant of this crate, not bad input. The
    /// buffer is shrunk to its length, so [`Completer::heap_bytes`] is both
    /// the fst's size and its capacity.
    fn build(terms: Vec<Term>) -> Self {
        let terms = canonicalize(terms);
        let pairs = terms.iter().map(|t| (t.text.as_bytes(), t.weight));
        let shrunk = Map::from_iter(pairs).and_then(|map| {
            let mut bytes = map.into_fst().into_inner();
            bytes.shrink_to_fit();
            Map::new(bytes)
        });
        match shrunk {
            Ok(map) => Self { map },
            Err(e) => panic!("fst refused {} canonical terms: {e}", terms.len()),
        }
    }

    fn complete_bytes(&self, prefix: &[u8], k: usize) -> Vec<Suggestion> {
        if k == 0 {
            return Vec::new();
        }
        self.top_of_range(prefix, k).into_suggestions()
    }

    fn complete_fuzzy(&self, query: &FuzzyQuery, k: usize) -> Vec<Suggestion> {
        if k == 0 {
            return Vec::new();
        }
        if query.max_distance() == 0 {
            // Prefix distance 0 is "starts with the query": the exact range.
            return self
                .top_of_range(query.text().as_bytes(), k)
                .into_suggestions();
        }
        let top = match fst_automaton(query) {
            Some(lev) => {
                let stream = self.map.search(lev.starts_with()).into_stream();
                Self::top_fuzzy(stream, query, k)
            }
            None => {
                let rows = RowAutomaton::new(query);
                let stream = self.map.search(rows.starts_with()).into_stream();
                Self::top_fuzzy(stream, query, k)
            }
        };
        top.into_suggestions()
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    /// The fst's bytes (its one allocation, shrunk to fit at build).
    fn heap_bytes(&self) -> usize {
        self.map.as_fst().size()
    }
}

/// fst's Levenshtein automaton for `query`, or `None` when it would be
/// wrong (a non-ASCII query, fst #38) or fst refuses to build it (too many
/// states, fst #83; the only error it has).
fn fst_automaton(query: &FuzzyQuery) -> Option<Levenshtein> {
    if !query.text().is_ascii() {
        return None;
    }
    Levenshtein::new(query.text(), u32::from(query.max_distance())).ok()
}

/// Cells of a row: one per query character, plus the empty query prefix.
const ROW: usize = MAX_QUERY_CHARS + 1;

/// An `fst::Automaton` over UTF-8 bytes that accepts a key once the
/// Levenshtein distance between the query and the characters read so far
/// is within the limit. Under `starts_with()` it accepts the keys whose
/// prefix distance is within the limit, as fst's own automaton does for
/// ASCII queries.
///
/// The state is one row of the Levenshtein table (cell `j`: the distance
/// between the first `j` query characters and the key so far), with values
/// capped at `limit + 1` (every larger value decides the same way), and the
/// bytes of a character not yet complete. No state is ever allocated, so a
/// step costs one row update per character and a copy of the row.
#[derive(Debug, Clone)]
pub(crate) struct RowAutomaton<'q> {
    query: &'q [char],
    limit: u8,
}

/// A [`RowAutomaton`] state; `None` after bytes that are not UTF-8.
#[derive(Debug, Clone)]
pub(crate) struct RowState {
    row: [u8; ROW],
    /// The bits of the character being read.
    partial: u32,
    /// Continuation bytes still to come before `partial` is a character.
    pending: u8,
}

impl<'q> RowAutomaton<'q> {
    fn new(query: &'q FuzzyQuery) -> Self {
        Self {
            query: query.chars(),
            limit: query.max_distance(),
        }
    }

    fn cap(&self) -> u8 {
        self.limit.saturating_add(1)
    }

    /// The next row after the key character `c`.
    fn step(&self, row: &[u8; ROW], c: char) -> [u8; ROW] {
        let cap = self.cap();
        let mut next = [cap; ROW];
        next[0] = row[0].saturating_add(1).min(cap);
        for (j, &q) in self.query.iter().enumerate() {
            let substitute = row[j] + u8::from(q != c);
            let delete = row[j + 1] + 1;
            let insert = next[j] + 1;
            next[j + 1] = substitute.min(delete).min(insert).min(cap);
        }
        next
    }
}

impl Automaton for RowAutomaton<'_> {
    type State = Option<RowState>;

    fn start(&self) -> Option<RowState> {
        let cap = self.cap();
        let mut row = [cap; ROW];
        for (j, cell) in row.iter_mut().enumerate().take(self.query.len() + 1) {
            *cell = u8::try_from(j).unwrap_or(cap).min(cap);
        }
        Some(RowState {
            row,
            partial: 0,
            pending: 0,
        })
    }

    fn is_match(&self, state: &Option<RowState>) -> bool {
        state
            .as_ref()
            .is_some_and(|s| s.pending == 0 && s.row[self.query.len()] <= self.limit)
    }

    fn can_match(&self, state: &Option<RowState>) -> bool {
        // A later row's cells are at least the smallest cell of this one.
        state.as_ref().is_some_and(|s| {
            s.row[..=self.query.len()]
                .iter()
                .any(|&cell| cell <= self.limit)
        })
    }

    fn accept(&self, state: &Option<RowState>, byte: u8) -> Option<RowState> {
        let s = state.as_ref()?;
        let (partial, pending) = if s.pending == 0 {
            match byte {
                0x00..=0x7F => (u32::from(byte), 0),
                0xC0..=0xDF => (u32::from(byte & 0x1F), 1),
                0xE0..=0xEF => (u32::from(byte & 0x0F), 2),
                0xF0..=0xF7 => (u32::from(byte & 0x07), 3),
                _ => return None,
            }
        } else if byte & 0xC0 == 0x80 {
            ((s.partial << 6) | u32::from(byte & 0x3F), s.pending - 1)
        } else {
            return None;
        };
        if pending > 0 {
            return Some(RowState {
                row: s.row,
                partial,
                pending,
            });
        }
        let c = char::from_u32(partial)?;
        Some(RowState {
            row: self.step(&s.row, c),
            partial: 0,
            pending: 0,
        })
    }
}

/// The smallest byte string greater than every string starting with
/// `prefix`: drop trailing `0xFF` bytes and increment the last one. `None`
/// when there is none (empty, or all `0xFF`): the range is unbounded above.
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let keep = prefix.iter().rposition(|&b| b != u8::MAX)?;
    let mut end = prefix[..=keep].to_vec();
    end[keep] += 1;
    Some(end)
}

/// One kept answer; ordered so that the heap's maximum is the worst kept.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    // Field order is the ranking (`fuzzy_order`): distance ascending,
    // weight descending, text ascending bytewise. The derived order is
    // lexicographic over the fields, so it is exactly that ranking.
    distance: u8,
    weight: Reverse<u64>,
    text: Vec<u8>,
}

/// The best `k` of a stream of keys, in a max-heap of the worst kept.
struct TopK {
    k: usize,
    heap: BinaryHeap<Candidate>,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k.min(1024) + 1),
        }
    }

    /// Keeps the key if it ranks among the best `k` so far. Copies the key
    /// only when it is kept, so most streamed keys cost one comparison.
    fn offer(&mut self, distance: u8, weight: u64, key: &[u8]) {
        if self.k == 0 {
            return;
        }
        if self.heap.len() == self.k {
            let Some(worst) = self.heap.peek() else {
                return;
            };
            let better = (distance, Reverse(weight), key)
                < (worst.distance, worst.weight, worst.text.as_slice());
            if !better {
                return;
            }
            self.heap.pop();
        }
        self.heap.push(Candidate {
            distance,
            weight: Reverse(weight),
            text: key.to_vec(),
        });
    }

    /// The kept answers, best first.
    fn into_suggestions(self) -> Vec<Suggestion> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|c| Suggestion {
                // Keys were inserted from `String`s; lossy only if fst broke.
                text: String::from_utf8(c.text)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                weight: c.weight.0,
                distance: c.distance,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successor_of_a_prefix() {
        assert_eq!(prefix_successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_successor(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"\xff\xff"), None);
        assert_eq!(prefix_successor(b""), None);
    }

    #[test]
    fn top_k_keeps_the_best_in_fuzzy_order() {
        let mut top = TopK::new(2);
        top.offer(1, 100, b"far");
        top.offer(0, 1, b"light");
        top.offer(0, 5, b"b");
        top.offer(0, 5, b"a");
        let got: Vec<(String, u64, u8)> = top
            .into_suggestions()
            .into_iter()
            .map(|s| (s.text, s.weight, s.distance))
            .collect();
        assert_eq!(got, [("a".into(), 5, 0), ("b".into(), 5, 0)]);
    }

    #[test]
    fn debug_shows_the_size_not_the_keys() {
        let map = FstMap::build(vec![Term::new("secret", 1)]);
        let shown = format!("{map:?}");
        assert!(shown.starts_with("FstMap { terms: 1, bytes: "), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
