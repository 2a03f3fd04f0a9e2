//! What the benches measure: sizes, seed, prefix and run mode.
//!
//! All three bench targets (criterion, gungraun, divan) take their inputs from
//! here, so a given size means the same terms and the same query in every
//! tool. This module does not run or time anything.
//!
//! **Prefix choice.** Each size is queried with one prefix of
//! [`PREFIX_LEN`] characters, [`representative_prefix`]: the *term-weighted
//! median* 2-character prefix. Group the terms by their first two characters,
//! order the groups by size (largest first), and take the group that holds
//! the middle term. Half of all terms sit in groups at least that large, so
//! it is what a user typing the first two letters of a random term hits in
//! the typical case, neither the rarest nor the single most common prefix.
//! One fixed prefix (rather than a rotation) keeps one gungraun call and one
//! criterion iteration measuring the same query.
//!
//! **Modes.** The run mode is perflab-kit's [`RunMode`], detected the same
//! way in every scenario: `PERFLAB_QUICK=1` selects [`RunMode::Quick`]; a
//! bench binary started without `--bench` (that is, by `cargo test
//! --benches`) runs in [`RunMode::Test`]. This module says which sizes each
//! mode runs; test keeps the smallest size only, because the test profile is
//! unoptimized and building 1M terms there takes far longer.
//!
//! **Fuzzy headline.** The criterion, gungraun and divan benches also time
//! one fuzzy query per size and distance ([`Case`]), the first query of
//! [`latency_queries`] for that class: a seeded term prefix of 4 to 7
//! characters with 1 or 2 random edits. They run at the divan sizes (quick
//! stops at 100k, where the scans take milliseconds, not tens of them).
//!
//! **Latency bench.** `benches/latency.rs` times many seeded queries one by
//! one instead of one query many times: [`QueryClass`] says which kinds
//! (exact prefixes of 1, 2 and 3 characters, fuzzy at distance 1 and 2),
//! [`latency_queries`] draws them, [`latency_sizes`], [`latency_variants`]
//! and [`latency_query_count`] say how much of it each mode runs, and
//! [`word_list`] finds the real data set (Debian's word list) it adds beside
//! the generated terms.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use perflab_kit::RunMode;
use perflab_kit::{SplitMix64, mix64};

use crate::{LoadError, Term, generate};

/// Seed of every generated bench input.
pub const SEED: u64 = 0x0A07_0C03_91E7_E5ED;
/// Number of suggestions asked for.
pub const K: usize = 10;
/// Prefix length of the headline case, in characters.
pub const PREFIX_LEN: usize = 2;

/// One input size of the benches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Number of generated terms.
    pub terms: usize,
    /// Short label, for example `10k` or `1M`.
    pub label: &'static str,
}

impl Size {
    /// The benchmark id every tool uses, for example `terms_10k_prefix_2`:
    /// lower case with underscores, because gungraun ids are Rust
    /// identifiers, and one spelling lets perflab line the tools up.
    pub fn id(self) -> String {
        format!("{}_prefix_{PREFIX_LEN}", self.terms_id())
    }

    /// The size part of every id, for example `terms_10k`.
    pub fn terms_id(self) -> String {
        format!("terms_{}", self.label.to_ascii_lowercase())
    }
}

/// Shows the benchmark id, which divan uses as its argument name.
impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id())
    }
}

/// 3k terms: the latency bench under `cargo test --benches`.
pub const TINY: Size = Size {
    terms: 3_000,
    label: "3k",
};
/// 10k terms.
pub const SMALL: Size = Size {
    terms: 10_000,
    label: "10k",
};
/// 100k terms.
pub const MEDIUM: Size = Size {
    terms: 100_000,
    label: "100k",
};
/// 1M terms, the headline size.
pub const LARGE: Size = Size {
    terms: 1_000_000,
    label: "1M",
};

/// 5M terms: the latency bench's largest size (a few GiB of memory).
pub const HUGE: Size = Size {
    terms: 5_000_000,
    label: "5M",
};

/// Sizes for criterion: quick keeps the headline 1M next to 10k, because
/// a criterion run is cheap once the index is built.
pub fn criterion_sizes(mode: RunMode) -> &'static [Size] {
    match mode {
        RunMode::Full => &[SMALL, MEDIUM, LARGE],
        RunMode::Quick => &[SMALL, LARGE],
        RunMode::Test => &[SMALL],
    }
}

/// Sizes for divan, a local tool: quick drops 1M.
pub fn divan_sizes(mode: RunMode) -> &'static [Size] {
    match mode {
        RunMode::Full => &[SMALL, MEDIUM, LARGE],
        RunMode::Quick => &[SMALL, MEDIUM],
        RunMode::Test => &[SMALL],
    }
}

/// One query of the criterion, gungraun and divan benches: a size, and
/// either the representative prefix or the fuzzy headline at a distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    /// The generated terms.
    pub size: Size,
    /// `None`: the representative prefix; `Some(d)`: the fuzzy headline
    /// query at distance `d`.
    pub fuzzy: Option<u8>,
}

impl Case {
    /// The exact-prefix case of `size`.
    pub const fn prefix(size: Size) -> Self {
        Self { size, fuzzy: None }
    }

    /// The fuzzy case of `size` at `distance` (1 or 2).
    pub const fn fuzzy(size: Size, distance: u8) -> Self {
        Self {
            size,
            fuzzy: Some(distance),
        }
    }

    /// The benchmark id, `terms_10k_prefix_2` or `terms_10k_fuzzy_d1`.
    pub fn id(self) -> String {
        match self.fuzzy {
            None => self.size.id(),
            Some(d) => format!("{}_fuzzy_d{d}", self.size.terms_id()),
        }
    }

    /// The case's terms and query text: the representative prefix, or the
    /// first seeded fuzzy query of its class (see [`latency_queries`]).
    pub fn inputs(self) -> (Vec<Term>, String) {
        let terms = generate(self.size.terms, SEED);
        let query = match self.fuzzy {
            None => representative_prefix(&terms, PREFIX_LEN),
            Some(d) => {
                let class = if d <= 1 {
                    QueryClass::FuzzyD1
                } else {
                    QueryClass::FuzzyD2
                };
                latency_queries(&terms, class, 1, SEED)
                    .pop()
                    .unwrap_or_default()
            }
        };
        (terms, query)
    }
}

/// Shows the benchmark id, which divan uses as its argument name.
impl std::fmt::Display for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id())
    }
}

/// A gungraun filter (wildcard over `file::group::function::id`) that
/// drops the sizes `mode` skips; `None` runs everything. Quick drops 1M
/// because its setup is slow under valgrind.
pub fn gungraun_filter(mode: RunMode) -> Option<&'static str> {
    match mode {
        RunMode::Full => None,
        RunMode::Quick => Some("*::terms_10*"),
        RunMode::Test => Some("*::terms_10k_*"),
    }
}

/// The generated terms of a size and the prefix the benches query.
pub fn inputs(size: Size) -> (Vec<Term>, String) {
    let terms = generate(size.terms, SEED);
    let prefix = representative_prefix(&terms, PREFIX_LEN);
    (terms, prefix)
}

/// The term-weighted median prefix of `len` characters (see the module
/// docs). Ties in group size go to the bytewise smaller prefix. Empty when no
/// term has `len` characters.
pub fn representative_prefix(terms: &[Term], len: usize) -> String {
    let mut groups: HashMap<&str, usize> = HashMap::new();
    for term in terms {
        if let Some(prefix) = char_prefix(&term.text, len) {
            *groups.entry(prefix).or_default() += 1;
        }
    }
    let mut groups: Vec<(&str, usize)> = groups.into_iter().collect();
    groups.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let total: usize = groups.iter().map(|g| g.1).sum();
    let mut seen = 0;
    for (prefix, count) in groups {
        seen += count;
        if 2 * seen >= total {
            return prefix.to_owned();
        }
    }
    String::new()
}

/// A kind of query the latency bench times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryClass {
    /// An exact prefix of 1 character.
    Prefix1,
    /// An exact prefix of 2 characters.
    Prefix2,
    /// An exact prefix of 3 characters.
    Prefix3,
    /// A fuzzy query at distance 1.
    FuzzyD1,
    /// A fuzzy query at distance 2.
    FuzzyD2,
}

impl QueryClass {
    /// Every class, in the order the bench runs and prints them.
    pub const ALL: [QueryClass; 5] = [
        QueryClass::Prefix1,
        QueryClass::Prefix2,
        QueryClass::Prefix3,
        QueryClass::FuzzyD1,
        QueryClass::FuzzyD2,
    ];

    /// The class's part of a benchmark id: `prefix_1` … `fuzzy_d2`.
    pub fn id(self) -> &'static str {
        match self {
            QueryClass::Prefix1 => "prefix_1",
            QueryClass::Prefix2 => "prefix_2",
            QueryClass::Prefix3 => "prefix_3",
            QueryClass::FuzzyD1 => "fuzzy_d1",
            QueryClass::FuzzyD2 => "fuzzy_d2",
        }
    }

    /// The edit distance of a fuzzy class; `None` for exact prefixes.
    pub fn distance(self) -> Option<u8> {
        match self {
            QueryClass::FuzzyD1 => Some(1),
            QueryClass::FuzzyD2 => Some(2),
            _ => None,
        }
    }
}

/// How a contender answers a class of queries, which decides how many
/// queries it can afford (see [`latency_query_count`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// Through an index: the query count does not depend on the size.
    Indexed,
    /// By looking at every term: fewer queries as the size grows.
    Scan,
}

/// Generated sizes of the latency bench: full 100k, 1M and 5M; quick 100k
/// and 1M (1M for the indexed contenders only, see [`latency_variants`]);
/// test 3k, seconds in a debug build.
pub fn latency_sizes(mode: RunMode) -> &'static [Size] {
    match mode {
        RunMode::Full => &[MEDIUM, LARGE, HUGE],
        RunMode::Quick => &[MEDIUM, LARGE],
        RunMode::Test => &[TINY],
    }
}

/// Which contenders (by `Completer::VARIANT`) the latency bench runs on a
/// data set of `terms` terms: all of them, except that quick mode leaves
/// the naive scan out above 100k terms.
pub fn latency_variants(mode: RunMode, terms: usize) -> &'static [&'static str] {
    if mode == RunMode::Quick && terms > MEDIUM.terms {
        &["fst", "optimized"]
    } else {
        &["naive", "fst", "optimized"]
    }
}

/// Queries per class for a contender. Indexed: full 1000, quick 200, test
/// 20. A scan gets a budget of term visits instead (full 10⁹ for exact
/// prefixes, 10⁸ for fuzzy queries, whose per-term cost is a Levenshtein
/// row per character; quick a tenth of that), divided by the size and
/// clamped to at least 10 and at most the indexed count: the naive variant
/// at 5M gets 200 exact and 20 fuzzy queries per class in full mode. Quick
/// mode runs no scan above 100k terms (0 queries), as [`latency_variants`].
pub fn latency_query_count(mode: RunMode, cost: Cost, terms: usize, class: QueryClass) -> usize {
    if mode == RunMode::Quick && cost == Cost::Scan && terms > MEDIUM.terms {
        return 0;
    }
    let (indexed, exact_budget, fuzzy_budget) = match mode {
        RunMode::Full => (1000, 1_000_000_000, 100_000_000),
        RunMode::Quick => (200, 100_000_000, 10_000_000),
        RunMode::Test => (20, 100_000_000, 10_000_000),
    };
    match cost {
        Cost::Indexed => indexed,
        Cost::Scan => {
            let budget = if class.distance().is_some() {
                fuzzy_budget
            } else {
                exact_budget
            };
            (budget / terms.max(1)).clamp(10, indexed)
        }
    }
}

/// The most time one contender spends on one class (warm-up included):
/// a guard, so a contender slower than expected cannot stall a run. The
/// bench reports it when it stops early.
pub fn latency_time_cap(mode: RunMode) -> Duration {
    match mode {
        RunMode::Full => Duration::from_secs(120),
        RunMode::Quick => Duration::from_secs(8),
        RunMode::Test => Duration::from_secs(30),
    }
}

/// `count` seeded queries of `class` over `terms` (the same for the same
/// inputs everywhere; a contender that gets fewer takes the first ones).
///
/// Each query starts from a term drawn uniformly (so a prefix is as likely
/// as the share of terms that start with it). Exact: its first 1, 2 or 3
/// characters. Fuzzy: its first 4 to 7 characters with 1 or 2 random edits
/// (substitution, insertion or deletion of a character, the new characters
/// taken from other random terms, so the alphabet is the data's own), so
/// that few terms match exactly. Terms too short are drawn again; when too
/// few terms are long enough, fewer queries come back.
pub fn latency_queries(terms: &[Term], class: QueryClass, count: usize, seed: u64) -> Vec<String> {
    let mut rng = SplitMix64::new(mix64(seed ^ perflab_kit::fnv1a(class.id().as_bytes())));
    let mut out = Vec::with_capacity(count);
    let attempts = 100 * count + 1_000;
    for _ in 0..attempts {
        if out.len() == count || terms.is_empty() {
            break;
        }
        let term = &terms[rng.below(terms.len() as u64) as usize].text;
        let query = match class.distance() {
            None => {
                let len = match class {
                    QueryClass::Prefix1 => 1,
                    QueryClass::Prefix2 => 2,
                    _ => 3,
                };
                char_prefix(term, len).map(str::to_owned)
            }
            Some(d) => fuzzy_query(terms, term, d, &mut rng),
        };
        out.extend(query);
    }
    out
}

/// A prefix of 4 to 7 characters of `term` with `edits` random edits, or
/// `None` when `term` is too short or the edits cancelled out.
fn fuzzy_query(terms: &[Term], term: &str, edits: u8, rng: &mut SplitMix64) -> Option<String> {
    let len = 4 + rng.below(4) as usize;
    let base: Vec<char> = char_prefix(term, len)?.chars().collect();
    let mut chars = base.clone();
    for _ in 0..edits {
        let at = rng.below(chars.len() as u64 + 1) as usize;
        match rng.below(3) {
            0 if at < chars.len() => chars[at] = random_char(terms, rng, chars[at]),
            1 if chars.len() > 1 && at < chars.len() => {
                chars.remove(at);
            }
            _ => chars.insert(at, random_char(terms, rng, '\0')),
        }
    }
    (chars != base).then(|| chars.into_iter().collect())
}

/// A character of a random term, other than `not` when possible.
fn random_char(terms: &[Term], rng: &mut SplitMix64, not: char) -> char {
    for _ in 0..16 {
        let text = &terms[rng.below(terms.len() as u64) as usize].text;
        let count = text.chars().count();
        if count == 0 {
            continue;
        }
        if let Some(c) = text.chars().nth(rng.below(count as u64) as usize)
            && c != not
        {
            return c;
        }
    }
    if not == 'e' { 'a' } else { 'e' }
}

/// Debian's word lists, largest first: `wamerican-insane` (about 650k
/// words), then whatever `/usr/share/dict/words` points to.
pub const WORD_LISTS: [&str; 2] = [
    "/usr/share/dict/american-english-insane",
    "/usr/share/dict/words",
];

/// The first of [`WORD_LISTS`] that exists, if any.
pub fn word_list() -> Option<PathBuf> {
    WORD_LISTS.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// The size part of a word list's ids: `dict_` and the file name, lower
/// case with underscores (`dict_american_english_insane`, `dict_words`),
/// so different files never share an id.
pub fn word_list_label(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("dict_{name}")
}

/// The words of a word list (one per line, blank lines skipped, a trailing
/// `\r` dropped), with seeded Zipf-like weights: a seeded shuffle of ranks,
/// the word of rank `r` weighing `10⁹ / r`, as generated terms do. Word
/// lists carry no frequencies, and the shuffle keeps weight independent of
/// alphabetical order. `limit` keeps every n-th word so that at most
/// `limit` remain, spread over the whole alphabet (for test mode).
pub fn load_word_list(
    path: &Path,
    seed: u64,
    limit: Option<usize>,
) -> Result<Vec<Term>, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut words = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let word = std::str::from_utf8(raw).map_err(|e| LoadError::InvalidUtf8 {
            path: path.to_owned(),
            line: index + 1,
            column: e.valid_up_to() + 1,
        })?;
        if !word.trim().is_empty() {
            words.push(word.to_owned());
        }
    }
    if words.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_owned(),
        });
    }
    if let Some(limit) = limit.filter(|&l| l > 0 && l < words.len()) {
        let step = words.len().div_ceil(limit);
        words = words.into_iter().step_by(step).collect();
    }
    let mut rng = SplitMix64::new(seed);
    let mut ranks: Vec<u64> = (1..=words.len() as u64).collect();
    for i in (1..ranks.len()).rev() {
        ranks.swap(i, rng.below(i as u64 + 1) as usize);
    }
    Ok(words
        .into_iter()
        .zip(ranks)
        .map(|(text, rank)| Term::new(text, (1_000_000_000 / rank).max(1)))
        .collect())
}

/// The first `len` characters of `text`, if it has that many (and `len > 0`).
fn char_prefix(text: &str, len: usize) -> Option<&str> {
    let end = text
        .char_indices()
        .map(|(at, c)| at + c.len_utf8())
        .nth(len.checked_sub(1)?)?;
    Some(&text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_naming_convention() {
        assert_eq!(LARGE.id(), "terms_1m_prefix_2");
        assert_eq!(SMALL.id(), "terms_10k_prefix_2");
    }

    #[test]
    fn quick_filter_keeps_10k_and_100k_only() {
        // The filter is a wildcard; check it against the ids it must separate.
        let pattern = gungraun_filter(RunMode::Quick).expect("quick filters");
        let prefix = pattern.trim_start_matches("*::").trim_end_matches('*');
        assert!(SMALL.id().starts_with(prefix));
        assert!(MEDIUM.id().starts_with(prefix));
        assert!(!LARGE.id().starts_with(prefix));
    }

    #[test]
    fn median_prefix() {
        let terms: Vec<Term> = ["aa1", "aa2", "aa3", "ab1", "ab2", "b", "ca", "ca2", "ca3"]
            .into_iter()
            .map(|t| Term::new(t, 1))
            .collect();
        // Groups: aa 3, ca 3, ab 2 ("b" is too short); the 4th of 8 is in "ca".
        assert_eq!(representative_prefix(&terms, 2), "ca");
        assert_eq!(representative_prefix(&[Term::new("ñandú", 1)], 2), "ña");
        assert_eq!(representative_prefix(&terms, 0), "");
    }

    #[test]
    fn latency_queries_are_seeded_and_shaped_by_class() {
        let terms = generate(2_000, 3);
        let a = latency_queries(&terms, QueryClass::Prefix3, 50, SEED);
        assert_eq!(a, latency_queries(&terms, QueryClass::Prefix3, 50, SEED));
        assert_eq!(a.len(), 50);
        assert!(a.iter().all(|q| q.chars().count() == 3));
        let fuzzy = latency_queries(&terms, QueryClass::FuzzyD2, 50, SEED);
        assert_eq!(fuzzy.len(), 50);
        for q in &fuzzy {
            let n = q.chars().count();
            assert!((2..=9).contains(&n), "{q:?}");
            // Two edits away from a term prefix: within distance 2 of one.
            let query = crate::FuzzyQuery::new(q, 2).expect("short");
            assert!(terms.iter().any(|t| query.distance_to(&t.text).is_some()));
        }
        assert!(latency_queries(&[], QueryClass::Prefix1, 5, SEED).is_empty());
        let short = [Term::new("ab", 1)];
        assert!(latency_queries(&short, QueryClass::FuzzyD1, 5, SEED).is_empty());
    }

    #[test]
    fn scans_get_fewer_queries_as_sizes_grow() {
        let count = |terms, class| latency_query_count(RunMode::Full, Cost::Scan, terms, class);
        assert_eq!(count(HUGE.terms, QueryClass::Prefix2), 200);
        assert_eq!(count(HUGE.terms, QueryClass::FuzzyD1), 20);
        assert_eq!(count(MEDIUM.terms, QueryClass::FuzzyD2), 1000);
        let indexed = latency_query_count(
            RunMode::Full,
            Cost::Indexed,
            HUGE.terms,
            QueryClass::FuzzyD2,
        );
        assert_eq!(indexed, 1000);
        assert_eq!(Case::fuzzy(SMALL, 1).id(), "terms_10k_fuzzy_d1");
    }

    #[test]
    fn word_lists_get_labels_and_seeded_weights() {
        let label = word_list_label(Path::new("/usr/share/dict/american-english-insane"));
        assert_eq!(label, "dict_american_english_insane");
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("words");
        std::fs::write(&path, "b\r\n\nA's\ncafé\n").expect("writable");
        let words = load_word_list(&path, 1, None).expect("valid list");
        let texts: Vec<&str> = words.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["b", "A's", "café"]);
        assert_eq!(words, load_word_list(&path, 1, None).expect("valid list"));
        assert_eq!(load_word_list(&path, 1, Some(2)).expect("valid").len(), 2);
        std::fs::write(&path, "\n").expect("writable");
        assert!(matches!(
            load_word_list(&path, 1, None),
            Err(LoadError::Empty { .. })
        ));
    }
}
