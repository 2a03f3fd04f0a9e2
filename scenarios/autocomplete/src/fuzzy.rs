//! Fuzzy completion: what it means, and the one ranking every variant obeys.
//!
//! **Distance.** Levenshtein distance (insertions, deletions and
//! substitutions, each costing 1; no transpositions) counted over Unicode
//! scalar values, so `é` is one character however many bytes it takes.
//! Levenshtein rather than Damerau–Levenshtein because it is what
//! Levenshtein automata (the `fst` crate's among them) implement, so every
//! contender in the benches answers the same question; a transposition costs
//! 2.
//!
//! **Applied to a prefix.** A term matches a query within distance `d` when
//! *some prefix* of the term is within `d` of the whole query: the *prefix
//! distance* is `min over prefixes p of term (at character boundaries) of
//! lev(query, p)`. So `"cartn"` matches `"carton"` at distance 1 (via the
//! prefix `"carto"`), and every term matches a query of `d` characters or
//! fewer (via the empty prefix), which is why short queries are the
//! expensive case.
//!
//! **Ranking.** Distance ascending (so exact-prefix matches, distance 0,
//! come first), then weight descending, then text ascending bytewise: see
//! [`fuzzy_order`]. A suggestion's [`crate::Suggestion::distance`] is its
//! prefix distance.

use std::cmp::Ordering;

/// The largest edit distance a query may ask for.
pub const MAX_DISTANCE: u8 = 2;

/// The longest fuzzy query, in characters. The distance table has one
/// column per query character, so the limit bounds the work per trie node.
pub const MAX_QUERY_CHARS: usize = 64;

/// A validated fuzzy query: its characters and the distance allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzyQuery {
    text: String,
    chars: Vec<char>,
    max_distance: u8,
}

/// Why a fuzzy query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// More edits were asked for than [`MAX_DISTANCE`].
    #[error("fuzzy distance {given} is too large: at most {MAX_DISTANCE} is supported")]
    DistanceTooLarge {
        /// The distance asked for.
        given: u8,
    },
    /// The query is longer than [`MAX_QUERY_CHARS`].
    #[error("query of {chars} characters is too long: at most {MAX_QUERY_CHARS} are allowed")]
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
}

impl FuzzyQuery {
    /// A query for terms whose prefix distance to `text` is at most
    /// `max_distance`.
    pub fn new(text: &str, max_distance: u8) -> Result<Self, QueryError> {
        if max_distance > MAX_DISTANCE {
            return Err(QueryError::DistanceTooLarge {
                given: max_distance,
            });
        }
        let chars: Vec<char> = text.chars().collect();
        if chars.len() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong { chars: chars.len() });
        }
        Ok(Self {
            text: text.to_owned(),
            chars,
            max_distance,
        })
    }

    /// The query text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The query's characters.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// The largest prefix distance that matches.
    pub fn max_distance(&self) -> u8 {
        self.max_distance
    }

    /// The prefix distance of `term` to this query, if it matches.
    pub fn distance_to(&self, term: &str) -> Option<u8> {
        prefix_distance(&self.chars, term, self.max_distance)
    }
}

/// The prefix distance of `term` to `query` (see the module docs), or `None`
/// when it is above `max`.
///
/// One row of the Levenshtein table per character of `term`, with an early
/// exit once every cell of a row is above `max` (later rows can only be
/// larger) or once the distance found cannot improve further.
pub fn prefix_distance(query: &[char], term: &str, max: u8) -> Option<u8> {
    let m = query.len();
    let max = usize::from(max);
    // Row for the empty prefix of the term: lev(query[..j], "") = j.
    let mut row: Vec<usize> = (0..=m).collect();
    let mut best = row[m];
    for c in term.chars() {
        if best == 0 {
            break;
        }
        let mut diagonal = row[0];
        row[0] += 1;
        let mut row_min = row[0];
        for j in 1..=m {
            let substitute = diagonal + usize::from(query[j - 1] != c);
            diagonal = row[j];
            row[j] = substitute.min(row[j] + 1).min(row[j - 1] + 1);
            row_min = row_min.min(row[j]);
        }
        best = best.min(row[m]);
        // No longer prefix of the term can come closer than the row's minimum.
        if row_min > max || row_min >= best {
            break;
        }
    }
    (best <= max).then(|| u8::try_from(best).unwrap_or(u8::MAX))
}

/// The order of fuzzy answers: distance ascending, then weight descending,
/// then text ascending bytewise. `Less` means "ranks first".
pub fn fuzzy_order(a: (&str, u64, u8), b: (&str, u64, u8)) -> Ordering {
    a.2.cmp(&b.2)
        .then_with(|| crate::rank_order(a.0, a.1, b.0, b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pd(query: &str, term: &str, max: u8) -> Option<u8> {
        FuzzyQuery::new(query, max)
            .expect("valid")
            .distance_to(term)
    }

    #[test]
    fn distance_of_a_prefix() {
        assert_eq!(pd("cartn", "carton", 2), Some(1));
        assert_eq!(pd("car", "carton", 2), Some(0));
        assert_eq!(pd("cra", "carton", 2), Some(1), "via ca: drop the r");
        assert_eq!(pd("xra", "carton", 2), Some(2));
        assert_eq!(pd("xra", "carton", 1), None);
        assert_eq!(pd("ab", "xyz", 2), Some(2), "the empty prefix is 2 away");
        assert_eq!(pd("", "anything", 0), Some(0));
        assert_eq!(pd("carton", "car", 2), None, "lev(carton, car) = 3");
        assert_eq!(pd("carton", "cart", 2), Some(2));
    }

    #[test]
    fn characters_not_bytes() {
        assert_eq!(pd("cafe", "café au lait", 1), Some(1));
        assert_eq!(pd("日本", "日木語", 1), Some(1));
        assert_eq!(pd("🦀", "crab", 1), Some(1));
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(
            FuzzyQuery::new("a", 3),
            Err(QueryError::DistanceTooLarge { given: 3 })
        );
        let long = "é".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(
            FuzzyQuery::new(&long, 1),
            Err(QueryError::TooLong {
                chars: MAX_QUERY_CHARS + 1
            })
        );
        assert!(FuzzyQuery::new(&"é".repeat(MAX_QUERY_CHARS), 2).is_ok());
    }

    #[test]
    fn order_is_distance_weight_text() {
        assert!(fuzzy_order(("b", 1, 0), ("a", 9, 1)).is_lt());
        assert!(fuzzy_order(("b", 9, 1), ("a", 1, 1)).is_lt());
        assert!(fuzzy_order(("a", 1, 1), ("b", 1, 1)).is_lt());
    }
}
