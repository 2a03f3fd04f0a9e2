//! Selecting measurements by name: the small glob language shared by the
//! gate's `[[rules]]` selectors and the command line's `--scenario`,
//! `--variant` and `--benchmark` filters ([`Filters`]).
//!
//! `*` matches any run of characters (`/` included, so `complete/*` covers
//! every complete benchmark), `?` one character, `[abc]`, `[a-z]` and
//! `[!a-z]` one character of a set. Everything else matches itself.
//!
//! This is deliberately not a path glob: benchmark names are ids, not paths,
//! and one rule for `complete/*` should not silently miss `complete/a/b`.

use crate::{Artifact, MeasurementKey};
use std::fmt;

/// Why a pattern is not a valid glob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    #[error("the pattern is empty")]
    Empty,
    #[error("`[` at position {0} is never closed")]
    UnclosedClass(usize),
    #[error("`[]` at position {0} matches nothing")]
    EmptyClass(usize),
    #[error("range `{0}-{1}` is reversed")]
    ReversedRange(char, char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyChar,
    AnyRun,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Token {
    fn matches(&self, c: char) -> bool {
        match self {
            Token::Literal(l) => *l == c,
            Token::AnyChar => true,
            Token::AnyRun => unreachable!("runs are handled by the matcher"),
            Token::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
            }
        }
    }
}

/// A compiled glob pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    tokens: Vec<Token>,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        if pattern.is_empty() {
            return Err(GlobError::Empty);
        }
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => {
                    // `**` means the same as `*`; keep one so matching stays linear.
                    if tokens.last() != Some(&Token::AnyRun) {
                        tokens.push(Token::AnyRun);
                    }
                }
                '?' => tokens.push(Token::AnyChar),
                '[' => {
                    let start = i;
                    i += 1;
                    let negated = chars.get(i) == Some(&'!');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        match chars.get(i) {
                            None => return Err(GlobError::UnclosedClass(start)),
                            Some(']') => break,
                            Some(&lo) => {
                                if chars.get(i + 1) == Some(&'-')
                                    && chars.get(i + 2).is_some_and(|c| *c != ']')
                                {
                                    let hi = chars[i + 2];
                                    if hi < lo {
                                        return Err(GlobError::ReversedRange(lo, hi));
                                    }
                                    ranges.push((lo, hi));
                                    i += 3;
                                } else {
                                    ranges.push((lo, lo));
                                    i += 1;
                                }
                            }
                        }
                    }
                    if ranges.is_empty() {
                        return Err(GlobError::EmptyClass(start));
                    }
                    tokens.push(Token::Class { negated, ranges });
                }
                c => tokens.push(Token::Literal(c)),
            }
            i += 1;
        }
        Ok(Glob {
            pattern: pattern.to_owned(),
            tokens,
        })
    }

    /// Whether the pattern has no wildcards (it then matches one name only).
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Literal(_)))
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        // Greedy matching with one backtrack point (the last `*`): every
        // token but `*` consumes exactly one character, so this is exact.
        let text: Vec<char> = name.chars().collect();
        let (mut t, mut p) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::AnyRun) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(tok) if tok.matches(text[t]) => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p..].iter().all(|tok| *tok == Token::AnyRun)
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

/// Which scenarios, variants and benchmarks a command works on; an absent
/// filter matches everything.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub scenario: Vec<Glob>,
    pub variant: Vec<Glob>,
    pub benchmark: Vec<Glob>,
}

fn any(globs: &[Glob], text: &str) -> bool {
    globs.is_empty() || globs.iter().any(|g| g.matches(text))
}

impl Filters {
    pub fn scenario(&self, name: &str) -> bool {
        any(&self.scenario, name)
    }

    pub fn key(&self, key: &MeasurementKey) -> bool {
        self.names(&key.scenario, &key.variant, &key.benchmark)
    }

    pub fn artifact(&self, artifact: &Artifact) -> bool {
        self.names(&artifact.scenario, &artifact.variant, &artifact.benchmark)
    }

    fn names(&self, scenario: &str, variant: &str, benchmark: &str) -> bool {
        any(&self.scenario, scenario)
            && any(&self.variant, variant)
            && any(&self.benchmark, benchmark)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, name: &str) -> bool {
        Glob::new(pattern).unwrap().matches(name)
    }

    #[test]
    fn literals_match_only_themselves() {
        assert!(m("complete", "complete"));
        assert!(!m("complete", "complete/x"));
        assert!(!m("complete", "complet"));
        assert!(Glob::new("complete").unwrap().is_literal());
        assert!(!Glob::new("c*").unwrap().is_literal());
    }

    #[test]
    fn star_matches_any_run_including_slashes() {
        assert!(m("complete/*", "complete/terms=1M/prefix=2"));
        assert!(m("complete/*", "complete/"));
        assert!(!m("complete/*", "build/terms=1M"));
        assert!(m("*prefix=2", "complete/terms=1M/prefix=2"));
        assert!(m("*/terms=*/*", "complete/terms=1M/prefix=2"));
        assert!(m("a**b", "axxb"));
        assert!(m("*", ""));
    }

    #[test]
    fn question_marks_and_classes_match_one_character() {
        assert!(m("prefix=?", "prefix=2"));
        assert!(!m("prefix=?", "prefix=22"));
        assert!(m("prefix=[1-3]", "prefix=2"));
        assert!(!m("prefix=[!1-3]", "prefix=2"));
        assert!(m("prefix=[!1-3]", "prefix=7"));
        assert!(m("[*]", "*"));
    }

    #[test]
    fn bad_patterns_say_what_is_wrong() {
        assert_eq!(Glob::new(""), Err(GlobError::Empty));
        assert_eq!(Glob::new("complete/[a-"), Err(GlobError::UnclosedClass(9)));
        assert_eq!(Glob::new("x[]"), Err(GlobError::EmptyClass(1)));
        assert_eq!(Glob::new("[z-a]"), Err(GlobError::ReversedRange('z', 'a')));
    }

    #[test]
    fn filters_match_keys_by_glob() {
        let key = MeasurementKey {
            scenario: "autocomplete".into(),
            variant: "naive".into(),
            benchmark: "complete/terms=1M,prefix=2".into(),
            metric: crate::MetricKind::WallTime,
        };
        let g = |p: &str| vec![Glob::new(p).unwrap()];
        assert!(Filters::default().key(&key));
        assert!(
            Filters {
                benchmark: g("complete/*1M*"),
                ..Filters::default()
            }
            .key(&key)
        );
        assert!(
            !Filters {
                variant: g("optimized"),
                ..Filters::default()
            }
            .key(&key)
        );
        assert!(
            Filters {
                scenario: g("auto*"),
                variant: g("n?ive"),
                ..Filters::default()
            }
            .key(&key)
        );
    }
}
