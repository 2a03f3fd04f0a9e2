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

use std::collections::HashMap;

pub use perflab_kit::RunMode;

use crate::{Term, generate};

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
        format!(
            "terms_{}_prefix_{PREFIX_LEN}",
            self.label.to_ascii_lowercase()
        )
    }
}

/// Shows the benchmark id, which divan uses as its argument name.
impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id())
    }
}

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
}
